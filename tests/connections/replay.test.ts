/**
 * Replays each IdP's recorded SCIM lifecycle (connections/<idp>/requests, in file order) against
 * the local Auth0 tenant configured with tenant.yaml's scim_configuration, and checks after every
 * request what the fixture expects: the HTTP status, the one user event it causes (or none), and
 * the Auth0 user as the Management API returns it — blocked after a deactivation, renamed after an
 * update under the same user_id, gone after a DELETE.
 */
import { loadScimConnection } from '../../connections/lifecycle-model';
import { IDPS, loadLifecycle, resolvePath, type Idp } from '../../connections/request-fixture';
import { createCorporateIdp, startTestTenant, type TestTenant } from '../support/local-auth0';

const connection = loadScimConnection();

describe.each(IDPS)('%s lifecycle against the local Auth0 tenant', (idp: Idp) => {
  let t: TestTenant;
  let connectionId: string;
  let token: string;
  /** The SCIM id the create returned: the Auth0 user_id every later request addresses. */
  let id: string | undefined;

  beforeAll(async () => {
    t = await startTestTenant({ delivery: { timeScale: 0 } });
    ({ connectionId, scimToken: token } = await createCorporateIdp(
      t,
      connection.mapping,
      connection.userIdAttribute,
    ));
    // Auth0 only emits user events to an enabled stream subscribed to them.
    const action = await t.api('POST', '/actions/actions', {
      name: 'Noop',
      supported_triggers: [{ id: 'event-stream', version: 'v1' }],
      code: 'exports.onExecuteEventStream = async () => {};',
    });
    const stream = await t.api('POST', '/event-streams', {
      name: 'Onboarding Workflow',
      subscriptions: [
        { event_type: 'user.created' },
        { event_type: 'user.updated' },
        { event_type: 'user.deleted' },
      ],
      destination: { type: 'action', configuration: { action_id: action.body.id } },
    });
    expect(stream.status).toBe(201);
  });
  afterAll(() => t.stop());

  it.each(loadLifecycle(idp).map((s) => [s.file, s] as const))('%s', async (_, { fixture }) => {
    const eventsBefore = t.auth0.tenant.events.length;
    const res = await t.scim(
      connectionId,
      token,
      fixture.method,
      resolvePath(fixture.path, id),
      fixture.body ?? undefined,
      fixture.headers['Content-Type'],
    );
    expect({ status: res.status, body: res.status >= 400 ? res.body : undefined }).toEqual({
      status: fixture.expect.status,
      body: undefined,
    });
    if (fixture.method === 'POST') id = res.body.id as string;
    if (fixture.expect.totalResults !== undefined) {
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:ListResponse']);
      expect(res.body.totalResults).toBe(fixture.expect.totalResults);
    }

    const events = t.auth0.tenant.events.slice(eventsBefore);
    expect(events.map((e) => e.type)).toEqual(fixture.expect.event ? [fixture.expect.event] : []);

    const expected = fixture.expect.auth0User;
    if (expected === null) {
      const users = await t.api('GET', '/users');
      expect(users.body).toEqual([]);
    } else if (expected !== undefined) {
      const user = await t.api('GET', `/users/${encodeURIComponent(id!)}`);
      expect(user.status).toBe(200);
      expect(user.body).toMatchObject(expected);
      // The event carries the same user the Management API shows.
      if (events[0] && fixture.expect.event !== 'user.deleted') {
        expect(events[0].data.object).toMatchObject(expected);
      }
    }
  });
});
