/**
 * Local Segment HTTP Tracking API: /v1/identify, /v1/track and /v1/batch, with Segment's answers (200
 * {"success":true} for everything but JSON and size errors) and messageId de-duplication.
 * See local/segment/README.md.
 *
 *   const seg = await startLocalSegment({ writeKey: 'seg-test-key' });
 *   POST {seg.baseUrl}/v1/identify   Authorization: Basic base64("seg-test-key:")
 */
import {
  JsonParseError,
  jsonReply,
  startStandin,
  type IncomingRequest,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';

export interface LocalSegmentOptions extends StandinOptions {
  writeKey?: string;
  /** How long a messageId is remembered for de-duplication. Default 24 h. */
  dedupeWindowMs?: number;
  clock?: () => number;
}

export type SegmentCallType = 'identify' | 'track';

export interface SegmentEvent {
  type: SegmentCallType;
  messageId: string;
  userId?: string;
  anonymousId?: string;
  traits?: Record<string, unknown>;
  event?: string;
  properties?: Record<string, unknown>;
  timestamp?: string;
  receivedAt: string;
  payload: Record<string, unknown>;
}

export type DropReason =
  'duplicate_message_id' | 'invalid_write_key' | 'missing_identifier' | 'missing_event_name';

export interface DroppedEvent {
  reason: DropReason;
  messageId?: string;
  receivedAt: string;
  payload: unknown;
}

export interface LocalSegment extends StandinServer {
  /** Events Segment accepted (each messageId once), oldest first. */
  events(): SegmentEvent[];
  /** Events answered 200 but not accepted, with the reason (what the Segment debugger would show). */
  dropped(): DroppedEvent[];
  /** A user's traits merged over every accepted identify, in arrival order. */
  profile(userId: string): Record<string, unknown> | undefined;
}

const MAX_EVENT_BYTES = 32 * 1024;
const MAX_BATCH_BYTES = 500 * 1024;
const OK: Reply = jsonReply(200, { success: true });

export async function startLocalSegment(opts: LocalSegmentOptions = {}): Promise<LocalSegment> {
  const writeKey = opts.writeKey ?? 'local-segment-write-key';
  const dedupeWindowMs = opts.dedupeWindowMs ?? 24 * 60 * 60 * 1000;
  const clock = opts.clock ?? Date.now;
  let events: SegmentEvent[] = [];
  let dropped: DroppedEvent[] = [];
  let seen = new Map<string, number>(); // messageId -> first seen (ms)
  let generated = 0;

  /** The write key from Basic auth (username, empty password) or the body's writeKey field. */
  const writeKeyOf = (req: IncomingRequest, body: Record<string, unknown>): string | undefined => {
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) return Buffer.from(basic, 'base64').toString('utf8').split(':')[0];
    return typeof body.writeKey === 'string' ? body.writeKey : undefined;
  };

  const accept = (type: SegmentCallType, msg: Record<string, unknown>, keyOk: boolean): void => {
    const now = clock();
    const receivedAt = new Date(now).toISOString();
    const messageId =
      typeof msg.messageId === 'string' && msg.messageId !== '' ? msg.messageId : `local-${++generated}`;
    const drop = (reason: DropReason): void => {
      dropped.push({ reason, messageId, receivedAt, payload: msg });
    };
    if (!keyOk) return drop('invalid_write_key');
    const userId =
      typeof msg.userId === 'string' || typeof msg.userId === 'number' ? String(msg.userId) : undefined;
    const anonymousId = typeof msg.anonymousId === 'string' ? msg.anonymousId : undefined;
    if (userId === undefined && anonymousId === undefined) return drop('missing_identifier');
    if (type === 'track' && (typeof msg.event !== 'string' || msg.event === ''))
      return drop('missing_event_name');
    for (const [id, at] of seen) if (at <= now - dedupeWindowMs) seen.delete(id);
    if (seen.has(messageId)) return drop('duplicate_message_id');
    seen.set(messageId, now);
    events.push({
      type,
      messageId,
      ...(userId !== undefined ? { userId } : {}),
      ...(anonymousId !== undefined ? { anonymousId } : {}),
      ...(type === 'identify' && typeof msg.traits === 'object' && msg.traits !== null
        ? { traits: msg.traits as Record<string, unknown> }
        : {}),
      ...(type === 'track' ? { event: msg.event as string } : {}),
      ...(type === 'track' && typeof msg.properties === 'object' && msg.properties !== null
        ? { properties: msg.properties as Record<string, unknown> }
        : {}),
      ...(typeof msg.timestamp === 'string' ? { timestamp: msg.timestamp } : {}),
      receivedAt,
      payload: msg,
    });
  };

  const server = await startStandin(
    {
      name: 'segment',
      handle(req) {
        const type = /^\/v1\/(identify|track|batch|import)$/.exec(req.path)?.[1];
        if (type === undefined) return jsonReply(404, { success: false, message: 'not found' });
        if (req.method !== 'POST') return jsonReply(405, { success: false, message: 'method not allowed' });
        const limit = type === 'batch' || type === 'import' ? MAX_BATCH_BYTES : MAX_EVENT_BYTES;
        if (Buffer.byteLength(req.rawBody) > limit) {
          return jsonReply(400, { success: false, message: 'payload too large' });
        }
        const body = req.json;
        if (
          body instanceof JsonParseError ||
          typeof body !== 'object' ||
          body === null ||
          Array.isArray(body)
        ) {
          return jsonReply(400, { success: false, message: 'Invalid JSON' });
        }
        const o = body as Record<string, unknown>;
        const keyOk = writeKeyOf(req, o) === writeKey;
        if (type === 'batch' || type === 'import') {
          if (!Array.isArray(o.batch)) return jsonReply(400, { success: false, message: 'Invalid JSON' });
          for (const item of o.batch) {
            if (typeof item !== 'object' || item === null) continue;
            const it = item as Record<string, unknown>;
            if (Buffer.byteLength(JSON.stringify(it)) > MAX_EVENT_BYTES) {
              return jsonReply(400, { success: false, message: 'payload too large' });
            }
            if (it.type === 'identify' || it.type === 'track') accept(it.type, it, keyOk);
          }
          return OK;
        }
        accept(type as SegmentCallType, o, keyOk);
        return OK;
      },
      errorReply(status) {
        return jsonReply(status, { success: false, message: 'internal error' });
      },
      control({ method, subpath }) {
        if (subpath === '/state' && method === 'GET') return jsonReply(200, { events, dropped });
        return undefined;
      },
      reset() {
        events = [];
        dropped = [];
        seen = new Map();
        generated = 0;
      },
    },
    opts,
  );

  return {
    ...server,
    events: () => [...events],
    dropped: () => [...dropped],
    profile(userId) {
      const mine = events.filter((e) => e.type === 'identify' && e.userId === userId);
      if (mine.length === 0) return undefined;
      return Object.assign({}, ...mine.map((e) => e.traits ?? {}));
    },
  };
}
