/**
 * Local Microsoft Teams "Workflows" webhook (a Power Automate HTTP trigger that posts an Adaptive Card to a
 * channel). The trigger answers 202 Accepted as soon as it has a JSON body; whether the card reaches the
 * channel is decided later by the flow run, which fails on payloads that are not an Adaptive Card message.
 * The stand-in reproduces both halves: `posts()` (delivered cards) and `runs()` (every flow run, with errors).
 * See local/teams/README.md.
 */
import {
  JsonParseError,
  REDACTED,
  RollingWindowLimiter,
  jsonReply,
  startStandin,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';

export interface LocalTeamsOptions extends StandinOptions {
  workflowId?: string;
  /** The `sig` query parameter: the secret part of the webhook URL. */
  signature?: string;
  /** Trigger throttling, answered with 429 + Retry-After. Off by default. */
  rateLimit?: { max: number; windowMs: number } | false;
}

export interface TeamsRun {
  seq: number;
  time: string;
  status: 'Succeeded' | 'Failed';
  errors: string[];
  payload: unknown;
}

export interface TeamsPost {
  seq: number;
  time: string;
  /** The Adaptive Card (attachments[i].content) posted to the channel. */
  card: Record<string, unknown>;
  /** All TextBlock texts of the card, in order: handy for assertions. */
  texts: string[];
}

export interface LocalTeams extends StandinServer {
  readonly webhookUrl: string;
  posts(): TeamsPost[];
  runs(): TeamsRun[];
}

const ADAPTIVE = 'application/vnd.microsoft.card.adaptive';
/** Teams rejects messages above roughly 28 KB. */
const MAX_MESSAGE_BYTES = 28 * 1024;
const ELEMENT_TYPES = new Set([
  'TextBlock',
  'Image',
  'Container',
  'ColumnSet',
  'Column',
  'FactSet',
  'ImageSet',
  'ActionSet',
  'RichTextBlock',
  'Table',
  'TableRow',
  'TableCell',
  'Media',
]);

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkElements(elements: unknown, where: string, problems: string[], texts: string[]): void {
  if (!Array.isArray(elements)) {
    problems.push(`${where} must be an array`);
    return;
  }
  elements.forEach((el, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(el) || typeof el.type !== 'string' || !ELEMENT_TYPES.has(el.type)) {
      problems.push(`${at}.type is not an Adaptive Card element`);
      return;
    }
    if (el.type === 'TextBlock') {
      if (typeof el.text !== 'string') problems.push(`${at}.text must be a string`);
      else texts.push(el.text);
    }
    if (el.type === 'RichTextBlock') {
      if (!Array.isArray(el.inlines)) {
        problems.push(`${at}.inlines must be an array`);
      } else {
        const parts: string[] = [];
        el.inlines.forEach((inline, j) => {
          if (typeof inline === 'string') parts.push(inline);
          else if (isObj(inline) && inline.type === 'TextRun' && typeof inline.text === 'string')
            parts.push(inline.text);
          else problems.push(`${at}.inlines[${j}] must be a string or a TextRun`);
        });
        texts.push(parts.join(''));
      }
    }
    if (el.type === 'FactSet') {
      if (
        !Array.isArray(el.facts) ||
        !el.facts.every((f) => isObj(f) && typeof f.title === 'string' && typeof f.value === 'string')
      ) {
        problems.push(`${at}.facts must be { title, value } strings`);
      } else {
        for (const f of el.facts as Array<{ title: string; value: string }>)
          texts.push(`${f.title}: ${f.value}`);
      }
    }
    if (el.type === 'Container') checkElements(el.items, `${at}.items`, problems, texts);
    if (el.type === 'ColumnSet' && el.columns !== undefined) {
      if (!Array.isArray(el.columns)) problems.push(`${at}.columns must be an array`);
      else
        el.columns.forEach((c, j) =>
          checkElements(isObj(c) ? c.items : undefined, `${at}.columns[${j}].items`, problems, texts),
        );
    }
  });
}

