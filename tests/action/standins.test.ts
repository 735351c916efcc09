/**
 * All seven destinations against the local stand-ins (stateful peers over real HTTP on 127.0.0.1):
 * a whole lifecycle with redeliveries and out-of-order events ends in the right state everywhere,
 * the Salesforce token is reused and renewed, and the Jira lookup copes with search lag.
 */
import { actionSecrets, startLocalDestinations, type LocalDestinations } from '../../local/destinations';
import { cloudEvent, employee } from '../support/cloud-events';
import {
  bundleHarness,
  destinationLine,
  FAST_OPTIONS,
  sourceHarness as fastHarness,
} from '../support/action-harness';
import { jiraLabel } from '../../event-streams/onboarding-workflow/destinations/jira';

/** Real HTTP on a loaded CI machine: timeouts generous enough that no call is retried by accident. */
const sourceHarness = () => fastHarness({ ...FAST_OPTIONS, requestTimeoutMs: 3_000, deadlineMs: 10_000 });

let local: LocalDestinations;
let secrets: Record<string, string>;
const USER_ID = employee().user_id;
const at = (minute: number) => `2026-12-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

beforeAll(async () => {
  local = await startLocalDestinations();
  secrets = actionSecrets(local.connection());
});
afterAll(() => local.stop());
/** The HubSpot custom properties the deploy tooling creates in a real portal. */
const HUBSPOT_PROPERTIES = [
  { name: 'auth0_user_id', type: 'string', fieldType: 'text', hasUniqueValue: true },
  { name: 'auth0_last_event_at', type: 'datetime', fieldType: 'date' },
  { name: 'auth0_last_event_id', type: 'string', fieldType: 'text' },
  // The HubSpot destination writes `department`, which the stand-in (like a fresh portal) lacks.
  { name: 'department', type: 'string', fieldType: 'text' },
];

beforeEach(async () => {
  local.reset();
  // Slack allows one message a second per webhook; these tests are about state, not throttling.
  local.slack!.setRateLimit(false);
  for (const property of HUBSPOT_PROPERTIES) {
    const response = await fetch(`${secrets.HUBSPOT_BASE_URL}/crm/v3/properties/contacts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.HUBSPOT_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...property, label: property.name, groupName: 'contactinformation' }),
    });
    expect([201, 409]).toContain(response.status);
  }
});

const fail = (h: { raw: string[] }) => (error: unknown) => {
  throw new Error(`${String(error)}\n${h.raw.join('\n')}`);
};

it('a lifecycle with redeliveries and reordering ends in the right state in every destination', async () => {
  const h = sourceHarness();
  const run = (event: unknown) => h.run(event, secrets).catch(fail(h));
  const onboard = cloudEvent('user.created', employee(), { id: 'evt_000000000000lc01', time: at(0) });
  const promoted = employee({ app_metadata: { title: 'Principal Engineer', department: 'Platform' } });
  const moved = employee({ app_metadata: { title: 'Engineer', department: 'Research' } });

  await run(onboard);
  await run(onboard); // redelivered
  await run(
    cloudEvent('user.updated', promoted, { id: 'evt_000000000000lc03', time: at(3), previous: employee() }),
  );
  // Older than the update above, delivered after it.
  await run(
    cloudEvent('user.updated', moved, { id: 'evt_000000000000lc02', time: at(2), previous: employee() }),
  );
  const offboard = cloudEvent(
    'user.updated',
    { ...promoted, blocked: true },
    {
      id: 'evt_000000000000lc04',
      time: at(4),
      previous: promoted,
    },
  );
  await run(offboard);
  await run(offboard); // redelivered
  // A late update from before the offboard.
  await run(
    cloudEvent('user.updated', moved, { id: 'evt_000000000000lc05', time: at(1), previous: employee() }),
  );

  // Salesforce: one contact, deactivated, with the newest profile and stamp; one token for all runs.
  const contacts = local.salesforce!.contacts();
  expect(contacts).toHaveLength(1);
  expect(contacts[0]!.fields).toMatchObject({
    Auth0_User_Id__c: USER_ID,
    Title: 'Principal Engineer',
    Active__c: false,
    Auth0_Last_Event_At__c: at(4),
    Auth0_Last_Event_Id__c: 'evt_000000000000lc04',
  });
  expect(local.salesforce!.tokensIssued()).toBe(1);

  // Jira: exactly one onboarding and one offboarding ticket.
  const labels = local.jira!.issues().map((i) => i.labels[0]);
  expect(labels.sort()).toEqual([jiraLabel('offboard', USER_ID), jiraLabel('onboard', USER_ID)].sort());

  // Segment: each event accepted once (redeliveries dropped by messageId); the user ends offboarded.
  const messageIds = local.segment!.events().map((e) => e.messageId);
  expect(new Set(messageIds).size).toBe(messageIds.length);
  expect(messageIds).toHaveLength(5);
  expect(local.segment!.profile(USER_ID)).toMatchObject({ status: 'offboarded' });
  // Known limit (DESTINATIONS.md): Segment merges traits in arrival order, so the late, older updates
  // win there; consumers that order by `timestamp` see the true order.
  expect(local.segment!.profile(USER_ID)).toMatchObject({ department: 'Research' });

  // Teams and Slack: one onboard and one offboard announcement each.
  expect(local.teams!.posts()).toHaveLength(2);
  expect(local.teams!.runs().every((r) => r.status === 'Succeeded')).toBe(true);
  expect(local.slack!.messages()).toHaveLength(2);

  // Provisioning: each event processed once, the redeliveries replayed from the Idempotency-Key.
  expect(local.provisioning!.events()).toHaveLength(5);
  expect(local.provisioning!.replays()).toBe(2);

  // HubSpot: the contact is archived (its tombstone holds the offboard stamp).
  expect(local.hubspot!.contacts()).toHaveLength(0);
  expect(local.hubspot!.archivedContacts()).toHaveLength(1);

  const failures = h.lines.filter((l) => String(l.outcome).startsWith('failed'));
  expect(failures).toEqual([]);
});

