/**
 * Shared machinery for the local destination stand-ins (HubSpot, Slack, Salesforce, Jira, Segment, Teams,
 * provisioning): a node:http server on loopback, a record of every request received (secrets redacted),
 * switchable faults drawn from a seeded RNG, a rolling-window rate limiter, and the `/__local/...` control
 * API that out-of-process tools (verify, the `npm run local` daemon) use to inspect and steer a stand-in.
 *
 * Each stand-in supplies only its API: `handle(request) => Reply`. Everything here is protocol-agnostic.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Every control route lives under this prefix; no real API the stand-ins imitate uses it. */
export const CONTROL_PREFIX = '/__local';

export interface StandinOptions {
  /** Loopback only; kept as an option so a test can assert the default. */
  host?: string;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Seed of the RNG that decides probabilistic faults, so a failing run can be replayed. */
  seed?: number;
  /** Recorded requests kept (oldest dropped first), so a long-running daemon stays bounded. Default 10 000. */
  maxRecords?: number;
}

export interface RecordedRequest {
  seq: number;
  /** ISO timestamp of arrival. */
  time: string;
  method: string;
  /** Path as received, with secret path segments redacted by the stand-in. */
  path: string;
  query: Record<string, string | string[]>;
  /** Lower-cased header names; Authorization and other secrets replaced by "[redacted]". */
  headers: Record<string, string>;
  /** Parsed JSON when the body was JSON, the raw text otherwise, undefined when empty. */
  body: unknown;
  /** Status sent back (undefined while pending, or when the fault was a hang/reset). */
  status?: number;
  /** Name of the fault that shaped the answer, if any. */
  fault?: FaultKind;
  durationMs?: number;
}

export type FaultKind = 'error' | 'latency' | 'hang' | 'reset' | 'malformed';

export interface FaultSpec {
  kind: FaultKind;
  /** HTTP method to match (any when omitted). */
  method?: string;
  /** Path to match: a prefix, or a regular expression when it starts with "^". Any when omitted. */
  path?: string;
  /** For kind "error": the status (default 500). */
  status?: number;
  /** For kind "error": the body (default: the stand-in's own error body for that status). */
  body?: string;
  /** For kind "latency": the delay added before the normal answer. */
  latencyMs?: number;
  /** Fire for the next N matching requests only; unlimited when omitted. */
  count?: number;
  /** Fire with this probability (0..1) per matching request, drawn from the seeded RNG. Default 1. */
  probability?: number;
}

export interface Fault extends FaultSpec {
  id: string;
  /** Times this fault fired. */
  hits: number;
  /** Remaining firings when `count` was given. */
  remaining?: number;
}

export interface IncomingRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  /** The parsed JSON body, or a JsonParseError when the body is not JSON. */
  json: unknown;
  record: RecordedRequest;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are (set content-type in headers). */
  body?: unknown;
}

export class JsonParseError {
  constructor(readonly message: string) {}
}

/** mulberry32: tiny, seedable, good enough to decide "does this fault fire". */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pathMatches(pattern: string | undefined, path: string): boolean {
  if (pattern === undefined || pattern === '') return true;
  if (pattern.startsWith('^')) return new RegExp(pattern).test(path);
  return path.startsWith(pattern);
}

const FAULT_KINDS: readonly FaultKind[] = ['error', 'latency', 'hang', 'reset', 'malformed'];

/** Validates a fault spec that arrived over HTTP or from a test; throws with a readable reason. */
export function parseFaultSpec(input: unknown): FaultSpec {
  if (typeof input !== 'object' || input === null) throw new Error('fault must be an object');
  const o = input as Record<string, unknown>;
  if (typeof o.kind !== 'string' || !FAULT_KINDS.includes(o.kind as FaultKind)) {
    throw new Error(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
  }
  const spec: FaultSpec = { kind: o.kind as FaultKind };
  if (o.method !== undefined) {
    if (typeof o.method !== 'string') throw new Error('fault.method must be a string');
    spec.method = o.method.toUpperCase();
  }
  if (o.path !== undefined) {
    if (typeof o.path !== 'string') throw new Error('fault.path must be a string');
    if (o.path.startsWith('^')) new RegExp(o.path); // throws on an invalid pattern
    spec.path = o.path;
  }
  const num = (key: 'status' | 'latencyMs' | 'count' | 'probability', min: number, max: number) => {
    const v = o[key];
    if (v === undefined) return;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new Error(`fault.${key} must be a number in [${min}, ${max}]`);
    }
    spec[key] = v;
  };
  num('status', 100, 599);
  num('latencyMs', 0, 600_000);
  num('count', 1, 1_000_000);
  num('probability', 0, 1);
  if (o.body !== undefined) {
    if (typeof o.body !== 'string') throw new Error('fault.body must be a string');
    spec.body = o.body;
  }
  if (spec.kind === 'latency' && spec.latencyMs === undefined)
    throw new Error('latency fault needs latencyMs');
  return spec;
}

