import { startLocalSlack, validateBlocks, type LocalSlack } from '../../local/slack';
import { StandinControlClient } from '../../local/http-standin';

let slack: LocalSlack;

async function post(body: unknown, url = slack.webhookUrl, contentType = 'application/json') {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const GOOD_BLOCKS = [
  { type: 'header', text: { type: 'plain_text', text: 'New hire' } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: '*Ada Lovelace* joined' },
    fields: [{ type: 'mrkdwn', text: '*Email*\nada@example.com' }],
  },
  { type: 'divider' },
  { type: 'context', elements: [{ type: 'mrkdwn', text: 'via SCIM' }] },
];

beforeEach(async () => {
  slack = await startLocalSlack({ rateLimit: false });
});
afterEach(async () => {
  await slack.stop();
});

describe('incoming webhook', () => {
  it('answers 200 "ok" as text/plain and records the message', async () => {
    expect(slack.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/services\/T\w+\/B\w+\/\w+$/);
    const r = await post({ text: 'New hire: Ada', blocks: GOOD_BLOCKS });
    expect(r).toMatchObject({ status: 200, text: 'ok' });
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(slack.messages()).toEqual([
      expect.objectContaining({ text: 'New hire: Ada', blocks: GOOD_BLOCKS, webhook: 'T0LOCAL00/B0LOCAL00' }),
    ]);
  });

  it('accepts any webhook path under /services/ and the form-encoded payload= dialect', async () => {
    const other = `${slack.baseUrl}/services/T123/B456/abcdef`;
    const form = `payload=${encodeURIComponent(JSON.stringify({ text: 'from a form' }))}`;
    expect((await post(form, other, 'application/x-www-form-urlencoded')).text).toBe('ok');
    expect(slack.messages()[0]).toMatchObject({ webhook: 'T123/B456', text: 'from a form' });
    expect((await post({ text: 'x' }, `${slack.baseUrl}/services/nope`)).status).toBe(404);
  });

  it("answers Slack's 400 errors for bad payloads, and records nothing", async () => {
    expect(await post('{not json')).toMatchObject({ status: 400, text: 'invalid_payload' });
    expect(await post({})).toMatchObject({ status: 400, text: 'no_text' });
    expect(await post({ text: '   ' })).toMatchObject({ status: 400, text: 'no_text' });
    expect(await post({ text: 'x', blocks: [{ type: 'sektion' }] })).toMatchObject({
      status: 400,
      text: 'invalid_blocks',
    });
    expect(await post({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '' } }] })).toMatchObject({
      status: 400,
      text: 'invalid_blocks',
    });
    expect(slack.messages()).toHaveLength(0);
  });

  it('never records the webhook secret', async () => {
    await post({ text: 'hi' });
    const [r] = slack.requests();
    expect(r?.path).toBe('/services/T0LOCAL00/B0LOCAL00/[redacted]');
    expect(JSON.stringify(slack.requests())).not.toContain('localwebhooksecret');
  });
});

describe('recording', () => {
  it('keeps at most maxRecords requests, dropping the oldest', async () => {
    const small = await startLocalSlack({ rateLimit: false, maxRecords: 2 });
    try {
      for (const t of ['1', '2', '3']) await post({ text: t }, small.webhookUrl);
      expect(small.requests().map((r) => r.seq)).toEqual([2, 3]);
      expect(small.messages()).toHaveLength(3);
    } finally {
      await small.stop();
    }
  });
});

describe('webhook states', () => {
  it.each([
    ['channel_is_archived', 410],
    ['channel_not_found', 404],
    ['action_prohibited', 403],
    ['no_service', 404],
  ] as const)('%s answers %i', async (state, status) => {
    slack.setWebhookState(state);
    expect(await post({ text: 'x' })).toMatchObject({ status, text: state });
    slack.setWebhookState('ok');
    expect((await post({ text: 'x' })).status).toBe(200);
  });

  it('can target a single webhook', async () => {
    slack.setWebhookState('channel_is_archived', 'T0LOCAL00/B0LOCAL00');
    expect((await post({ text: 'x' })).status).toBe(410);
    expect((await post({ text: 'x' }, `${slack.baseUrl}/services/T9/B9/zzz`)).status).toBe(200);
  });
});

describe('rate limit', () => {
  it('allows about one message per second per webhook, answering 429 with Retry-After', async () => {
    await slack.stop();
    slack = await startLocalSlack(); // default limit: 1 per 1000 ms
    expect((await post({ text: '1' })).status).toBe(200);
    const limited = await post({ text: '2' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await post({ text: 'other webhook' }, `${slack.baseUrl}/services/T1/B1/s`)).status).toBe(200);
    await sleep(1050);
    expect((await post({ text: '3' })).status).toBe(200);
    expect(slack.messages().map((m) => m.text)).toEqual(['1', 'other webhook', '3']);
  });
});

describe('faults and control API', () => {
  it('injects rollup_error 500s and connection resets', async () => {
    slack.faults.add({ kind: 'error', status: 500, count: 1 });
    expect(await post({ text: 'x' })).toMatchObject({ status: 500, text: 'rollup_error' });
    slack.faults.add({ kind: 'reset', count: 1 });
    await expect(post({ text: 'x' })).rejects.toThrow();
    expect((await post({ text: 'x' })).status).toBe(200);
    expect(slack.messages()).toHaveLength(1);
  });

  it('exposes messages, webhook state, config and reset over HTTP', async () => {
    const ctl = new StandinControlClient(slack.baseUrl);
    await post({ text: 'hello' });
    expect(((await ctl.get('/messages')) as { messages: unknown[] }).messages).toHaveLength(1);
    await ctl.post('/webhook-state', { state: 'channel_is_archived' });
    expect((await post({ text: 'x' })).status).toBe(410);
    await ctl.post('/webhook-state', { state: 'ok' });
    await ctl.post('/config', { rateLimit: { max: 1, windowMs: 60_000 } });
    expect((await post({ text: 'a' })).status).toBe(200);
    expect((await post({ text: 'b' })).status).toBe(429);
    await ctl.reset();
    expect(slack.messages()).toHaveLength(0);
    expect(slack.requests()).toHaveLength(0);
  });
});

describe('validateBlocks (Block Kit shape checks)', () => {
  it('accepts well-formed blocks', () => {
    expect(validateBlocks(GOOD_BLOCKS)).toEqual([]);
  });

  it.each([
    ['not an array', {}],
    ['unknown type', [{ type: 'banner' }]],
    ['section without text or fields', [{ type: 'section' }]],
    ['header in mrkdwn', [{ type: 'header', text: { type: 'mrkdwn', text: 'x' } }]],
    ['header too long', [{ type: 'header', text: { type: 'plain_text', text: 'x'.repeat(151) } }]],
    ['section text too long', [{ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(3001) } }]],
    ['too many fields', [{ type: 'section', fields: Array(11).fill({ type: 'mrkdwn', text: 'x' }) }]],
    ['empty context', [{ type: 'context', elements: [] }]],
    [
      'duplicate block_id',
      [
        { type: 'divider', block_id: 'a' },
        { type: 'divider', block_id: 'a' },
      ],
    ],
    ['too many blocks', Array(51).fill({ type: 'divider' })],
    ['image without alt_text', [{ type: 'image', image_url: 'https://example.com/x.png' }]],
  ])('rejects %s', (_name, blocks) => {
    expect(validateBlocks(blocks).length).toBeGreaterThan(0);
  });
});
