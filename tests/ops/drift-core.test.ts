import { makeMarker, withMarker } from '../../tenant/lib/marker';
import { computePlan, type DesiredAssets } from '../../tenant/lib/plan';
import {
  driftExitCode,
  exportToLive,
  parseAddress,
  rawValueAt,
  renderDrift,
  withPreservedDifferences,
} from '../../tenant/ops/drift-core';

const desired = (): DesiredAssets => ({
  connections: [
    {
      name: 'corporate-idp',
      strategy: 'samlp',
      options: { signInEndpoint: 'https://idp.example/sso', signingCert: 'CERT' },
      scim_configuration: {
        user_id_attribute: 'externalId',
        mapping: [{ auth0: 'email', scim: 'emails[type eq "work"].value' }],
      },
    },
  ],
  actions: [
    {
      name: 'Onboarding Workflow',
      code: 'exports.onExecuteEventStream = async () => {};\n',
      runtime: 'node22',
      deployed: true,
      dependencies: [{ name: 'zod', version: '4.6.7' }],
      secrets: [{ name: 'HUBSPOT_TOKEN', value: 'pat-test-token' }],
      supported_triggers: [{ id: 'event-stream', version: 'v1' }],
    },
  ],
  eventStreams: [
    {
      name: 'Onboarding Workflow',
      status: 'enabled',
      subscriptions: [{ event_type: 'user.created' }],
      destination: { type: 'action', configuration: { action_id: 'Onboarding Workflow' } },
    },
  ],
});

/**
 * What a0deploy export gives back for a tenant `npm run deploy` wrote: names for ids, secret values
 * absent, the code with the deploy's secrets marker (digests of the values it sent).
 */
const exported = (deployedToken = 'pat-test-token'): DesiredAssets => {
  const d = desired();
  const action = d.actions![0]!;
  action.secrets = [{ name: 'HUBSPOT_TOKEN' }];
  action.code = withMarker(action.code, makeMarker({ HUBSPOT_TOKEN: deployedToken }, ['HUBSPOT_TOKEN']));
  return d;
};

const tenantDoc = {
  connections: [
    {
      name: 'corporate-idp',
      options: { signingCert: '##IDP_SIGNING_CERT##', signInEndpoint: '##IDP_SIGN_IN_URL##' },
    },
  ],
  actions: [
    { name: 'Onboarding Workflow', secrets: [{ name: 'HUBSPOT_TOKEN', value: '##HUBSPOT_TOKEN##' }] },
  ],
};

const plan = (live: DesiredAssets, allowDelete = false, missingSecretValues: string[] = []) =>
  computePlan({
    desired: desired(),
    live: exportToLive(live, true),
    allowDelete,
    missingSecretValues,
    tokenScopes: null,
  });

