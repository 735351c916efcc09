import type { ParsedUrlQuery } from 'node:querystring';
/**
 * HubSpot behaviour of the handler, call by call (nock). The stateful end-to-end version of these
 * scenarios runs against the local HubSpot stand-in in tests/e2e.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, HUBSPOT, SECRETS, sourceHarness } from '../support/action-harness';
import { contactProperties, isNewerThan } from '../../event-streams/onboarding-workflow/destinations/hubspot';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';

const USER_ID = employee().user_id;
const CONTACT_PATH = `/crm/v3/objects/contacts/${encodeURIComponent(USER_ID)}`;
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';

const byUserId = (archived: boolean) => (q: ParsedUrlQuery) =>
  q.idProperty === 'auth0_user_id' && q.archived === String(archived);
const contact = (id: string, stamp: string, eventId = 'evt_0000000000000000', extra = {}) => ({
  id,
  properties: { auth0_user_id: USER_ID, auth0_last_event_at: stamp, auth0_last_event_id: eventId, ...extra },
  archived: false,
});

let hubspot: nock.Scope;
beforeEach(() => {
  nock.disableNetConnect();
  hubspot = nock(HUBSPOT).matchHeader('authorization', `Bearer ${SECRETS.HUBSPOT_TOKEN}`);
  // Slack is not under test here.
  nock('https://hooks.slack.test').persist().post(/.*/).reply(200, 'ok');
});
afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe('contact properties (pure)', () => {
  it('writes the mirrored fields the user has, the correlation id and the event stamp', () => {
    const event = toLifecycleEvent({
      id: 'evt_0000000000000001',
      type: 'user.created',
      time: T1,
      user: employee() as never,
    });
    expect(contactProperties(event, { ownsContact: false })).toEqual({
      auth0_user_id: USER_ID,
      auth0_last_event_at: T1,
      auth0_last_event_id: 'evt_0000000000000001',
      email: 'ada.lovelace@example.com',
      firstname: 'Ada',
      lastname: 'Lovelace',
      jobtitle: 'Engineer',
      department: 'Platform',
    });
  });

  it('on a contact it owns, clears every field the user does not have (never the email), whatever previous_object says', () => {
    const event = toLifecycleEvent({
      id: 'evt_0000000000000002',
      type: 'user.updated',
      time: T2,
      user: employee({ given_name: undefined, app_metadata: { department: 'Platform' } }) as never,
    });
    const properties = contactProperties(event, { ownsContact: true });
    expect(properties).toMatchObject({ jobtitle: '', firstname: '', department: 'Platform' });
    expect(properties.email).toBe('ada.lovelace@example.com');
  });

  it('leaves what the CRM knows on a contact it adopts or creates', () => {
    const event = toLifecycleEvent({
      id: 'evt_0000000000000003',
      type: 'user.created',
      time: T2,
      user: employee({ app_metadata: {} }) as never,
    });
    expect(contactProperties(event, { ownsContact: false })).not.toHaveProperty('jobtitle');
  });

  it('orders by event time, then by event id', () => {
    const event = toLifecycleEvent({
      id: 'evt_0000000000000005',
      type: 'user.updated',
      time: T1,
      user: employee() as never,
    });
    expect(isNewerThan(event, contact('1', T2))).toBe(false);
    expect(isNewerThan(event, contact('1', '2026-12-01T09:00:00Z'))).toBe(true);
    expect(isNewerThan(event, contact('1', T1, 'evt_0000000000000005'))).toBe(false);
    expect(isNewerThan(event, contact('1', T1, 'evt_0000000000000004'))).toBe(true);
    expect(isNewerThan(event, { id: '1', properties: {} })).toBe(true);
  });
});

