import { startLocalSegment, type LocalSegment } from '../../local/segment';
import { startLocalTeams, validateTeamsMessage, type LocalTeams } from '../../local/teams';
import { startLocalProvisioning, type LocalProvisioning } from '../../local/provisioning';
import { readAnswer } from '../support/http';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readAnswer(res);
}

describe('Segment', () => {
  const WRITE_KEY = 'seg-test-write-key';
  let seg: LocalSegment;
  const auth = { authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}` };
  beforeEach(async () => {
    seg = await startLocalSegment({ writeKey: WRITE_KEY });
  });
  afterEach(async () => {
    await seg.stop();
  });

  const identify = (messageId: string, traits: Record<string, unknown>) => ({
    userId: 'auth0|1',
    messageId,
    traits,
    timestamp: '2026-12-04T20:00:00.000Z',
  });

  it('accepts identify with Basic writeKey auth and answers {"success":true}', async () => {
    const r = await post(`${seg.baseUrl}/v1/identify`, identify('evt-1', { email: 'ada@example.com' }), auth);
    expect(r).toMatchObject({ status: 200, json: { success: true } });
    expect(seg.events()).toEqual([
      expect.objectContaining({ type: 'identify', userId: 'auth0|1', messageId: 'evt-1' }),
    ]);
    expect(seg.profile('auth0|1')).toEqual({ email: 'ada@example.com' });
    expect(seg.requests()[0]?.headers.authorization).toBe('Basic [redacted]');
  });

  it('drops a redelivery with the same messageId (still answering 200)', async () => {
    await post(`${seg.baseUrl}/v1/identify`, identify('evt-1', { title: 'Engineer' }), auth);
    const again = await post(`${seg.baseUrl}/v1/identify`, identify('evt-1', { title: 'Engineer' }), auth);
    expect(again.status).toBe(200);
    expect(seg.events()).toHaveLength(1);
    expect(seg.dropped()).toEqual([
      expect.objectContaining({ reason: 'duplicate_message_id', messageId: 'evt-1' }),
    ]);
    await post(`${seg.baseUrl}/v1/identify`, identify('evt-2', { title: 'Manager' }), auth);
    expect(seg.profile('auth0|1')).toEqual({ title: 'Manager' });
  });

  it('answers 200 but drops events with a wrong write key or no identifier; 400 only for JSON and size', async () => {
    const wrongKey = { authorization: `Basic ${Buffer.from('other:').toString('base64')}` };
    expect((await post(`${seg.baseUrl}/v1/identify`, identify('e1', {}), wrongKey)).status).toBe(200);
    expect((await post(`${seg.baseUrl}/v1/identify`, { messageId: 'e2', traits: {} }, auth)).status).toBe(
      200,
    );
    expect(seg.events()).toHaveLength(0);
    expect(seg.dropped().map((d) => d.reason)).toEqual(['invalid_write_key', 'missing_identifier']);
    expect((await post(`${seg.baseUrl}/v1/identify`, '{nope', auth)).status).toBe(400);
    const big = identify('e3', { blob: 'x'.repeat(33 * 1024) });
    expect((await post(`${seg.baseUrl}/v1/identify`, big, auth)).status).toBe(400);
  });

  it('accepts the writeKey in the body and batches', async () => {
    const r = await post(`${seg.baseUrl}/v1/batch`, {
      writeKey: WRITE_KEY,
      batch: [
        { type: 'identify', ...identify('b1', { a: 1 }) },
        { type: 'track', userId: 'auth0|1', event: 'User Onboarded', messageId: 'b2' },
        { type: 'identify', ...identify('b1', { a: 1 }) },
      ],
    });
    expect(r.status).toBe(200);
    expect(seg.events().map((e) => e.messageId)).toEqual(['b1', 'b2']);
  });
});

describe('Microsoft Teams Workflows webhook', () => {
  let teams: LocalTeams;
  beforeEach(async () => {
    teams = await startLocalTeams({ signature: 'teams-test-sig' });
  });
  afterEach(async () => {
    await teams.stop();
  });

  const card = (text: string) => ({
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [
            { type: 'TextBlock', text, wrap: true },
            { type: 'FactSet', facts: [{ title: 'Email', value: 'ada@example.com' }] },
            {
              type: 'RichTextBlock',
              inlines: [{ type: 'TextRun', text: 'Title: ', weight: 'Bolder' }, 'Engineer'],
            },
          ],
        },
      },
    ],
  });

  it('answers 202 Accepted with no body and posts the Adaptive Card', async () => {
    expect(teams.webhookUrl).toMatch(
      /\/workflows\/\w+\/triggers\/manual\/paths\/invoke\?api-version=1&sp=.+&sv=1\.0&sig=/,
    );
    const r = await post(teams.webhookUrl, card('New hire: Ada'));
    expect(r.status).toBe(202);
    expect(r.json).toBeUndefined();
    expect(teams.posts()).toEqual([
      expect.objectContaining({ texts: ['New hire: Ada', 'Email: ada@example.com', 'Title: Engineer'] }),
    ]);
    expect(teams.requests()[0]?.query.sig).toBe('[redacted]');
  });

  it('still answers 202 for a legacy MessageCard, but the flow run fails and nothing is posted', async () => {
    const r = await post(teams.webhookUrl, { '@type': 'MessageCard', text: 'hi' });
    expect(r.status).toBe(202);
    expect(teams.posts()).toHaveLength(0);
    expect(teams.runs()[0]).toMatchObject({ status: 'Failed' });
    expect(teams.runs()[0]?.errors.join(' ')).toMatch(/type must be "message"/);
  });

  it('rejects a wrong signature (401), an unknown workflow (404) and invalid JSON (400)', async () => {
    const url = new URL(teams.webhookUrl);
    url.searchParams.set('sig', 'wrong');
    expect((await post(url.toString(), card('x'))).status).toBe(401);
    expect(
      (
        await post(
          `${teams.baseUrl}/workflows/nope/triggers/manual/paths/invoke?sig=teams-test-sig`,
          card('x'),
        )
      ).status,
    ).toBe(404);
    const bad = await post(teams.webhookUrl, '{oops');
    expect(bad.status).toBe(400);
    expect((bad.json.error as { code: string }).code).toBe('InvalidRequestContent');
    expect(teams.runs()).toHaveLength(0);
  });

  it('validates Adaptive Card messages', () => {
    expect(validateTeamsMessage(card('x')).problems).toEqual([]);
    expect(validateTeamsMessage({ type: 'message', attachments: [] }).problems).not.toEqual([]);
    const badElement = card('x');
    (badElement.attachments[0]?.content.body as unknown[]).push({ type: 'Marquee' });
    expect(validateTeamsMessage(badElement).problems.join()).toMatch(/not an Adaptive Card element/);
  });
});

describe('internal provisioning service (Idempotency-Key)', () => {
  const TOKEN = 'prov-test-token';
  let prov: LocalProvisioning;
  const headers = (key?: string) => ({
    authorization: `Bearer ${TOKEN}`,
    ...(key !== undefined ? { 'idempotency-key': key } : {}),
  });
  const created = { event_type: 'user.created', user_id: 'auth0|1', email: 'ada@example.com' };

  beforeEach(async () => {
    prov = await startLocalProvisioning({ token: TOKEN });
  });
  afterEach(async () => {
    await prov.stop();
  });

  it('requires the bearer token', async () => {
    const r = await post(`${prov.baseUrl}/users/events`, created, { authorization: 'Bearer nope' });
    expect(r.status).toBe(401);
    expect(prov.events()).toHaveLength(0);
  });

  it('replays the first response for the same key and body, without processing again', async () => {
    const first = await post(`${prov.baseUrl}/users/events`, created, headers('evt-1:provisioning'));
    expect(first.status).toBe(201);
    const replay = await post(
      `${prov.baseUrl}/users/events`,
      { email: 'ada@example.com', user_id: 'auth0|1', event_type: 'user.created' }, // same body, other key order
      headers('evt-1:provisioning'),
    );
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(first.json);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(prov.events()).toHaveLength(1);
    expect(prov.replays()).toBe(1);
  });

  it('answers 422 when a key is reused with a different body', async () => {
    await post(`${prov.baseUrl}/users/events`, created, headers('k1'));
    const r = await post(
      `${prov.baseUrl}/users/events`,
      { ...created, email: 'other@example.com' },
      headers('k1'),
    );
    expect(r.status).toBe(422);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(prov.user('auth0|1')?.attributes.email).toBe('ada@example.com');
  });

  it('answers 409 while the first request with the key is still processing', async () => {
    await prov.stop();
    prov = await startLocalProvisioning({ token: TOKEN, processingMs: 150 });
    const [a, b] = await Promise.all([
      post(`${prov.baseUrl}/users/events`, created, headers('k1')),
      new Promise((r) => setTimeout(r, 30)).then(() =>
        post(`${prov.baseUrl}/users/events`, created, headers('k1')),
      ),
    ]);
    expect(a.status).toBe(201);
    expect(b.status).toBe(409);
    expect(prov.events()).toHaveLength(1);
  });

  it('does not store injected 5xx: a retry with the same key is processed', async () => {
    prov.faults.add({ kind: 'error', status: 503, count: 1 });
    expect((await post(`${prov.baseUrl}/users/events`, created, headers('k1'))).status).toBe(503);
    expect((await post(`${prov.baseUrl}/users/events`, created, headers('k1'))).status).toBe(201);
    expect(prov.events()).toHaveLength(1);
  });

  it("accepts the Action's default mapping (action: onboard|update|offboard) and nested user ids", async () => {
    const body = { user_id: 'auth0|2', email: 'bo@example.com', action: 'onboard', event_id: 'e1' };
    expect((await post(`${prov.baseUrl}/users/events`, body, headers('m1'))).status).toBe(201);
    expect(
      (
        await post(
          `${prov.baseUrl}/users/events`,
          { ...body, action: 'offboard', event_id: 'e2' },
          headers('m2'),
        )
      ).status,
    ).toBe(201);
    expect(prov.user('auth0|2')).toMatchObject({ active: false, attributes: { email: 'bo@example.com' } });
    const nested = { user: { id: 'auth0|3', email: 'c@example.com' }, action: 'update' };
    expect((await post(`${prov.baseUrl}/users/events`, nested, headers('m3'))).status).toBe(201);
    expect(prov.user('auth0|3')?.active).toBe(true);
    expect(
      (await post(`${prov.baseUrl}/users/events`, { user_id: 'x', action: 'explode' }, headers('m4'))).status,
    ).toBe(422);
  });

  it('serves a configurable path and credential header, redacting the credential in records', async () => {
    await prov.stop();
    prov = await startLocalProvisioning({
      path: '/v1/identities',
      authHeader: 'X-Provisioning-Key',
      authValue: 'k-123',
    });
    expect(prov.eventsUrl).toBe(`${prov.baseUrl}/v1/identities`);
    const ok = await post(prov.eventsUrl, created, { 'x-provisioning-key': 'k-123' });
    expect(ok.status).toBe(201);
    expect((await post(prov.eventsUrl, created, { 'x-provisioning-key': 'nope' })).status).toBe(401);
    expect(
      (await post(`${prov.baseUrl}/users/events`, created, { 'x-provisioning-key': 'k-123' })).status,
    ).toBe(404);
    expect(JSON.stringify(prov.requests())).not.toContain('k-123');
  });

  it('applies lifecycle events to users, and can require the key', async () => {
    await post(`${prov.baseUrl}/users/events`, created, headers('a'));
    await post(
      `${prov.baseUrl}/users/events`,
      { event_type: 'user.deleted', user_id: 'auth0|1' },
      headers('b'),
    );
    expect(prov.user('auth0|1')).toMatchObject({ active: false, events: 2 });
    await prov.stop();
    prov = await startLocalProvisioning({ token: TOKEN, requireIdempotencyKey: true });
    expect((await post(`${prov.baseUrl}/users/events`, created, headers())).status).toBe(400);
  });
});
