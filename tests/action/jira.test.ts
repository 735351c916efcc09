/**
 * Jira destination, call by call (nock): one ticket per user and step, found by label before any
 * create, the api.cache memory and reconcileIssues against search lag, late onboards, the fault matrix.
 */
import nock from 'nock';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, sourceHarness, type Harness } from '../support/action-harness';
import { jiraIssue, jiraLabel } from '../../event-streams/onboarding-workflow/destinations/jira';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { COMMON_FAULTS, DESTINATION_SECRETS, JIRA, only } from './destinations-support';

const USER_ID = employee().user_id;
const ONBOARD = jiraLabel('onboard', USER_ID);
const OFFBOARD = jiraLabel('offboard', USER_ID);
const SECRETS = only('jira');
const AUTH = `Basic ${Buffer.from('automation@example.com:jira-api-token-test-value').toString('base64')}`;
const T1 = '2026-12-01T10:00:00.000Z';
const T2 = '2026-12-01T10:05:00.000Z';

const onboard = (time = T1, id?: string) => cloudEvent('user.created', employee(), { time, id });
const offboard = (time = T2) =>
  cloudEvent('user.updated', employee({ blocked: true }), { time, previous: employee() });
const jira = () => nock(JIRA).matchHeader('authorization', AUTH);
const issue = (id: string, key: string, labels: string[]) => ({ id, key, fields: { labels } });

interface SearchBody {
  jql: string;
  fields: string[];
  reconcileIssues?: number[];
}
function search(issues: unknown[] = [], seen?: SearchBody[], times = 1) {
  return jira()
    .post('/rest/api/3/search/jql', (body: SearchBody) => (seen?.push(body), true))
    .times(times)
    .reply(200, { issues, isLast: true });
}
const create = (id = '10001', key = 'ONB-1', seen?: Array<Record<string, unknown>>) =>
  jira()
    .post('/rest/api/3/issue', (body) => (seen?.push(body), true))
    .reply(201, { id, key, self: `${JIRA}/rest/api/3/issue/${id}` });

async function run(h: Harness, event: unknown) {
  await h.run(event, SECRETS);
  return destinationLine(h.lines, 'jira');
}

describe('ticket content (pure)', () => {
  const event = (user = employee()) =>
    toLifecycleEvent({
      id: 'evt_0000000000000001',
      type: 'user.created',
      time: T1,
      user: user as never,
    }) as ReturnType<typeof toLifecycleEvent> & { step: 'onboard' };

  it('labels are stable per user and step and carry no raw user id', () => {
    expect(jiraLabel('onboard', USER_ID)).toBe(ONBOARD);
    expect(ONBOARD).toMatch(/^auth0-onboard-[0-9a-f]{20}$/);
    expect(OFFBOARD).toBe(`auth0-offboard-${ONBOARD.slice(-20)}`);
    expect(jiraLabel('onboard', 'samlp|corporate-idp|someone-else')).not.toBe(ONBOARD);
  });

  it('creates a Task in the project with the label, the common label and the lifecycle property', () => {
    const body = jiraIssue(event(), { JIRA_PROJECT_KEY: 'ONB', JIRA_ISSUE_TYPE: 'Task' }) as {
      fields: Record<string, unknown>;
      properties: unknown[];
    };
    expect(body.fields).toMatchObject({
      project: { key: 'ONB' },
      issuetype: { name: 'Task' },
      summary: 'Onboard Ada Lovelace (ada.lovelace@example.com)',
      labels: [ONBOARD, 'auth0-lifecycle'],
    });
    expect(body.properties).toEqual([
      {
        key: 'auth0.lifecycle',
        value: { userId: USER_ID, step: 'onboard', eventId: 'evt_0000000000000001', occurredAt: T1 },
      },
    ]);
  });

  it('keeps hostile or huge names as plain text on one line', () => {
    const body = jiraIssue(
      event(employee({ name: 'Eve\n[~accountid:123] [click|https://evil.example]' + 'x'.repeat(400) })),
      {
        JIRA_PROJECT_KEY: 'ONB',
        JIRA_ISSUE_TYPE: 'Task',
      },
    ) as {
      fields: {
        summary: string;
        description: { content: Array<{ content: Array<{ type: string; text: string }> }> };
      };
    };
    expect(body.fields.summary).not.toContain('\n');
    expect(Array.from(body.fields.summary).length).toBeLessThanOrEqual(250);
    const nodes = body.fields.description.content.flatMap((p) => p.content);
    expect(nodes.every((n) => n.type === 'text')).toBe(true);
    expect(JSON.stringify(body.fields.description)).not.toMatch(/"type":"(mention|inlineCard)"|"link"/);
  });
});