describe('onboard', () => {
  it('creates the contact with an idempotent upsert keyed by the Auth0 user id', async () => {
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(false))
      .reply(404, { status: 'error', category: 'OBJECT_NOT_FOUND' });
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(true))
      .reply(404, { status: 'error', category: 'OBJECT_NOT_FOUND' });
    let sent:
      { inputs: Array<{ idProperty: string; id: string; properties: Record<string, string> }> } | undefined;
    hubspot
      .post('/crm/v3/objects/contacts/batch/upsert', (body) => ((sent = body), true))
      .reply(200, { status: 'COMPLETE', results: [{ id: '501', properties: {}, new: true }] });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee(), { time: T1 }));
    expect(sent?.inputs[0]).toMatchObject({ idProperty: 'auth0_user_id', id: USER_ID });
    expect(sent?.inputs[0]?.properties.email).toBe('ada.lovelace@example.com');
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created', attempt: 1 });
    expect(hubspot.isDone()).toBe(true);
  });

  it('adopts a contact that already holds the email (upsert conflict), never duplicating it', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(404, {});
    hubspot.get(CONTACT_PATH).query(byUserId(true)).reply(404, {});
    hubspot.post('/crm/v3/objects/contacts/batch/upsert').reply(409, {
      status: 'error',
      category: 'CONFLICT',
      message: 'Contact already exists. Existing ID: 77',
    });
    hubspot
      .get('/crm/v3/objects/contacts/ada.lovelace%40example.com')
      .query((q) => q.idProperty === 'email')
      .reply(200, { id: '77', properties: { email: 'ada.lovelace@example.com' } });
    let patched: Record<string, string> | undefined;
    hubspot
      .patch('/crm/v3/objects/contacts/77', (b) => ((patched = b.properties), true))
      .reply(200, { id: '77', properties: {} });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee(), { time: T1 }));
    expect(patched?.auth0_user_id).toBe(USER_ID);
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'adopted' });
    expect(hubspot.isDone()).toBe(true);
  });

  it('adopts on a 207 partial batch result whose error is a conflict', async () => {
    hubspot.get(CONTACT_PATH).query(true).times(2).reply(404, {});
    hubspot.post('/crm/v3/objects/contacts/batch/upsert').reply(207, {
      status: 'COMPLETE',
      results: [],
      numErrors: 1,
      errors: [{ status: 'error', category: 'CONFLICT', message: 'Contact already exists. Existing ID: 77' }],
    });
    hubspot
      .get('/crm/v3/objects/contacts/ada.lovelace%40example.com')
      .query(true)
      .reply(200, { id: '77', properties: {} });
    hubspot.patch('/crm/v3/objects/contacts/77').reply(200, { id: '77', properties: {} });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee(), { time: T1 }));
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'adopted' });
  });

  it('does not take over a contact that belongs to another Auth0 user: logged, not retried', async () => {
    hubspot.get(CONTACT_PATH).query(true).times(2).reply(404, {});
    hubspot
      .post('/crm/v3/objects/contacts/batch/upsert')
      .reply(409, { status: 'error', category: 'CONFLICT' });
    hubspot
      .get('/crm/v3/objects/contacts/ada.lovelace%40example.com')
      .query(true)
      .reply(200, { id: '77', properties: { auth0_user_id: 'samlp|corporate-idp|someone-else' } });
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee(), { time: T1 }))).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({
      outcome: 'failed-permanent',
      will_redeliver: false,
      error: { code: 'email-owned-by-other-user' },
    });
  });
});

describe('update', () => {
  it('updates the same contact when the email changes (correlated by user id, not email)', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(200, contact('501', T1));
    let patched: Record<string, string> | undefined;
    hubspot
      .patch('/crm/v3/objects/contacts/501', (b) => ((patched = b.properties), true))
      .reply(200, { id: '501', properties: {} });
    const h = sourceHarness();
    await h.run(
      cloudEvent('user.updated', employee({ email: 'ada@example.org' }), { time: T2, previous: employee() }),
    );
    expect(patched?.email).toBe('ada@example.org');
    expect(patched?.auth0_last_event_at).toBe(T2);
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'updated' });
  });

  it('makes no HubSpot call for an update that changes nothing HubSpot stores', async () => {
    const h = sourceHarness();
    await h.run(
      cloudEvent('user.updated', employee({ nickname: 'countess' }), { time: T2, previous: employee() }),
    );
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-no-relevant-change' });
    expect(hubspot.pendingMocks()).toEqual([]);
  });

  it('ignores a redelivered event: the contact already carries its stamp', async () => {
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(false))
      .reply(200, contact('501', T2, 'evt_00000000000000aa'));
    const h = sourceHarness();
    await h.run(
      cloudEvent('user.updated', employee({ given_name: 'Augusta' }), {
        id: 'evt_00000000000000aa',
        time: T2,
      }),
    );
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-not-newer' });
  });

  it('never lets an older event overwrite newer data', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(200, contact('501', T2));
    const h = sourceHarness();
    await h.run(cloudEvent('user.updated', employee({ given_name: 'Old' }), { time: T1 }));
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-not-newer' });
    expect(hubspot.isDone()).toBe(true);
  });

  it('never brings back a contact archived by a newer offboard', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(404, {});
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(true))
      .reply(200, { ...contact('501', T2), archived: true });
    const h = sourceHarness();
    await h.run(cloudEvent('user.updated', employee({ given_name: 'Late' }), { time: T1 }));
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-not-newer' });
  });
});

