import { startLocalSalesforce, type LocalSalesforce } from '../../local/salesforce';

const CLIENT_ID = 'sf-test-client';
const CLIENT_SECRET = 'sf-test-secret';
let sf: LocalSalesforce;

async function tokenRequest(form: Record<string, string>) {
  const res = await fetch(`${sf.baseUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, string> };
}

async function getToken(): Promise<string> {
  const r = await tokenRequest({
    grant_type: 'client_credentials',
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
  });
  expect(r.status).toBe(200);
  return r.json.access_token as string;
}

async function api(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${sf.baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

const UPSERT = '/services/data/v60.0/sobjects/Contact/Auth0_User_Id__c';

beforeEach(async () => {
  sf = await startLocalSalesforce({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
});
afterEach(async () => {
  await sf.stop();
});

describe('OAuth 2.0 client credentials', () => {
  it('issues a bearer token with instance_url and no expires_in, like Salesforce', async () => {
    const r = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ token_type: 'Bearer', instance_url: sf.baseUrl, scope: 'api' });
    expect(r.json.access_token).toEqual(expect.any(String));
    expect(r.json.issued_at).toMatch(/^\d+$/);
    expect(r.json).not.toHaveProperty('expires_in');
    expect(sf.tokensIssued()).toBe(1);
  });

  it('rejects bad credentials and grant types with OAuth error bodies', async () => {
    expect(
      await tokenRequest({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: 'nope' }),
    ).toEqual({
      status: 400,
      json: { error: 'invalid_client', error_description: 'invalid client credentials' },
    });
    expect((await tokenRequest({ grant_type: 'password' })).json.error).toBe('unsupported_grant_type');
  });

  it('never records the client secret', async () => {
    await getToken();
    expect(JSON.stringify(sf.requests())).not.toContain(CLIENT_SECRET);
  });

  it('answers 401 INVALID_SESSION_ID for unknown, revoked and expired tokens', async () => {
    const bad = await api('GET', `${UPSERT}/x`, 'not-a-token');
    expect(bad).toEqual({
      status: 401,
      json: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }],
    });

    const token = await getToken();
    expect((await api('GET', `${UPSERT}/x`, token)).status).toBe(404);
    sf.revokeTokens();
    expect((await api('GET', `${UPSERT}/x`, token)).status).toBe(401);

    sf.setTokenTtl(50);
    const shortLived = await getToken();
    expect((await api('GET', `${UPSERT}/x`, shortLived)).status).toBe(404);
    await new Promise((r) => setTimeout(r, 80));
    const expired = await api('GET', `${UPSERT}/x`, shortLived);
    expect(expired.status).toBe(401);
    expect((expired.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_SESSION_ID');
  });
});

describe('Contact upsert by external ID', () => {
  it('creates (201, created: true), then updates (200, created: false) the same record', async () => {
    const token = await getToken();
    const created = await api('PATCH', `${UPSERT}/auth0|123`, token, {
      LastName: 'Lovelace',
      FirstName: 'Ada',
      Email: 'ada@example.com',
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      success: true,
      errors: [],
      created: true,
      id: expect.stringMatching(/^003\w{15}$/),
    });
    const id = (created.json as { id: string }).id;

    const updated = await api('PATCH', `${UPSERT}/auth0|123`, token, { Title: 'Engineer', Active__c: true });
    expect(updated).toEqual({ status: 200, json: { id, success: true, errors: [], created: false } });
    expect(sf.contacts()).toHaveLength(1);
    expect(sf.findContact('Auth0_User_Id__c', 'auth0|123')?.fields).toMatchObject({
      LastName: 'Lovelace',
      Title: 'Engineer',
      Active__c: true,
    });

    const got = await api('GET', `${UPSERT}/auth0|123`, token);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ attributes: { type: 'Contact' }, Id: id, Email: 'ada@example.com' });
  });

  it('restricts GET to ?fields= and refuses unknown fields', async () => {
    const token = await getToken();
    await api('PATCH', `${UPSERT}/auth0|7`, token, {
      LastName: 'L',
      Auth0_Last_Event_At__c: '2026-12-04T20:00:00.123Z',
      Auth0_Last_Event_Id__c: 'evt-7',
    });
    const got = await api(
      'GET',
      `${UPSERT}/auth0|7?fields=Id,Auth0_Last_Event_At__c,Auth0_Last_Event_Id__c`,
      token,
    );
    expect(got.status).toBe(200);
    expect(Object.keys(got.json as object).sort()).toEqual(
      ['attributes', 'Id', 'Auth0_Last_Event_At__c', 'Auth0_Last_Event_Id__c'].sort(),
    );
    expect(got.json).toMatchObject({
      Auth0_Last_Event_At__c: '2026-12-04T20:00:00.123Z',
      Auth0_Last_Event_Id__c: 'evt-7',
    });
    const bad = await api('GET', `${UPSERT}/auth0|7?fields=Id,Nope__c`, token);
    expect(bad.status).toBe(400);
  });

  it('answers 204 for an update before API 46.0', async () => {
    const token = await getToken();
    await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L' });
    const old = await api('PATCH', '/services/data/v45.0/sobjects/Contact/Auth0_User_Id__c/auth0|1', token, {
      FirstName: 'F',
    });
    expect(old.status).toBe(204);
  });

  it('reports Salesforce error arrays for missing required fields, unknown fields and bad emails', async () => {
    const token = await getToken();
    expect(await api('PATCH', `${UPSERT}/auth0|1`, token, { FirstName: 'Ada' })).toEqual({
      status: 400,
      json: [
        {
          message: 'Required fields are missing: [LastName]',
          errorCode: 'REQUIRED_FIELD_MISSING',
          fields: ['LastName'],
        },
      ],
    });
    const unknown = await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L', Shoe_Size__c: '9' });
    expect((unknown.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_FIELD');
    const email = await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L', Email: 'nope' });
    expect((email.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('INVALID_EMAIL_ADDRESS');
    const notExternal = await api('PATCH', '/services/data/v60.0/sobjects/Contact/Email/a@b.co', token, {
      LastName: 'L',
    });
    expect(notExternal.status).toBe(404);
    expect(sf.contacts()).toHaveLength(0);
  });

  it('refuses to create with updateOnly=true (API 61+)', async () => {
    const token = await getToken();
    const r = await api('PATCH', `${UPSERT}/auth0|9?updateOnly=true`, token, { LastName: 'L' });
    expect(r.status).toBe(404);
    expect(sf.contacts()).toHaveLength(0);
  });

  it('deletes by external ID (204), then 404 NOT_FOUND; deleted records go to the recycle bin', async () => {
    const token = await getToken();
    const c = await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L' });
    expect((await api('DELETE', `${UPSERT}/auth0|1`, token)).status).toBe(204);
    const again = await api('DELETE', `${UPSERT}/auth0|1`, token);
    expect(again.status).toBe(404);
    expect((again.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('NOT_FOUND');
    const byId = await api(
      'DELETE',
      `/services/data/v60.0/sobjects/Contact/${(c.json as { id: string }).id}`,
      token,
    );
    expect((byId.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('ENTITY_IS_DELETED');
    expect(sf.deletedContacts()).toHaveLength(1);
    // The external id is free again: a new upsert creates a new record.
    expect((await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L' })).status).toBe(201);
  });
});

describe('faults and control', () => {
  it('injects UNKNOWN_EXCEPTION 500s and exposes state over /__local', async () => {
    const token = await getToken();
    sf.faults.add({ kind: 'error', status: 500, count: 1, path: '/services/data' });
    const failed = await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L' });
    expect(failed.status).toBe(500);
    expect((failed.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('UNKNOWN_EXCEPTION');
    expect((await api('PATCH', `${UPSERT}/auth0|1`, token, { LastName: 'L' })).status).toBe(201);
    const state = (await (await fetch(`${sf.baseUrl}/__local/state`)).json()) as {
      contacts: unknown[];
      tokensIssued: number;
    };
    expect(state.contacts).toHaveLength(1);
    expect(state.tokensIssued).toBe(1);
    await fetch(`${sf.baseUrl}/__local/tokens/revoke`, { method: 'POST' });
    expect((await api('GET', `${UPSERT}/auth0|1`, token)).status).toBe(401);
  });

  it('answers REQUEST_LIMIT_EXCEEDED past the configured allowance', async () => {
    await sf.stop();
    sf = await startLocalSalesforce({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      requestLimit: { max: 1, windowMs: 60_000 },
    });
    const token = await getToken();
    expect((await api('GET', `${UPSERT}/x`, token)).status).toBe(404);
    const limited = await api('GET', `${UPSERT}/x`, token);
    expect(limited.status).toBe(403);
    expect((limited.json as Array<{ errorCode: string }>)[0]?.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
  });
});
