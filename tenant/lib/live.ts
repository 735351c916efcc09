/**
 * Thin I/O edge: reads what this repo owns from a tenant with the auth0 SDK (read calls only).
 * Everything it returns is plain data, so the diff in plan.ts stays pure and testable.
 */
import { readFileSync } from 'node:fs';
import { ManagementClient } from 'auth0';
import { Agent, fetch as undiciFetch } from 'undici';

export interface LiveConnection {
  id: string;
  name: string;
  strategy: string;
  display_name?: string;
  options: Record<string, unknown>;
  /** null: SCIM not configured; undefined: could not be read (scope missing). */
  scim_configuration?: {
    user_id_attribute?: string;
    mapping?: Array<{ auth0: string; scim: string }>;
  } | null;
}

export interface LiveAction {
  id: string;
  name: string;
  code: string;
  runtime?: string;
  dependencies: Array<{ name: string; version: string }>;
  secrets: Array<{ name: string }>;
  supported_triggers: Array<{ id: string; version?: string }>;
  all_changes_deployed?: boolean;
}

export interface LiveEventStream {
  id: string;
  name: string;
  status?: string;
  subscriptions: Array<{ event_type: string }>;
  destination?: { type?: string; configuration?: Record<string, unknown> };
}

export interface LiveState {
  connections: LiveConnection[];
  actions: LiveAction[];
  eventStreams: LiveEventStream[];
  tenant?: Record<string, unknown>;
  /** false when the token may not read SCIM configurations (403). */
  scimReadable: boolean;
}

export type FetchLike = typeof fetch;

/** A fetch that trusts an extra CA (the local stack's), without restarting Node. */
export function fetchWithCa(caFile: string | undefined): FetchLike {
  if (!caFile) return fetch;
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
  return ((input: Parameters<FetchLike>[0], init?: Parameters<FetchLike>[1]) =>
    undiciFetch(input as never, { ...(init as object), dispatcher } as never)) as unknown as FetchLike;
}

export interface Credentials {
  AUTH0_CLIENT_ID?: string;
  AUTH0_CLIENT_SECRET?: string;
  AUTH0_ACCESS_TOKEN?: string;
}

/** Client-credentials exchange (or the given token). The error never contains the secret. */
export async function getAccessToken(
  domain: string,
  creds: Credentials,
  fetchImpl: FetchLike,
): Promise<string> {
  if (creds.AUTH0_ACCESS_TOKEN) return creds.AUTH0_ACCESS_TOKEN;
  if (!creds.AUTH0_CLIENT_ID || !creds.AUTH0_CLIENT_SECRET) {
    throw new Error(
      'no Auth0 credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or AUTH0_ACCESS_TOKEN)',
    );
  }
  const res = await fetchImpl(`https://${domain}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: creds.AUTH0_CLIENT_ID,
      client_secret: creds.AUTH0_CLIENT_SECRET,
      audience: `https://${domain}/api/v2/`,
    }),
  });
  const body = (await res.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!res.ok || !body.access_token) {
    throw new Error(
      `token request to ${domain} failed (${res.status} ${body.error ?? ''}${body.error_description ? `: ${body.error_description}` : ''})`,
    );
  }
  return body.access_token;
}

/** Scopes granted to a Management API token, or null when it is not a readable JWT. */
export function tokenScopes(token: string): string[] | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const payload = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as {
      scope?: unknown;
      permissions?: unknown;
    };
    if (typeof payload.scope === 'string') return payload.scope.split(/\s+/).filter(Boolean);
    if (Array.isArray(payload.permissions)) return payload.permissions.map(String);
    return null;
  } catch {
    return null;
  }
}

export function managementClient(domain: string, token: string, fetchImpl: FetchLike): ManagementClient {
  return new ManagementClient({ domain, token, fetch: fetchImpl, maxRetries: 2 });
}

async function all<T>(page: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of page) out.push(item);
  return out;
}

function statusOf(err: unknown): number | undefined {
  return (err as { statusCode?: number }).statusCode;
}

export interface ReadOptions {
  connectionNames: string[];
  actionNames: string[];
  includeTenant: boolean;
}

/** Reads the owned resources. Read-only: GET requests only. */
export async function readLiveState(client: ManagementClient, opts: ReadOptions): Promise<LiveState> {
  const [connections, actions, eventStreams] = await Promise.all([
    all(await client.connections.list({ take: 100 })),
    all(await client.actions.list({ per_page: 100 })),
    all(await client.eventStreams.list({ take: 100 })),
  ]);
  let scimReadable = true;
  const owned = connections.filter((c) => opts.connectionNames.includes(c.name ?? ''));
  const liveConnections: LiveConnection[] = [];
  for (const c of owned) {
    let scim: LiveConnection['scim_configuration'] = null;
    try {
      const s = await client.connections.scimConfiguration.get(c.id as string);
      scim = {
        user_id_attribute: s.user_id_attribute,
        mapping: (s.mapping ?? []) as Array<{ auth0: string; scim: string }>,
      };
    } catch (err) {
      if (statusOf(err) === 404) scim = null;
      else if (statusOf(err) === 403) {
        scimReadable = false;
        scim = undefined;
      } else throw err;
    }
    liveConnections.push({
      id: c.id as string,
      name: c.name as string,
      strategy: c.strategy as string,
      display_name: c.display_name,
      options: (c.options ?? {}) as Record<string, unknown>,
      scim_configuration: scim,
    });
  }
  const liveActions: LiveAction[] = [];
  for (const a of actions) {
    // The list may omit code for large actions; the single GET always has it.
    const full = opts.actionNames.includes(a.name ?? '') ? await client.actions.get(a.id as string) : a;
    liveActions.push({
      id: full.id as string,
      name: full.name as string,
      code: full.code ?? '',
      runtime: full.runtime,
      dependencies: (full.dependencies ?? []).map((d) => ({
        name: d.name as string,
        version: d.version as string,
      })),
      secrets: (full.secrets ?? []).map((s) => ({ name: s.name as string })),
      supported_triggers: (full.supported_triggers ?? []).map((t) => ({
        id: String(t.id),
        version: t.version,
      })),
      all_changes_deployed: full.all_changes_deployed,
    });
  }
  const tenant = opts.includeTenant
    ? ((await client.tenants.settings.get()) as Record<string, unknown>)
    : undefined;
  return {
    connections: liveConnections,
    actions: liveActions,
    eventStreams: eventStreams.map((s) => {
      const stream = s as unknown as LiveEventStream;
      return {
        id: stream.id,
        name: stream.name,
        status: stream.status,
        subscriptions: (stream.subscriptions ?? []).map((x) => ({ event_type: x.event_type })),
        destination: stream.destination,
      };
    }),
    tenant,
    scimReadable,
  };
}
