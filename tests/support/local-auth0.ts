/**
 * Test helpers for the local Auth0 tenant: an in-process `fetch` that trusts its CA (NODE_EXTRA_CA_CERTS
 * only works for child processes), a Management API caller with a token, and a SCIM caller.
 */
import { spawn } from 'node:child_process';
import { Agent, fetch as undiciFetch } from 'undici';
import { startLocalAuth0, type LocalAuth0, type LocalAuth0Options } from '../../local/auth0';

export interface JsonResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary JSON
}

/** A WHATWG fetch that trusts the given CA (for in-process clients such as the auth0 SDK). */
export function fetchTrusting(caCert: string): typeof fetch {
  const dispatcher = new Agent({ connect: { ca: caCert } });
  return ((input: string | URL | Request, init?: RequestInit) =>
    undiciFetch(input as string, { ...(init as object), dispatcher } as never)) as unknown as typeof fetch;
}

export interface TestTenant {
  auth0: LocalAuth0;
  fetch: typeof fetch;
  token(scope?: string): Promise<string>;
  /** Management API call under /api/v2 with a full-scope token (or `token`). */
  api(method: string, path: string, body?: unknown, token?: string): Promise<JsonResponse>;
  /** SCIM call under /scim/v2/connections/{connectionId}. */
  scim(
    connectionId: string,
    bearer: string,
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<JsonResponse>;
  stop(): Promise<void>;
}

async function toJson(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

export async function startTestTenant(options: LocalAuth0Options = {}): Promise<TestTenant> {
  const auth0 = await startLocalAuth0(options);
  const f = fetchTrusting(auth0.caCert);
  let cached: string | undefined;
  const token = async (scope?: string) => {
    const res = await f(`${auth0.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: auth0.clientId,
        client_secret: auth0.clientSecret,
        audience: `https://${auth0.domain}/api/v2/`,
        ...(scope ? { scope } : {}),
      }),
    });
    const body = (await res.json()) as { access_token: string };
    return body.access_token;
  };
  return {
    auth0,
    fetch: f,
    token,
    async api(method, path, body, explicitToken) {
      const bearer = explicitToken ?? (cached ??= await token());
      const res = await f(`${auth0.baseUrl}/api/v2${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return toJson(res);
    },
    async scim(connectionId, bearer, method, path, body, contentType = 'application/scim+json') {
      const res = await f(`${auth0.baseUrl}/scim/v2/connections/${connectionId}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${bearer}`,
          ...(body !== undefined ? { 'content-type': contentType } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return toJson(res);
    },
    stop: () => auth0.stop(),
  };
}

/** The SAML connection of tenant.yaml with its SCIM mapping, created through the Management API. */
export async function createCorporateIdp(
  t: TestTenant,
  mapping: Array<{ auth0: string; scim: string }>,
  userIdAttribute = 'userName',
): Promise<{ connectionId: string; scimToken: string }> {
  const created = await t.api('POST', '/connections', {
    name: 'corporate-idp',
    strategy: 'samlp',
    options: { signInEndpoint: 'https://idp.example.test/sso' },
  });
  if (created.status !== 201)
    throw new Error(`create connection: ${created.status} ${JSON.stringify(created.body)}`);
  const connectionId = created.body.id as string;
  const cfg = await t.api('POST', `/connections/${connectionId}/scim-configuration`, {
    user_id_attribute: userIdAttribute,
    mapping,
  });
  if (cfg.status !== 201) throw new Error(`create scim config: ${cfg.status} ${JSON.stringify(cfg.body)}`);
  const tok = await t.api('POST', `/connections/${connectionId}/scim-configuration/tokens`, {});
  return { connectionId, scimToken: tok.body.token as string };
}

/** Runs a command without blocking this process's event loop (the local servers live in it). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
