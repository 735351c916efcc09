/**
 * The fault matrix per destination, and the failure policy: a retryable failure of HubSpot (a record
 * destination) makes the handler throw so Auth0 redelivers; a permanent one is logged and
 * acknowledged; Slack (notification-only) never fails the delivery.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import {
  destinationLine,
  FAST_OPTIONS,
  HUBSPOT,
  SECRETS,
  SLACK_WEBHOOK,
  sourceHarness,
} from '../support/action-harness';

const USER_ID = employee().user_id;
const CONTACT_PATH = `/crm/v3/objects/contacts/${encodeURIComponent(USER_ID)}`;
const SLACK_PATH = new URL(SLACK_WEBHOOK).pathname;
const created = () => cloudEvent('user.created', employee(), { time: '2026-12-01T10:00:00.000Z' });

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
  nock.enableNetConnect();
});

const slackOk = () => nock('https://hooks.slack.test').post(SLACK_PATH).reply(200, 'ok');
/** HubSpot answering the first read with `fault`, then healthy for the rest of the create. */
function hubspotFirstRead(fault: (scope: nock.Interceptor) => nock.Scope) {
  fault(nock(HUBSPOT).get(CONTACT_PATH).query(true));
}
function hubspotHealthyCreate(reads = 2) {
  nock(HUBSPOT).get(CONTACT_PATH).query(true).times(reads).reply(404, {});
  nock(HUBSPOT)
    .post('/crm/v3/objects/contacts/batch/upsert')
    .reply(200, { status: 'COMPLETE', results: [{ id: '1' }] });
}
const persistentHubSpot = (reply: (i: nock.Interceptor) => nock.Scope) =>
  reply(nock(HUBSPOT).persist().get(CONTACT_PATH).query(true));

describe('HubSpot faults (record destination)', () => {
  it('429 with Retry-After: waits in line and succeeds without failing the delivery', async () => {
    hubspotFirstRead((i) =>
      i.reply(429, { status: 'error', errorType: 'RATE_LIMIT' }, { 'Retry-After': '0.1' }),
    );
    hubspotHealthyCreate(3); // the onboard reads live and archived together, so the failed try used one read
    slackOk();
    const h = sourceHarness();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created', attempt: 2 });
  });

  it('429 without Retry-After: a short backoff, then success', async () => {
    hubspotFirstRead((i) => i.reply(429, { status: 'error' }));
    hubspotHealthyCreate(3);
    slackOk();
    const h = sourceHarness();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created', attempt: 2 });
  });

  it('TEN_SECONDLY_ROLLING 429 that persists: the handler throws so Auth0 redelivers later', async () => {
    persistentHubSpot((i) =>
      i.reply(429, {
        status: 'error',
        message: 'You have reached your ten_secondly_rolling limit.',
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
      }),
    );
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).rejects.toThrow(/redelivered for: hubspot/);
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({
      outcome: 'failed-retryable',
      will_redeliver: true,
      attempt: 2,
      error: { status: 429, code: 'RATE_LIMIT' },
    });
  });

  it.each([500, 502, 503, 504])('%i: throws for redelivery after the in-line retry', async (status) => {
    persistentHubSpot((i) => i.reply(status, { status: 'error', category: 'INTERNAL_ERROR' }));
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).rejects.toThrow();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ error: { status } });
  });

  it('a request that never answers times out and the delivery is retried', async () => {
    persistentHubSpot((i) => i.delay(5_000).reply(200, {}));
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).rejects.toThrow();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ error: { code: 'timeout' } });
  });

  it('a connection reset is retryable', async () => {
    persistentHubSpot((i) => i.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }));
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).rejects.toThrow();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'failed-retryable' });
  });

  it('a malformed JSON body is retryable', async () => {
    persistentHubSpot((i) => i.reply(200, '{"id": "1", "propert', { 'Content-Type': 'application/json' }));
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).rejects.toThrow();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ error: { code: 'malformed-body' } });
  });

  it('400 validation error: permanent, logged for follow-up, the delivery is acknowledged', async () => {
    nock(HUBSPOT).get(CONTACT_PATH).query(true).times(2).reply(404, {});
    nock(HUBSPOT).post('/crm/v3/objects/contacts/batch/upsert').reply(400, {
      status: 'error',
      category: 'VALIDATION_ERROR',
      message: 'Property values were not valid',
    });
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created())).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({
      outcome: 'failed-permanent',
      will_redeliver: false,
      attempt: 1,
      error: { status: 400, code: 'VALIDATION_ERROR' },
    });
  });

  it('401 (revoked token) is permanent for the event but logged as an error', async () => {
    persistentHubSpot((i) => i.reply(401, { status: 'error', category: 'INVALID_AUTHENTICATION' }));
    slackOk();
    const h = sourceHarness();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({
      outcome: 'failed-permanent',
      level: 'error',
    });
  });

  it('a missing token fails the delivery (kept for redelivery once the secret is fixed)', async () => {
    slackOk();
    const h = sourceHarness();
    await expect(h.run(created(), { ...SECRETS, HUBSPOT_TOKEN: '##HUBSPOT_TOKEN##' })).rejects.toThrow(
      /hubspot/,
    );
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'failed-misconfigured' });
  });
});

