/**
 * Local Slack incoming webhook on loopback. See local/slack/README.md.
 *
 *   const slack = await startLocalSlack();
 *   await fetch(slack.webhookUrl, { method: 'POST', body: JSON.stringify({ text: 'hi' }) }); // 200 "ok"
 *   slack.messages(); // [{ text: 'hi', ... }]
 */
import {
  JsonParseError,
  REDACTED,
  RollingWindowLimiter,
  startStandin,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';
import { validateBlocks } from './blocks';

/** What a webhook answers, set per webhook (team/bot pair) to reproduce Slack's failure modes. */
export type WebhookState =
  | 'ok'
  | 'no_service'
  | 'channel_not_found'
  | 'channel_is_archived'
  | 'action_prohibited'
  | 'posting_to_general_channel_denied';

const STATE_STATUS: Record<Exclude<WebhookState, 'ok'>, number> = {
  no_service: 404,
  channel_not_found: 404,
  channel_is_archived: 410,
  action_prohibited: 403,
  posting_to_general_channel_denied: 403,
};

export interface SlackMessage {
  seq: number;
  time: string;
  /** "T…/B…" of the webhook (the secret third segment is never kept). */
  webhook: string;
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
  /** The whole payload as received. */
  payload: Record<string, unknown>;
}

export interface LocalSlackOptions extends StandinOptions {
  /** Team and bot ids plus secret of the default webhook URL. */
  team?: string;
  bot?: string;
  secret?: string;
  /** Per-webhook rate limit. Default 1 message per 1000 ms (Slack: "1 per second, short bursts allowed"). */
  rateLimit?: { max: number; windowMs: number } | false;
}

export interface LocalSlack extends StandinServer {
  /** The webhook URL to give the Action (a secret in real life). */
  readonly webhookUrl: string;
  /** Messages Slack accepted (answered 200 "ok"), oldest first. */
  messages(): SlackMessage[];
  clearMessages(): void;
  /** Sets what a webhook answers; `webhook` is "T…/B…", or "*" for every webhook. */
  setWebhookState(state: WebhookState, webhook?: string): void;
  setRateLimit(limit: { max: number; windowMs: number } | false): void;
}

const WEBHOOK_RE = /^\/services\/(T[A-Z0-9]+)\/(B[A-Z0-9]+)\/([A-Za-z0-9]+)$/;
const TEXT = { 'content-type': 'text/plain; charset=utf-8' };
const text = (status: number, body: string, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { ...TEXT, ...headers },
  body,
});

/** Slack accepts a JSON body or a form body with a `payload` field holding the JSON. */
function parsePayload(raw: string, json: unknown, contentType: string | undefined): unknown {
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    const p = new URLSearchParams(raw).get('payload');
    if (p === null) return new JsonParseError('no payload field');
    try {
      return JSON.parse(p);
    } catch (e) {
      return new JsonParseError((e as Error).message);
    }
  }
  return json;
}