it('HubSpot: a late unblock cannot revive the contact of a user deleted after an earlier block', async () => {
  const h = sourceHarness();
  const only = { ...secrets, DESTINATIONS: 'hubspot' };
  const run = (event: unknown) => h.run(event, only).catch(fail(h));
  const blocked = { ...employee(), blocked: true };
  await run(cloudEvent('user.created', employee(), { time: at(0) }));
  await run(cloudEvent('user.updated', blocked, { time: at(2), previous: employee() }));
  // Unblocked at 3 and deleted at 4; the deletion is delivered before the unblock.
  await run(cloudEvent('user.deleted', employee(), { time: at(4) }));
  await run(cloudEvent('user.updated', employee(), { time: at(3), previous: blocked }));
  expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'skipped-not-newer' });
  expect(local.hubspot!.contacts()).toHaveLength(0);
});

it('Salesforce renews a revoked token once and carries on', async () => {
  const h = sourceHarness();
  const only = { ...secrets, DESTINATIONS: 'salesforce' };
  await h.run(cloudEvent('user.created', employee(), { time: at(0) }), only).catch(fail(h));
  local.salesforce!.revokeTokens();
  await h.run(
    cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { time: at(1), previous: employee() }),
    only,
  );
  expect(destinationLine(h.lines, 'salesforce')).toMatchObject({ outcome: 'updated' });
  expect(local.salesforce!.tokensIssued()).toBe(2);
  expect(local.salesforce!.contacts()[0]!.fields.FirstName).toBe('Augusta');
});

describe('Jira search lag', () => {
  const only = () => ({ ...secrets, DESTINATIONS: 'jira' });
  const event = () => cloudEvent('user.created', employee(), { id: 'evt_000000000000jl01', time: at(0) });

  it('a redelivery within the lag creates no duplicate while api.cache remembers the ticket', async () => {
    local.jira!.setSearchLag(60_000);
    const h = sourceHarness();
    await h.run(event(), only()).catch(fail(h));
    await h.run(event(), only()).catch(fail(h));
    expect(local.jira!.issues()).toHaveLength(1);
    // Another step's search reconciles the remembered issue despite the lag.
    await h.run(cloudEvent('user.deleted', employee(), { time: at(5) }), only()).catch(fail(h));
    expect(local.jira!.issues()).toHaveLength(2);
  });

  it('residual race (documented): cache lost and search still lagging, a redelivery duplicates', async () => {
    local.jira!.setSearchLag(60_000);
    await sourceHarness().run(event(), only());
    await sourceHarness().run(event(), only()); // a fresh api.cache: nothing remembered
    expect(local.jira!.issues()).toHaveLength(2);
    local.jira!.flushSearchIndex();
    const h = sourceHarness();
    await h.run(event(), only());
    expect(destinationLine(h.lines, 'jira')).toMatchObject({ outcome: 'already-created' });
  });
});

it('the built bundle, loaded the way Auth0 loads it, runs all seven destinations', async () => {
  const h = bundleHarness();
  await h.run(cloudEvent('user.created', employee(), { time: at(0) }), secrets).catch(fail(h));
  expect(h.lines.find((l) => l.msg === 'event')).toMatchObject({
    outcome: 'done',
    destinations: {
      hubspot: 'created',
      slack: 'sent',
      salesforce: 'created',
      jira: 'created',
      segment: 'identified',
      teams: 'sent',
      provisioning: 'provisioned',
    },
  });
});
