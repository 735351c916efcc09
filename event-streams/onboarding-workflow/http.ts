/**
 * The Action's only I/O edge: JSON over fetch, with a per-request timeout tied to the handler's
 * deadline, and every failure classified as retryable (Auth0 should redeliver) or permanent
 * (redelivery cannot help; log for follow-up).
 */

export type FailureKind = 'retryable' | 'permanent';

export class DestinationError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly details: { status?: number; code?: string; retryAfterMs?: number } = {},
  ) {
    super(message);
    this.name = 'DestinationError';
  }
}

export const isRetryable = (error: unknown): boolean =>
  !(error instanceof DestinationError) || error.kind === 'retryable';

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  headers?: Record<string, string>;
  json?: unknown;
  /** An application/x-www-form-urlencoded body (OAuth token requests). */
  form?: Record<string, string>;
  /** Aborts the request when the handler's deadline passes. */
  signal: AbortSignal;
  timeoutMs: number;
}

const RETRYABLE_STATUS = new Set([408, 425, 429]);

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function classifyStatus(status: number): FailureKind {
  return RETRYABLE_STATUS.has(status) || status >= 500 ? 'retryable' : 'permanent';
}

/** A short machine-readable code from an error body: HubSpot, Slack, Salesforce ([{errorCode}]), OAuth, Jira. */
export function errorCode(body: unknown): string | undefined {
  if (typeof body === 'string') return body.slice(0, 80) || undefined;
  if (Array.isArray(body)) return errorCode(body[0]);
  if (typeof body !== 'object' || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const code = record.category ?? record.errorType ?? record.errorCode ?? record.error ?? record.code;
  if (typeof code === 'string') return code.slice(0, 80);
  const jira = record.errorMessages;
  return Array.isArray(jira) && typeof jira[0] === 'string' ? jira[0].slice(0, 80) : undefined;
}

/** The value of an HTTP Basic authorization header. */
export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;

/** Turns a non-2xx response into a DestinationError; the message carries no request data. */
export function responseError(system: string, response: HttpResponse): DestinationError {
  const code = errorCode(response.body);
  return new DestinationError(
    `${system} answered ${response.status}${code ? ` (${code})` : ''}`,
    classifyStatus(response.status),
    { status: response.status, code, retryAfterMs: parseRetryAfter(response.headers.get('retry-after')) },
  );
}

function networkError(system: string, error: unknown, timedOut: boolean): DestinationError {
  if (timedOut)
    return new DestinationError(`${system} did not answer in time`, 'retryable', { code: 'timeout' });
  const cause = (error as { cause?: { code?: string } })?.cause?.code;
  return new DestinationError(`${system} request failed${cause ? ` (${cause})` : ''}`, 'retryable', {
    code: cause ?? 'network',
  });
}

/**
 * Sends one request. Resolves with any HTTP status (callers decide what a 404 or 409 means);
 * rejects with a retryable DestinationError on timeouts, network errors and unreadable bodies.
 */
export async function request(system: string, url: string, options: RequestOptions): Promise<HttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const requestBody =
    options.form !== undefined
      ? new URLSearchParams(options.form).toString()
      : options.json === undefined
        ? undefined
        : JSON.stringify(options.json);
  let response: Response;
  let raw: string;
  try {
    response = await fetch(url, {
      method: options.method,
      headers,
      body: requestBody,
      signal,
    });
    raw = await response.text();
  } catch (error) {
    throw networkError(system, error, signal.aborted);
  }
  let body: unknown = raw;
  if (raw !== '' && (response.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw new DestinationError(
        `${system} sent an unreadable body (status ${response.status})`,
        'retryable',
        {
          status: response.status,
          code: 'malformed-body',
        },
      );
    }
  }
  return { status: response.status, headers: response.headers, body };
}
