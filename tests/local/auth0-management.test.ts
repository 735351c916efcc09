/**
 * The local tenant's OAuth endpoint and Management API subset, checked against the OpenAPI
 * description in ../shared/reference (request bodies we send, responses we get).
 */
import fs from 'node:fs';
import { ManagementClient } from 'auth0';
import { MANAGEMENT_ROUTES } from '../../local/auth0';
import {
  OPENAPI_PATH,
  check,
  expectValid,
  requestValidator,
  responseValidator,
  schemaValidator,
} from '../support/openapi';
import { startTestTenant, type TestTenant } from '../support/local-auth0';

const MAPPING = [
  { auth0: 'preferred_username', scim: 'userName' },
  { auth0: 'email', scim: 'emails[type eq "work"].value' },
  { auth0: 'blocked', scim: 'active' },
];

/** Sends `body` after checking it against the operation's request schema. */
async function send(t: TestTenant, method: string, openApiPath: string, path: string, body: unknown) {
  expectValid(requestValidator(method, openApiPath), body);
  return t.api(method, path, body);
}

describe('local Auth0 tenant: OAuth and Management API', () => {
  let t: TestTenant;
  beforeAll(async () => {
    t = await startTestTenant({ actionBuildDelayMs: 400 });
  });
  afterAll(() => t.stop());

  describe('/oauth/token', () => {
    const tokenRequest = (body: Record<string, unknown>) =>
      t.fetch(`${t.auth0.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('issues a client_credentials token whose scope lists the granted scopes', async () => {
      const res = await tokenRequest({
        grant_type: 'client_credentials',
        client_id: t.auth0.clientId,
        client_secret: t.auth0.clientSecret,
        audience: `https://${t.auth0.domain}/api/v2/`,
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as {
        access_token: string;
        token_type: string;
        scope: string;
        expires_in: number;
      };
      expect(body.token_type).toBe('Bearer');
      expect(body.scope.split(' ')).toEqual(
        expect.arrayContaining(['read:connections', 'create:scim_config', 'read:event_deliveries']),
      );
      const claims = JSON.parse(
        Buffer.from(body.access_token.split('.')[1]!, 'base64url').toString(),
      ) as Record<string, unknown>;
      expect(claims).toMatchObject({
        sub: `${t.auth0.clientId}@clients`,
        gty: 'client-credentials',
        scope: body.scope,
      });
    });

    it('accepts a form-encoded request and narrows to the requested scope', async () => {
      const res = await t.fetch(`${t.auth0.baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: t.auth0.clientId,
          client_secret: t.auth0.clientSecret,
          audience: `https://${t.auth0.domain}/api/v2/`,
          scope: 'read:connections read:unknown',
        }).toString(),
      });
      expect(((await res.json()) as { scope: string }).scope).toBe('read:connections');
    });

    it('rejects a wrong secret, an unknown audience and other grant types', async () => {
      const base = {
        grant_type: 'client_credentials',
        client_id: t.auth0.clientId,
        audience: `https://${t.auth0.domain}/api/v2/`,
      };
      expect((await tokenRequest({ ...base, client_secret: 'wrong' })).status).toBe(401);
      expect(
        (await tokenRequest({ ...base, client_secret: t.auth0.clientSecret, audience: 'https://elsewhere/' }))
          .status,
      ).toBe(403);
      expect(
        (await tokenRequest({ ...base, client_secret: t.auth0.clientSecret, grant_type: 'password' })).status,
      ).toBe(403);
    });

    it('guards the Management API: 401 without a valid token, 403 insufficient_scope without the scope', async () => {
      const none = await t.fetch(`${t.auth0.baseUrl}/api/v2/connections`);
      expect(none.status).toBe(401);
      expect((await t.api('GET', '/connections', undefined, 'a.b.c')).status).toBe(401);
      const narrow = await t.token('read:connections');
      const denied = await t.api('GET', '/tenants/settings', undefined, narrow);
      expect(denied.status).toBe(403);
      expect(denied.body).toMatchObject({
        statusCode: 403,
        error: 'Forbidden',
        errorCode: 'insufficient_scope',
      });
    });

    it('simulates a client without *:scim_config: tokens no longer carry it and SCIM configuration answers 403', async () => {
      const tenant = t.auth0.tenant;
      const saved = tenant.grantedScopes;
      tenant.grantedScopes = saved.filter((s) => !s.endsWith(':scim_config'));
      try {
        const token = await t.token();
        const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as {
          scope: string;
        };
        expect(claims.scope).not.toMatch(/scim_config/);
        const c = await t.api(
          'POST',
          '/connections',
          { name: 'no-scim-scope', strategy: 'samlp', options: {} },
          token,
        );
        const res = await t.api('GET', `/connections/${c.body.id}/scim-configuration`, undefined, token);
        expect(res.status).toBe(403);
        expect(res.body.message).toMatch(/read:scim_config/);
      } finally {
        tenant.grantedScopes = saved;
      }
    });
  });

  it('declares, per route, only scopes the OpenAPI lists for that operation', () => {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as {
      paths: Record<string, Record<string, { security?: Array<Record<string, string[]>> }>>;
    };
    expect(MANAGEMENT_ROUTES.length).toBeGreaterThan(30);
    for (const route of MANAGEMENT_ROUTES) {
      const op = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect({ route: `${route.method} ${route.path}`, documented: !!op }).toEqual({
        route: `${route.method} ${route.path}`,
        documented: true,
      });
      const allowed = (op!.security ?? []).flatMap((s) => s.oAuth2ClientCredentials ?? []);
      for (const scope of route.scopes)
        expect({ route: route.path, scope, ok: allowed.includes(scope) }).toEqual({
          route: route.path,
          scope,
          ok: true,
        });
    }
  });

  it('the OpenAPI helper rejects data that does not match (so these checks can fail)', () => {
    const v = responseValidator('get', '/connections/{id}');
    expect(check(v, { id: 'con_1', name: 'x', strategy: 'samlp', unexpected: true })).not.toEqual([]);
    expect(
      check(schemaValidator('EventStreamCloudEventUserCreatedCloudEvent'), { id: 'nope' }).length,
    ).toBeGreaterThan(3);
  });

  it('tenant settings: GET and PATCH match the schemas; PATCH merges flags', async () => {
    const got = await t.api('GET', '/tenants/settings');
    expectValid(responseValidator('get', '/tenants/settings'), got.body);
    const patched = await send(t, 'PATCH', '/tenants/settings', '/tenants/settings', {
      friendly_name: 'Lifecycle',
      flags: { enable_sso: true },
    });
    expect(patched.status).toBe(200);
    expectValid(responseValidator('patch', '/tenants/settings'), patched.body);
    expect(patched.body.friendly_name).toBe('Lifecycle');
    expect(patched.body.flags).toMatchObject({ enable_sso: true, revoke_refresh_token_grant: false });
  });

  describe('connections', () => {
    it('creates, reads, updates and deletes, with bodies and responses per the OpenAPI', async () => {
      const created = await send(t, 'POST', '/connections', '/connections', {
        name: 'crud-idp',
        strategy: 'samlp',
        display_name: 'CRUD IdP',
        options: { signInEndpoint: 'https://idp.example.test/sso', signatureAlgorithm: 'rsa-sha256' },
      });
      expect(created.status).toBe(201);
      expectValid(responseValidator('post', '/connections'), created.body);
      expect(created.body.id).toMatch(/^con_[A-Za-z0-9]{16}$/);
      const id = created.body.id as string;

      const dup = await t.api('POST', '/connections', { name: 'crud-idp', strategy: 'samlp' });
      expect(dup.status).toBe(409);

      const got = await t.api('GET', `/connections/${id}`);
      expectValid(responseValidator('get', '/connections/{id}'), got.body);

      const updated = await send(t, 'PATCH', '/connections/{id}', `/connections/${id}`, {
        display_name: 'Renamed',
        options: { signInEndpoint: 'https://idp2.example.test/sso' },
      });
      expectValid(responseValidator('patch', '/connections/{id}'), updated.body);
      expect(updated.body.options).toEqual({ signInEndpoint: 'https://idp2.example.test/sso' });
      expect((await t.api('PATCH', `/connections/${id}`, { strategy: 'oidc' })).status).toBe(400);

      expect((await t.api('DELETE', `/connections/${id}`)).status).toBe(202);
      expect((await t.api('GET', `/connections/${id}`)).status).toBe(404);
    });

    it('paginates like Auth0: plain array, offset with totals, and checkpoint from/take', async () => {
      for (let i = 0; i < 5; i++)
        await t.api('POST', '/connections', { name: `page-${i}`, strategy: 'samlp', options: { n: i } });
      const listSchema = responseValidator('get', '/connections');
      const checkpointSchema = schemaValidator('ListConnectionsCheckpointPaginatedResponseContent');
      const plain = await t.api('GET', '/connections?strategy=samlp');
      expect(Array.isArray(plain.body)).toBe(true);
      expectValid(listSchema, plain.body);

      const offset = await t.api('GET', '/connections?per_page=2&page=1&include_totals=true');
      expectValid(listSchema, offset.body);
      expect(offset.body).toMatchObject({ start: 2, limit: 2 });
      expect(offset.body.connections).toHaveLength(2);

      const names: string[] = [];
      let from: string | undefined;
      do {
        const page = await t.api('GET', `/connections?take=2${from ? `&from=${from}` : ''}`);
        // The last page has no `next`, which the list's oneOf cannot tell from the offset shape: check the checkpoint schema itself.
        expectValid(checkpointSchema, page.body);
        names.push(...page.body.connections.map((c: { name: string }) => c.name));
        from = page.body.next;
      } while (from);
      expect(names).toEqual(expect.arrayContaining(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']));
      expect(new Set(names).size).toBe(names.length);
      expect(offset.body.total).toBe(names.length);
    });

    it('enabled clients: GET in checkpoint shape, PATCH enables and disables', async () => {
      const c = await t.api('POST', '/connections', { name: 'clients-idp', strategy: 'samlp', options: {} });
      const patch = [{ client_id: t.auth0.clientId, status: true }];
      expectValid(requestValidator('patch', '/connections/{id}/clients'), patch);
      expect((await t.api('PATCH', `/connections/${c.body.id}/clients`, patch)).status).toBe(204);
      const got = await t.api('GET', `/connections/${c.body.id}/clients?take=100`);
      expectValid(responseValidator('get', '/connections/{id}/clients'), got.body);
      expect(got.body.clients).toEqual([{ client_id: t.auth0.clientId }]);
      await t.api('PATCH', `/connections/${c.body.id}/clients`, [
        { client_id: t.auth0.clientId, status: false },
      ]);
      expect((await t.api('GET', `/connections/${c.body.id}/clients`)).body.clients).toEqual([]);
    });
  });

  describe('SCIM configuration and tokens', () => {
    let id: string;
    beforeAll(async () => {
      id = (await t.api('POST', '/connections', { name: 'scim-config-idp', strategy: 'samlp', options: {} }))
        .body.id;
    });

    it('GET is 404 until created; POST/PATCH/DELETE follow the schemas', async () => {
      expect((await t.api('GET', `/connections/${id}/scim-configuration`)).status).toBe(404);
      const created = await send(
        t,
        'POST',
        '/connections/{id}/scim-configuration',
        `/connections/${id}/scim-configuration`,
        {
          user_id_attribute: 'userName',
          mapping: MAPPING,
        },
      );
      expect(created.status).toBe(201);
      expectValid(responseValidator('post', '/connections/{id}/scim-configuration'), created.body);
      expect(created.body).toMatchObject({
        connection_id: id,
        connection_name: 'scim-config-idp',
        strategy: 'samlp',
        mapping: MAPPING,
      });
      const again = await t.api('POST', `/connections/${id}/scim-configuration`, {
        user_id_attribute: 'userName',
        mapping: MAPPING,
      });
      expect(again.status).toBe(409);
      expect(again.body.message).toMatch(/already exists/);

      const got = await t.api('GET', `/connections/${id}/scim-configuration`);
      expectValid(responseValidator('get', '/connections/{id}/scim-configuration'), got.body);
      const patched = await send(
        t,
        'PATCH',
        '/connections/{id}/scim-configuration',
        `/connections/${id}/scim-configuration`,
        {
          user_id_attribute: 'externalId',
          mapping: MAPPING.slice(0, 2),
        },
      );
      expectValid(responseValidator('patch', '/connections/{id}/scim-configuration'), patched.body);
      expect(patched.body.user_id_attribute).toBe('externalId');
      const all = await t.api('GET', '/connections-scim-configurations');
      expectValid(responseValidator('get', '/connections-scim-configurations'), all.body);
      expectValid(
        responseValidator('get', '/connections/{id}/scim-configuration/default-mapping'),
        (await t.api('GET', `/connections/${id}/scim-configuration/default-mapping`)).body,
      );
    });

    it('tokens: the value is shown once, listed without it, scoped, expiring, deletable', async () => {
      const body = { scopes: ['get:users', 'post:users'], token_lifetime: 3600 };
      const created = await send(
        t,
        'POST',
        '/connections/{id}/scim-configuration/tokens',
        `/connections/${id}/scim-configuration/tokens`,
        body,
      );
      expect(created.status).toBe(201);
      expectValid(responseValidator('post', '/connections/{id}/scim-configuration/tokens'), created.body);
      expect(created.body.token).toEqual(expect.any(String));
      expect(Date.parse(created.body.valid_until) - Date.parse(created.body.created_at)).toBe(3600_000);
      const listed = await t.api('GET', `/connections/${id}/scim-configuration/tokens`);
      expectValid(responseValidator('get', '/connections/{id}/scim-configuration/tokens'), listed.body);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.token);
      expect(listed.body).toEqual([
        expect.objectContaining({ token_id: created.body.token_id, scopes: ['get:users', 'post:users'] }),
      ]);
      expect(
        (await t.api('POST', `/connections/${id}/scim-configuration/tokens`, { token_lifetime: 600 })).status,
      ).toBe(400);
      expect(
        (await t.api('POST', `/connections/${id}/scim-configuration/tokens`, { scopes: ['admin'] })).status,
      ).toBe(400);
      expect(
        (await t.api('DELETE', `/connections/${id}/scim-configuration/tokens/${created.body.token_id}`))
          .status,
      ).toBe(204);
      expect((await t.api('GET', `/connections/${id}/scim-configuration/tokens`)).body).toEqual([]);
      expect((await t.api('DELETE', `/connections/${id}/scim-configuration`)).status).toBe(204);
      expect((await t.api('GET', `/connections/${id}/scim-configuration`)).status).toBe(404);
    });
  });

  describe('actions', () => {
    const waitBuilt = async (id: string) => {
      for (let i = 0; i < 100; i++) {
        const a = await t.api('GET', `/actions/actions/${id}`);
        if (a.body.status === 'built') return a;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('action never built');
    };

    it('create -> pending -> built; deploy creates versions; secrets are write-only', async () => {
      const body = {
        name: 'Schema Action',
        supported_triggers: [{ id: 'event-stream', version: 'v1' }],
        code: 'exports.onExecuteEventStream = async () => {};',
        runtime: 'node22',
        dependencies: [{ name: 'zod', version: '4.6.7' }],
        secrets: [{ name: 'API_KEY', value: 'value-never-returned' }],
      };
      const created = await send(t, 'POST', '/actions/actions', '/actions/actions', body);
      expect(created.status).toBe(201);
      expectValid(responseValidator('post', '/actions/actions'), created.body);
      expect(created.body.status).toBe('pending');
      expect(JSON.stringify(created.body)).not.toContain('value-never-returned');
      const id = created.body.id as string;

      const early = await t.api('POST', `/actions/actions/${id}/deploy`);
      expect(early.status).toBe(400);
      expect(early.body.message).toContain("must be in the 'built' state");

      const built = await waitBuilt(id);
      expectValid(responseValidator('get', '/actions/actions/{id}'), built.body);
      expect(built.body.secrets).toEqual([{ name: 'API_KEY', updated_at: expect.any(String) }]);

      const deployed = await t.api('POST', `/actions/actions/${id}/deploy`);
      expect(deployed.status).toBe(202);
      expectValid(responseValidator('post', '/actions/actions/{id}/deploy'), deployed.body);
      expect(deployed.body).toMatchObject({ number: 1, deployed: true, code: body.code });

      const patch = {
        code: 'exports.onExecuteEventStream = async () => { /* v2 */ };',
        secrets: [{ name: 'API_KEY' }],
      };
      const updated = await send(t, 'PATCH', '/actions/actions/{id}', `/actions/actions/${id}`, patch);
      expectValid(responseValidator('patch', '/actions/actions/{id}'), updated.body);
      expect(updated.body).toMatchObject({ status: 'pending', all_changes_deployed: false });
      await waitBuilt(id);
      await t.api('POST', `/actions/actions/${id}/deploy`);
      // A secret resent without a value keeps the deployed value (what delivery passes to the code).
      const action = t.auth0.tenant.actions.get(id)!;
      expect(t.auth0.tenant.deployedVersion(action)?.secrets[0]?.value).toBe('value-never-returned');

      const versions = await t.api('GET', `/actions/actions/${id}/versions`);
      expectValid(responseValidator('get', '/actions/actions/{actionId}/versions'), versions.body);
      expect(
        versions.body.versions.map((v: { number: number; deployed: boolean }) => [v.number, v.deployed]),
      ).toEqual([
        [2, true],
        [1, false],
      ]);
      const one = await t.api('GET', `/actions/actions/${id}/versions/${versions.body.versions[1].id}`);
      expectValid(responseValidator('get', '/actions/actions/{actionId}/versions/{id}'), one.body);

      const rollback = await send(
        t,
        'POST',
        '/actions/actions/{actionId}/versions/{id}/deploy',
        `/actions/actions/${id}/versions/${versions.body.versions[1].id}/deploy`,
        {
          update_draft: false,
        },
      );
      expect(rollback.status).toBe(202);
      expectValid(
        responseValidator('post', '/actions/actions/{actionId}/versions/{id}/deploy'),
        rollback.body,
      );
      expect(rollback.body).toMatchObject({ number: 3, deployed: true, code: body.code });
      expect(t.auth0.tenant.deployedVersion(action)?.code).toBe(body.code);

      const list = await t.api('GET', '/actions/actions?actionName=Schema%20Action&page=0&per_page=100');
      expectValid(responseValidator('get', '/actions/actions'), list.body);
      expect(list.body).toMatchObject({ total: 1, page: 0, per_page: 100 });
      expectValid(
        responseValidator('get', '/actions/triggers'),
        (await t.api('GET', '/actions/triggers')).body,
      );
    });
  });

  describe('event streams', () => {
    it('CRUD with an action destination; the destination of an action stream cannot be changed', async () => {
      const action = await t.api('POST', '/actions/actions', {
        name: 'Stream Target',
        supported_triggers: [{ id: 'event-stream', version: 'v1' }],
        code: '',
      });
      const body = {
        name: 'Lifecycle',
        subscriptions: [{ event_type: 'user.created' }],
        destination: { type: 'action', configuration: { action_id: action.body.id } },
        status: 'enabled',
      };
      const created = await send(t, 'POST', '/event-streams', '/event-streams', body);
      expect(created.status).toBe(201);
      expectValid(responseValidator('post', '/event-streams'), created.body);
      const id = created.body.id as string;
      expect(id).toMatch(/^est_[A-Za-z0-9]{22}$/);

      const missing = await t.api('POST', '/event-streams', {
        ...body,
        destination: { type: 'action', configuration: { action_id: 'nope' } },
      });
      expect(missing.status).toBe(400);

      expectValid(
        responseValidator('get', '/event-streams/{id}'),
        (await t.api('GET', `/event-streams/${id}`)).body,
      );
      const patched = await send(t, 'PATCH', '/event-streams/{id}', `/event-streams/${id}`, {
        status: 'disabled',
        subscriptions: [{ event_type: 'user.created' }, { event_type: 'user.deleted' }],
      });
      expectValid(responseValidator('patch', '/event-streams/{id}'), patched.body);
      expect(patched.body.subscriptions).toHaveLength(2);
      expect(
        (
          await t.api('PATCH', `/event-streams/${id}`, {
            destination: { configuration: { action_id: 'other' } },
          })
        ).status,
      ).toBe(400);

      const list = await t.api('GET', '/event-streams?take=50');
      expectValid(responseValidator('get', '/event-streams'), list.body);
      expect(list.body.eventStreams.map((s: { id: string }) => s.id)).toContain(id);

      const deliveries = await t.api('GET', `/event-streams/${id}/deliveries`);
      expectValid(responseValidator('get', '/event-streams/{id}/deliveries'), deliveries.body);
      expect(deliveries.body).toEqual([]);
      expect((await t.api('POST', `/event-streams/${id}/redeliver/evt_0000000000000000000000`)).status).toBe(
        404,
      );

      expect((await t.api('DELETE', `/event-streams/${id}`)).status).toBe(204);
      expect((await t.api('GET', `/event-streams/${id}`)).status).toBe(404);
    });
  });

  it('records every mutating call (method, path, time, status) and can reset the log', async () => {
    t.auth0.tenant.resetMutations();
    await t.api('GET', '/connections');
    await t.api('PATCH', '/tenants/settings', { friendly_name: 'Again' });
    await t.api('DELETE', '/connections/con_doesnotexist0000');
    const log = t.auth0.tenant.mutations();
    expect(log.map((m) => [m.method, m.path, m.status])).toEqual([
      ['PATCH', '/api/v2/tenants/settings', 200],
      ['DELETE', '/api/v2/connections/con_doesnotexist0000', 404],
    ]);
    expect(Date.parse(log[0]!.time)).not.toBeNaN();
    t.auth0.tenant.resetMutations();
    expect(t.auth0.tenant.mutations()).toEqual([]);
  });

  it('serves the auth0 SDK 7.1 ManagementClient (connections, SCIM tokens, event streams)', async () => {
    const client = new ManagementClient({ domain: t.auth0.domain, token: await t.token(), fetch: t.fetch });
    const created = await client.connections.create({ name: 'sdk-idp', strategy: 'samlp', options: {} });
    expect(created.id).toMatch(/^con_/);
    await client.connections.scimConfiguration.create(created.id!, {
      user_id_attribute: 'userName',
      mapping: MAPPING,
    });
    const token = await client.connections.scimConfiguration.tokens.create(created.id!, {
      scopes: ['get:users'],
    });
    expect(token.token).toEqual(expect.any(String));
    const page = await client.connections.list({ take: 2 });
    const all = [...page.data];
    let current = page;
    while (current.hasNextPage()) {
      current = await current.getNextPage();
      all.push(...current.data);
    }
    expect(all.map((c) => c.name)).toContain('sdk-idp');
    const streams = await client.eventStreams.list();
    expect(Array.isArray(streams.data)).toBe(true);
  });
});
