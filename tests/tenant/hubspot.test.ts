/** HubSpot schema as code, against the local HubSpot stand-in (@hubspot/api-client, real HTTP). */
import { type LocalHubSpot, startLocalHubSpot } from '../../local/hubspot';
import { ensureHubspot, hubspotClient, readHubspot } from '../../tenant/lib/hubspot';
import { computePlan } from '../../tenant/lib/plan';
import { HUBSPOT_DESIRED } from './plan-fixtures';

let hs: LocalHubSpot;
beforeEach(async () => {
  hs = await startLocalHubSpot({});
});
afterEach(async () => {
  await hs.stop();
});

const client = () => hubspotClient(hs.baseUrl, hs.accessToken);

describe('HubSpot contact properties', () => {
  it('creates the group and the missing properties, then nothing on the next run (idempotent)', async () => {
    const before = await readHubspot(client(), HUBSPOT_DESIRED);
    expect(before).toEqual({
      groupExists: false,
      properties: { auth0_user_id: undefined, auth0_last_event_at: undefined },
    });
    expect(await ensureHubspot(client(), HUBSPOT_DESIRED, before)).toEqual([
      'group auth0',
      'property auth0_user_id',
      'property auth0_last_event_at',
    ]);
    expect(hs.properties().find((p) => p.name === 'auth0_user_id')).toMatchObject({
      type: 'string',
      fieldType: 'text',
      hasUniqueValue: true,
      groupName: 'auth0',
    });
    expect(hs.properties().find((p) => p.name === 'auth0_last_event_at')).toMatchObject({
      type: 'datetime',
      fieldType: 'date',
    });

    const after = await readHubspot(client(), HUBSPOT_DESIRED);
    expect(await ensureHubspot(client(), HUBSPOT_DESIRED, after)).toEqual([]);
    const plan = computePlan({
      desired: {},
      live: { scimReadable: true, connections: [], actions: [], eventStreams: [] },
      allowDelete: false,
      hubspot: { desired: HUBSPOT_DESIRED, live: after },
    });
    expect(plan.resources.every((r) => r.action === 'unchanged')).toBe(true);
  });

  it('a property created concurrently (409) is not an error', async () => {
    const stale = await readHubspot(client(), HUBSPOT_DESIRED);
    await ensureHubspot(client(), HUBSPOT_DESIRED, stale);
    // The same stale view again: every create now answers 409 (already exists).
    expect(await ensureHubspot(client(), HUBSPOT_DESIRED, stale)).toEqual([]);
  });

  it('a failure says what failed and what was created, never the token', async () => {
    hs.faults.add({
      kind: 'error',
      status: 500,
      method: 'POST',
      path: '/crm/v3/properties/contacts',
      count: 5,
    });
    const live = {
      groupExists: true,
      properties: { auth0_user_id: undefined, auth0_last_event_at: undefined },
    };
    const err = (await ensureHubspot(client(), HUBSPOT_DESIRED, live).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^creating HubSpot property auth0_user_id failed: HubSpot answered 500/);
    expect(err.message).not.toContain(hs.accessToken);
  });

  it('a wrong token is reported as HubSpot answered it', async () => {
    const err = (await readHubspot(hubspotClient(hs.baseUrl, 'pat-test-wrong'), HUBSPOT_DESIRED).catch(
      (e: Error) => e,
    )) as Error;
    expect(err.message).toMatch(/^reading HubSpot contact properties failed: HubSpot answered 401/);
    expect(err.message).not.toContain('pat-test-wrong');
  });
});