describe('exactly one ticket per user and step', () => {
  it('searches the project for the label, then creates the ticket', async () => {
    const searches: SearchBody[] = [];
    search([], searches);
    const bodies: Array<Record<string, unknown>> = [];
    create('10001', 'ONB-1', bodies);
    const h = sourceHarness();
    expect(await run(h, onboard())).toMatchObject({ outcome: 'created', attempt: 1 });
    expect(searches[0]!.jql).toBe(`project = "ONB" AND labels in ("${ONBOARD}", "${OFFBOARD}")`);
    expect(bodies).toHaveLength(1);
    expect(JSON.parse(h.cache.get('jira:issues')!.value)).toEqual([[ONBOARD, '10001', 'ONB-1']]);
  });

  it('a redelivery right after the create needs no search (api.cache), even while search lags', async () => {
    const event = onboard(T1, 'evt_00000000000000j1');
    search();
    create();
    const h = sourceHarness();
    await run(h, event);
    expect(await run(h, event)).toMatchObject({ outcome: 'already-created' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('a redelivery that lost the cache finds the ticket by label and creates nothing', async () => {
    search([issue('10001', 'ONB-1', [ONBOARD, 'auth0-lifecycle'])]);
    const h = sourceHarness();
    expect(await run(h, onboard())).toMatchObject({ outcome: 'already-created' });
    expect(JSON.parse(h.cache.get('jira:issues')!.value)).toEqual([[ONBOARD, '10001', 'ONB-1']]);
  });

  it('passes the issues it created recently as reconcileIssues (read-after-write for them)', async () => {
    search();
    create('10001', 'ONB-1');
    const searches: SearchBody[] = [];
    search([], searches);
    create('10002', 'ONB-2');
    const h = sourceHarness();
    await run(h, onboard());
    expect(await run(h, offboard())).toMatchObject({ outcome: 'created' });
    expect(searches[0]).toMatchObject({
      jql: `project = "ONB" AND labels in ("${OFFBOARD}")`,
      reconcileIssues: [10001],
    });
  });

  it('a plain profile update creates no ticket and makes no call', async () => {
    const h = sourceHarness();
    const event = cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { previous: employee() });
    expect(await run(h, event)).toMatchObject({ outcome: 'skipped-no-relevant-change' });
  });
});

describe('order', () => {
  const property = (id: string, occurredAt: string) =>
    jira()
      .get(`/rest/api/3/issue/${id}/properties/auth0.lifecycle`)
      .reply(200, { key: 'auth0.lifecycle', value: { userId: USER_ID, step: 'offboard', occurredAt } });

  it('a late onboard, older than the offboarding ticket, creates nothing', async () => {
    search([issue('10009', 'ONB-9', [OFFBOARD, 'auth0-lifecycle'])]);
    property('10009', T2);
    const h = sourceHarness();
    expect(await run(h, onboard(T1))).toMatchObject({ outcome: 'skipped-not-newer' });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('an onboard newer than the offboarding ticket (reactivation) gets its ticket', async () => {
    search([issue('10009', 'ONB-9', [OFFBOARD])]);
    property('10009', T1);
    create('10010', 'ONB-10');
    const h = sourceHarness();
    expect(await run(h, onboard(T2))).toMatchObject({ outcome: 'created' });
  });
});

describe('fault matrix', () => {
  it('429 with a short Retry-After waits in line and succeeds', async () => {
    jira()
      .post('/rest/api/3/search/jql')
      .reply(429, { errorMessages: ['Rate limit exceeded'] }, { 'Retry-After': '0.1' });
    search();
    create();
    const h = sourceHarness();
    expect(await run(h, onboard())).toMatchObject({ outcome: 'created', attempt: 2 });
  });

  it.each(COMMON_FAULTS)('$label on search: the handler throws so Auth0 redelivers', async (fault) => {
    fault.reply(jira().persist().post('/rest/api/3/search/jql'));
    const h = sourceHarness();
    await expect(h.run(onboard(), SECRETS)).rejects.toThrow(/redelivered for: jira/);
    const line = destinationLine(h.lines, 'jira');
    expect(line).toMatchObject({ outcome: 'failed-retryable', will_redeliver: true });
    if (fault.status) expect(line).toMatchObject({ error: { status: fault.status } });
    if (fault.code) expect(line).toMatchObject({ error: { code: fault.code } });
  });

  it('503 on create is retryable; the redelivery creates the ticket once', async () => {
    search([], undefined, 2); // the in-line retry looks up again before creating
    jira()
      .post('/rest/api/3/issue')
      .times(2)
      .reply(503, { errorMessages: ['Service unavailable'] });
    const event = onboard(T1, 'evt_00000000000000j2');
    const h = sourceHarness();
    await expect(h.run(event, SECRETS)).rejects.toThrow(/jira/);
    search();
    create();
    expect(await run(h, event)).toMatchObject({ outcome: 'created' });
  });

  it('a 201 without an issue id is retryable (the next delivery searches again)', async () => {
    search([], undefined, 2);
    jira().post('/rest/api/3/issue').times(2).reply(201, {});
    const h = sourceHarness();
    await expect(h.run(onboard(), SECRETS)).rejects.toThrow(/jira/);
    expect(destinationLine(h.lines, 'jira')).toMatchObject({ error: { code: 'malformed-body' } });
  });

  it.each([
    [
      '400 invalid issue type',
      400,
      { errorMessages: [], errors: { issuetype: 'Specify a valid issue type' } },
    ],
    ['400 unknown project', 400, { errorMessages: [], errors: { project: 'valid project is required' } }],
    ['401 bad API token', 401, { errorMessages: ['Client must be authenticated to access this resource.'] }],
    [
      '403 no create permission',
      403,
      { errorMessages: ['You do not have permission to create issues in this project.'] },
    ],
  ])('%s on create is permanent: logged, the delivery is acknowledged', async (_label, status, body) => {
    search();
    jira().post('/rest/api/3/issue').reply(status, body);
    const h = sourceHarness();
    await expect(h.run(onboard(), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'jira')).toMatchObject({
      outcome: 'failed-permanent',
      will_redeliver: false,
      error: { status },
    });
  });

  it('a JQL error (400) on search is permanent', async () => {
    jira()
      .post('/rest/api/3/search/jql')
      .reply(400, { errorMessages: ["Field 'labels' does not exist"] });
    const h = sourceHarness();
    await h.run(onboard(), SECRETS);
    expect(destinationLine(h.lines, 'jira')).toMatchObject({
      outcome: 'failed-permanent',
      error: { code: "Field 'labels' does not exist" },
    });
  });

  it('never logs the API token, the account email or the Basic credentials', async () => {
    jira()
      .post('/rest/api/3/search/jql')
      .reply(401, { errorMessages: [`bad credentials ${DESTINATION_SECRETS.jira.JIRA_API_TOKEN}`] });
    const h = sourceHarness();
    await h.run(onboard(), SECRETS);
    const output = h.raw.join('\n');
    expect(output).toContain('failed-permanent');
    expect(output).not.toContain(DESTINATION_SECRETS.jira.JIRA_API_TOKEN);
    expect(output).not.toContain(DESTINATION_SECRETS.jira.JIRA_EMAIL);
    expect(output).not.toContain(AUTH.slice(6));
  });
});
