import { computePlan, changedTypes, hasChanges, type PlanInput } from '../../tenant/lib/plan';
import { makeMarker, withMarker } from '../../tenant/lib/marker';
import {
  ALL_SCOPES,
  CODE,
  HUBSPOT_DESIRED,
  SECRETS,
  desired,
  hubspotInSync,
  liveInSync,
} from './plan-fixtures';

function input(over: Partial<PlanInput> = {}): PlanInput {
  return {
    desired: desired(),
    live: liveInSync(),
    allowDelete: false,
    tokenScopes: ALL_SCOPES,
    hubspot: { desired: HUBSPOT_DESIRED, live: hubspotInSync() },
    ...over,
  };
}

const changed = (p: ReturnType<typeof computePlan>) => p.resources.filter((r) => r.action !== 'unchanged');

describe('plan: field-level diff of what this repo owns', () => {
  it('an in-sync tenant has no changes (derived options, mapping order and list order ignored)', () => {
    const plan = computePlan(input());
    expect(plan.errors).toEqual([]);
    expect(changed(plan)).toEqual([]);
    expect(hasChanges(plan)).toBe(false);
    expect(plan.resources.map((r) => `${r.type}:${r.name}`)).toEqual([
      'connections:corporate-idp',
      'actions:Onboarding Workflow',
      'eventStreams:Onboarding Workflow',
      'hubspotProperties:auth0_user_id',
      'hubspotProperties:auth0_last_event_at',
    ]);
  });

  it('an empty tenant: everything is created', () => {
    const plan = computePlan(
      input({ live: { scimReadable: true, connections: [], actions: [], eventStreams: [] } }),
    );
    expect(plan.errors).toEqual([]);
    expect(changed(plan).map((r) => `${r.action} ${r.type}`)).toEqual([
      'create connections',
      'create actions',
      'create eventStreams',
    ]);
    const action = plan.resources.find((r) => r.type === 'actions');
    expect(action?.fields).toContainEqual({
      field: 'secrets',
      note: 'names: HUBSPOT_TOKEN, SLACK_WEBHOOK_URL',
    });
    expect(changedTypes(plan)).toEqual(['connections', 'actions', 'eventStreams']);
  });

  it('shows the Action code as a unified diff, ignoring the deploy marker', () => {
    const d = desired();
    d.actions![0]!.code = CODE.replace('"v1"', '"v2"');
    const plan = computePlan(input({ desired: d }));
    const [action] = changed(plan);
    expect(action?.fields.map((f) => f.field)).toEqual(['code']);
    const diff = action?.fields[0]?.diff ?? '';
    expect(diff).toContain('--- Onboarding Workflow (deployed)');
    expect(diff).toContain('-  return "v1";');
    expect(diff).toContain('+  return "v2";');
    expect(diff).not.toContain('auth0-iac');
  });

  it('reports secrets by name only: added, removed, value changed', () => {
    const d = desired();
    d.actions![0]!.secrets = [
      { name: 'HUBSPOT_TOKEN', value: 'pat-test-rotated' },
      { name: 'TEAMS_WEBHOOK_URL', value: 'http://127.0.0.1:9/fake-teams' },
    ];
    const plan = computePlan(input({ desired: d }));
    const fields = changed(plan)[0]?.fields ?? [];
    expect(fields).toEqual([
      { field: 'secrets', note: 'added: TEAMS_WEBHOOK_URL' },
      { field: 'secrets', note: 'removed: SLACK_WEBHOOK_URL' },
      { field: 'secrets', note: 'value changed: HUBSPOT_TOKEN' },
    ]);
    expect(JSON.stringify(plan)).not.toContain('pat-test-rotated');
  });

  it('re-sends secrets when the deployed Action has no marker (deployed by other means)', () => {
    const live = liveInSync();
    live.actions[0]!.code = CODE;
    const fields = changed(computePlan(input({ live })))[0]?.fields;
    expect(fields).toEqual([
      {
        field: 'secrets',
        note: 'values cannot be verified (deployed without a deploy marker), will be re-sent: HUBSPOT_TOKEN, SLACK_WEBHOOK_URL',
      },
    ]);
  });

  it('without secret values (a plan with no secrets set) warns instead of claiming a change', () => {
    const plan = computePlan(input({ missingSecretValues: ['HUBSPOT_TOKEN'] }));
    expect(changed(plan)).toEqual([]);
    expect(plan.warnings).toEqual([
      'action "Onboarding Workflow": values of HUBSPOT_TOKEN were not compared (not set in this environment)',
    ]);
  });

  it('runtime, dependencies and an undeployed latest version are changes', () => {
    const live = liveInSync();
    live.actions[0]!.runtime = 'node18';
    live.actions[0]!.dependencies = [{ name: 'zod', version: '4.0.0' }];
    live.actions[0]!.all_changes_deployed = false;
    const fields = changed(computePlan(input({ live })))[0]?.fields;
    expect(fields).toEqual([
      { field: 'runtime', before: 'node18', after: 'node22' },
      { field: 'dependencies', before: ['zod@4.0.0'], after: ['cockatiel@3.2.1', 'zod@4.6.7'] },
      { field: 'deployed', before: false, after: true, note: 'the latest saved version is not deployed' },
    ]);
  });

  it('connection options and the SCIM mapping, by field', () => {
    const live = liveInSync();
    live.connections[0]!.options.signInEndpoint = 'https://old.example.test/sso';
    live.connections[0]!.scim_configuration!.mapping = [
      { auth0: 'blocked', scim: 'active' },
      { auth0: 'nickname', scim: 'nickName' },
    ];
    const fields = changed(computePlan(input({ live })))[0]?.fields;
    expect(fields).toEqual([
      {
        field: 'options.signInEndpoint',
        before: 'https://old.example.test/sso',
        after: 'https://idp.example.test/sso',
      },
      {
        field: 'scim_configuration.mapping',
        before: ['nickname <- nickName'],
        after: ['email <- emails[type eq "work"].value'],
        note: undefined,
      },
    ]);
  });

  it('stream status and subscriptions', () => {
    const live = liveInSync();
    live.eventStreams[0]!.status = 'disabled';
    live.eventStreams[0]!.subscriptions = [{ event_type: 'user.created' }];
    const fields = changed(computePlan(input({ live })))[0]?.fields;
    expect(fields).toEqual([
      { field: 'status', before: 'disabled', after: 'enabled' },
      {
        field: 'subscriptions',
        before: ['user.created'],
        after: ['user.created', 'user.deleted', 'user.updated'],
      },
    ]);
  });

  it('guard: an existing stream pointing at another action is an error that says how to fix it', () => {
    const live = liveInSync();
    live.eventStreams[0]!.destination = { type: 'action', configuration: { action_id: 'act_other' } };
    const plan = computePlan(input({ live }));
    expect(plan.errors).toEqual([
      'event stream "Onboarding Workflow": sends to action "Login Risk" in the tenant but tenant.yaml names "Onboarding Workflow"; a0deploy cannot change an existing stream\'s destination: delete the stream in the tenant (or rename it in tenant.yaml and deploy with --allow-delete), then deploy again',
    ]);
  });

  it('guard: an existing stream whose named action does not exist yet', () => {
    const live = liveInSync();
    live.actions = live.actions.filter((a) => a.name !== 'Onboarding Workflow');
    const plan = computePlan(input({ live }));
    expect(plan.errors[0]).toMatch(
      /tenant\.yaml names "Onboarding Workflow" \(not deployed yet\); a0deploy cannot change/,
    );
  });

  it('guard: missing scim_config scopes (from the token, or a 403 on read)', () => {
    const fromToken = computePlan(
      input({ forDeploy: true, tokenScopes: ['read:scim_config', 'read:actions'] }),
    );
    expect(fromToken.errors).toEqual([
      'the Management API client lacks create:scim_config, update:scim_config; a0deploy would skip scim_configuration with only a warning: grant these scopes to the deploy client (Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications)',
    ]);
    const live = liveInSync();
    live.scimReadable = false;
    live.connections[0]!.scim_configuration = undefined;
    const from403 = computePlan(input({ live, tokenScopes: null, forDeploy: true }));
    expect(from403.errors[0]).toMatch(/^the Management API client lacks read:scim_config; /);
    // A plan alone runs with read-only credentials (pull requests, drift): no write scopes needed.
    expect(computePlan(input({ tokenScopes: ['read:scim_config'] })).errors).toEqual([]);
    const readOnly403 = computePlan(input({ live, tokenScopes: null }));
    expect(readOnly403.errors).toEqual([]);
    expect(readOnly403.warnings).toEqual([
      'SCIM configurations were not compared: this client lacks read:scim_config',
    ]);
  });

  it('a strategy change is an error, not an update', () => {
    const live = liveInSync();
    live.connections[0]!.strategy = 'oidc';
    expect(computePlan(input({ live })).errors[0]).toMatch(
      /strategy is oidc in the tenant but samlp in tenant.yaml/,
    );
  });

  it('with deletes allowed, lists owned-type resources a0deploy would delete', () => {
    const plan = computePlan(input({ allowDelete: true }));
    expect(changed(plan).map((r) => `${r.action} ${r.type} ${r.name}`)).toEqual([
      'delete actions Login Risk',
    ]);
    expect(changed(computePlan(input({ allowDelete: false })))).toEqual([]);
  });

  it('HubSpot: missing group and properties are created; a wrong type is an error', () => {
    const hs = hubspotInSync();
    hs.groupExists = false;
    hs.properties.auth0_last_event_at = undefined;
    hs.properties.auth0_user_id = {
      name: 'auth0_user_id',
      type: 'number',
      fieldType: 'number',
      hasUniqueValue: false,
      groupName: 'x',
    };
    const plan = computePlan(input({ hubspot: { desired: HUBSPOT_DESIRED, live: hs } }));
    expect(changed(plan).map((r) => `${r.action} ${r.name}`)).toEqual([
      'create group auth0',
      'create auth0_last_event_at',
    ]);
    expect(plan.errors[0]).toMatch(
      /^HubSpot contact property auth0_user_id exists as number but the Action needs string \(unique\)/,
    );
    const unchecked = computePlan(input({ hubspot: { desired: HUBSPOT_DESIRED, live: null } }));
    expect(unchecked.warnings).toContain(
      'HubSpot properties were not checked (no HubSpot token in this environment)',
    );
  });

  it('a marker from an older deploy with other values means value changed', () => {
    const live = liveInSync();
    live.actions[0]!.code = withMarker(
      CODE,
      makeMarker({ ...SECRETS, SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/old' }, Object.keys(SECRETS)),
    );
    expect(changed(computePlan(input({ live })))[0]?.fields).toEqual([
      { field: 'secrets', note: 'value changed: SLACK_WEBHOOK_URL' },
    ]);
  });
});