describe('Slack faults (notification destination: never fails the delivery)', () => {
  const healthyHubSpot = () => hubspotHealthyCreate();

  it.each([
    ['429 with Retry-After', (i: nock.Interceptor) => i.reply(429, 'rate_limited', { 'Retry-After': '30' })],
    ['429 without Retry-After', (i: nock.Interceptor) => i.reply(429, 'rate_limited')],
    ['500 rollup_error', (i: nock.Interceptor) => i.reply(500, 'rollup_error')],
    ['400 invalid_blocks', (i: nock.Interceptor) => i.reply(400, 'invalid_blocks')],
    ['404 no_service', (i: nock.Interceptor) => i.reply(404, 'no_service')],
    ['410 channel_is_archived', (i: nock.Interceptor) => i.reply(410, 'channel_is_archived')],
    ['a hang', (i: nock.Interceptor) => i.delay(5_000).reply(200, 'ok')],
    ['a reset', (i: nock.Interceptor) => i.replyWithError({ code: 'ECONNRESET' })],
  ])('%s: logged, the delivery still succeeds', async (_label, fault) => {
    healthyHubSpot();
    fault(nock('https://hooks.slack.test').persist().post(SLACK_PATH));
    const h = sourceHarness();
    await expect(h.run(created())).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'slack')?.outcome).toMatch(/^failed-/);
    expect(destinationLine(h.lines, 'slack')).toMatchObject({ will_redeliver: false });
  });

  it('a notification already sent is not sent again when the event is redelivered', async () => {
    const event = created();
    nock(HUBSPOT).persist().get(CONTACT_PATH).query(true).reply(404, {});
    nock(HUBSPOT)
      .post('/crm/v3/objects/contacts/batch/upsert')
      .reply(200, { results: [{ id: '1' }] });
    nock(HUBSPOT).post('/crm/v3/objects/contacts/batch/upsert').reply(503, {});
    nock(HUBSPOT).post('/crm/v3/objects/contacts/batch/upsert').reply(503, {});
    const slack = nock('https://hooks.slack.test').post(SLACK_PATH).once().reply(200, 'ok');
    const h = sourceHarness();
    await h.run(event); // HubSpot fine, Slack sent
    await h.run(event).catch(() => undefined); // redelivered (HubSpot flaky this time)
    expect(slack.isDone()).toBe(true);
    expect(destinationLine(h.lines, 'slack')).toMatchObject({ outcome: 'skipped-already-sent' });
    expect(destinationLine(h.lines, 'slack')).toMatchObject({ delivery: 2 });
  });
});

describe('parallel fan-out and deadline', () => {
  it('calls destinations in parallel: a slow Slack does not delay HubSpot', async () => {
    hubspotHealthyCreate();
    nock('https://hooks.slack.test').post(SLACK_PATH).delay(250).reply(200, 'ok');
    const h = sourceHarness();
    await h.run(created());
    const hubspot = destinationLine(h.lines, 'hubspot')!;
    expect(hubspot.duration_ms as number).toBeLessThan(
      destinationLine(h.lines, 'slack')!.duration_ms as number,
    );
  });

  it('the handler deadline bounds the whole execution', async () => {
    persistentHubSpot((i) => i.delay(10_000).reply(200, {}));
    nock('https://hooks.slack.test').persist().post(SLACK_PATH).delay(10_000).reply(200, 'ok');
    const h = sourceHarness({ ...FAST_OPTIONS, deadlineMs: 400, requestTimeoutMs: 5_000 });
    await expect(h.run(created())).rejects.toThrow();
    const event = h.lines.find((l) => l.msg === 'event')!;
    expect(event.outcome).toBe('redeliver');
  });
});

