/**
 * tenant.yaml's SCIM attribute map against what Okta and Entra ID really send (the recorded
 * requests), and against what the Onboarding Workflow Action reads from the Auth0 user.
 */
import { PROFILE_FIELDS, toProfile } from '../../event-streams/onboarding-workflow/lifecycle';
import { loadScimConnection, modelLifecycle } from '../../connections/lifecycle-model';
import { IDPS, loadLifecycle, type Idp } from '../../connections/request-fixture';
import {
  applyMapping,
  mappingForPath,
  parseExpression,
  patchOperations,
  readAttribute,
} from '../../connections/scim-attributes';

const connection = loadScimConnection();
const lifecycles = Object.fromEntries(IDPS.map((idp) => [idp, loadLifecycle(idp)])) as Record<
  Idp,
  ReturnType<typeof loadLifecycle>
>;
const createBody = (idp: Idp) => lifecycles[idp].find((f) => f.fixture.method === 'POST')!.fixture.body!;

describe('user_id_attribute', () => {
  it('is externalId: immutable in both IdPs, unlike userName', () => {
    expect(connection.userIdAttribute).toBe('externalId');
  });

  it.each(IDPS)('%s sends it on create, and the Auth0 user_id is built from it', (idp) => {
    const externalId = readAttribute(createBody(idp), 'externalId');
    expect(typeof externalId).toBe('string');
    const create = lifecycles[idp].find((f) => f.fixture.method === 'POST')!;
    expect(create.fixture.expect.auth0User?.user_id).toBe(
      `${connection.strategy}|${connection.name}|${externalId}`,
    );
  });

  it.each(IDPS)('%s renames the user (userName changes) without changing the user_id', (idp) => {
    const model = modelLifecycle(connection, lifecycles[idp]);
    const userNames = new Set(
      model.map((s) => s.resource && readAttribute(s.resource, 'userName')).filter(Boolean),
    );
    const userIds = new Set(model.map((s) => s.user?.user_id).filter(Boolean));
    expect(userNames.size).toBeGreaterThan(1);
    expect(userIds.size).toBe(1);
  });

  it('would not survive a rename if it were userName', () => {
    const asUserName = { ...connection, userIdAttribute: 'userName' };
    for (const idp of IDPS) {
      const model = modelLifecycle(asUserName, lifecycles[idp]);
      const finalName = model
        .map((s) => s.resource && readAttribute(s.resource, 'userName'))
        .filter(Boolean)
        .pop();
      const userId = model.find((s) => s.user)!.user!.user_id as string;
      // The next SAML login (NameID = new login/UPN) would map to a different user_id: a second user.
      expect(userId.endsWith(`|${String(finalName)}`)).toBe(false);
    }
  });
});

describe('mapping', () => {
  it('maps each SCIM attribute and each Auth0 attribute once (Auth0 allows one-to-one only)', () => {
    const scim = connection.mapping.map((m) => m.scim.toLowerCase());
    const auth0 = connection.mapping.map((m) => m.auth0);
    expect(new Set(scim).size).toBe(scim.length);
    expect(new Set(auth0).size).toBe(auth0.length);
  });

  it('uses only root attributes Auth0 has, and app_metadata for the rest', () => {
    const roots = new Set(['username', 'email', 'given_name', 'family_name', 'name', 'nickname', 'blocked']);
    for (const { auth0 } of connection.mapping) {
      expect(roots.has(auth0) || /^app_metadata\.[a-z_]+$/.test(auth0)).toBe(true);
    }
  });

  it.each(connection.mapping.map((m) => [m.scim, m] as const))(
    '%s is sent by at least one IdP when it creates a user',
    (scim) => {
      expect(() => parseExpression(scim)).not.toThrow();
      const senders = IDPS.filter((idp) => readAttribute(createBody(idp), scim) !== undefined);
      expect(senders.length).toBeGreaterThan(0);
    },
  );

  it.each(IDPS)('%s: the created Auth0 user is what the create fixture expects', (idp) => {
    const create = lifecycles[idp].find((f) => f.fixture.method === 'POST')!;
    const { user_id: _userId, ...expected } = create.fixture.expect.auth0User!;
    expect(applyMapping(createBody(idp), connection.mapping)).toMatchObject(expected);
  });

  it.each(IDPS)('%s: after create, the Action gets every field it uses except those sent later', (idp) => {
    const user = { user_id: 'samlp|x|y', ...applyMapping(createBody(idp), connection.mapping) };
    const profile = toProfile(user);
    const missing = PROFILE_FIELDS.filter((field) => profile[field] === undefined);
    // Entra ID sends the manager (a reference attribute) in a PATCH after the create.
    expect(missing).toEqual(idp === 'entra-id' ? ['managerId'] : []);
  });

  it("Entra ID's follow-up manager PATCH lands on the mapped manager attribute", () => {
    const patch = lifecycles['entra-id'].find((f) =>
      patchOperations(f.fixture.body ?? {}).some((op) => /manager$/i.test(op.path ?? '')),
    )!;
    const op = patchOperations(patch.fixture.body!)[0]!;
    expect(mappingForPath(connection.mapping, op.path!)?.auth0).toBe('app_metadata.manager_id');
  });

  it.each(IDPS)('%s: at some point of the lifecycle the Action has every field it uses', (idp) => {
    const model = modelLifecycle(connection, lifecycles[idp]);
    const complete = model.some(
      (s) => s.user && PROFILE_FIELDS.every((f) => toProfile(s.user as { user_id: string })[f] !== undefined),
    );
    expect(complete).toBe(true);
  });
});

describe('lifecycle expectations agree with the mapping (offline model of Auth0 Inbound SCIM)', () => {
  const steps = IDPS.flatMap((idp) => {
    const model = modelLifecycle(connection, lifecycles[idp]);
    return model.map((s) => [`${idp}/${s.step.file}`, s] as const);
  });

  it.each(steps)('%s', (_, s) => {
    const { expect: want } = s.step.fixture;
    expect(s.event).toBe(want.event);
    if (want.auth0User === null) expect(s.user).toBeNull();
    else if (want.auth0User !== undefined) expect(s.user).toMatchObject(want.auth0User);
  });

  it('active=false blocks the user and keeps it; only a DELETE removes it', () => {
    for (const idp of IDPS) {
      const model = modelLifecycle(connection, lifecycles[idp]);
      for (const s of model.filter((m) => m.user?.blocked === true)) expect(s.event).toBe('user.updated');
      const gone = model.filter((m, i) => i > 0 && model[i - 1]!.user && !m.user);
      expect(gone.map((m) => m.step.fixture.method)).toEqual(idp === 'entra-id' ? ['DELETE'] : []);
    }
  });
});
