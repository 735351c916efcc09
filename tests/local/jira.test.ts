import { parseJql, startLocalJira, type LocalJira } from '../../local/jira';
import { readAnswer } from '../support/http';

const EMAIL = 'bot@example.com';
const TOKEN = 'jira-test-token';
let jira: LocalJira;

const basic = (u = EMAIL, p = TOKEN) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

async function call(method: string, path: string, body?: unknown, auth = basic()) {
  const res = await fetch(`${jira.baseUrl}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readAnswer(res);
}

const adf = (text: string) => ({
  type: 'doc',
  version: 1,
  content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
});

const onboardingIssue = (userId: string) => ({
  fields: {
    project: { key: 'ONB' },
    issuetype: { name: 'Task' },
    summary: `Onboard ${userId}`,
    description: adf('New hire'),
    labels: ['auth0-onboard', `auth0-user-${userId.replace(/\W/g, '-')}`],
  },
  properties: [{ key: 'auth0.lifecycle', value: { userId, step: 'onboard' } }],
});

beforeEach(async () => {
  jira = await startLocalJira({ email: EMAIL, apiToken: TOKEN });
});
afterEach(async () => {
  await jira.stop();
});

describe('authentication', () => {
  it('requires Basic email:api-token', async () => {
    const r = await call('POST', '/rest/api/3/issue', onboardingIssue('u1'), basic(EMAIL, 'wrong'));
    expect(r.status).toBe(401);
    expect(jira.issues()).toHaveLength(0);
    expect(JSON.stringify(jira.requests())).not.toContain(Buffer.from(`${EMAIL}:wrong`).toString('base64'));
  });
});

describe('issues', () => {
  it('creates an issue (201 {id, key, self}) with labels and properties', async () => {
    const r = await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|1'));
    expect(r.status).toBe(201);
    expect(r.json).toEqual({ id: '10001', key: 'ONB-1', self: `${jira.baseUrl}/rest/api/3/issue/10001` });
    const got = await call('GET', '/rest/api/3/issue/ONB-1');
    expect(got.json).toMatchObject({
      key: 'ONB-1',
      fields: {
        summary: 'Onboard auth0|1',
        labels: ['auth0-onboard', 'auth0-user-auth0-1'],
        status: { name: 'To Do' },
      },
    });
    const prop = await call('GET', '/rest/api/3/issue/ONB-1/properties/auth0.lifecycle');
    expect(prop.json).toEqual({ key: 'auth0.lifecycle', value: { userId: 'auth0|1', step: 'onboard' } });
  });

  it('answers Jira field errors for bad input', async () => {
    const r = await call('POST', '/rest/api/3/issue', {
      fields: { project: { key: 'NOPE' }, summary: '', description: 'plain text', labels: ['has space'] },
    });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({
      errorMessages: [],
      errors: {
        project: 'Specify a valid project ID or key',
        summary: 'You must specify a summary of the issue.',
        description: expect.stringMatching(/Atlassian Document/),
        labels: "The label 'has space' contains spaces which is invalid.",
      },
    });
    expect((await call('GET', '/rest/api/3/issue/ONB-404')).status).toBe(404);
  });

  it('sets issue properties: 201 when new, 200 when replaced, 404 when absent', async () => {
    await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|1'));
    expect((await call('PUT', '/rest/api/3/issue/ONB-1/properties/marker', { v: 1 })).status).toBe(201);
    expect((await call('PUT', '/rest/api/3/issue/ONB-1/properties/marker', { v: 2 })).status).toBe(200);
    expect((await call('GET', '/rest/api/3/issue/ONB-1/properties/marker')).json).toEqual({
      key: 'marker',
      value: { v: 2 },
    });
    expect((await call('GET', '/rest/api/3/issue/ONB-1/properties/missing')).status).toBe(404);
    const keys = await call('GET', '/rest/api/3/issue/ONB-1/properties');
    expect((keys.json.keys as Array<{ key: string }>).map((k) => k.key).sort()).toEqual([
      'auth0.lifecycle',
      'marker',
    ]);
  });
});

describe('search', () => {
  it('finds issues by label and by issue property through /search/jql (GET and POST)', async () => {
    await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|1'));
    await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|2'));
    const byLabel = await call(
      'GET',
      `/rest/api/3/search/jql?jql=${encodeURIComponent('labels = "auth0-user-auth0-2"')}&fields=summary,labels`,
    );
    expect(byLabel.status).toBe(200);
    expect(byLabel.json).toMatchObject({
      isLast: true,
      issues: [{ key: 'ONB-2', fields: { summary: 'Onboard auth0|2' } }],
    });

    const byProperty = await call('POST', '/rest/api/3/search/jql', {
      jql: 'project = ONB AND issue.property[auth0.lifecycle].userId = "auth0|1" AND issue.property[auth0.lifecycle].step = onboard',
      fields: ['summary'],
    });
    expect((byProperty.json.issues as Array<{ key: string }>).map((i) => i.key)).toEqual(['ONB-1']);

    const idsOnly = await call('POST', '/rest/api/3/search/jql', { jql: 'labels = auth0-onboard' });
    expect(idsOnly.json.issues).toEqual([{ id: '10002' }, { id: '10001' }]);
  });

  it('pages with nextPageToken', async () => {
    for (let i = 0; i < 3; i++) await call('POST', '/rest/api/3/issue', onboardingIssue(`auth0|${i}`));
    const p1 = await call('POST', '/rest/api/3/search/jql', {
      jql: 'project = ONB ORDER BY created ASC',
      fields: ['summary'],
      maxResults: 2,
    });
    expect(p1.json.isLast).toBe(false);
    const p2 = await call('POST', '/rest/api/3/search/jql', {
      jql: 'project = ONB ORDER BY created ASC',
      fields: ['summary'],
      maxResults: 2,
      nextPageToken: p1.json.nextPageToken,
    });
    expect(p2.json).toMatchObject({ isLast: true, issues: [{ key: 'ONB-3' }] });
  });

  it('refuses unbounded and invalid JQL, and the removed /search endpoint answers 410', async () => {
    expect((await call('POST', '/rest/api/3/search/jql', { jql: '' })).json.errorMessages).toEqual([
      'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
    ]);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: 'labels = "open' })).status).toBe(400);
    expect((await call('POST', '/rest/api/3/search/jql', { jql: 'colour = red' })).status).toBe(400);
    const gone = await call('GET', '/rest/api/3/search?jql=project=ONB');
    expect(gone.status).toBe(410);
    expect((gone.json.errorMessages as string[])[0]).toMatch(/search\/jql/);
  });

  it('can reproduce eventual consistency: a new issue is invisible to search for searchLagMs', async () => {
    jira.setSearchLag(150);
    await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|1'));
    const q = { jql: 'labels = "auth0-user-auth0-1"', fields: ['summary'] };
    expect((await call('POST', '/rest/api/3/search/jql', q)).json.issues).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    expect((await call('POST', '/rest/api/3/search/jql', q)).json.issues).toHaveLength(1);
  });
  it('honours reconcileIssues: listed ids are read-after-write consistent despite the lag', async () => {
    jira.setSearchLag(60_000);
    const created = await call('POST', '/rest/api/3/issue', onboardingIssue('auth0|1'));
    const q = { jql: 'labels = "auth0-user-auth0-1"', fields: ['labels'] };
    expect((await call('POST', '/rest/api/3/search/jql', q)).json.issues).toEqual([]);
    const reconciled = await call('POST', '/rest/api/3/search/jql', {
      ...q,
      reconcileIssues: [Number(created.json.id)],
    });
    expect(reconciled.json.issues).toEqual([expect.objectContaining({ key: 'ONB-1' })]);
  });
});

describe('parseJql', () => {
  const issue = {
    id: '1',
    key: 'ONB-1',
    projectKey: 'ONB',
    issueType: 'Task',
    status: 'To Do',
    summary: 'Onboard Ada',
    labels: ['a', 'b'],
    properties: { p: { user: 'x', n: 1 } },
    created: 0,
  };
  it.each([
    ['labels = a', true],
    ['labels in (c, b)', true],
    ['labels not in (a)', false],
    ['labels != c', true],
    ['summary ~ ada', true],
    ['issue.property[p].user = "x" AND project = onb', true],
    ['issue.property[p].user = "y" OR key = ONB-1', true],
    ['(labels = c OR labels = d) AND project = ONB', false],
  ])('%s -> %s', (jql, expected) => {
    expect(parseJql(jql).predicate(issue)).toBe(expected);
  });
});

describe('control API', () => {
  it('POST /__local/config sets the search lag and refuses a negative one', async () => {
    const config = (body: unknown) => call('POST', '/__local/config', body);
    expect((await config({ searchLagMs: -1 })).status).toBe(400);
    expect((await config({ searchLagMs: 'soon' })).json).toEqual({ error: 'searchLagMs must be >= 0' });
    expect((await config({ searchLagMs: 1_500 })).status).toBe(204);
    expect((await call('GET', '/__local/state')).json).toMatchObject({ searchLagMs: 1_500 });
  });
});