describe('circuit breaker (state in api.cache)', () => {
  it('opens after repeated failures across executions, then skips HubSpot without calling it', async () => {
    const h = sourceHarness({ ...FAST_OPTIONS, breakerThreshold: 3, attemptsPerExecution: 1 });
    nock('https://hooks.slack.test').persist().post(SLACK_PATH).reply(200, 'ok');
    const failing = nock(HUBSPOT).get(CONTACT_PATH).query(true).times(3).reply(503, {});
    for (let i = 0; i < 3; i++) await h.run(created()).catch(() => undefined);
    expect(failing.isDone()).toBe(true);
    await expect(h.run(created())).rejects.toThrow(/hubspot/);
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ error: { code: 'circuit-open' } });
    expect(JSON.parse(h.cache.get('breaker:hubspot')!.value)).toMatchObject({ ownState: { value: 1 } });
  });

  it('does not open on rate limiting: 429s mean the service is up, redelivery is the cure', async () => {
    const h = sourceHarness({ ...FAST_OPTIONS, breakerThreshold: 2, attemptsPerExecution: 1 });
    nock('https://hooks.slack.test').persist().post(SLACK_PATH).reply(200, 'ok');
    nock(HUBSPOT).get(CONTACT_PATH).query(true).times(6).reply(429, { errorType: 'RATE_LIMIT' });
    for (let i = 0; i < 3; i++) await h.run(created()).catch(() => undefined);
    hubspotHealthyCreate();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created' });
  });

  it('lets one trial call through after the cool-off and closes on success', async () => {
    const h = sourceHarness({
      ...FAST_OPTIONS,
      breakerThreshold: 1,
      attemptsPerExecution: 1,
      breakerCooldownMs: 50,
    });
    nock('https://hooks.slack.test').persist().post(SLACK_PATH).reply(200, 'ok');
    nock(HUBSPOT).get(CONTACT_PATH).query(true).reply(503, {});
    await h.run(created()).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 80));
    hubspotHealthyCreate();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created' });
    expect(JSON.parse(h.cache.get('breaker:hubspot')!.value)).toMatchObject({ ownState: { value: 0 } });
  });

  it('ignores a corrupted breaker entry in the cache', async () => {
    const h = sourceHarness();
    h.cache.set('breaker:hubspot', '{"ownState":');
    hubspotHealthyCreate();
    slackOk();
    await h.run(created());
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created' });
  });
});

describe('logs', () => {
  it('one line per destination and one per event, with ids, outcome, attempt and duration', async () => {
    hubspotHealthyCreate();
    slackOk();
    const h = sourceHarness();
    await h.run(created());
    expect(h.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(['destination', 'destination', 'event']),
    );
    for (const line of h.lines.filter((l) => l.msg === 'destination')) {
      expect(line).toEqual(
        expect.objectContaining({
          event_id: expect.stringMatching(/^evt_/),
          type: 'user.created',
          user_id: USER_ID,
          outcome: expect.any(String),
          attempt: expect.any(Number),
          duration_ms: expect.any(Number),
        }),
      );
    }
  });

  it('never contains secret values, even when an error echoes the webhook URL', async () => {
    hubspotHealthyCreate();
    nock('https://hooks.slack.test')
      .post(SLACK_PATH)
      .replyWithError({
        code: 'ECONNREFUSED',
        message: `connect failed to ${SLACK_WEBHOOK} with ${SECRETS.HUBSPOT_TOKEN}`,
      });
    const h = sourceHarness();
    await h.run(created());
    const output = h.raw.join('\n');
    expect(output).not.toContain(SECRETS.HUBSPOT_TOKEN);
    expect(output).not.toContain('fake-webhook-secret-value');
  });

  it('acknowledges malformed events with their id, without calling anything', async () => {
    const h = sourceHarness();
    await h.run({ ...created(), id: 'evt_bad0000000000001', data: {} });
    expect(h.lines).toEqual([
      expect.objectContaining({
        outcome: 'ignored-malformed',
        event_id: 'evt_bad0000000000001',
        level: 'error',
      }),
    ]);
  });
});
