/**
 * Internal provisioning service (generic HTTP destination), call by call (nock): body mapping,
 * configured auth header, Idempotency-Key from the event id, 409/422 per the Idempotency-Key draft,
 * the fault matrix.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, sourceHarness, type Harness } from '../support/action-harness';
import {
  provisioningBody,
  provisioningKey,
} from '../../event-streams/onboarding-workflow/destinations/provisioning';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { parseMapping } from '../../event-streams/onboarding-workflow/settings';
import { COMMON_FAULTS, DESTINATION_SECRETS, only, PROVISIONING } from './destinations-support';

const USER_ID = employee().user_id;
const SECRETS = only('provisioning');
const T1 = '2026-12-01T10:00:00.000Z';
const TOKEN = DESTINATION_SECRETS.provisioning.PROVISIONING_AUTH_VALUE;

const service = () => nock(PROVISIONING).matchHeader('authorization', TOKEN);
interface Seen {
  body: Record<string, unknown>;
  key: string;
}
function accept(seen: Seen[] = [], times = 1, status = 201) {
  return service()
    .post('/v1/identities')
    .times(times)
    .reply(function (_uri, body) {
      const key = this.req.headers['idempotency-key'];
      seen.push({ body: body as Record<string, unknown>, key: String(key) });
      return [status, { status: 'accepted' }];
    });
}
async function run(h: Harness, event: unknown, secrets = SECRETS) {
  await h.run(event, secrets);
  return destinationLine(h.lines, 'provisioning');
}

describe('body and key (pure)', () => {
  const event = toLifecycleEvent({
    id: 'evt_0000000000000001',
    type: 'user.created',
    time: T1,
    user: employee() as never,
  });

  it('builds the body from the mapping, nesting dotted targets, null for fields the user lacks', () => {
    const mapping = parseMapping(
      'id=userId,user.email=email,user.manager=managerId,meta.action=step,meta.at=occurredAt',
    )!;
    expect(provisioningBody(event, mapping)).toEqual({
      id: USER_ID,
      user: { email: 'ada.lovelace@example.com', manager: null },
      meta: { action: 'onboard', at: T1 },
    });
  });

  it('the Idempotency-Key is stable per event and differs between events', () => {
    expect(provisioningKey('evt_0000000000000001')).toBe(provisioningKey('evt_0000000000000001'));
    expect(provisioningKey('evt_0000000000000001')).not.toBe(provisioningKey('evt_0000000000000002'));
    expect(provisioningKey('evt_0000000000000001')).toMatch(/^auth0-[0-9a-f]{32}$/);
  });
});

describe('calls', () => {
  it('POSTs the default mapping with the configured auth header and Idempotency-Key', async () => {
    const seen: Seen[] = [];
    accept(seen);
    const h = sourceHarness();
    expect(
      await run(h, cloudEvent('user.created', employee(), { id: 'evt_00000000000000p1', time: T1 })),
    ).toMatchObject({
      outcome: 'provisioned',
    });
    expect(seen[0]).toEqual({
      key: provisioningKey('evt_00000000000000p1'),
      body: {
        user_id: USER_ID,
        email: 'ada.lovelace@example.com',
        given_name: 'Ada',
        family_name: 'Lovelace',
        title: 'Engineer',
        department: 'Platform',
        manager_id: null,
        employee_number: '1001',
        action: 'onboard',
        event_id: 'evt_00000000000000p1',
        occurred_at: T1,
      },
    });
  });

  it('uses a custom header name and mapping from the settings', async () => {
    const seen: Array<Record<string, unknown>> = [];
    nock(PROVISIONING)
      .matchHeader('x-api-key', 'custom-api-key-value-0001')
      .post('/v1/identities', (b) => (seen.push(b), true))
      .reply(202);
    const h = sourceHarness();
    await run(h, cloudEvent('user.deleted', employee()), {
      ...SECRETS,
      PROVISIONING_AUTH_HEADER: 'X-Api-Key',
      PROVISIONING_AUTH_VALUE: 'custom-api-key-value-0001',
      PROVISIONING_BODY_MAPPING: 'subject=userId,operation=step',
    });
    expect(seen).toEqual([{ subject: USER_ID, operation: 'offboard' }]);
  });

  it('a redelivery repeats the same Idempotency-Key and body', async () => {
    const seen: Seen[] = [];
    accept(seen, 2);
    const event = cloudEvent('user.created', employee(), { id: 'evt_00000000000000p2' });
    const h = sourceHarness();
    await run(h, event);
    await run(h, event);
    expect(seen).toHaveLength(2);
    expect(seen[1]).toEqual(seen[0]);
  });

  it('events carry their own time, so the service can ignore an older one', async () => {
    const seen: Seen[] = [];
    accept(seen, 2);
    const h = sourceHarness();
    await run(
      h,
      cloudEvent('user.updated', employee({ blocked: true }), {
        time: '2026-12-01T10:05:00.000Z',
        previous: employee(),
      }),
    );
    await run(
      h,
      cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { time: T1, previous: employee() }),
    );
    expect(seen.map((s) => [s.body.action, s.body.occurred_at])).toEqual([
      ['offboard', '2026-12-01T10:05:00.000Z'],
      ['update', T1],
    ]);
  });

  it('an update of fields the mapping does not use makes no call', async () => {
    const h = sourceHarness();
    const event = cloudEvent('user.updated', employee({ nickname: 'countess' }), { previous: employee() });
    expect(await run(h, event)).toMatchObject({ outcome: 'skipped-no-relevant-change' });
  });
});

describe('fault matrix', () => {
  it('429 with a short Retry-After waits in line and succeeds', async () => {
    service().post('/v1/identities').reply(429, {}, { 'Retry-After': '0.1' });
    accept();
    const h = sourceHarness();
    expect(await run(h, cloudEvent('user.created', employee()))).toMatchObject({
      outcome: 'provisioned',
      attempt: 2,
    });
  });

  it.each([
    ...COMMON_FAULTS.filter((f) => f.label !== 'a malformed JSON body'),
    {
      label: '409 (the first request with this key is still in progress)',
      reply: (i: nock.Interceptor) => i.reply(409, { error: 'request in progress' }),
      retryable: true,
      status: 409,
      code: 'idempotency-key-in-progress',
    },
    {
      label: 'an unreadable JSON error body',
      reply: (i: nock.Interceptor) => i.reply(502, '{"error":', { 'Content-Type': 'application/json' }),
      retryable: true,
      code: 'malformed-body',
    },
  ])('$label: the handler throws so Auth0 redelivers', async (fault) => {
    fault.reply(service().persist().post('/v1/identities'));
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).rejects.toThrow(
      /redelivered for: provisioning/,
    );
    const line = destinationLine(h.lines, 'provisioning');
    expect(line).toMatchObject({ outcome: 'failed-retryable', will_redeliver: true });
    if (fault.status) expect(line).toMatchObject({ error: { status: fault.status } });
    if (fault.code) expect(line).toMatchObject({ error: { code: fault.code } });
  });

  it('a 2xx with an unreadable JSON body is retryable (the key makes the retry safe)', async () => {
    service()
      .persist()
      .post('/v1/identities')
      .reply(201, '{"status":', { 'Content-Type': 'application/json' });
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).rejects.toThrow(/provisioning/);
  });

  it.each([
    ['400 validation', 400, { error: 'invalid_body' }],
    ['401 bad credential', 401, { error: 'unauthorized' }],
    ['422 key reused with another body', 422, { error: 'idempotency_key_reused' }],
  ])('%s is permanent: logged, the delivery is acknowledged', async (_label, status, body) => {
    service().post('/v1/identities').reply(status, body);
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'provisioning')).toMatchObject({
      outcome: 'failed-permanent',
      error: { status },
    });
  });

  it('never logs the auth header value', async () => {
    service()
      .post('/v1/identities')
      .reply(401, { error: `rejected ${TOKEN}` });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), SECRETS);
    const output = h.raw.join('\n');
    expect(output).toContain('provisioning');
    expect(output).not.toContain('provisioning-token-test-value');
  });
});
