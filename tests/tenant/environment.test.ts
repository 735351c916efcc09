import path from 'node:path';
import {
  isOmitted,
  listEnvironmentNames,
  loadEnvironment,
  needsLocalStack,
  parseEnvironment,
  resolveEnvironment,
} from '../../tenant/lib/environment';

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = 'tenant/environments/staging.yaml';

const valid = `
AUTH0_DOMAIN: example-staging.eu.auth0.com
AUTH0_INCLUDED_ONLY: [tenant, connections, actions, eventStreams]
keywords:
  HUBSPOT_BASE_URL: https://api.hubapi.com
secrets: [HUBSPOT_TOKEN, SLACK_WEBHOOK_URL]
settings:
  slackChannel: '#people-ops'
hubspot:
  basePath: https://api.hubapi.com
  tokenSecret: HUBSPOT_TOKEN
  group: { name: auth0, label: Auth0 }
  properties:
    - { name: auth0_user_id, label: Auth0 user ID, type: string, fieldType: text, unique: true }
`;

function problems(text: string, name = 'staging', file = FILE): string[] {
  const r = parseEnvironment(name, file, text);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
}

describe('environment files', () => {
  it('the committed local, staging and production files are valid', () => {
    expect(listEnvironmentNames(ROOT)).toEqual(['local', 'production', 'staging']);
    for (const name of ['local', 'staging', 'production']) {
      const r = loadEnvironment(ROOT, name);
      expect(r.ok ? [] : r.problems).toEqual([]);
    }
  });

  it('parses a valid file with defaults', () => {
    const r = parseEnvironment('staging', FILE, valid);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.AUTH0_DOMAIN).toBe('example-staging.eu.auth0.com');
      expect(r.value.hubspot.properties[0]?.unique).toBe(true);
    }
  });

  it('names the file and the field of a bad domain', () => {
    expect(
      problems(
        valid.replace(
          'AUTH0_DOMAIN: example-staging.eu.auth0.com',
          'AUTH0_DOMAIN: https://example.auth0.com/',
        ),
      ),
    ).toEqual([
      `${FILE}: AUTH0_DOMAIN: must be a bare host name like "example.eu.auth0.com" (no https://, no path)`,
    ]);
  });

  it('names an unknown field (typo) with its path', () => {
    expect(problems(valid.replace('settings:', 'setings:'))).toEqual([
      `${FILE}: setings: unknown field (check the spelling)`,
    ]);
    expect(
      problems(valid.replace('tokenSecret:', 'tokenSecret: HUBSPOT_TOKEN\n  colour: red\n  x:')),
    ).toContainEqual(`${FILE}: hubspot.colour, hubspot.x: unknown field (check the spelling)`);
  });

  it('rejects an unknown resource type in AUTH0_INCLUDED_ONLY', () => {
    const p = problems(valid.replace('[tenant, connections, actions, eventStreams]', '[tenant, clients]'));
    expect(p).toEqual([
      `${FILE}: AUTH0_INCLUDED_ONLY[1]: each entry must be one of tenant, connections, actions, eventStreams`,
    ]);
  });

  it('rejects lower-case keyword names and empty values, one message each', () => {
    expect(
      problems(valid.replace('HUBSPOT_BASE_URL: https://api.hubapi.com', 'hubspot_base_url: x')),
    ).toEqual([`${FILE}: keywords.hubspot_base_url: must be UPPER_SNAKE_CASE, like HUBSPOT_TOKEN`]);
    expect(
      problems(valid.replace('HUBSPOT_BASE_URL: https://api.hubapi.com', 'HUBSPOT_BASE_URL: ""')),
    ).toEqual([`${FILE}: keywords.HUBSPOT_BASE_URL: must not be empty`]);
  });

  it('refuses localStack values outside local.yaml', () => {
    const p = problems(
      valid.replace(
        'AUTH0_DOMAIN: example-staging.eu.auth0.com',
        'AUTH0_DOMAIN: { localStack: auth0.domain }',
      ),
    );
    expect(p).toEqual([`${FILE}: AUTH0_DOMAIN: localStack is only allowed in local.yaml`]);
  });

  it('omitSecrets: prefixes, and a conflict with a value', () => {
    const ok = parseEnvironment(
      'staging',
      FILE,
      valid.replace('settings:', 'omitSecrets: [SALESFORCE_*, JIRA_API_TOKEN]\nsettings:'),
    );
    if (!ok.ok) throw new Error(ok.problems.join('\n'));
    expect(isOmitted(ok.value, 'SALESFORCE_CLIENT_ID')).toBe(true);
    expect(isOmitted(ok.value, 'JIRA_API_TOKEN')).toBe(true);
    expect(isOmitted(ok.value, 'JIRA_EMAIL')).toBe(false);
    expect(problems(valid.replace('settings:', 'omitSecrets: [HUBSPOT_*]\nsettings:'))).toEqual([
      `${FILE}: omitSecrets: HUBSPOT_BASE_URL is omitted but also given a value; keep one`,
      `${FILE}: omitSecrets: HUBSPOT_TOKEN is omitted but also given a value; keep one`,
    ]);
    expect(problems(valid.replace('settings:', 'omitSecrets: [salesforce]\nsettings:'))).toEqual([
      `${FILE}: omitSecrets[0]: must be a secret name or a prefix ending in *, like SALESFORCE_*`,
    ]);
  });

  it('localStack fields only in local.yaml', () => {
    expect(
      problems(
        valid.replace('settings:', 'localStack: { clientId: a, clientSecret: b, caFile: c }\nsettings:'),
      ),
    ).toEqual([
      `${FILE}: localStack: only allowed in local.yaml (credentials come from AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET)`,
    ]);
  });

  it('catches a secret listed twice, a secret that is also a keyword, and a tokenSecret not among secrets', () => {
    const text = valid.replace(
      'secrets: [HUBSPOT_TOKEN, SLACK_WEBHOOK_URL]',
      'secrets: [SLACK_WEBHOOK_URL, SLACK_WEBHOOK_URL, HUBSPOT_BASE_URL]',
    );
    expect(problems(text)).toEqual([
      `${FILE}: secrets[1]: SLACK_WEBHOOK_URL is listed twice`,
      `${FILE}: secrets[2]: HUBSPOT_BASE_URL is also under keywords; a value is either secret or not`,
      `${FILE}: hubspot.tokenSecret: HUBSPOT_TOKEN must be listed under secrets`,
    ]);
  });

  it('reports invalid YAML and a non-mapping in one line', () => {
    expect(problems('a: [1, 2')).toEqual([
      expect.stringMatching(/^tenant\/environments\/staging\.yaml: is not valid YAML: /),
    ]);
    expect(problems('- a\n- b')).toEqual([`${FILE}: must be a YAML mapping of settings`]);
  });

  it('reports an unknown environment with the known ones', () => {
    const r = loadEnvironment(ROOT, 'qa');
    expect(r.ok ? [] : r.problems).toEqual([
      'tenant/environments/qa.yaml: not found (known environments: local, production, staging)',
    ]);
    const bad = loadEnvironment(ROOT, '../etc');
    expect(bad.ok ? [] : bad.problems[0]).toMatch(/^--env: "..\/etc" is not an environment name/);
  });
});

