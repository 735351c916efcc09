/**
 * Salesforce destination, call by call (nock): upsert by External ID, token reuse through api.cache,
 * the 401 re-authentication, ordering by the stamp fields, both offboard policies, the fault matrix.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, sourceHarness, type Harness } from '../support/action-harness';
import {
  contactFields,
  isNewerThanRecord,
  soqlString,
} from '../../event-streams/onboarding-workflow/destinations/salesforce';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { COMMON_FAULTS, DESTINATION_SECRETS, only, SF_INSTANCE, SF_LOGIN } from './destinations-support';

const USER_ID = employee().user_id;
const CONTACT = `/services/data/v62.0/sobjects/Contact/Auth0_User_Id__c/${encodeURIComponent(USER_ID)}`;
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';
const ACCESS_TOKEN = '00DTEST0000000!fake-access-token-value-1';
const SECRETS = only('salesforce');
const DELETE_POLICY = only('salesforce', { SALESFORCE_OFFBOARD: 'delete' });

const created = (time = T1, id?: string) => cloudEvent('user.created', employee(), { time, id });
const updated = (time: string) =>
  cloudEvent('user.updated', employee({ app_metadata: { title: 'Principal Engineer' } }), {
    time,
    previous: employee(),
  });
const blocked = (time: string) =>
  cloudEvent('user.updated', employee({ blocked: true }), { time, previous: employee() });

function token(times = 1, accessToken = ACCESS_TOKEN) {
  return nock(SF_LOGIN)
    .post(
      '/services/oauth2/token',
      (body) =>
        body.grant_type === 'client_credentials' &&
        body.client_id === DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_ID &&
        body.client_secret === DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_SECRET,
    )
    .times(times)
    .reply(200, {
      access_token: accessToken,
      instance_url: SF_INSTANCE,
      id: `${SF_LOGIN}/id/00D000000000001/005000000000001`,
      token_type: 'Bearer',
      issued_at: '1764583200000',
      signature: 'c2lnbmF0dXJl',
    });
}
const sf = (accessToken = ACCESS_TOKEN) =>
  nock(SF_INSTANCE).matchHeader('authorization', `Bearer ${accessToken}`);
const record = (stamp: string, eventId = 'evt_0000000000000000', extra = {}) => ({
  attributes: { type: 'Contact' },
  Id: '003000000000001AAA',
  Auth0_Last_Event_At__c: stamp,
  Auth0_Last_Event_Id__c: eventId,
  ...extra,
});
const notFound = [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }];

async function run(h: Harness, event: unknown, secrets = SECRETS) {
  await h.run(event, secrets);
  return destinationLine(h.lines, 'salesforce');
}

describe('Contact fields and order (pure)', () => {
  const event = (overrides = {}, step: 'user.created' | 'user.updated' = 'user.created') =>
    toLifecycleEvent({
      id: 'evt_0000000000000001',
      type: step,
      time: T1,
      user: employee(overrides) as never,
    });
  const deactivate = { SALESFORCE_OFFBOARD: 'deactivate', SALESFORCE_ACTIVE_FIELD: 'Active__c' } as const;

  it('maps the profile to Contact fields, stamps the event, and marks the contact active', () => {
    expect(contactFields(event(), deactivate)).toEqual({
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada.lovelace@example.com',
      Title: 'Engineer',
      Department: 'Platform',
      Active__c: true,
      Auth0_Last_Event_At__c: T1,
      Auth0_Last_Event_Id__c: 'evt_0000000000000001',
    });
  });

  it('always fills the required LastName, clips to Salesforce lengths, omits Active under the delete policy', () => {
    const fields = contactFields(event({ family_name: undefined, name: 'Ж'.repeat(500) }), {
      SALESFORCE_OFFBOARD: 'delete',
      SALESFORCE_ACTIVE_FIELD: 'Active__c',
    });
    expect(fields.LastName).toBe('Ж'.repeat(80));
    expect(fields).not.toHaveProperty('Active__c');
    expect(contactFields(event({ family_name: undefined, name: undefined }), deactivate).LastName).toBe(
      'ada.lovelace@example.com',
    );
  });

  it('orders by event time at millisecond precision, then by event id', () => {
    const e = event();
    expect(isNewerThanRecord(e, record(T2))).toBe(false);
    expect(isNewerThanRecord(e, record('2026-12-01T09:59:59.999Z'))).toBe(true);
    expect(isNewerThanRecord(e, record(T1, 'evt_0000000000000001'))).toBe(false);
    expect(isNewerThanRecord(e, record(T1, 'evt_0000000000000000'))).toBe(true);
    expect(isNewerThanRecord(e, { Id: '1' })).toBe(true);
  });

  it('escapes SOQL string literals', () => {
    expect(soqlString("o'brien\\x")).toBe("'o\\'brien\\\\x'");
  });
});

describe('upsert by External ID', () => {
  it('creates the contact with a client-credentials token', async () => {
    token();
    sf()
      .get(CONTACT)
      .query({ fields: 'Id,Auth0_Last_Event_At__c,Auth0_Last_Event_Id__c' })
      .reply(404, notFound);
    let body: Record<string, unknown> = {};
    sf()
      .patch(CONTACT, (b) => ((body = b), true))
      .reply(201, { id: '003000000000001AAA', success: true, errors: [], created: true });
    const h = sourceHarness();
    expect(await run(h, created())).toMatchObject({ outcome: 'created', attempt: 1 });
    expect(body).toMatchObject({ LastName: 'Lovelace', Active__c: true, Auth0_Last_Event_At__c: T1 });
    expect(body).not.toHaveProperty('Auth0_User_Id__c'); // the external id travels in the URL
  });

  it('reuses the token across executions through api.cache', async () => {
    const tokens = token(1);
    sf().get(CONTACT).query(true).reply(404, notFound);
    sf().patch(CONTACT).reply(201, { id: '003000000000001AAA', success: true, created: true });
    sf().get(CONTACT).query(true).reply(200, record(T1));
    sf().patch(CONTACT).reply(200, { id: '003000000000001AAA', success: true, created: false });
    const h = sourceHarness();
    await run(h, created());
    expect(await run(h, updated(T2))).toMatchObject({ outcome: 'updated' });
    expect(tokens.isDone()).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    const cached = JSON.parse(h.cache.get('salesforce:token')!.value);
    expect(cached).toMatchObject({ u: SF_INSTANCE });
    expect(h.cache.get('salesforce:token')!.value.length).toBeLessThan(4096);
  });

  it('a redelivered event changes nothing', async () => {
    const event = created(T1, 'evt_00000000000000a1');
    token();
    sf().get(CONTACT).query(true).reply(200, record(T1, 'evt_00000000000000a1'));
    const h = sourceHarness();
    expect(await run(h, event)).toMatchObject({ outcome: 'skipped-not-newer' });
  });

  it('an older event arriving after a newer one is skipped', async () => {
    token();
    sf().get(CONTACT).query(true).reply(200, record(T2));
    const h = sourceHarness();
    expect(await run(h, updated(T1))).toMatchObject({ outcome: 'skipped-not-newer' });
  });

  it('an update that changes no mirrored field makes no call', async () => {
    const h = sourceHarness();
    const event = cloudEvent(
      'user.updated',
      employee({ app_metadata: { ...employee().app_metadata, x: 1 } }),
      {
        previous: employee(),
      },
    );
    expect(await run(h, event)).toMatchObject({ outcome: 'skipped-no-relevant-change' });
  });
});

describe('offboard, deactivate policy (default)', () => {
  it('deactivates the contact after the order check', async () => {
    token();
    sf().get(CONTACT).query(true).reply(200, record(T1));
    let body: Record<string, unknown> = {};
    sf()
      .patch(CONTACT, (b) => ((body = b), true))
      .reply(200, { id: '003000000000001AAA', success: true, created: false });
    const h = sourceHarness();
    expect(await run(h, blocked(T2))).toMatchObject({ outcome: 'deactivated' });
    expect(body).toMatchObject({ Active__c: false, Auth0_Last_Event_At__c: T2 });
  });

  it('an offboard before any contact leaves an inactive, stamped tombstone', async () => {
    token();
    sf().get(CONTACT).query(true).reply(404, notFound);
    sf()
      .patch(CONTACT, (b) => b.Active__c === false)
      .reply(201, { id: '003000000000001AAA', success: true, created: true });
    const h = sourceHarness();
    expect(await run(h, cloudEvent('user.deleted', employee(), { time: T2 }))).toMatchObject({
      outcome: 'tombstoned',
    });
  });

  it('a late update after the offboard never reactivates the contact', async () => {
    token();
    sf()
      .get(CONTACT)
      .query(true)
      .reply(200, record(T2, 'evt_0000000000000009', { Active__c: false }));
    const h = sourceHarness();
    expect(await run(h, updated(T1))).toMatchObject({ outcome: 'skipped-not-newer' });
  });
});

describe('offboard, delete policy', () => {
  const QUERY_ALL = '/services/data/v62.0/queryAll';

  it('stamps then deletes by External ID', async () => {
    token();
    sf().get(CONTACT).query(true).reply(200, record(T1));
    sf()
      .patch(CONTACT, (b) => !('Active__c' in b) && b.Auth0_Last_Event_At__c === T2)
      .reply(200, { success: true, created: false });
    sf().delete(CONTACT).reply(204);
    const h = sourceHarness();
    expect(await run(h, blocked(T2), DELETE_POLICY)).toMatchObject({ outcome: 'deleted' });
  });

  it('a contact already gone (404 on delete) is success', async () => {
    token();
    sf().get(CONTACT).query(true).reply(200, record(T1));
    sf().patch(CONTACT).reply(200, { success: true, created: false });
    sf().delete(CONTACT).reply(404, notFound);
    const h = sourceHarness();
    expect(await run(h, blocked(T2), DELETE_POLICY)).toMatchObject({ outcome: 'deleted' });
  });

  it('a late update finds the deleted record in the recycle bin and does not recreate it', async () => {
    token();
    sf().get(CONTACT).query(true).reply(404, notFound);
    let soql = '';
    sf()
      .get(QUERY_ALL)
      .query((q) => ((soql = String(q.q)), true))
      .reply(200, { totalSize: 1, done: true, records: [record(T2, 'evt_0000000000000009')] });
    const h = sourceHarness();
    expect(await run(h, updated(T1), DELETE_POLICY)).toMatchObject({ outcome: 'skipped-not-newer' });
    expect(soql).toBe(
      `SELECT Id, Auth0_Last_Event_At__c, Auth0_Last_Event_Id__c FROM Contact WHERE Auth0_User_Id__c = '${USER_ID}' ` +
        'AND IsDeleted = true ORDER BY Auth0_Last_Event_At__c DESC LIMIT 1',
    );
  });

  it('an offboard before any contact creates and deletes a stamped tombstone', async () => {
    token();
    sf().get(CONTACT).query(true).reply(404, notFound);
    sf().get(QUERY_ALL).query(true).reply(200, { totalSize: 0, done: true, records: [] });
    sf().patch(CONTACT).reply(201, { success: true, created: true });
    sf().delete(CONTACT).reply(204);
    const h = sourceHarness();
    expect(await run(h, cloudEvent('user.deleted', employee(), { time: T2 }), DELETE_POLICY)).toMatchObject({
      outcome: 'tombstoned',
    });
    expect(nock.pendingMocks()).toEqual([]);
  });
});

describe('authentication', () => {
  it('on 401 INVALID_SESSION_ID drops the cached token and retries once with a fresh one', async () => {
    const h = sourceHarness();
    // The first execution caches a token that Salesforce later revokes.
    token(1, 'stale-token-value-0001');
    sf('stale-token-value-0001').get(CONTACT).query(true).reply(404, notFound);
    sf('stale-token-value-0001').patch(CONTACT).reply(201, { success: true, created: true });
    await run(h, created());
    sf('stale-token-value-0001')
      .get(CONTACT)
      .query(true)
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const fresh = token(1);
    sf().get(CONTACT).query(true).reply(200, record(T1));
    sf().patch(CONTACT).reply(200, { success: true, created: false });
    expect(await run(h, updated(T2))).toMatchObject({ outcome: 'updated', attempt: 1 });
    expect(fresh.isDone()).toBe(true);
    expect(JSON.parse(h.cache.get('salesforce:token')!.value).t).toBe(ACCESS_TOKEN);
  });

  it('a 401 with a freshly issued token is permanent (no loop)', async () => {
    token(1);
    sf()
      .get(CONTACT)
      .query(true)
      .reply(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    const h = sourceHarness();
    await expect(h.run(created(), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'salesforce')).toMatchObject({
      outcome: 'failed-permanent',
      error: { status: 401, code: 'INVALID_SESSION_ID' },
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('invalid client credentials are permanent and nothing secret is logged', async () => {
    nock(SF_LOGIN)
      .post('/services/oauth2/token')
      .reply(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
    const h = sourceHarness();
    await h.run(created(), SECRETS);
    expect(destinationLine(h.lines, 'salesforce')).toMatchObject({
      outcome: 'failed-permanent',
      error: { status: 400, code: 'invalid_client' },
    });
  });

  it('a token response without instance_url is retryable', async () => {
    nock(SF_LOGIN).persist().post('/services/oauth2/token').reply(200, { access_token: 'x' });
    const h = sourceHarness();
    await expect(h.run(created(), SECRETS)).rejects.toThrow(/salesforce/);
    expect(destinationLine(h.lines, 'salesforce')).toMatchObject({ error: { code: 'malformed-body' } });
  });
});

describe('fault matrix', () => {
  it('429 with a short Retry-After waits in line and succeeds', async () => {
    token();
    sf()
      .get(CONTACT)
      .query(true)
      .reply(429, [{ errorCode: 'REQUEST_LIMIT_EXCEEDED' }], { 'Retry-After': '0.1' });
    sf().get(CONTACT).query(true).reply(404, notFound);
    sf().patch(CONTACT).reply(201, { success: true, created: true });
    const h = sourceHarness();
    expect(await run(h, created())).toMatchObject({ outcome: 'created', attempt: 2 });
  });

  it.each(COMMON_FAULTS)('$label: the handler throws so Auth0 redelivers', async (fault) => {
    token();
    fault.reply(sf().persist().get(CONTACT).query(true));
    const h = sourceHarness();
    await expect(h.run(created(), SECRETS)).rejects.toThrow(/redelivered for: salesforce/);
    const line = destinationLine(h.lines, 'salesforce');
    expect(line).toMatchObject({ outcome: 'failed-retryable', will_redeliver: true });
    if (fault.status) expect(line).toMatchObject({ error: { status: fault.status } });
    if (fault.code) expect(line).toMatchObject({ error: { code: fault.code } });
  });

  it.each([
    [
      '403 REQUEST_LIMIT_EXCEEDED (daily API limit)',
      403,
      'REQUEST_LIMIT_EXCEEDED',
      'TotalRequests Limit exceeded.',
    ],
    ['400 UNABLE_TO_LOCK_ROW', 400, 'UNABLE_TO_LOCK_ROW', 'unable to obtain exclusive access to this record'],
    [
      '400 DUPLICATE_VALUE on the external id (a concurrent create)',
      400,
      'DUPLICATE_VALUE',
      'duplicate value found: Auth0_User_Id__c duplicates value on record with id: 003000000000001',
    ],
  ])('%s is retryable', async (_label, status, errorCode, message) => {
    token();
    sf().get(CONTACT).query(true).times(2).reply(404, notFound);
    sf().persist().patch(CONTACT).reply(status, [{ errorCode, message }]);
    const h = sourceHarness();
    await expect(h.run(created(), SECRETS)).rejects.toThrow(/salesforce/);
    expect(destinationLine(h.lines, 'salesforce')).toMatchObject({ error: { code: errorCode } });
  });

  it.each([
    ['400 INVALID_EMAIL_ADDRESS', 400, [{ errorCode: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid' }]],
    [
      '400 DUPLICATES_DETECTED (a duplicate rule)',
      400,
      [{ errorCode: 'DUPLICATES_DETECTED', message: 'dup' }],
    ],
    [
      '404 external id field missing',
      404,
      [{ errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist' }],
    ],
    [
      '300 several contacts hold the id',
      300,
      ['/services/data/v62.0/sobjects/Contact/1', '/services/data/v62.0/sobjects/Contact/2'],
    ],
  ])('%s is permanent: logged, the delivery is acknowledged', async (_label, status, body) => {
    token();
    sf().get(CONTACT).query(true).reply(404, notFound);
    sf().patch(CONTACT).reply(status, body);
    const h = sourceHarness();
    await expect(h.run(created(), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'salesforce')).toMatchObject({
      outcome: 'failed-permanent',
      will_redeliver: false,
      error: { status },
    });
  });

  it('never logs the client secret, the client id or the access token', async () => {
    token();
    sf()
      .get(CONTACT)
      .query(true)
      .replyWithError({
        code: 'ECONNRESET',
        message: `reset with ${ACCESS_TOKEN} ${DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_SECRET}`,
      });
    const h = sourceHarness();
    await h.run(created(), SECRETS).catch(() => undefined);
    const output = h.raw.join('\n');
    expect(output).not.toContain(ACCESS_TOKEN);
    expect(output).not.toContain(DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_SECRET);
    expect(output).not.toContain(DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_ID);
    expect(output).toContain('salesforce');
  });
});