export class FaultController {
  private faults: Fault[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  add(spec: FaultSpec): Fault {
    const parsed = parseFaultSpec(spec);
    const fault: Fault = { ...parsed, id: `f${this.nextId++}`, hits: 0 };
    if (parsed.count !== undefined) fault.remaining = parsed.count;
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    return this.faults.length !== before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /**
   * The faults that fire for this request, in the order they were added: every firing latency fault, then at
   * most one terminal fault (error, hang, reset, malformed). Firing consumes `count`.
   */
  decide(method: string, path: string): { latencyMs: number; terminal?: Fault } {
    let latencyMs = 0;
    let terminal: Fault | undefined;
    for (const f of this.faults) {
      if (f.remaining === 0) continue;
      if (f.method !== undefined && f.method !== method) continue;
      if (!pathMatches(f.path, path)) continue;
      if (f.kind !== 'latency' && terminal !== undefined) continue;
      if (f.probability !== undefined && this.random() >= f.probability) continue;
      f.hits++;
      if (f.remaining !== undefined) f.remaining--;
      if (f.kind === 'latency') latencyMs += f.latencyMs ?? 0;
      else terminal = f;
    }
    return { latencyMs, terminal };
  }
}

/** Sliding-log rate limiter: at most `max` hits per key in any window of `windowMs`. */
export class RollingWindowLimiter {
  private hits = new Map<string, number[]>();

  constructor(
    public max: number,
    public windowMs: number,
  ) {}

  private prune(key: string, now: number): number[] {
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - this.windowMs);
    this.hits.set(key, list);
    return list;
  }

  /** Counts the hit when allowed; a rejected hit is not counted (the caller retries later). */
  hit(key: string, now = Date.now()): { allowed: boolean; remaining: number; retryAfterMs: number } {
    const list = this.prune(key, now);
    if (list.length >= this.max) {
      const oldest = list[0] ?? now;
      return { allowed: false, remaining: 0, retryAfterMs: Math.max(1, oldest + this.windowMs - now) };
    }
    list.push(now);
    return { allowed: true, remaining: this.max - list.length, retryAfterMs: 0 };
  }

  reset(): void {
    this.hits.clear();
  }
}

export interface ControlContext {
  method: string;
  /** Path after the control prefix, e.g. "/state". */
  subpath: string;
  query: URLSearchParams;
  json: unknown;
}

export interface StandinDefinition {
  /** Short name used in logs and /__local/health. */
  name: string;
  handle(req: IncomingRequest): Reply | Promise<Reply>;
  /** Service-specific control routes; return undefined to fall through to a 404. */
  control?(ctx: ControlContext): Reply | undefined | Promise<Reply | undefined>;
  /** Clears the service's own state (called by POST /__local/reset and `reset()`). */
  reset?(): void;
  /** The body an injected "error" fault sends when the fault has none. */
  errorReply?(status: number): Reply;
  /** The body of a "malformed" fault: a 200 whose body the client cannot parse. */
  malformedReply?(): Reply;
  /** Redacts secrets in a recorded request (path segments, body fields) beyond the standard headers. */
  redact?(record: RecordedRequest): void;
}

export interface StandinServer {
  readonly name: string;
  readonly baseUrl: string;
  readonly port: number;
  readonly faults: FaultController;
  /** Requests received on the API (control calls are not recorded), oldest first. */
  requests(filter?: { method?: string; path?: string; since?: number }): RecordedRequest[];
  clearRequests(): void;
  /** Clears requests, faults and service state. */
  reset(): void;
  stop(): Promise<void>;
}

const SECRET_HEADERS = new Set(['authorization', 'cookie', 'x-api-key', 'proxy-authorization']);
const REDACTED = '[redacted]';

export function redactHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const v = Array.isArray(value) ? value.join(', ') : value;
    if (SECRET_HEADERS.has(name)) {
      // Keep the scheme ("Bearer", "Basic") so assertions can check how a client authenticated.
      const scheme = /^(\w+)\s/.exec(v)?.[1];
      out[name] = scheme ? `${scheme} ${REDACTED}` : REDACTED;
    } else {
      out[name] = v;
    }
  }
  return out;
}

