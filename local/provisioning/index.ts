/**
 * Local "internal provisioning service": a generic HTTP destination that receives user lifecycle events and
 * honours `Idempotency-Key` as the IETF draft "The Idempotency-Key HTTP Header Field"
 * (draft-ietf-httpapi-idempotency-key-header) describes:
 *   - first request with a key: processed, its response stored;
 *   - same key, same body: the stored response is replayed (header `Idempotent-Replayed: true`), nothing re-runs;
 *   - same key, different body: 422;
 *   - same key while the first request is still being processed: 409;
 *   - key missing when `requireIdempotencyKey` is set: 400.
 * See local/provisioning/README.md.
 */
import { createHash } from 'node:crypto';
import {
  JsonParseError,
  REDACTED,
  jsonReply,
  startStandin,
  type IncomingRequest,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';

export interface LocalProvisioningOptions extends StandinOptions {
  /** Bearer token clients must send (as `Authorization: Bearer <token>` unless `authHeader`/`authValue` say otherwise). */
  token?: string;
  /** Header carrying the credential. Default `authorization`. */
  authHeader?: string;
  /** Exact header value expected. Default `Bearer <token>`. */
  authValue?: string;
  /** Path of the events endpoint. Default `/users/events`. */
  path?: string;
  /** Default false: requests without a key are processed every time. */
  requireIdempotencyKey?: boolean;
  /** How long a key is remembered. Default 24 h. */
  idempotencyTtlMs?: number;
  /** Time spent "processing" each new event, to make concurrent duplicates observable. Default 0. */
  processingMs?: number;
  clock?: () => number;
}

export interface ProvisioningEvent {
  id: string;
  receivedAt: string;
  idempotencyKey?: string;
  body: Record<string, unknown>;
}

export interface ProvisionedUser {
  userId: string;
  active: boolean;
  attributes: Record<string, unknown>;
  events: number;
}

export interface LocalProvisioning extends StandinServer {
  /** Full URL of the events endpoint. */
  readonly eventsUrl: string;
  /** Events processed (replays are not processed again), oldest first. */
  events(): ProvisioningEvent[];
  /** Users as the service sees them after applying the events. */
  users(): ProvisionedUser[];
  user(userId: string): ProvisionedUser | undefined;
  /** Replayed responses served so far. */
  replays(): number;
}

const OFFBOARD = new Set(['offboard', 'user.deleted', 'user.deprovisioned']);
const ONBOARD_OR_UPDATE = new Set(['onboard', 'update', 'user.created', 'user.updated', 'user.provisioned']);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Canonical JSON (sorted keys) so that key order does not make two equal bodies differ. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function fingerprint(req: IncomingRequest): string {
  const material =
    req.json instanceof JsonParseError || req.json === undefined ? req.rawBody : canonical(req.json);
  return createHash('sha256').update(`${req.method} ${req.path}\n${material}`).digest('hex');
}

const problem = (status: number, type: string, title: string, detail: string): Reply => ({
  status,
  headers: { 'content-type': 'application/problem+json' },
  body: JSON.stringify({ type, title, status, detail }),
});

export async function startLocalProvisioning(
  opts: LocalProvisioningOptions = {},
): Promise<LocalProvisioning> {
  const token = opts.token ?? 'local-provisioning-token';
  const authHeader = (opts.authHeader ?? 'authorization').toLowerCase();
  const authValue = opts.authValue ?? `Bearer ${token}`;
  const eventPath = opts.path ?? '/users/events';
  const ttl = opts.idempotencyTtlMs ?? 24 * 60 * 60 * 1000;
  const clock = opts.clock ?? Date.now;
  let events: ProvisioningEvent[] = [];
  let users = new Map<string, ProvisionedUser>();
  let keys = new Map<string, { fingerprint: string; at: number; reply?: Reply }>();
  let replays = 0;
  let seq = 0;

  const apply = (body: Record<string, unknown>): Reply => {
    // The body shape is the caller's mapping; the service needs a user id and what happened to the user.
    const kind = body.action ?? body.event_type ?? body.type;
    const nested =
      typeof body.user === 'object' && body.user !== null ? (body.user as Record<string, unknown>) : {};
    const userId = body.user_id ?? body.userId ?? nested.id ?? nested.user_id;
    if (typeof kind !== 'string' || typeof userId !== 'string' || userId === '') {
      return problem(
        400,
        'about:blank',
        'Bad Request',
        'user_id and action (or event_type) are required strings',
      );
    }
    const { action: _a, event_type: _t, type: _t2, user_id: _u, userId: _u2, ...attributes } = body;
    const current = users.get(userId);
    if (OFFBOARD.has(kind)) {
      if (current !== undefined) {
        current.active = false;
        current.events++;
      }
    } else if (ONBOARD_OR_UPDATE.has(kind)) {
      users.set(userId, {
        userId,
        active: attributes.active === false || attributes.blocked === true ? false : true,
        attributes: { ...(current?.attributes ?? {}), ...attributes },
        events: (current?.events ?? 0) + 1,
      });
    } else {
      return problem(422, 'about:blank', 'Unprocessable Content', `unknown action ${kind}`);
    }
    const id = `evt_${String(++seq).padStart(6, '0')}`;
    events.push({ id, receivedAt: new Date(clock()).toISOString(), body });
    return jsonReply(201, { id, status: 'accepted', user_id: userId });
  };

  const server = await startStandin(
    {
      name: 'provisioning',
      async handle(req) {
        if (req.headers[authHeader] !== authValue) {
          return problem(401, 'about:blank', 'Unauthorized', 'a valid bearer token is required');
        }
        if (req.path !== eventPath) return problem(404, 'about:blank', 'Not Found', `no route ${req.path}`);
        if (req.method !== 'POST') return problem(405, 'about:blank', 'Method Not Allowed', 'use POST');

        const keyHeader = req.headers['idempotency-key'];
        const key = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
        if (key === undefined && opts.requireIdempotencyKey === true) {
          return problem(
            400,
            'https://developer.example.com/idempotency',
            'Idempotency-Key is missing',
            'This operation is idempotent and it requires correct usage of Idempotency Key.',
          );
        }
        const fp = fingerprint(req);
        const now = clock();
        for (const [k, v] of keys) if (v.at <= now - ttl) keys.delete(k);
        if (key !== undefined) {
          const prior = keys.get(key);
          if (prior !== undefined) {
            if (prior.fingerprint !== fp) {
              return problem(
                422,
                'https://developer.example.com/idempotency',
                'Idempotency-Key is already used',
                'This operation is idempotent and it requires correct usage of Idempotency Key. Idempotency Key MUST not be reused across different payloads of this operation.',
              );
            }
            if (prior.reply === undefined) {
              return problem(
                409,
                'https://developer.example.com/idempotency',
                'A request is outstanding for this Idempotency-Key',
                'A request with the same Idempotency-Key for the same operation is being processed or is outstanding.',
              );
            }
            replays++;
            return {
              ...prior.reply,
              headers: { ...(prior.reply.headers ?? {}), 'Idempotent-Replayed': 'true' },
            };
          }
          keys.set(key, { fingerprint: fp, at: now });
        }

        if ((opts.processingMs ?? 0) > 0) await sleep(opts.processingMs as number);
        let reply: Reply;
        if (
          req.json instanceof JsonParseError ||
          typeof req.json !== 'object' ||
          req.json === null ||
          Array.isArray(req.json)
        ) {
          reply = problem(400, 'about:blank', 'Bad Request', 'the body must be a JSON object');
        } else {
          reply = apply(req.json as Record<string, unknown>);
          if (key !== undefined && reply.status === 201) {
            const e = events[events.length - 1];
            if (e !== undefined) e.idempotencyKey = key;
          }
        }
        if (key !== undefined) {
          // Server errors are not stored: the client may retry them with the same key.
          if (reply.status >= 500) keys.delete(key);
          else keys.set(key, { fingerprint: fp, at: now, reply });
        }
        return reply;
      },
      errorReply(status) {
        return problem(
          status,
          'about:blank',
          status === 503 ? 'Service Unavailable' : 'Internal Server Error',
          'injected fault',
        );
      },
      redact(rec) {
        // A custom credential header is as secret as Authorization.
        if (rec.headers[authHeader] !== undefined) rec.headers[authHeader] = REDACTED;
      },
      control({ method, subpath }) {
        if (subpath === '/state' && method === 'GET') {
          return jsonReply(200, { events, users: [...users.values()], replays, keys: keys.size });
        }
        return undefined;
      },
      reset() {
        events = [];
        users = new Map();
        keys = new Map();
        replays = 0;
        seq = 0;
      },
    },
    opts,
  );

  return {
    ...server,
    eventsUrl: `${server.baseUrl}${eventPath}`,
    events: () => [...events],
    users: () => [...users.values()].map((u) => ({ ...u, attributes: { ...u.attributes } })),
    user: (id) => {
      const u = users.get(id);
      return u === undefined ? undefined : { ...u, attributes: { ...u.attributes } };
    },
    replays: () => replays,
  };
}