/** What the "Post card in a chat or channel" step needs: a message whose attachments are Adaptive Cards. */
export function validateTeamsMessage(payload: unknown): {
  problems: string[];
  cards: Obj[];
  texts: string[];
} {
  const problems: string[] = [];
  const cards: Obj[] = [];
  const texts: string[] = [];
  if (!isObj(payload)) return { problems: ['payload must be a JSON object'], cards, texts };
  if (payload.type !== 'message') problems.push('type must be "message"');
  if (!Array.isArray(payload.attachments) || payload.attachments.length === 0) {
    problems.push('attachments must be a non-empty array');
    return { problems, cards, texts };
  }
  payload.attachments.forEach((a, i) => {
    const at = `attachments[${i}]`;
    if (!isObj(a) || a.contentType !== ADAPTIVE) {
      problems.push(`${at}.contentType must be ${ADAPTIVE} (Workflows support Adaptive Cards only)`);
      return;
    }
    const card = a.content;
    if (!isObj(card) || card.type !== 'AdaptiveCard') {
      problems.push(`${at}.content.type must be "AdaptiveCard"`);
      return;
    }
    if (typeof card.version !== 'string' || !/^1\.\d$/.test(card.version)) {
      problems.push(`${at}.content.version must be "1.x"`);
    }
    checkElements(card.body ?? [], `${at}.content.body`, problems, texts);
    cards.push(card);
  });
  if (Buffer.byteLength(JSON.stringify(payload)) > MAX_MESSAGE_BYTES)
    problems.push('message is larger than 28 KB');
  return { problems, cards, texts };
}

export async function startLocalTeams(opts: LocalTeamsOptions = {}): Promise<LocalTeams> {
  const workflowId = opts.workflowId ?? '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
  const signature = opts.signature ?? 'local-teams-signature';
  const limiter =
    opts.rateLimit === undefined || opts.rateLimit === false
      ? undefined
      : new RollingWindowLimiter(opts.rateLimit.max, opts.rateLimit.windowMs);
  let posts: TeamsPost[] = [];
  let runs: TeamsRun[] = [];
  const triggerPath = `/workflows/${workflowId}/triggers/manual/paths/invoke`;

  const azureError = (status: number, code: string, message: string): Reply =>
    jsonReply(status, { error: { code, message } });

  const server = await startStandin(
    {
      name: 'teams',
      handle(req) {
        const m = /^\/workflows\/([^/]+)\/triggers\/manual\/paths\/invoke$/.exec(req.path);
        if (m === null || m[1] !== workflowId) {
          return azureError(404, 'WorkflowNotFound', `The workflow '${m?.[1] ?? ''}' could not be found.`);
        }
        if (req.method !== 'POST') {
          return azureError(
            405,
            'TriggerRequestMethodNotValid',
            `The HTTP method for this request is not valid: expected 'Post' and actual '${req.method}'.`,
          );
        }
        if (req.query.get('sig') !== signature) {
          return azureError(
            401,
            'DirectApiInvalidAuthorizationSignature',
            'The provided authorization signature is not valid.',
          );
        }
        if (limiter !== undefined) {
          const r = limiter.hit(workflowId);
          if (!r.allowed) {
            return {
              ...azureError(
                429,
                'WorkflowTriggerIsThrottled',
                'The workflow trigger is throttled. Retry later.',
              ),
              headers: { 'Retry-After': String(Math.ceil(r.retryAfterMs / 1000)) },
            };
          }
        }
        if (req.json instanceof JsonParseError) {
          return azureError(
            400,
            'InvalidRequestContent',
            `The request content is not valid and could not be deserialized: '${req.json.message}'.`,
          );
        }
        // Accepted; the run happens "later" (here: synchronously, before the answer is sent).
        const { problems, cards, texts } = validateTeamsMessage(req.json);
        const base = { seq: req.record.seq, time: req.record.time };
        runs.push({
          ...base,
          status: problems.length === 0 ? 'Succeeded' : 'Failed',
          errors: problems,
          payload: req.json,
        });
        if (problems.length === 0) for (const card of cards) posts.push({ ...base, card, texts });
        return { status: 202 };
      },
      errorReply(status) {
        return azureError(
          status,
          status === 503 ? 'ServiceUnavailable' : 'InternalServerError',
          'The server encountered an internal error.',
        );
      },
      redact(rec) {
        if (rec.query.sig !== undefined) rec.query.sig = REDACTED;
      },
      control({ method, subpath }) {
        if (subpath === '/state' && method === 'GET') return jsonReply(200, { posts, runs });
        return undefined;
      },
      reset() {
        posts = [];
        runs = [];
        limiter?.reset();
      },
    },
    opts,
  );

  const query = new URLSearchParams({
    'api-version': '1',
    sp: '/triggers/manual/run',
    sv: '1.0',
    sig: signature,
  });
  return {
    ...server,
    webhookUrl: `${server.baseUrl}${triggerPath}?${query.toString()}`,
    posts: () => [...posts],
    runs: () => [...runs],
  };
}