export { REDACTED };

function queryObject(q: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key);
    out[key] = all.length === 1 ? (all[0] as string) : all;
  }
  return out;
}

function parseJson(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch (e) {
    return new JsonParseError((e as Error).message);
  }
}

function send(res: http.ServerResponse, reply: Reply): void {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload: string | undefined;
  if (reply.body === undefined || reply.body === null) {
    payload = undefined;
  } else if (typeof reply.body === 'string') {
    payload = reply.body;
  } else {
    payload = JSON.stringify(reply.body);
    if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/json;charset=utf-8';
    }
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(reply.status, headers);
  res.end(payload);
}

export function jsonReply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { status, body, headers };
}

/**
 * A `POST /__local/config` body of non-negative numbers: each key present in `json` is checked, then
 * handed to its setter. 204 when all are valid, else 400 naming the first bad key (nothing is set).
 */
export function setNumericConfig(json: unknown, setters: Record<string, (value: number) => void>): Reply {
  const body = (json ?? {}) as Record<string, unknown>;
  const given = Object.keys(setters).filter((key) => body[key] !== undefined);
  const bad = given.find((key) => typeof body[key] !== 'number' || (body[key] as number) < 0);
  if (bad !== undefined) return jsonReply(400, { error: `${bad} must be >= 0` });
  for (const key of given) setters[key]!(body[key] as number);
  return { status: 204 };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts a stand-in on loopback. Resolves once it listens. */
export async function startStandin(
  def: StandinDefinition,
  opts: StandinOptions = {},
): Promise<StandinServer> {
  const host = opts.host ?? '127.0.0.1';
  const faults = new FaultController(opts.seed ?? 1);
  const maxRecords = opts.maxRecords ?? 10_000;
  let records: RecordedRequest[] = [];
  let seq = 0;
  const sockets = new Set<Socket>();
  let baseUrl = '';

  const handleControl = async (req: IncomingRequest): Promise<Reply> => {
    const subpath = req.path.slice(CONTROL_PREFIX.length) || '/';
    const m = req.method;
    if (subpath === '/health' && m === 'GET') return jsonReply(200, { name: def.name, baseUrl });
    if (subpath === '/requests' && m === 'GET') {
      const since = Number(req.query.get('since') ?? 0);
      return jsonReply(200, { requests: records.filter((r) => r.seq > since) });
    }
    if (subpath === '/requests' && m === 'DELETE') {
      records = [];
      return { status: 204 };
    }
    if (subpath === '/faults' && m === 'GET') return jsonReply(200, { faults: faults.list() });
    if (subpath === '/faults' && m === 'POST') {
      try {
        const specs = Array.isArray(req.json) ? req.json : [req.json];
        const parsed = specs.map(parseFaultSpec); // validate all before adding any
        return jsonReply(201, { faults: parsed.map((s) => faults.add(s)) });
      } catch (e) {
        return jsonReply(400, { error: (e as Error).message });
      }
    }
    if (subpath === '/faults' && m === 'DELETE') {
      faults.clear();
      return { status: 204 };
    }
    const faultId = /^\/faults\/([\w-]+)$/.exec(subpath)?.[1];
    if (faultId !== undefined && m === 'DELETE') {
      return faults.remove(faultId) ? { status: 204 } : jsonReply(404, { error: `no fault ${faultId}` });
    }
    if (subpath === '/reset' && m === 'POST') {
      server.reset();
      return { status: 204 };
    }
    const custom = await def.control?.({ method: m, subpath, query: req.query, json: req.json });
    if (custom !== undefined) return custom;
    return jsonReply(404, { error: `no control route ${m} ${subpath}` });
  };

  const httpServer = http.createServer((req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', () => res.destroy());
    req.on('end', () => {
      void (async () => {
        const url = new URL(req.url ?? '/', 'http://localhost');
        const rawBody = Buffer.concat(chunks).toString('utf8');
        const json = parseJson(rawBody);
        const method = (req.method ?? 'GET').toUpperCase();
        const record: RecordedRequest = {
          seq: 0,
          time: new Date(started).toISOString(),
          method,
          path: url.pathname,
          query: queryObject(url.searchParams),
          headers: redactHeaders(req.headers),
          body: json instanceof JsonParseError ? rawBody : json,
        };
        const incoming: IncomingRequest = {
          method,
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          rawBody,
          json,
          record,
        };

        if (url.pathname === CONTROL_PREFIX || url.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
          send(res, await handleControl(incoming));
          return;
        }

        record.seq = ++seq;
        def.redact?.(record);
        records.push(record);
        if (records.length > maxRecords) records.splice(0, records.length - maxRecords);

        const { latencyMs, terminal } = faults.decide(method, url.pathname);
        if (latencyMs > 0) await sleep(latencyMs);
        if (terminal !== undefined) record.fault = terminal.kind;
        switch (terminal?.kind) {
          case 'hang':
            return; // never answer; stop() destroys the socket
          case 'reset':
            req.socket.destroy();
            return;
          case 'malformed': {
            const reply = def.malformedReply?.() ?? {
              status: 200,
              headers: { 'content-type': 'application/json;charset=utf-8' },
              body: '{"status":"COMPLETE","results":[{"id":',
            };
            record.status = reply.status;
            send(res, reply);
            return;
          }
          case 'error': {
            const status = terminal.status ?? 500;
            const reply: Reply =
              terminal.body !== undefined
                ? { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: terminal.body }
                : (def.errorReply?.(status) ?? jsonReply(status, { error: 'injected fault' }));
            record.status = status;
            send(res, reply);
            return;
          }
          default:
            break;
        }

        let reply: Reply;
        try {
          reply = await def.handle(incoming);
        } catch (e) {
          // A bug in a stand-in must be loud, not look like a destination outage.
          console.error(`[${def.name}] stand-in error:`, e);
          reply = jsonReply(599, { error: `stand-in bug: ${(e as Error).message}` });
        }
        record.status = reply.status;
        record.durationMs = Date.now() - started;
        if (!res.destroyed) send(res, reply);
      })();
    });
  });
  httpServer.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(opts.port ?? 0, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;
  baseUrl = `http://${host}:${port}`;

  const server: StandinServer = {
    name: def.name,
    baseUrl,
    port,
    faults,
    requests(filter) {
      return records.filter(
        (r) =>
          (filter?.method === undefined || r.method === filter.method.toUpperCase()) &&
          (filter?.path === undefined || pathMatches(filter.path, r.path)) &&
          (filter?.since === undefined || r.seq > filter.since),
      );
    },
    clearRequests() {
      records = [];
    },
    reset() {
      records = [];
      faults.clear();
      def.reset?.();
    },
    stop() {
      return new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        // Hung requests and keep-alive sockets would keep close() waiting forever.
        for (const s of sockets) s.destroy();
      });
    },
  };
  return server;
}

/** Small client for the control API, for out-of-process tools (verify, the daemon). */
export class StandinControlClient {
  constructor(private readonly baseUrl: string) {}

  private async call(method: string, subpath: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${CONTROL_PREFIX}${subpath}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${CONTROL_PREFIX}${subpath} -> ${res.status} ${text}`);
    return text === '' ? undefined : JSON.parse(text);
  }

  async requests(since = 0): Promise<RecordedRequest[]> {
    return ((await this.call('GET', `/requests?since=${since}`)) as { requests: RecordedRequest[] }).requests;
  }
  async addFault(spec: FaultSpec): Promise<Fault> {
    return ((await this.call('POST', '/faults', spec)) as { faults: Fault[] }).faults[0] as Fault;
  }
  async faults(): Promise<Fault[]> {
    return ((await this.call('GET', '/faults')) as { faults: Fault[] }).faults;
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }
  async reset(): Promise<void> {
    await this.call('POST', '/reset');
  }
  /** A service-specific control route, e.g. get('/state'). */
  get(subpath: string): Promise<unknown> {
    return this.call('GET', subpath);
  }
  post(subpath: string, body?: unknown): Promise<unknown> {
    return this.call('POST', subpath, body ?? {});
  }
}
