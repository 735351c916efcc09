/**
 * End to end with the REAL auth0-deploy-cli (a child process trusting the local CA through
 * NODE_EXTRA_CA_CERTS): tenant.yaml deploys to the local tenant, and a second import of the same
 * file changes nothing but still sends the calls deploy-cli always sends (recorded here, exactly).
 *
 * Each import costs deploy-cli ~30 s of CPU (its own ajv schema validation), hence one test file
 * with two imports.
 */
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { run, startTestTenant, type TestTenant } from '../support/local-auth0';

const ROOT = path.join(__dirname, '../..');
const TENANT_YAML = path.join(ROOT, 'tenant.yaml');
const A0DEPLOY = path.join(ROOT, 'node_modules/auth0-deploy-cli/lib/index.js');

interface TenantYaml {
  connections: Array<{
    name: string;
    strategy: string;
    options: Record<string, unknown>;
    scim_configuration: { user_id_attribute: string; mapping: unknown[] };
  }>;
  actions: Array<{
    name: string;
    code: string;
    runtime: string;
    dependencies: unknown[];
    secrets: Array<{ name: string; value: string }>;
  }>;
  eventStreams: Array<{ name: string; status: string; subscriptions: Array<{ event_type: string }> }>;
}

/** Non-secret stand-in values for every ##KEYWORD## in tenant.yaml. */
function keywordValues(yamlText: string): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [, name] of yamlText.matchAll(/##(\w+)##/g)) values[name!] = `local-${name!.toLowerCase()}`;
  return {
    ...values,
    IDP_SIGN_IN_URL: 'https://idp.local.test/sso/saml',
    HUBSPOT_TOKEN: 'pat-test-token',
    HUBSPOT_BASE_URL: 'http://127.0.0.1:9/hubspot',
    SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/slack',
    DESTINATIONS: 'hubspot,slack',
  };
}

/** Replaces ids in a path by their OpenAPI placeholder, so calls compare across runs. */
const template = (p: string) =>
  p
    .replace(/\/con_[A-Za-z0-9]+/, '/{id}')
    .replace(/\/est_[A-Za-z0-9]+/, '/{id}')
    .replace(/\/actions\/actions\/[0-9a-f-]{36}/, '/actions/actions/{id}');

describe('real a0deploy against the local tenant', () => {
  let t: TestTenant;
  const yamlText = fs.readFileSync(TENANT_YAML, 'utf8');
  const doc = YAML.parse(yamlText) as TenantYaml;
  const keywords = keywordValues(yamlText);

  const a0deploy = () =>
    run(process.execPath, [A0DEPLOY, 'import', '--input_file', TENANT_YAML], {
      cwd: ROOT,
      timeoutMs: 170_000,
      env: {
        ...process.env,
        NODE_EXTRA_CA_CERTS: t.auth0.caCertPath,
        AUTH0_DOMAIN: t.auth0.domain,
        AUTH0_CLIENT_ID: t.auth0.clientId,
        AUTH0_CLIENT_SECRET: t.auth0.clientSecret,
        AUTH0_INCLUDED_ONLY: JSON.stringify(['tenant', 'connections', 'actions', 'eventStreams']),
        AUTH0_KEYWORD_REPLACE_MAPPINGS: JSON.stringify(keywords),
      },
    });

  beforeAll(async () => {
    t = await startTestTenant();
  });
  afterAll(() => t.stop());

  it('deploys tenant.yaml, then a no-op import re-sends only updates and an action deploy', async () => {
    const first = await a0deploy();
    expect({ code: first.code, stderr: first.stderr.slice(-2000) }).toEqual({
      code: 0,
      stderr: expect.any(String),
    });
    expect(first.stdout).toContain('Import Successful');
    const tenant = t.auth0.tenant;
    expect(t.auth0.unhandled).toEqual([]);

    // Connection + SCIM configuration as written, keywords replaced.
    const want = doc.connections[0]!;
    const connection = tenant.connectionByName(want.name)!;
    expect(connection.strategy).toBe(want.strategy);
    expect(connection.options.signInEndpoint).toBe(keywords.IDP_SIGN_IN_URL);
    const scim = tenant.scimConfigs.get(connection.id)!;
    expect(scim).toMatchObject({
      user_id_attribute: want.scim_configuration.user_id_attribute,
      mapping: want.scim_configuration.mapping,
    });

    // The Action: deployed, and the deployed code is byte for byte the file a0deploy read.
    const wantAction = doc.actions[0]!;
    const action = [...tenant.actions.values()].find((a) => a.name === wantAction.name)!;
    const version = tenant.deployedVersion(action)!;
    expect(version.number).toBe(1);
    expect(version.code).toBe(fs.readFileSync(path.join(ROOT, wantAction.code), 'utf8'));
    expect(version.runtime).toBe(wantAction.runtime);
    expect(version.dependencies).toEqual(wantAction.dependencies);
    expect(Object.fromEntries(version.secrets.map((s) => [s.name, s.value]))).toMatchObject({
      HUBSPOT_TOKEN: 'pat-test-token',
      SLACK_WEBHOOK_URL: keywords.SLACK_WEBHOOK_URL,
    });

    // The Event Stream points at the Action by id (deploy-cli resolves the name).
    const streams = [...tenant.eventStreams.values()];
    expect(streams).toHaveLength(1);
    expect(streams[0]).toMatchObject({
      name: doc.eventStreams[0]!.name,
      status: 'enabled',
      subscriptions: doc.eventStreams[0]!.subscriptions,
      destination: { type: 'action', configuration: { action_id: action.id } },
    });

    tenant.resetMutations();
    const second = await a0deploy();
    expect(second.code).toBe(0);
    const calls = tenant.mutations().map((m) => `${m.method} ${template(m.path)} ${m.status}`);
    // deploy-cli updates every matched resource without diffing and redeploys deployed actions; the
    // PATCH puts the action back in `pending`, so the first deploy is refused until the build ends.
    expect(calls.filter((c) => !c.startsWith('POST /api/v2/actions/actions/{id}/deploy'))).toEqual(
      expect.arrayContaining([
        'PATCH /api/v2/actions/actions/{id} 200',
        'PATCH /api/v2/connections/{id} 200',
        'PATCH /api/v2/connections/{id}/scim-configuration 200',
        'PATCH /api/v2/event-streams/{id} 200',
      ]),
    );
    const deploys = calls.filter((c) => c.startsWith('POST /api/v2/actions/actions/{id}/deploy'));
    expect(deploys[deploys.length - 1]).toBe('POST /api/v2/actions/actions/{id}/deploy 202');
    expect(calls).toHaveLength(4 + deploys.length);
    expect(calls.some((c) => / (201)$/.test(c))).toBe(false);
    // Nothing was duplicated; the only lasting change is a new (identical) action version.
    expect(tenant.connections.size).toBe(1);
    expect(tenant.actions.size).toBe(1);
    expect(tenant.eventStreams.size).toBe(1);
    expect(action.versions.map((v) => v.number)).toEqual([1, 2]);
    expect(action.versions[1]!.code).toBe(version.code);
    expect(tenant.scimConfigs.get(connection.id)!.mapping).toEqual(want.scim_configuration.mapping);
  }, 200_000);
});
