/**
 * The I/O edge the ops commands share: environment -> Management API client. It reuses the deploy
 * tooling (tenant/lib): the zod environment loader, the local stack's state file, the client
 * credentials exchange and the CA-aware fetch, so `--env local` needs no NODE_EXTRA_CA_CERTS.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ManagementClient } from 'auth0';
import { parse as parseYaml } from 'yaml';
import {
  type Environment,
  type ResolvedEnvironment,
  loadEnvironment,
  needsLocalStack,
  resolveEnvironment,
} from '../lib/environment';
import { redact } from '../lib/keywords';
import { type FetchLike, fetchWithCa, getAccessToken, managementClient } from '../lib/live';
import { readStackState, stackIsRunning } from '../lib/localStack';
import { UserError } from './cli';
import { describeApiError } from './api-errors';

export { UserError, describeApiError };

export interface OpsContext {
  env: Environment;
  resolved: ResolvedEnvironment;
  domain: string;
  /** The local stack's CA file (local environment only). */
  caFile?: string;
  fetch: FetchLike;
  client: ManagementClient;
  /** Management API access token (never printed). */
  token: string;
  /** tenant.yaml as written (keywords unreplaced). */
  tenantDoc: Record<string, unknown>;
  /** Replaces every secret value (keywords and credentials) in a text about to be printed. */
  redact: (text: string) => string;
}

export interface OpenOptions {
  root: string;
  envName: string;
  processEnv: Record<string, string | undefined>;
  tenantFile?: string;
}

/** tenant.yaml as written (keywords unreplaced, nothing omitted). */
function readTenantDoc(file: string): Record<string, unknown> {
  const parsed = parseYaml(readFileSync(file, 'utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object')
    throw new Error(`${path.basename(file)}: must be a YAML mapping`);
  return parsed as Record<string, unknown>;
}

export async function openTenant(opts: OpenOptions): Promise<OpsContext> {
  const loaded = loadEnvironment(opts.root, opts.envName);
  if (!loaded.ok) throw new UserError(loaded.problems[0] as string, loaded.problems);
  const env = loaded.value;
  let stack: Record<string, unknown> | undefined;
  if (needsLocalStack(env)) {
    const state = readStackState(opts.root);
    if (!stackIsRunning(state))
      throw new UserError('the local stack is not running: start it with npm run local');
    stack = state;
  }
  const resolved = resolveEnvironment(env, opts.processEnv, stack);
  if (!resolved.ok) throw new UserError(resolved.problems[0] as string, resolved.problems);
  // The environment variables, else (local) the stack's own client; the stack's CA for HTTPS.
  const { credentials: creds, caFile } = resolved.value;
  const values = {
    ...resolved.value.keywordValues,
    AUTH0_CLIENT_SECRET: creds.AUTH0_CLIENT_SECRET ?? '',
    AUTH0_ACCESS_TOKEN: creds.AUTH0_ACCESS_TOKEN ?? '',
  };
  const names = [...resolved.value.secretNames, 'AUTH0_CLIENT_SECRET', 'AUTH0_ACCESS_TOKEN'];
  const redactText = (text: string) => redact(text, values, names);
  const domain = resolved.value.domain;
  const fetchImpl = fetchWithCa(caFile);
  const token = await getAccessToken(domain, creds, fetchImpl).catch((err: Error) => {
    const msg =
      err.message.startsWith('no Auth0') || err.message.startsWith('token request')
        ? err.message
        : describeApiError(err, domain);
    throw new UserError(redactText(msg));
  });
  let tenantDoc: Record<string, unknown>;
  try {
    tenantDoc = readTenantDoc(path.resolve(opts.root, opts.tenantFile ?? 'tenant.yaml'));
  } catch (err) {
    throw new UserError((err as Error).message.split('\n')[0] as string);
  }
  return {
    env,
    resolved: resolved.value,
    domain,
    caFile,
    fetch: fetchImpl,
    client: managementClient(domain, token, fetchImpl),
    token,
    tenantDoc,
    redact: redactText,
  };
}

/** Wraps a Management API call so its failure becomes one clear line. */
export async function api<T>(
  ctx: Pick<OpsContext, 'domain' | 'redact'>,
  what: string,
  call: () => Promise<T>,
): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new UserError(ctx.redact(`${what} failed: ${describeApiError(err, ctx.domain)}`));
  }
}

export async function collect<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of page) out.push(item);
  return out;
}
