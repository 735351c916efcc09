/** Pure: which Management API credentials to use, and how a failed call reads. */
import type { Credentials } from '../lib/live';

/**
 * Credentials for the Management API: AUTH0_ACCESS_TOKEN, or AUTH0_CLIENT_ID + AUTH0_CLIENT_SECRET.
 * The local stack publishes its own client in its state file, used when the environment sets none.
 */
export function pickCredentials(
  processEnv: Record<string, string | undefined>,
  stack: Record<string, unknown> | undefined,
): Credentials {
  const fromEnv: Credentials = {
    AUTH0_ACCESS_TOKEN: processEnv.AUTH0_ACCESS_TOKEN || undefined,
    AUTH0_CLIENT_ID: processEnv.AUTH0_CLIENT_ID || undefined,
    AUTH0_CLIENT_SECRET: processEnv.AUTH0_CLIENT_SECRET || undefined,
  };
  if (fromEnv.AUTH0_ACCESS_TOKEN || (fromEnv.AUTH0_CLIENT_ID && fromEnv.AUTH0_CLIENT_SECRET) || !stack)
    return fromEnv;
  const auth0 = (stack.auth0 ?? {}) as Record<string, unknown>;
  const id = auth0.clientId;
  const secret = auth0.clientSecret;
  if (typeof id === 'string' && typeof secret === 'string')
    return { AUTH0_CLIENT_ID: id, AUTH0_CLIENT_SECRET: secret };
  return fromEnv;
}

/** One line for a failed Management API call: status and Auth0's message, never headers or tokens. */
export function describeApiError(err: unknown, domain: string): string {
  const e = err as { statusCode?: number; body?: unknown; message?: string };
  if (typeof e?.statusCode === 'number') {
    const body = (e.body ?? {}) as { message?: unknown; error?: unknown; errorCode?: unknown };
    const message =
      typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : '';
    const code = typeof body.errorCode === 'string' ? ` (${body.errorCode})` : '';
    return `${domain} answered ${e.statusCode}${message ? `: ${message}` : ''}${code}`;
  }
  const first = String(e?.message ?? err).split('\n')[0] as string;
  const network = /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|socket|certificate|timed out/i.test(first);
  return network ? `cannot reach ${domain}: ${first}` : first;
}