export async function startLocalSlack(opts: LocalSlackOptions = {}): Promise<LocalSlack> {
  const team = opts.team ?? 'T0LOCAL00';
  const bot = opts.bot ?? 'B0LOCAL00';
  const secret = opts.secret ?? 'localwebhooksecret0000000';
  let messages: SlackMessage[] = [];
  const states = new Map<string, WebhookState>();
  const initialRate = opts.rateLimit === false ? undefined : (opts.rateLimit ?? { max: 1, windowMs: 1000 });
  let limiter = initialRate ? new RollingWindowLimiter(initialRate.max, initialRate.windowMs) : undefined;

  const stateOf = (webhook: string): WebhookState => states.get(webhook) ?? states.get('*') ?? 'ok';

  const server = await startStandin(
    {
      name: 'slack',
      handle(req) {
        const m = WEBHOOK_RE.exec(req.path);
        if (m === null) return text(404, 'no_service');
        if (req.method !== 'POST') return text(405, 'invalid_method');
        const webhook = `${m[1]}/${m[2]}`;
        const state = stateOf(webhook);
        if (state !== 'ok') return text(STATE_STATUS[state], state);

        const payload = parsePayload(req.rawBody, req.json, req.headers['content-type']);
        if (
          payload instanceof JsonParseError ||
          payload === undefined ||
          typeof payload !== 'object' ||
          payload === null ||
          Array.isArray(payload)
        ) {
          return text(400, 'invalid_payload');
        }
        const p = payload as Record<string, unknown>;
        if (p.blocks !== undefined && validateBlocks(p.blocks).length > 0) return text(400, 'invalid_blocks');
        const hasText = typeof p.text === 'string' && p.text.trim() !== '';
        const hasBlocks = Array.isArray(p.blocks) && p.blocks.length > 0;
        const hasAttachments = Array.isArray(p.attachments) && p.attachments.length > 0;
        if (!hasText && !hasBlocks && !hasAttachments) return text(400, 'no_text');
        if (p.text !== undefined && typeof p.text !== 'string') return text(400, 'invalid_payload');

        if (limiter !== undefined) {
          const r = limiter.hit(webhook);
          if (!r.allowed)
            return text(429, 'rate_limited', { 'Retry-After': String(Math.ceil(r.retryAfterMs / 1000)) });
        }
        messages.push({
          seq: req.record.seq,
          time: req.record.time,
          webhook,
          ...(typeof p.text === 'string' ? { text: p.text } : {}),
          ...(Array.isArray(p.blocks) ? { blocks: p.blocks } : {}),
          ...(Array.isArray(p.attachments) ? { attachments: p.attachments } : {}),
          payload: p,
        });
        return text(200, 'ok');
      },
      errorReply(status) {
        return text(status, status === 500 ? 'rollup_error' : 'service_unavailable');
      },
      malformedReply() {
        return text(200, '<html><body>upstream proxy error</body></html>');
      },
      redact(record) {
        // The third path segment is the webhook's secret.
        record.path = record.path.replace(/^(\/services\/[^/]+\/[^/]+\/)[^/]+/, `$1${REDACTED}`);
      },
      control({ method, subpath, json }) {
        if (subpath === '/messages' && method === 'GET') return { status: 200, body: { messages } };
        if (subpath === '/messages' && method === 'DELETE') {
          messages = [];
          return { status: 204 };
        }
        if (subpath === '/webhook-state' && method === 'POST') {
          const o = (json ?? {}) as { state?: unknown; webhook?: unknown };
          const ok = ['ok', ...Object.keys(STATE_STATUS)];
          if (typeof o.state !== 'string' || !ok.includes(o.state)) {
            return { status: 400, body: { error: `state must be one of ${ok.join(', ')}` } };
          }
          api.setWebhookState(o.state as WebhookState, typeof o.webhook === 'string' ? o.webhook : '*');
          return { status: 204 };
        }
        if (subpath === '/config' && method === 'POST') {
          const o = (json ?? {}) as { rateLimit?: unknown };
          const r = o.rateLimit as { max?: unknown; windowMs?: unknown } | false | undefined;
          if (r === false) api.setRateLimit(false);
          else if (r !== undefined) {
            if (typeof r.max !== 'number' || typeof r.windowMs !== 'number' || r.max < 1 || r.windowMs < 1) {
              return {
                status: 400,
                body: { error: 'rateLimit must be false or { max >= 1, windowMs >= 1 }' },
              };
            }
            api.setRateLimit({ max: r.max, windowMs: r.windowMs });
          }
          return { status: 204 };
        }
        return undefined;
      },
      reset() {
        messages = [];
        states.clear();
        limiter?.reset();
      },
    },
    opts,
  );

  const api: LocalSlack = {
    ...server,
    webhookUrl: `${server.baseUrl}/services/${team}/${bot}/${secret}`,
    messages: () => [...messages],
    clearMessages() {
      messages = [];
    },
    setWebhookState(state, webhook = '*') {
      if (webhook === '*') states.clear();
      states.set(webhook, state);
    },
    setRateLimit(l) {
      limiter = l === false ? undefined : new RollingWindowLimiter(l.max, l.windowMs);
    },
  };
  return api;
}

export { validateBlocks } from './blocks';
