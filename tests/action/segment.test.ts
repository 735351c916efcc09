/**
 * Segment destination, call by call (nock): identify with a messageId derived from the event id (so
 * Segment drops redeliveries), the event time as timestamp, offboard as a status trait, the fault matrix.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, sourceHarness, type Harness } from '../support/action-harness';
import {
  segmentIdentify,
  segmentMessageId,
} from '../../event-streams/onboarding-workflow/destinations/segment';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { COMMON_FAULTS, DESTINATION_SECRETS, only, SEGMENT } from './destinations-support';

const USER_ID = employee().user_id;
const SECRETS = only('segment');
const AUTH = `Basic ${Buffer.from('segment-write-key-test-value:').toString('base64')}`;
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';

const segment = () => nock(SEGMENT).matchHeader('authorization', AUTH);
function identify(seen: Array<Record<string, unknown>> = [], times = 1) {
  return segment()
    .post('/v1/identify', (body) => (seen.push(body), true))
    .times(times)
    .reply(200, { success: true });
}
async function run(h: Harness, event: unknown) {
  await h.run(event, SECRETS);
  return destinationLine(h.lines, 'segment');
}
const lifecycle = (
  type: 'user.created' | 'user.updated' | 'user.deleted',
  user = employee(),
  previous?: object,
) =>
  toLifecycleEvent({
    id: 'evt_0000000000000001',
    type,
    time: T1,
    user: user as never,
    previousUser: previous as never,
  });

describe('identify payload (pure)', () => {
  it('messageId is derived from the event id and the destination, stable across redeliveries', () => {
    expect(segmentMessageId('evt_0000000000000001')).toBe(segmentMessageId('evt_0000000000000001'));
    expect(segmentMessageId('evt_0000000000000001')).not.toBe(segmentMessageId('evt_0000000000000002'));
    expect(segmentMessageId('evt_0000000000000001')).toMatch(/^auth0-[0-9a-f]{32}$/);
  });

  it('onboard: userId is the Auth0 user id, timestamp the event time, traits with status active', () => {
    expect(segmentIdentify(lifecycle('user.created'))).toMatchObject({
      type: 'identify',
      userId: USER_ID,
      messageId: segmentMessageId('evt_0000000000000001'),
      timestamp: T1,
      traits: {
        email: 'ada.lovelace@example.com',
        firstName: 'Ada',
        lastName: 'Lovelace',
        name: 'Ada Lovelace',
        title: 'Engineer',
        department: 'Platform',
        employee_number: '1001',
        status: 'active',
      },
    });
  });

  it('an update sends no status (a late update cannot reactivate) and clears a removed field', () => {
    const identify = segmentIdentify(
      lifecycle('user.updated', employee({ app_metadata: { department: 'Platform' } }), employee()),
    );
    expect(identify.traits).not.toHaveProperty('status');
    expect(identify.traits).toMatchObject({ title: null, employee_number: null, department: 'Platform' });
  });

  it('offboard: status offboarded with the time', () => {
    expect(segmentIdentify(lifecycle('user.deleted')).traits).toMatchObject({
      status: 'offboarded',
      offboarded_at: T1,
    });
  });

  it('keeps messages far below the 32 KB limit for huge names', () => {
    const identify = segmentIdentify(lifecycle('user.created', employee({ name: 'Ж'.repeat(100_000) })));
    expect(Buffer.byteLength(JSON.stringify(identify))).toBeLessThan(32 * 1024);
  });
});

describe('identify calls', () => {
  it('posts identify with Basic writeKey auth', async () => {
    const seen: Array<Record<string, unknown>> = [];
    identify(seen);
    const h = sourceHarness();
    expect(await run(h, cloudEvent('user.created', employee(), { time: T1 }))).toMatchObject({
      outcome: 'identified',
    });
    expect(seen[0]).toMatchObject({ userId: USER_ID, timestamp: T1, traits: { status: 'active' } });
  });

  it('a redelivered event carries the same messageId, so Segment drops the duplicate', async () => {
    const seen: Array<Record<string, unknown>> = [];
    identify(seen, 2);
    const event = cloudEvent('user.created', employee(), { id: 'evt_00000000000000s9' });
    const h = sourceHarness();
    await run(h, event);
    await run(h, event);
    expect(seen).toHaveLength(2);
    expect(seen[0]!.messageId).toBe(seen[1]!.messageId);
    expect(seen[0]!.messageId).toBe(segmentMessageId('evt_00000000000000s9'));
  });

  it('events delivered out of order keep their own timestamps', async () => {
    const seen: Array<Record<string, unknown>> = [];
    identify(seen, 2);
    const h = sourceHarness();
    await run(h, cloudEvent('user.updated', employee({ blocked: true }), { time: T2, previous: employee() }));
    await run(
      h,
      cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { time: T1, previous: employee() }),
    );
    expect(seen.map((s) => [s.timestamp, (s.traits as { status?: string }).status])).toEqual([
      [T2, 'offboarded'],
      [T1, undefined],
    ]);
  });

  it('an update of fields Segment does not receive makes no call', async () => {
    const h = sourceHarness();
    const event = cloudEvent('user.updated', employee({ nickname: 'countess' }), { previous: employee() });
    expect(await run(h, event)).toMatchObject({ outcome: 'skipped-no-relevant-change' });
  });
});

describe('fault matrix', () => {
  it('429 with a short Retry-After waits in line and succeeds', async () => {
    segment().post('/v1/identify').reply(429, 'Too Many Requests', { 'Retry-After': '0.1' });
    identify();
    const h = sourceHarness();
    expect(await run(h, cloudEvent('user.created', employee()))).toMatchObject({
      outcome: 'identified',
      attempt: 2,
    });
  });

  it.each(COMMON_FAULTS)('$label: the handler throws so Auth0 redelivers', async (fault) => {
    fault.reply(segment().persist().post('/v1/identify'));
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).rejects.toThrow(
      /redelivered for: segment/,
    );
    const line = destinationLine(h.lines, 'segment');
    expect(line).toMatchObject({ outcome: 'failed-retryable', will_redeliver: true });
    if (fault.status) expect(line).toMatchObject({ error: { status: fault.status } });
    if (fault.code) expect(line).toMatchObject({ error: { code: fault.code } });
  });

  it('a 200 that is not Segment\'s {"success": true} is retryable', async () => {
    segment()
      .persist()
      .post('/v1/identify')
      .reply(200, '<html>captive portal</html>', { 'Content-Type': 'text/html' });
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).rejects.toThrow(/segment/);
  });

  it.each([
    ['400 payload too large', 400, { success: false, message: 'Message too large' }],
    ['400 invalid JSON', 400, { success: false, message: 'Invalid JSON' }],
    ['401 invalid write key', 401, { success: false, message: 'Unauthorized' }],
  ])('%s is permanent: logged, the delivery is acknowledged', async (_label, status, body) => {
    segment().post('/v1/identify').reply(status, body);
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'segment')).toMatchObject({
      outcome: 'failed-permanent',
      error: { status },
    });
  });

  it('never logs the write key or the Basic credentials', async () => {
    segment()
      .post('/v1/identify')
      .replyWithError({
        code: 'ECONNRESET',
        message: `reset ${DESTINATION_SECRETS.segment.SEGMENT_WRITE_KEY}`,
      });
    segment()
      .post('/v1/identify')
      .reply(400, { message: `bad key ${DESTINATION_SECRETS.segment.SEGMENT_WRITE_KEY}` });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), SECRETS).catch(() => undefined);
    const output = h.raw.join('\n');
    expect(output).toContain('segment');
    expect(output).not.toContain(DESTINATION_SECRETS.segment.SEGMENT_WRITE_KEY);
    expect(output).not.toContain(AUTH.slice(6));
  });
});
