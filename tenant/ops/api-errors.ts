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