describe('drift from an export', () => {
  it('finds nothing when the export matches tenant.yaml', () => {
    const p = plan(exported());
    expect(p.errors).toEqual([]);
    expect(driftExitCode(p)).toBe(0);
    expect(renderDrift(p, { environment: 'local', domain: 'd' }, 'text').split('\n')[0]).toBe(
      'Drift for local (d): no drift (the tenant matches tenant.yaml)',
    );
  });

  it('reports a stream disabled in the tenant, in the plan format', () => {
    const live = exported();
    live.eventStreams![0]!.status = 'disabled';
    const p = plan(live);
    expect(driftExitCode(p)).toBe(2);
    const text = renderDrift(p, { environment: 'local', domain: 'd' }, 'text');
    expect(text).toContain('~ event stream "Onboarding Workflow" (update)');
    expect(text).toContain('status: "disabled" -> "enabled"');
  });

  it('notices a secret value changed outside the deploy, by name only', () => {
    const p = plan(exported('pat-other-token'));
    const text = renderDrift(p, { environment: 'local', domain: 'd' }, 'text');
    expect(text).toContain('secrets: value changed: HUBSPOT_TOKEN');
    expect(text).not.toContain('pat-');
    // Without the value in this environment it cannot tell, and says so instead of guessing.
    const unknown = plan(exported('pat-other-token'), false, ['HUBSPOT_TOKEN']);
    expect(driftExitCode(unknown)).toBe(0);
    expect(unknown.warnings[0]).toContain('HUBSPOT_TOKEN were not compared');
  });

  it('reports SCIM mapping and code changes made by hand', () => {
    const live = exported();
    live.connections![0]!.scim_configuration!.mapping!.push({ auth0: 'nickname', scim: 'nickName' });
    live.actions![0]!.code = 'exports.onExecuteEventStream = async () => { /* hotfix */ };\n';
    const text = renderDrift(plan(live), { environment: 'local', domain: 'd' }, 'text');
    expect(text).toMatch(/scim_configuration\.mapping:\s+- nickname <- nickName/);
    expect(text).toContain('code: changed (diff below)');
    expect(text).toContain('+exports.onExecuteEventStream = async () => {};');
  });

  it('reports a stream pointed at an action outside tenant.yaml as drift, not as an error exit', () => {
    const live = exported();
    live.eventStreams![0]!.destination = { type: 'action', configuration: { action_id: 'act_raw_id' } };
    const p = plan(live);
    expect(p.errors[0]).toContain('sends to action "act_raw_id"');
    expect(driftExitCode(p)).toBe(2);
  });

  it('reports extra owned actions only when deletes are asked for', () => {
    const live = exported();
    live.actions!.push({ ...live.actions![0]!, name: 'Manual hotfix' });
    expect(plan(live).resources.some((r) => r.name === 'Manual hotfix')).toBe(false);
    expect(plan(live, true).resources).toContainEqual(
      expect.objectContaining({ name: 'Manual hotfix', action: 'delete' }),
    );
  });

  it('turns preserved-keyword differences into field changes: values only for non-secret keywords', () => {
    const keywords = {
      values: {
        IDP_SIGN_IN_URL: 'https://idp.example/sso',
        IDP_SIGNING_CERT: 'CERT',
        HUBSPOT_TOKEN: 'pat-test-token',
      },
      secretNames: ['IDP_SIGNING_CERT', 'HUBSPOT_TOKEN'],
    };
    const p = withPreservedDifferences(
      plan(exported()),
      [
        { address: 'connections.[name=corporate-idp].options.signingCert', remote: 'OLD-CERT-VALUE' },
        {
          address: 'connections.[name=corporate-idp].options.signInEndpoint',
          remote: 'https://evil.example/sso',
        },
        {
          address: 'actions.[name=Onboarding Workflow].secrets.[name=HUBSPOT_TOKEN].value',
          remote: 'undefined',
        },
        { address: 'not an address' },
      ],
      tenantDoc,
      keywords,
    );
    const conn = p.resources.find((r) => r.type === 'connections');
    expect(conn).toMatchObject({
      action: 'update',
      fields: [
        {
          field: 'options.signInEndpoint',
          before: 'https://evil.example/sso',
          after: 'https://idp.example/sso',
          note: 'tenant.yaml: ##IDP_SIGN_IN_URL##',
        },
        {
          field: 'options.signingCert',
          note: 'live value differs from ##IDP_SIGNING_CERT## (not shown: secret)',
        },
      ],
    });
    // Action secret values are never returned: their "difference" is not drift.
    expect(p.resources.find((r) => r.type === 'actions')?.action).toBe('unchanged');
    expect(driftExitCode(p)).toBe(2);
    const text = renderDrift(p, { environment: 'staging', domain: 'd' }, 'text');
    expect(text).toContain(
      'options.signInEndpoint: "https://evil.example/sso" -> "https://idp.example/sso" (tenant.yaml: ##IDP_SIGN_IN_URL##)',
    );
    expect(text).not.toContain('OLD-CERT-VALUE');
    expect(text).not.toContain('"CERT"');
    const md = renderDrift(p, { environment: 'staging', domain: 'd' }, 'markdown');
    expect(md).toContain('### Auth0 tenant drift: `staging`');
    expect(md).not.toContain('OLD-CERT-VALUE');
  });

  it('parses export addresses', () => {
    expect(parseAddress('connections.[name=corporate-idp].options.signingCert')).toEqual({
      type: 'connections',
      name: 'corporate-idp',
      field: 'options.signingCert',
    });
    expect(parseAddress('tenant.friendly_name')).toEqual({
      type: 'tenant',
      name: 'settings',
      field: 'friendly_name',
    });
    expect(parseAddress('clients.[name=x].y')).toBeNull();
    const a = parseAddress('actions.[name=Onboarding Workflow].secrets.[name=HUBSPOT_TOKEN].value')!;
    expect(rawValueAt(tenantDoc, a)).toBe('##HUBSPOT_TOKEN##');
  });
});