describe('resolving values', () => {
  const env = (() => {
    const r = parseEnvironment('staging', FILE, valid);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return r.value;
  })();

  it('takes secret values from environment variables only, empty when unset', () => {
    const r = resolveEnvironment(env, { HUBSPOT_TOKEN: 'pat-test-token' }, undefined);
    expect(r.ok && r.value.keywordValues).toEqual({
      HUBSPOT_BASE_URL: 'https://api.hubapi.com',
      HUBSPOT_TOKEN: 'pat-test-token',
      SLACK_WEBHOOK_URL: '',
    });
    expect(r.ok && r.value.secretNames).toEqual(['HUBSPOT_TOKEN', 'SLACK_WEBHOOK_URL']);
  });

  it('reads local values from the stack state, the environment variable winning for secrets', () => {
    const local = loadEnvironment(ROOT, 'local');
    if (!local.ok) throw new Error(local.problems.join('\n'));
    expect(needsLocalStack(local.value)).toBe(true);
    expect(needsLocalStack(env)).toBe(false);
    const stack = {
      auth0: {
        domain: '127.0.0.1:4443',
        clientId: 'local-client',
        clientSecret: 'local-secret',
        caFile: '/tmp/ca.pem',
      },
      hubspot: { url: 'http://127.0.0.1:4001', token: 'pat-local-standin' },
      slack: { webhookUrl: 'http://127.0.0.1:4002/services/T0/B0/local' },
      destinations: {
        salesforce: { baseUrl: 'http://127.0.0.1:4003', clientId: 'sf-id', clientSecret: 'sf-secret' },
        jira: { baseUrl: 'http://127.0.0.1:4004', email: 'a@example.com', apiToken: 'jira-token' },
        segment: { baseUrl: 'http://127.0.0.1:4005', writeKey: 'segment-key' },
        teams: { webhookUrl: 'http://127.0.0.1:4006/workflows/x' },
        provisioning: { eventsUrl: 'http://127.0.0.1:4007/users/events', authValue: 'Bearer p' },
      },
    };
    const r = resolveEnvironment(local.value, { SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/override' }, stack);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.value.domain).toBe('127.0.0.1:4443');
    expect(r.value.hubspotBasePath).toBe('http://127.0.0.1:4001');
    expect(r.value.keywordValues.HUBSPOT_TOKEN).toBe('pat-local-standin');
    expect(r.value.keywordValues.SLACK_WEBHOOK_URL).toBe('http://127.0.0.1:9/override');
    expect(r.value.keywordValues.PROVISIONING_AUTH_VALUE).toBe('Bearer p');
    expect(r.value.keywordValues.DESTINATIONS).toBe(
      'hubspot,slack,salesforce,jira,segment,teams,provisioning',
    );
    expect(r.value.credentials).toEqual({
      AUTH0_CLIENT_ID: 'local-client',
      AUTH0_CLIENT_SECRET: 'local-secret',
      AUTH0_ACCESS_TOKEN: undefined,
    });
    expect(r.value.caFile).toBe('/tmp/ca.pem');
    // Credentials from the environment win over the stack's client.
    const withEnv = resolveEnvironment(
      local.value,
      { AUTH0_CLIENT_ID: 'ci-client', AUTH0_CLIENT_SECRET: 'ci-secret' },
      stack,
    );
    expect(withEnv.ok && withEnv.value.credentials.AUTH0_CLIENT_ID).toBe('ci-client');
  });

  it('says when the stack is needed but not running, or lacks a field', () => {
    const local = loadEnvironment(ROOT, 'local');
    if (!local.ok) throw new Error('local.yaml invalid');
    const notRunning = resolveEnvironment(local.value, {}, undefined);
    expect(notRunning.ok ? [] : notRunning.problems[0]).toBe(
      'tenant/environments/local.yaml: AUTH0_DOMAIN: needs the local stack, but it is not running (start it with npm run local)',
    );
    const partial = resolveEnvironment(local.value, {}, { auth0: { domain: 'x' } });
    expect(partial.ok ? [] : partial.problems).toContain(
      'tenant/environments/local.yaml: keywords.HUBSPOT_BASE_URL: .local/stack.json has no non-empty string at "hubspot.url"',
    );
  });
});
