/**
 * The recorded IdP requests: every file parses against the fixture schema, forms a coherent
 * lifecycle, and is valid SCIM 2.0 (RFC 7643/7644) except for the departures it declares.
 */
import SCIMMY from 'scimmy';
import {
  IDPS,
  loadLifecycle,
  requestFixture,
  resolvePath,
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_PATCH_SCHEMA,
  SCIM_USER_SCHEMA,
  type LoadedFixture,
} from '../../connections/request-fixture';
import { detectQuirks, parseExpression, patchOperations } from '../../connections/scim-attributes';

const lifecycles = Object.fromEntries(IDPS.map((idp) => [idp, loadLifecycle(idp)])) as Record<
  (typeof IDPS)[number],
  LoadedFixture[]
>;
const all = IDPS.flatMap((idp) => lifecycles[idp]);
const named = all.map((f) => [`${f.idp}/${f.file}`, f] as const);

// Core User attribute names (RFC 7643 section 4.1) and the enterprise extension's (section 4.3),
// read from scimmy's schema definitions rather than typed out here.
const coreAttributes = new Set(SCIMMY.Schemas.User.definition.attributes.map((a) => a.name.toLowerCase()));
const enterpriseAttributes = new Set(
  SCIMMY.Schemas.EnterpriseUser.definition.attributes.map((a) => a.name.toLowerCase()),
);

function knownAttributePath(expression: string): boolean {
  const e = parseExpression(expression);
  if (e.urn) return e.urn === SCIM_ENTERPRISE_SCHEMA && enterpriseAttributes.has(e.attribute.toLowerCase());
  return coreAttributes.has(e.attribute.toLowerCase());
}

