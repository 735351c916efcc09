/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are read as loose JSON in assertions */
import { Client } from '@hubspot/api-client';
import { startLocalHubSpot, type LocalHubSpot } from '../../local/hubspot';
import { StandinControlClient } from '../../local/http-standin';

const TOKEN = 'pat-test-token';
const AUTH0_ID_PROPERTY = {
  name: 'auth0_user_id',
  label: 'Auth0 user id',
  type: 'string',
  fieldType: 'text',
  groupName: 'contactinformation',
  hasUniqueValue: true,
};

let hs: LocalHubSpot;
let client: Client;

async function call(method: string, path: string, body?: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${hs.baseUrl}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  hs = await startLocalHubSpot({
    accessToken: TOKEN,
    searchLagMs: 150,
    rateLimit: false,
    searchRateLimit: false,
    properties: [AUTH0_ID_PROPERTY],
  });
  client = new Client({ accessToken: TOKEN, basePath: hs.baseUrl });
});

afterEach(async () => {
  await hs.stop();
});

describe('authentication', () => {
  it('listens on loopback with an ephemeral port', () => {
    expect(hs.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(hs.port).toBeGreaterThan(0);
  });

  it('answers 401 INVALID_AUTHENTICATION without or with a wrong bearer token', async () => {
    for (const token of [null, 'pat-wrong']) {
      const r = await call('GET', '/crm/v3/objects/contacts/1', undefined, token);
      expect(r.status).toBe(401);
      expect(r.json).toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
      expect(r.json.message).toMatch(/^Authentication credentials not found/);
      expect(typeof r.json.correlationId).toBe('string');
    }
  });
});

describe('properties API (schema as code)', () => {
  it('lists built-in and custom contact properties through the SDK', async () => {
    const res = await client.crm.properties.coreApi.getAll('contacts');
    const names = res.results.map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(['email', 'firstname', 'lastname', 'jobtitle', 'auth0_user_id']),
    );
    const custom = res.results.find((p) => p.name === 'auth0_user_id');
    expect(custom).toMatchObject({
      hasUniqueValue: true,
      type: 'string',
      fieldType: 'text',
      hubspotDefined: false,
    });
    expect(custom?.createdAt).toBeInstanceOf(Date);
  });

  it('creates, reads and updates a property; refuses duplicates and unique-flag changes', async () => {
    const created = await client.crm.properties.coreApi.create('contacts', {
      name: 'department',
      label: 'Department',
      type: 'string' as never,
      fieldType: 'text' as never,
      groupName: 'contactinformation',
    });
    expect(created.name).toBe('department');
    expect((await client.crm.properties.coreApi.getByName('contacts', 'department')).label).toBe(
      'Department',
    );

    const dup = await call('POST', '/crm/v3/properties/contacts', {
      name: 'department',
      label: 'Again',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
    expect(dup.status).toBe(409);
    expect(dup.json).toMatchObject({ status: 'error', category: 'OBJECT_ALREADY_EXISTS' });

    const patched = await client.crm.properties.coreApi.update('contacts', 'department', { label: 'Team' });
    expect(patched.label).toBe('Team');
    const unique = await call('PATCH', '/crm/v3/properties/contacts/department', { hasUniqueValue: true });
    expect(unique.status).toBe(400);
    expect(unique.json.category).toBe('VALIDATION_ERROR');

    const missing = await call('GET', '/crm/v3/properties/contacts/nope');
    expect(missing.status).toBe(404);
    expect(missing.json.category).toBe('OBJECT_NOT_FOUND');
  });

  it('manages property groups', async () => {
    const g = await client.crm.properties.groupsApi.create('contacts', {
      name: 'identity',
      label: 'Identity',
    });
    expect(g).toMatchObject({ name: 'identity', label: 'Identity', archived: false });
    const all = await client.crm.properties.groupsApi.getAll('contacts');
    expect(all.results.map((x) => x.name)).toEqual(
      expect.arrayContaining(['contactinformation', 'identity']),
    );
    expect(
      (await call('POST', '/crm/v3/properties/contacts/groups', { name: 'identity', label: 'x' })).status,
    ).toBe(409);
    const bad = await call('POST', '/crm/v3/properties/contacts', {
      name: 'x_prop',
      label: 'X',
      type: 'string',
      fieldType: 'text',
      groupName: 'no_such_group',
    });
    expect(bad.status).toBe(400);
  });
});

describe('contacts: create, read, update, archive', () => {
  it('creates a contact (201) that the SDK deserializes', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'Ada@Example.com', firstname: 'Ada', auth0_user_id: 'okta|ada' },
      associations: [],
    });
    expect(c.id).toMatch(/^\d+$/);
    expect(c.createdAt).toBeInstanceOf(Date);
    expect(c.properties).toMatchObject({ email: 'ada@example.com', firstname: 'Ada', hs_object_id: c.id });
    expect(hs.findContact('ada@example.com')?.id).toBe(c.id);
  });

  it('rejects a second contact with the same email (any case) with 409 CONFLICT naming the existing id', async () => {
    const first = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.com' },
      associations: [],
    });
    const r = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'ADA@example.com' } });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({
      status: 'error',
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${first.id}`,
    });
    await expect(
      client.crm.contacts.basicApi.create({ properties: { email: 'ada@example.com' }, associations: [] }),
    ).rejects.toMatchObject({ code: 409 });
    expect(hs.contacts()).toHaveLength(1);
  });

  it('rejects values for properties that do not exist with 400 PROPERTY_DOESNT_EXIST', async () => {
    const r = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'a@b.co', favourite_colour: 'red' },
    });
    expect(r.status).toBe(400);
    expect(r.json.category).toBe('VALIDATION_ERROR');
    expect(r.json.message).toMatch(/^Property values were not valid: \[/);
    const items = JSON.parse(r.json.message.slice('Property values were not valid: '.length));
    expect(items).toEqual([
      expect.objectContaining({ isValid: false, error: 'PROPERTY_DOESNT_EXIST', name: 'favourite_colour' }),
    ]);
    expect(hs.contacts()).toHaveLength(0);
  });

  it('refuses read-only, invalid email and out-of-range enumeration values', async () => {
    const ro = await call('POST', '/crm/v3/objects/contacts', { properties: { hs_object_id: '5' } });
    expect(ro.json.message).toContain('READ_ONLY_VALUE');
    const email = await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'not-an-email' } });
    expect(email.json.message).toContain('INVALID_EMAIL');
    const stage = await call('POST', '/crm/v3/objects/contacts', { properties: { lifecyclestage: 'nope' } });
    expect(stage.json.message).toContain('INVALID_OPTION');
  });

  it('enforces custom unique properties among live contacts', async () => {
    await client.crm.contacts.basicApi.create({ properties: { auth0_user_id: 'okta|1' }, associations: [] });
    const r = await call('POST', '/crm/v3/objects/contacts', { properties: { auth0_user_id: 'okta|1' } });
    expect(r.status).toBe(400);
    expect(r.json.message).toContain('auth0_user_id');
  });

  it('reads by id, by email and by a custom unique property; 404 OBJECT_NOT_FOUND otherwise', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.com', firstname: 'Ada', auth0_user_id: 'okta|ada' },
      associations: [],
    });
    const byId = await client.crm.contacts.basicApi.getById(c.id);
    expect(Object.keys(byId.properties).sort()).toEqual(
      ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'].sort(),
    );
    expect(byId.properties.lastname).toBeNull();
    const byEmail = await client.crm.contacts.basicApi.getById(
      'ADA@example.com',
      ['firstname'],
      undefined,
      undefined,
      false,
      'email',
    );
    expect(byEmail).toMatchObject({ id: c.id, properties: { firstname: 'Ada' } });
    const byAuth0 = await client.crm.contacts.basicApi.getById(
      'okta|ada',
      ['auth0_user_id'],
      undefined,
      undefined,
      false,
      'auth0_user_id',
    );
    expect(byAuth0.id).toBe(c.id);

    const missing = await call('GET', '/crm/v3/objects/contacts/999999');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ status: 'error', category: 'OBJECT_NOT_FOUND' });
    await expect(client.crm.contacts.basicApi.getById('999999')).rejects.toMatchObject({ code: 404 });

    const nonUnique = await call('GET', '/crm/v3/objects/contacts/Ada?idProperty=firstname');
    expect(nonUnique.status).toBe(400);
    expect(nonUnique.json.message).toMatch(/non-unique 0-1 property firstname/);
  });

  it('updates by id or idProperty, and 409s when the new email belongs to another contact', async () => {
    const a = await client.crm.contacts.basicApi.create({
      properties: { email: 'a@example.com' },
      associations: [],
    });
    const b = await client.crm.contacts.basicApi.create({
      properties: { email: 'b@example.com', auth0_user_id: 'okta|b' },
      associations: [],
    });
    const u = await client.crm.contacts.basicApi.update(
      'okta|b',
      { properties: { firstname: 'Bea' } },
      'auth0_user_id',
    );
    expect(u).toMatchObject({ id: b.id, properties: { firstname: 'Bea' } });
    expect(u.updatedAt.getTime()).toBeGreaterThanOrEqual(u.createdAt.getTime());

    const clash = await call('PATCH', `/crm/v3/objects/contacts/${b.id}`, {
      properties: { email: 'A@example.com' },
    });
    expect(clash.status).toBe(409);
    expect(clash.json.message).toBe(`Contact already exists. Existing ID: ${a.id}`);
    expect(hs.findContact('b@example.com')?.id).toBe(b.id);

    const missing = await call('PATCH', '/crm/v3/objects/contacts/4242', { properties: { firstname: 'x' } });
    expect(missing.status).toBe(404);
  });

  it('archives idempotently (204 for archived and unknown ids); archived contacts free their email', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.com', auth0_user_id: 'okta|ada' },
      associations: [],
    });
    expect((await call('DELETE', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(204);
    expect((await call('DELETE', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(204);
    expect((await call('DELETE', '/crm/v3/objects/contacts/987654')).status).toBe(204);
    await client.crm.contacts.basicApi.archive(c.id); // the SDK accepts the 204

    expect((await call('GET', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(404);
    const archived = await client.crm.contacts.basicApi.getById(c.id, undefined, undefined, undefined, true);
    expect(archived.archived).toBe(true);
    expect(archived.archivedAt).toBeInstanceOf(Date);
    const archivedByEmail = await call(
      'GET',
      '/crm/v3/objects/contacts/ada@example.com?idProperty=email&archived=true',
    );
    expect(archivedByEmail.json.id).toBe(c.id);

    const again = await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.com', auth0_user_id: 'okta|ada' },
      associations: [],
    });
    expect(again.id).not.toBe(c.id);
    expect(hs.contacts()).toHaveLength(1);
    expect(hs.archivedContacts()).toHaveLength(1);
  });

  it('lists contacts with paging', async () => {
    for (let i = 0; i < 3; i++) {
      await client.crm.contacts.basicApi.create({
        properties: { email: `u${i}@example.com` },
        associations: [],
      });
    }
    const page1 = await client.crm.contacts.basicApi.getPage(2);
    expect(page1.results).toHaveLength(2);
    const page2 = await client.crm.contacts.basicApi.getPage(2, page1.paging?.next?.after);
    expect(page2.results).toHaveLength(1);
    expect(page2.paging).toBeUndefined();
  });
});

describe('batch upsert by a unique property', () => {
  const upsert = (inputs: unknown[]) => call('POST', '/crm/v3/objects/contacts/batch/upsert', { inputs });

  it('creates then updates the same contact, idempotently, through the SDK', async () => {
    const input = {
      idProperty: 'auth0_user_id',
      id: 'okta|ada',
      properties: { email: 'ada@example.com', firstname: 'Ada' },
    };
    const first = await client.crm.contacts.batchApi.upsert({ inputs: [input] });
    expect(first.status).toBe('COMPLETE');
    expect(first.results[0]).toMatchObject({
      _new: true,
      properties: { auth0_user_id: 'okta|ada', firstname: 'Ada' },
    });
    expect(first.completedAt).toBeInstanceOf(Date);

    const second = await client.crm.contacts.batchApi.upsert({
      inputs: [{ ...input, properties: { ...input.properties, firstname: 'Augusta' } }],
    });
    expect(second.results[0]).toMatchObject({ _new: false, id: first.results[0]?.id });
    expect(second.results[0]?.properties.firstname).toBe('Augusta');

    const third = await client.crm.contacts.batchApi.upsert({
      inputs: [{ ...input, properties: { ...input.properties, firstname: 'Augusta' } }],
    });
    expect(third.results[0]?._new).toBe(false);
    expect(hs.contacts()).toHaveLength(1);
  });

  it('upserts by email too, normalising its case', async () => {
    const r = await upsert([
      { idProperty: 'email', id: 'Ada@Example.com', properties: { firstname: 'Ada' } },
    ]);
    expect(r.status).toBe(200);
    expect(r.json.results[0]).toMatchObject({ new: true, properties: { email: 'ada@example.com' } });
    const again = await upsert([
      { idProperty: 'email', id: 'ada@example.com', properties: { lastname: 'L' } },
    ]);
    expect(again.json.results[0]).toMatchObject({ new: false, id: r.json.results[0].id });
  });

  it('answers 409 for the whole batch when one input conflicts, and writes nothing', async () => {
    const other = await client.crm.contacts.basicApi.create({
      properties: { email: 'taken@example.com' },
      associations: [],
    });
    const r = await upsert([
      { idProperty: 'auth0_user_id', id: 'okta|ok', properties: { email: 'fine@example.com' } },
      { idProperty: 'auth0_user_id', id: 'okta|bad', properties: { email: 'taken@example.com' } },
    ]);
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({
      category: 'CONFLICT',
      message: `Contact already exists. Existing ID: ${other.id}`,
    });
    expect(hs.contacts().map((c) => c.properties.email)).toEqual(['taken@example.com']);
    await expect(
      client.crm.contacts.batchApi.upsert({
        inputs: [{ idProperty: 'auth0_user_id', id: 'okta|bad', properties: { email: 'taken@example.com' } }],
      }),
    ).rejects.toMatchObject({ code: 409 });
  });

  it('rejects non-unique idProperty, duplicate ids and unknown properties with 400', async () => {
    const nonUnique = await upsert([{ idProperty: 'firstname', id: 'Ada', properties: {} }]);
    expect(nonUnique.status).toBe(400);
    expect(nonUnique.json.message).toMatch(
      /^Unable to perform update\/upsert by non-unique 0-1 property firstname/,
    );
    const dup = await upsert([
      { idProperty: 'auth0_user_id', id: 'okta|1', properties: {} },
      { idProperty: 'auth0_user_id', id: 'okta|1', properties: {} },
    ]);
    expect(dup.status).toBe(400);
    expect(dup.json.message).toMatch(/^Duplicate IDs found in batch input/);
    const unknown = await upsert([{ idProperty: 'auth0_user_id', id: 'okta|1', properties: { nope: 'x' } }]);
    expect(unknown.json.message).toContain('PROPERTY_DOESNT_EXIST');
    expect(hs.contacts()).toHaveLength(0);
  });

  it('does not match an archived contact: the upsert creates a new one', async () => {
    const r1 = await upsert([
      { idProperty: 'auth0_user_id', id: 'okta|1', properties: { email: 'x@example.com' } },
    ]);
    await call('DELETE', `/crm/v3/objects/contacts/${r1.json.results[0].id}`);
    const r2 = await upsert([
      { idProperty: 'auth0_user_id', id: 'okta|1', properties: { email: 'x@example.com' } },
    ]);
    expect(r2.json.results[0].new).toBe(true);
    expect(r2.json.results[0].id).not.toBe(r1.json.results[0].id);
  });
});

describe('batch read and archive', () => {
  it('reads by a unique property, with 207 and OBJECT_NOT_FOUND for missing ids', async () => {
    await client.crm.contacts.basicApi.create({
      properties: { email: 'a@example.com', auth0_user_id: 'okta|a' },
      associations: [],
    });
    const ok = await client.crm.contacts.batchApi.read({
      idProperty: 'auth0_user_id',
      inputs: [{ id: 'okta|a' }],
      properties: ['email'],
      propertiesWithHistory: [],
    });
    expect(ok.results[0]?.properties.email).toBe('a@example.com');
    const partial = await call('POST', '/crm/v3/objects/contacts/batch/read', {
      idProperty: 'auth0_user_id',
      inputs: [{ id: 'okta|a' }, { id: 'okta|zzz' }],
      properties: [],
    });
    expect(partial.status).toBe(207);
    expect(partial.json).toMatchObject({
      numErrors: 1,
      errors: [{ category: 'OBJECT_NOT_FOUND', context: { ids: ['okta|zzz'] } }],
    });
  });

  it('archives a batch', async () => {
    const a = await client.crm.contacts.basicApi.create({
      properties: { email: 'a@example.com' },
      associations: [],
    });
    await client.crm.contacts.batchApi.archive({ inputs: [{ id: a.id }, { id: '31337' }] });
    expect(hs.contacts()).toHaveLength(0);
  });
});

describe('search with an indexing lag', () => {
  const searchEmail = (email: string) =>
    client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ' as never, value: email }] }],
      properties: ['email', 'firstname'],
      limit: 10,
      after: '0',
      sorts: [],
    });

  it('does not see a new contact until the lag has passed', async () => {
    await client.crm.contacts.basicApi.create({
      properties: { email: 'ada@example.com', firstname: 'Ada' },
      associations: [],
    });
    expect((await searchEmail('ada@example.com')).total).toBe(0);
    await sleep(200);
    const found = await searchEmail('ADA@example.com');
    expect(found.total).toBe(1);
    expect(found.results[0]?.properties).toEqual({ email: 'ada@example.com', firstname: 'Ada' });
  });

  it('serves the old values right after an update (why update-by-search loses updates)', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'old@example.com' },
      associations: [],
    });
    hs.flushSearchIndex();
    await client.crm.contacts.basicApi.update(c.id, { properties: { email: 'new@example.com' } });
    expect((await searchEmail('new@example.com')).total).toBe(0);
    expect((await searchEmail('old@example.com')).total).toBe(1);
    await sleep(200);
    expect((await searchEmail('new@example.com')).total).toBe(1);
    expect((await searchEmail('old@example.com')).total).toBe(0);
  });

  it('keeps an archived contact searchable until the lag has passed', async () => {
    const c = await client.crm.contacts.basicApi.create({
      properties: { email: 'gone@example.com' },
      associations: [],
    });
    hs.flushSearchIndex();
    await client.crm.contacts.basicApi.archive(c.id);
    expect((await searchEmail('gone@example.com')).total).toBe(1);
    await sleep(200);
    expect((await searchEmail('gone@example.com')).total).toBe(0);
  });

  it('supports IN, HAS_PROPERTY, OR across groups, and paging', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      await client.crm.contacts.basicApi.create({
        properties: { email: `${name}@example.com`, ...(i > 0 ? { auth0_user_id: `okta|${name}` } : {}) },
        associations: [],
      });
    }
    hs.flushSearchIndex();
    const has = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'auth0_user_id', operator: 'HAS_PROPERTY' }] }],
    });
    expect(has.json.total).toBe(2);
    const inOp = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'IN', values: ['a@example.com', 'c@example.com'] }] },
      ],
      limit: 1,
    });
    expect(inOp.json.total).toBe(2);
    expect(inOp.json.results).toHaveLength(1);
    expect(inOp.json.paging.next.after).toBe('1');
    const or = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [
        { filters: [{ propertyName: 'email', operator: 'EQ', value: 'a@example.com' }] },
        { filters: [{ propertyName: 'auth0_user_id', operator: 'EQ', value: 'okta|c' }] },
      ],
    });
    expect(or.json.results.map((r: any) => r.properties.email).sort()).toEqual([
      'a@example.com',
      'c@example.com',
    ]);
    const bad = await call('POST', '/crm/v3/objects/contacts/search', {
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'SOUNDS_LIKE', value: 'x' }] }],
    });
    expect(bad.status).toBe(400);
  });
});

describe('rate limits', () => {
  it('answers 429 TEN_SECONDLY_ROLLING once the rolling window is full, then recovers', async () => {
    hs.setRateLimit({ max: 3, windowMs: 300 });
    const ok = await call('GET', '/crm/v3/objects/contacts');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-hubspot-ratelimit-max')).toBe('3');
    expect(ok.headers.get('x-hubspot-ratelimit-remaining')).toBe('2');
    expect(ok.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('300');
    await call('GET', '/crm/v3/objects/contacts');
    await call('GET', '/crm/v3/objects/contacts');
    const limited = await call('GET', '/crm/v3/objects/contacts');
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({
      status: 'error',
      message: 'You have reached your ten_secondly_rolling limit.',
      errorType: 'RATE_LIMIT',
      policyName: 'TEN_SECONDLY_ROLLING',
    });
    expect(typeof limited.json.correlationId).toBe('string');
    expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('retry-after')).toBeNull();
    await expect(client.crm.contacts.basicApi.getPage()).rejects.toMatchObject({ code: 429 });
    await sleep(350);
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });

  it('limits search separately (SECONDLY policy)', async () => {
    hs.setSearchRateLimit({ max: 1, windowMs: 500 });
    expect((await call('POST', '/crm/v3/objects/contacts/search', {})).status).toBe(200);
    const limited = await call('POST', '/crm/v3/objects/contacts/search', {});
    expect(limited.status).toBe(429);
    expect(limited.json.policyName).toBe('SECONDLY');
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
  });
});

describe('faults', () => {
  it('injects a 5xx for a counted number of matching requests only', async () => {
    hs.faults.add({
      kind: 'error',
      status: 503,
      method: 'POST',
      path: '/crm/v3/objects/contacts/batch/upsert',
      count: 1,
    });
    const upsert = { inputs: [{ idProperty: 'email', id: 'a@example.com', properties: {} }] };
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    const failed = await call('POST', '/crm/v3/objects/contacts/batch/upsert', upsert);
    expect(failed.status).toBe(503);
    expect(failed.json.status).toBe('error');
    expect(hs.contacts()).toHaveLength(0);
    expect((await call('POST', '/crm/v3/objects/contacts/batch/upsert', upsert)).status).toBe(200);
    expect(hs.faults.list()[0]).toMatchObject({ hits: 1, remaining: 0 });
  });

  it('adds latency', async () => {
    hs.faults.add({ kind: 'latency', latencyMs: 150 });
    const t0 = Date.now();
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('hangs without answering, and stop() still closes the server', async () => {
    hs.faults.add({ kind: 'hang', path: '^/crm/v3/objects/contacts$' });
    await expect(
      fetch(`${hs.baseUrl}/crm/v3/objects/contacts`, {
        headers: { authorization: `Bearer ${TOKEN}` },
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(hs.requests()[0]?.fault).toBe('hang');
    expect(hs.requests()[0]?.status).toBeUndefined();
  });

  it('resets the connection', async () => {
    hs.faults.add({ kind: 'reset' });
    await expect(fetch(`${hs.baseUrl}/crm/v3/objects/contacts`)).rejects.toThrow();
  });

  it('sends a malformed 200 body that the SDK cannot parse', async () => {
    hs.faults.add({ kind: 'malformed', count: 1 });
    const r = await call('GET', '/crm/v3/objects/contacts');
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    hs.faults.add({ kind: 'malformed', count: 1 });
    await expect(client.crm.contacts.basicApi.getPage()).rejects.toThrow();
  });

  it('draws probabilistic faults from a seeded RNG: same seed, same outcome', async () => {
    const outcomes: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const h = await startLocalHubSpot({ accessToken: TOKEN, seed: 42, rateLimit: false });
      h.faults.add({ kind: 'error', status: 500, probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) {
        const res = await fetch(`${h.baseUrl}/crm/v3/objects/contacts`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        statuses.push(res.status);
      }
      outcomes.push(statuses);
      await h.stop();
    }
    expect(outcomes[0]).toEqual(outcomes[1]);
    expect(outcomes[0]).toContain(500);
    expect(outcomes[0]).toContain(200);
  });
});

describe('recording and the /__local control API', () => {
  it('records requests with the Authorization header redacted', async () => {
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a@example.com' } });
    const [r] = hs.requests();
    expect(r).toMatchObject({
      seq: 1,
      method: 'POST',
      path: '/crm/v3/objects/contacts',
      status: 201,
      body: { properties: { email: 'a@example.com' } },
    });
    expect(r?.headers.authorization).toBe('Bearer [redacted]');
    expect(JSON.stringify(hs.requests())).not.toContain(TOKEN);
  });

  it('exposes state, requests, faults, config and reset over HTTP', async () => {
    const ctl = new StandinControlClient(hs.baseUrl);
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a@example.com' } });
    const state = (await ctl.get('/state')) as any;
    expect(state.contacts).toHaveLength(1);
    expect(state.properties.map((p: any) => p.name)).toEqual(['auth0_user_id']);
    expect(await ctl.requests()).toHaveLength(1);
    expect(await ctl.requests(1)).toHaveLength(0);

    const fault = await ctl.addFault({ kind: 'error', status: 502, count: 2 });
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(502);
    expect((await ctl.faults())[0]).toMatchObject({ id: fault.id, hits: 1, remaining: 1 });
    await ctl.clearFaults();
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);

    const badFault = await fetch(`${hs.baseUrl}/__local/faults`, {
      method: 'POST',
      body: '{"kind":"explode"}',
    });
    expect(badFault.status).toBe(400);

    await ctl.post('/config', { rateLimit: { max: 1, windowMs: 60_000 }, searchLagMs: 0 });
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
    expect((await call('GET', '/crm/v3/objects/contacts')).status).toBe(429);

    await ctl.reset();
    expect(hs.contacts()).toHaveLength(0);
    expect(hs.requests()).toHaveLength(0);
    expect(hs.properties().some((p) => p.name === 'auth0_user_id')).toBe(true);
  });
});
