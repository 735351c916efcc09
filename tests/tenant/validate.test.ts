import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnvironment } from '../../tenant/lib/environment';
import { findKeywords } from '../../tenant/lib/keywords';
import {
  DOCUMENTED_EVENT_TYPES,
  checkBundles,
  checkDependenciesPinned,
  checkDeployCliSchema,
  checkKeywordSources,
  checkScimStrategies,
  checkSecretsDeclared,
  checkStreamsNameActions,
  checkSubscriptions,
  deployCliScimStrategies,
  findLiteralSecrets,
  knownEventTypes,
  runValidate,
  secretsReadBySource,
} from '../../tenant/lib/validate';

jest.mock('chalk', () => jest.requireActual('./esm-display-mocks').chalkMock);
jest.mock('@clack/prompts', () => jest.requireActual('./esm-display-mocks').clackMock);

const ROOT = path.resolve(__dirname, '..', '..');

describe("validate: tenant.yaml against auth0-deploy-cli's own schema", () => {
  it('accepts the committed tenant.yaml', () => {
    expect(checkDeployCliSchema(readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8'))).toEqual([]);
  });

  it('reports wrong types and unknown resource types with their path', () => {
    const text = `actions:\n  - name: A\n    code: ./a.js\n    supported_triggers: [{ id: event-stream }]\n    deployed: 'yes'\neventStream:\n  - name: typo\n`;
    expect(checkDeployCliSchema(text)).toEqual([
      'tenant.yaml: (top level): should NOT have additional properties "eventStream" (auth0-deploy-cli schema)',
      'tenant.yaml: actions[0].deployed: should be boolean (auth0-deploy-cli schema)',
    ]);
  });

  it('keywords stand for values of the right type', () => {
    expect(
      checkDeployCliSchema(
        `eventStreams:\n  - name: S\n    status: '##STATUS##'\n    destination: { type: action, configuration: { action_id: A } }\n`,
      ),
    ).toEqual([
      'tenant.yaml: eventStreams[0].status: should be equal to one of the allowed values (auth0-deploy-cli schema)',
    ]);
  });
});

describe('validate: semantic checks', () => {
  it('the stream names an existing action', () => {
    const doc = {
      actions: [{ name: 'A' }],
      eventStreams: [{ name: 'S', destination: { type: 'action', configuration: { action_id: 'B' } } }],
    };
    expect(checkStreamsNameActions(doc)).toEqual([
      'tenant.yaml: eventStreams[0].destination.configuration.action_id: "B" is not the name of an action in tenant.yaml',
    ]);
  });

  it('subscriptions are event types from the OpenAPI description', () => {
    const known = knownEventTypes(ROOT);
    expect(known.source).toBe('the Management API OpenAPI description');
    expect(known.types).toEqual(expect.arrayContaining(['user.created', 'user.updated', 'user.deleted']));
    expect(known.types.sort()).toEqual([...DOCUMENTED_EVENT_TYPES].sort());
    const doc = {
      eventStreams: [
        { name: 'S', subscriptions: [{ event_type: 'user.created' }, { event_type: 'user.deactivated' }] },
      ],
    };
    expect(checkSubscriptions(doc, known)).toEqual([
      'tenant.yaml: eventStreams[0].subscriptions[1].event_type: "user.deactivated" is not an event type in the Management API OpenAPI description',
    ]);
    expect(knownEventTypes('/nonexistent').source).toBe('the documented list');
  });

  it('SCIM only on strategies deploy-cli applies it to', () => {
    expect(deployCliScimStrategies()).toEqual(['samlp', 'oidc', 'okta', 'waad']);
    const doc = {
      connections: [
        { name: 'a', strategy: 'samlp', scim_configuration: {} },
        { name: 'b', strategy: 'adfs', scim_configuration: {} },
        { name: 'c', strategy: 'google-oauth2' },
      ],
    };
    expect(checkScimStrategies(doc, deployCliScimStrategies())).toEqual([
      'tenant.yaml: connections[1].strategy: "adfs" has scim_configuration, but auth0-deploy-cli applies SCIM only for samlp, oidc, okta, waad (it would skip it silently)',
    ]);
  });

  it('action dependencies pinned exactly to package-lock.json', () => {
    const lock = { packages: { 'node_modules/zod': { version: '4.6.7' } } };
    const doc = {
      actions: [
        {
          dependencies: [
            { name: 'zod', version: '^4.6.7' },
            { name: 'left-pad', version: '1.3.0' },
            { name: 'zod', version: '4.6.7' },
          ],
        },
      ],
    };
    expect(checkDependenciesPinned(doc, lock)).toEqual([
      'tenant.yaml: actions[0].dependencies[0]: zod@^4.6.7 differs from package-lock.json (4.6.7); pin exactly 4.6.7',
      'tenant.yaml: actions[0].dependencies[1]: left-pad is not in package-lock.json; add it with npm install --save-exact so tests run the same version',
    ]);
  });

  it('secrets read by the source and declared in tenant.yaml match, both ways', () => {
    const read = secretsReadBySource([
      {
        path: 'a.ts',
        text: 'const t = event.secrets.HUBSPOT_TOKEN; const u = event.secrets?.["SLACK_WEBHOOK_URL"];',
      },
      {
        path: 'b.ts',
        text: 'const secretsSchema = z.object({\n  JIRA_TOKEN: z.string(),\n  nested: z.object({ x: 1 }),\n});',
      },
      { path: 'c.ts', text: 'const { TEAMS_URL } = event.secrets;' },
      {
        path: 'd.ts',
        text: 'const SETTINGS = {\n  x: {\n    SEGMENT_WRITE_KEY: { schema: text, secret: true },\n    SEGMENT_API_URL: { schema: url, default: "https://api.segment.io" },\n  },\n};',
      },
    ]);
    expect([...read.keys()].sort()).toEqual([
      'HUBSPOT_TOKEN',
      'JIRA_TOKEN',
      'SEGMENT_API_URL',
      'SEGMENT_WRITE_KEY',
      'SLACK_WEBHOOK_URL',
      'TEAMS_URL',
    ]);
    expect(read.get('SEGMENT_API_URL')).toEqual({ file: 'd.ts', optional: true });
    const doc = {
      actions: [
        {
          secrets: [
            { name: 'HUBSPOT_TOKEN' },
            { name: 'SLACK_WEBHOOK_URL' },
            { name: 'TEAMS_URL' },
            { name: 'SEGMENT_WRITE_KEY' },
            { name: 'UNUSED' },
          ],
        },
      ],
    };
    expect(checkSecretsDeclared(doc, read)).toEqual([
      'b.ts: reads event.secrets.JIRA_TOKEN, which no action in tenant.yaml declares under secrets',
      'tenant.yaml: actions[0].secrets[4]: UNUSED is declared but the Action source never reads it',
    ]);
  });

  it('every keyword has a value source in every environment', () => {
    const env = parseEnvironment(
      'staging',
      'tenant/environments/staging.yaml',
      `AUTH0_DOMAIN: x.auth0.com\nAUTH0_INCLUDED_ONLY: [actions]\nkeywords: { HUBSPOT_BASE_URL: https://api.hubapi.com, STALE: x }\nsecrets: [HUBSPOT_TOKEN]\nhubspot: { basePath: https://api.hubapi.com, tokenSecret: HUBSPOT_TOKEN, group: { name: a, label: A }, properties: [{ name: a, label: A, type: string, fieldType: text }] }\n`,
    );
    if (!env.ok) throw new Error(env.problems.join('\n'));
    const uses = findKeywords(
      `a: '##HUBSPOT_TOKEN##'\nb: '##HUBSPOT_BASE_URL##'\nc: '##SLACK_WEBHOOK_URL##'\n`,
      'tenant.yaml',
    );
    expect(checkKeywordSources(uses, [env.value])).toEqual([
      'tenant/environments/staging.yaml: keywords: SLACK_WEBHOOK_URL (used at tenant.yaml:3) has no value source; add it under keywords, under secrets if it is secret, or under omitSecrets if this environment does not use it',
      'tenant/environments/staging.yaml: keywords.STALE: not used by tenant.yaml or the Action bundle',
    ]);
  });

  it('no literal secret values; test fixtures only with obviously fake ones', () => {
    const slack = [
      'https://hooks.slack.com/services',
      'T01ABCDEF',
      'B02GHIJKL',
      'q1w2e3r4t5y6u7i8o9p0a1s2',
    ].join('/');
    const pat = ['pat', 'na1', '8f2c9d4e-1b3a-4c5d-9e8f-7a6b5c4d3e2f'].join('-');
    const xox = ['xoxb', '1234567890', 'abcdefghijklmnop'].join('-');
    const pem = ['-----BEGIN', 'RSA PRIVATE KEY-----'].join(' ');
    const problems = findLiteralSecrets([
      { path: 'README.md', text: `webhook: ${slack}\n` },
      { path: 'tenant/environments/staging.yaml', text: `token: ${pat}\n` },
      { path: 'local/x.ts', text: `const k = \`${pem}\`;\n` },
      { path: 'tests/a.test.ts', text: `const fake = '${xox}';\n` },
      { path: 'tests/b.test.ts', text: `const t = '${pat}';\n` },
    ]);
    expect(problems).toEqual([
      'README.md:1: looks like a Slack incoming-webhook URL; secrets belong in environment variables only',
      'tenant/environments/staging.yaml:1: looks like a HubSpot private-app token; secrets belong in environment variables only',
      'local/x.ts:1: looks like a PEM private key; secrets belong in environment variables only',
      'tests/b.test.ts:1: looks like a HubSpot private-app token; secrets belong in environment variables only (a test fixture must use an obviously fake value)',
    ]);
  });

  it('the bundle is fresh and under 100 kB', () => {
    const built = [
      { codePath: 'actions/A/code.js', code: 'x'.repeat(10) },
      { codePath: 'actions/B/code.js', code: 'y'.repeat(100 * 1024 + 1) },
    ];
    const committed: Record<string, string> = {
      'actions/A/code.js': 'old',
      'actions/B/code.js': 'y'.repeat(100 * 1024 + 1),
    };
    expect(checkBundles(built, (p) => committed[p])).toEqual([
      'actions/A/code.js: stale (differs from what the source builds); run npm run build and commit it',
      'actions/B/code.js: 102401 bytes, over the 102400-byte limit',
    ]);
    expect(checkBundles(built.slice(0, 1), () => undefined)).toEqual([
      'actions/A/code.js: missing; run npm run build and commit it',
    ]);
  });
});

describe('validate: the whole repository', () => {
  it('the committed repository is valid (bundle rebuilt in memory and compared byte for byte)', async () => {
    const { problems, checked } = await runValidate({ root: ROOT });
    expect(problems).toEqual([]);
    expect(checked).toHaveLength(8);
  });

  it('lists every problem of a broken copy at once', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'validate-'));
    try {
      for (const f of ['tenant.yaml', 'package-lock.json']) cpSync(path.join(ROOT, f), path.join(dir, f));
      cpSync(path.join(ROOT, 'tenant', 'environments'), path.join(dir, 'tenant', 'environments'), {
        recursive: true,
      });
      mkdirSync(path.join(dir, 'event-streams', 'x'), { recursive: true });
      // A source that reads every secret tenant.yaml declares, except SLACK_WEBHOOK_URL.
      const declared = [
        ...readFileSync(path.join(dir, 'tenant.yaml'), 'utf8').matchAll(/- name: ([A-Z][A-Z0-9_]*)$/gm),
      ].map((m) => m[1]);
      const reads = declared.filter((n) => n !== 'SLACK_WEBHOOK_URL').map((n) => `event.secrets.${n}`);
      writeFileSync(
        path.join(dir, 'event-streams', 'x', 'index.ts'),
        `export const t = (event: any) => [${reads.join(', ')}];\n`,
      );
      const tenant = readFileSync(path.join(dir, 'tenant.yaml'), 'utf8')
        .replace('- event_type: user.deleted', '- event_type: user.removed')
        .replace('version: 4.6.7', 'version: 4.0.0');
      writeFileSync(path.join(dir, 'tenant.yaml'), tenant);
      rmSync(path.join(dir, 'tenant', 'environments', 'production.yaml'));
      execFileSync('git', ['init', '-q'], { cwd: dir });
      const { problems } = await runValidate({
        root: dir,
        buildBundles: async () => [{ codePath: 'actions/Onboarding Workflow/code.js', code: 'fresh' }],
      });
      expect(problems).toEqual([
        'tenant/environments/production.yaml: missing',
        'tenant.yaml: eventStreams[0].subscriptions[2].event_type: "user.removed" is not an event type in the documented list',
        'tenant.yaml: actions[0].dependencies[1]: zod@4.0.0 differs from package-lock.json (4.6.7); pin exactly 4.6.7',
        'tenant.yaml: actions[0].secrets[1]: SLACK_WEBHOOK_URL is declared but the Action source never reads it',
        'actions/Onboarding Workflow/code.js: missing; run npm run build and commit it',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