describe('fixture files', () => {
  it.each(IDPS)('%s has a lifecycle of consecutively numbered requests', (idp) => {
    const steps = lifecycles[idp].map((f) => f.step);
    expect(steps.length).toBeGreaterThanOrEqual(5);
    expect(steps).toEqual(steps.map((_, i) => i + 1));
  });

  it.each(IDPS)('%s creates the user once, before any request addresses it by {id}', (idp) => {
    const steps = lifecycles[idp];
    const creates = steps.filter((f) => f.fixture.method === 'POST');
    expect(creates).toHaveLength(1);
    let id: string | undefined;
    for (const { fixture } of steps) {
      expect(() => resolvePath(fixture.path, id)).not.toThrow();
      if (fixture.method === 'POST') id = 'created';
    }
  });

  it.each(IDPS)('%s deactivates through active=false: Auth0 blocks the user with user.updated', (idp) => {
    const deactivations = lifecycles[idp].filter((f) => f.fixture.expect.auth0User?.blocked === true);
    expect(deactivations.length).toBeGreaterThan(0);
    for (const d of deactivations) expect(d.fixture.expect.event).toBe('user.updated');
  });

  it('only Entra ID hard-deletes; Okta never sends DELETE for users', () => {
    expect(lifecycles.okta.some((f) => f.fixture.method === 'DELETE')).toBe(false);
    const deletes = lifecycles['entra-id'].filter((f) => f.fixture.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.fixture.expect).toMatchObject({ status: 204, event: 'user.deleted', auth0User: null });
  });

  it('the schema rejects a real-looking token, a body on GET, and a PATCH on the collection', () => {
    const base = lifecycles.okta.find((f) => f.fixture.method === 'PATCH')!.fixture;
    const bad = [
      { ...base, headers: { ...base.headers, Authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.real' } },
      { ...base, method: 'GET', body: base.body },
      { ...base, path: '/Users' },
      { ...base, expect: { ...base.expect, status: 99 } },
      { ...base, extra: true },
    ];
    for (const candidate of bad) expect(requestFixture.safeParse(candidate).success).toBe(false);
    expect(requestFixture.safeParse(base).success).toBe(true);
  });

  it('fixtures carry no secrets: only the token placeholder, example.com addresses', () => {
    for (const { fixture } of all) {
      const text = JSON.stringify(fixture);
      expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/); // JWT-looking strings
      for (const email of text.match(/[\w.+-]+@[\w.-]+\.\w+/g) ?? []) expect(email).toMatch(/@example\.com$/);
    }
  });
});

describe('request bodies are SCIM 2.0', () => {
  const resources = named.filter(([, f]) => f.fixture.method === 'POST' || f.fixture.method === 'PUT');
  const patches = named.filter(([, f]) => f.fixture.method === 'PATCH');
  const queries = named.filter(([, f]) => f.fixture.method === 'GET' && f.fixture.path.includes('?'));

  it.each(resources)('%s is a User resource whose extension is declared in schemas', (_, { fixture }) => {
    const body = fixture.body!;
    const schemas = body.schemas as string[];
    expect(schemas).toContain(SCIM_USER_SCHEMA);
    const extensionKeys = Object.keys(body).filter((k) => k.startsWith('urn:'));
    expect([...schemas].sort()).toEqual([SCIM_USER_SCHEMA, ...extensionKeys].sort());
    for (const key of Object.keys(body).filter((k) => !k.startsWith('urn:'))) {
      expect(coreAttributes).toContain(key.toLowerCase());
    }
    // scimmy checks types (strings, booleans, complex and multi-valued shapes) per RFC 7643.
    const { [SCIM_ENTERPRISE_SCHEMA]: enterprise, ...core } = body;
    const coreOnly = { ...core, schemas: [SCIM_USER_SCHEMA] };
    expect(() => new SCIMMY.Schemas.User(coreOnly, 'in')).not.toThrow();
    if (enterprise !== undefined)
      expect(() => new SCIMMY.Schemas.EnterpriseUser(enterprise, 'in')).not.toThrow();
  });

  it.each(patches)('%s is a PatchOp message on known attributes', (_, { fixture }) => {
    const body = fixture.body!;
    expect(body.schemas).toEqual([SCIM_PATCH_SCHEMA]);
    // scimmy's PatchOp checks the message shape (schemas, Operations, op names, required path/value).
    const message = body as unknown as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0];
    expect(() => new SCIMMY.Messages.PatchOp(message)).not.toThrow();
    for (const op of patchOperations(body)) {
      expect(op.op.toLowerCase()).toMatch(/^(add|replace|remove)$/);
      const targets = op.path !== undefined ? [op.path] : Object.keys(op.value as Record<string, unknown>);
      for (const target of targets) expect(knownAttributePath(target)).toBe(true);
    }
  });

  it.each(named)('%s declares exactly the RFC departures its body shows', (_, { fixture }) => {
    expect([...fixture.quirks].sort()).toEqual(detectQuirks(fixture.method, fixture.body));
  });

  it.each(queries)('%s filters on userName with eq, the one filter both IdPs send', (_, { fixture }) => {
    const query = new URL(fixture.path, 'https://scim.example.com').searchParams;
    expect(query.get('filter')).toMatch(/^userName eq "[^"]+"$/);
  });

  it('the Okta query carries Okta paging parameters; Entra sends the filter alone', () => {
    const params = (idp: (typeof IDPS)[number]) =>
      [...new URL(lifecycles[idp][0]!.fixture.path, 'https://scim.example.com').searchParams.keys()].sort();
    expect(params('okta')).toEqual(['count', 'filter', 'startIndex']);
    expect(params('entra-id')).toEqual(['filter']);
  });

  it('Okta writes lower-case RFC operations; Entra ID capitalizes them unless the compliance flag is set', () => {
    const quirks = (idp: (typeof IDPS)[number]) => new Set(lifecycles[idp].flatMap((f) => f.fixture.quirks));
    expect(quirks('okta').size).toBe(0);
    expect([...quirks('entra-id')]).toEqual(
      expect.arrayContaining(['op-capitalized', 'boolean-as-string', 'manager-bare-string']),
    );
  });
});