describe('offboard', () => {
  it('resumes an offboard whose archive failed: its own stamp on a live contact means archive now', async () => {
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(false))
      .reply(200, contact('501', T2, 'evt_00000000000000ob'));
    const archived = hubspot.delete('/crm/v3/objects/contacts/501').reply(204);
    const h = sourceHarness();
    await h.run(cloudEvent('user.deleted', employee(), { id: 'evt_00000000000000ob', time: T2 }));
    expect(archived.isDone()).toBe(true);
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'archived' });
  });

  it.each([
    ['user.deleted', employee()],
    ['user.updated with blocked=true (SCIM deactivation)', employee({ blocked: true })],
  ] as const)('%s stamps then archives the contact (never the GDPR delete)', async (label, user) => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(200, contact('501', T1));
    let stamped: Record<string, string> | undefined;
    hubspot.patch('/crm/v3/objects/contacts/501', (b) => ((stamped = b.properties), true)).reply(200, {});
    hubspot.delete('/crm/v3/objects/contacts/501').reply(204);
    const h = sourceHarness();
    const type = label.startsWith('user.deleted') ? 'user.deleted' : 'user.updated';
    await h.run(cloudEvent(type, user, { time: T2 }));
    expect(stamped).toEqual({ auth0_last_event_at: T2, auth0_last_event_id: expect.stringMatching(/^evt_/) });
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'archived' });
    expect(hubspot.isDone()).toBe(true);
  });

  it('treats a contact archived meanwhile (404 on archive) as success', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(200, contact('501', T1));
    hubspot.patch('/crm/v3/objects/contacts/501').reply(200, {});
    hubspot.delete('/crm/v3/objects/contacts/501').reply(404, { category: 'OBJECT_NOT_FOUND' });
    const h = sourceHarness();
    await h.run(cloudEvent('user.deleted', employee(), { time: T2 }));
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'archived' });
  });

  it('is a no-op when the archived contact already carries a newer or equal stamp', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(404, {});
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(true))
      .reply(200, { ...contact('501', T2), archived: true });
    const h = sourceHarness();
    // The tombstone's own event, redelivered: same time and id.
    await h.run(cloudEvent('user.deleted', employee(), { time: T2, id: 'evt_0000000000000000' }));
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-not-newer' });
  });

  it('leaves a newer tombstone when the archived contact carries an older offboard', async () => {
    hubspot.get(CONTACT_PATH).query(byUserId(false)).reply(404, {});
    hubspot
      .get(CONTACT_PATH)
      .query(byUserId(true))
      .reply(200, { ...contact('501', T1), archived: true });
    let tombstone: Record<string, string> | undefined;
    hubspot
      .post('/crm/v3/objects/contacts/batch/upsert', (b) => ((tombstone = b.inputs[0].properties), true))
      .reply(200, { status: 'COMPLETE', results: [{ id: '902', properties: {} }] });
    hubspot.delete('/crm/v3/objects/contacts/902').reply(204);
    const h = sourceHarness();
    await h.run(cloudEvent('user.deleted', employee(), { time: T2 }));
    expect(tombstone).toMatchObject({ auth0_user_id: USER_ID, auth0_last_event_at: T2 });
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'restamped-tombstone' });
    expect(hubspot.isDone()).toBe(true);
  });

  it('leaves an archived tombstone without email when the offboard arrives before the onboard', async () => {
    hubspot.get(CONTACT_PATH).query(true).times(2).reply(404, {});
    let tombstone: Record<string, string> | undefined;
    hubspot
      .post('/crm/v3/objects/contacts/batch/upsert', (b) => ((tombstone = b.inputs[0].properties), true))
      .reply(200, { status: 'COMPLETE', results: [{ id: '900', properties: {} }] });
    hubspot.delete('/crm/v3/objects/contacts/900').reply(204);
    const h = sourceHarness();
    await h.run(cloudEvent('user.deleted', employee(), { time: T2 }));
    expect(tombstone).toEqual({
      auth0_user_id: USER_ID,
      auth0_last_event_at: T2,
      auth0_last_event_id: expect.any(String),
    });
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'tombstoned' });
  });
});
