/**
 * The real thing: `npm run deploy` / `npm run plan` (tsx CLIs, the real auth0-deploy-cli 8.44.0 in
 * its own process) against the local Auth0 tenant and the local HubSpot, over loopback HTTPS/HTTP.
 * The tenant records every mutating Management API call, so "a no-op deploy makes no write" is
 * measured, not assumed.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalAuth0 } from '../../local/auth0';
import type { LocalHubSpot } from '../../local/hubspot';
import { type LocalStack, startLocalStack } from '../../local/stack';
import { isOmitted, loadEnvironment } from '../../tenant/lib/environment';

const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

let stack: LocalStack;
let auth0: LocalAuth0;
let hubspot: LocalHubSpot;
let work: string;
let stackFile: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(command: 'deploy' | 'plan', args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOCAL_STACK_FILE: stackFile, ...env };
    // The tests decide about CI themselves (the production guard reads it).
    if (!('CI' in env)) delete childEnv.CI;
    delete childEnv.GITHUB_ACTIONS;
    for (const k of ['AUTH0_CLIENT_ID', 'AUTH0_CLIENT_SECRET', 'AUTH0_ACCESS_TOKEN'])
      if (!(k in env)) delete childEnv[k];
    const child = spawn(TSX, [path.join(ROOT, 'tenant', 'cli', `${command}.ts`), ...args], {
      cwd: ROOT,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** A copy of tenant.yaml (and the bundle it names) in a temp dir, edited by `edit`. */
function tenantCopy(name: string, edit: (text: string) => string): string {
  const dir = path.join(work, name);
  cpSync(path.join(ROOT, 'actions'), path.join(dir, 'actions'), { recursive: true });
  writeFileSync(path.join(dir, 'tenant.yaml'), edit(readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8')));
  return path.join(dir, 'tenant.yaml');
}

const writes = () => auth0.tenant.mutations().filter((m) => !m.dryRun);
const onboarding = () => [...auth0.tenant.actions.values()].find((a) => a.name === 'Onboarding Workflow');
const FAST = ['--skip-validate', '--skip-build'];
const LOCAL = (() => {
  const env = loadEnvironment(ROOT, 'local');
  if (!env.ok) throw new Error(env.problems.join('\n'));
  return env.value;
})();
const HUBSPOT_PROPERTIES = LOCAL.hubspot.properties.map((p) => p.name);

beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'tenant-it-'));
  stackFile = path.join(work, 'stack.json');
  // The same stack `npm run local` runs, in this process, describing itself in its own state file.
  stack = await startLocalStack({
    root: work,
    stateFile: stackFile,
    writeState: true,
    auth0: { actionBuildDelayMs: 0 },
  });
  auth0 = stack.auth0;
  hubspot = stack.destinations?.hubspot as LocalHubSpot;
});

afterAll(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('deploy and plan against the local tenant (real a0deploy)', () => {
  jest.setTimeout(120_000);

  it('plan on an empty tenant: exit 2, everything to create', async () => {
    const r = await cli('plan', ['--env', 'local']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Plan for local \\(127\\.0\\.0\\.1:\\d+\\): ${3 + 1 + HUBSPOT_PROPERTIES.length} to create, 0 to update, 0 to delete, 0 unchanged`,
      ),
    );
    expect(writes()).toEqual([]);
  });

  it('first deploy (validate, a0deploy): creates the connection, the Action, the stream and the HubSpot properties', async () => {
    // --skip-build: a test must not rewrite the repository's bundle; validate still rebuilds it in
    // memory and refuses a stale one.
    const r = await cli('deploy', ['--env', 'local', '--skip-build']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('validate: offline checks');
    expect(r.stdout).toContain('a0deploy: importing connections, actions, eventStreams');
    expect(r.stdout).toContain(
      'connections 1 created, 0 updated, 0 deleted; actions 1 created, 0 updated, 0 deleted; eventStreams 1 created, 0 updated, 0 deleted',
    );
    expect(r.stdout).toContain(
      `HubSpot: created group auth0, ${HUBSPOT_PROPERTIES.map((p) => `property ${p}`).join(', ')}`,
    );

    const action = onboarding();
    expect(action?.deployed_version_id).toBeDefined();
    // Every secret tenant.yaml declares, less the ones local.yaml omits.
    const declared = [
      ...readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8').matchAll(/- name: ([A-Z][A-Z0-9_]*)$/gm),
    ].map((m) => m[1] as string);
    expect(action?.secrets.map((s) => s.name).sort()).toEqual(
      declared.filter((n) => !isOmitted(LOCAL, n)).sort(),
    );
    expect(action?.secrets.map((s) => s.name)).toEqual(
      expect.arrayContaining(['HUBSPOT_TOKEN', 'SLACK_WEBHOOK_URL']),
    );
    const conn = auth0.tenant.connectionByName('corporate-idp');
    expect(conn && auth0.tenant.scimConfigs.get(conn.id)?.mapping?.length).toBeGreaterThan(5);
    const stream = [...auth0.tenant.eventStreams.values()][0];
    expect(stream?.destination.configuration.action_id).toBe(action?.id);
    expect(hubspot.properties().find((p) => p.name === 'auth0_user_id')).toMatchObject({
      hasUniqueValue: true,
      groupName: 'auth0',
    });
    // The secrets never reach the output.
    expect(r.stdout).not.toContain(hubspot.accessToken);
    expect(r.stdout).not.toContain(auth0.clientSecret);
  });

  it('second deploy is a no-op: zero mutating calls, no new Action version', async () => {
    auth0.tenant.resetMutations();
    const versions = onboarding()?.versions.length;
    const r = await cli('deploy', ['--env', 'local', ...FAST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/deploy local: nothing to change; a0deploy was not run \(0 write calls\)/);
    expect(writes()).toEqual([]);
    expect(onboarding()?.versions.length).toBe(versions);
    // Only the first deploy created the group and the properties.
    expect(hubspot.requests({ method: 'POST' }).filter((q) => q.path.includes('/properties'))).toHaveLength(
      1 + HUBSPOT_PROPERTIES.length,
    );
  });

  it('plan after the deploy: exit 0, and Markdown for a PR comment', async () => {
    const text = await cli('plan', ['--env', 'local']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/: no changes\n/);
    const md = await cli('plan', ['--env', 'local', '--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(
      md.stdout.startsWith(
        '<!-- auth0-tenant-plan -->\n### Auth0 tenant plan: `local` — :white_check_mark: no changes',
      ),
    ).toBe(true);
  });

  it('an edited tenant.yaml: plan exits 2 with the field; deploy sends only that stream (no Action call)', async () => {
    const file = tenantCopy('no-deleted', (t) => t.replace(/\n\s+- event_type: user\.deleted/, ''));
    const plan = await cli('plan', ['--env', 'local', '--tenant-file', file, '--a0deploy-dry-run']);
    expect(plan.code).toBe(2);
    // deploy-cli's own dry run of exactly what the deploy will import: the stream, nothing else.
    expect(plan.stdout).toMatch(
      /auth0-deploy-cli dry run:\n[\s\S]*│ EventStreams +│ UPDATE +│ Onboarding Workflow +│/,
    );
    expect(plan.stdout).not.toMatch(/│ Actions /);
    expect(plan.stdout).toContain(
      '  ~ event stream "Onboarding Workflow" (update)\n      subscriptions: ["user.created","user.deleted","user.updated"] -> ["user.created","user.updated"]',
    );
    expect(plan.stdout).toContain('  = action "Onboarding Workflow" unchanged');

    auth0.tenant.resetMutations();
    const versions = onboarding()?.versions.length;
    const r = await cli('deploy', ['--env', 'local', '--tenant-file', file, ...FAST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('a0deploy: importing eventStreams');
    expect(writes().map((m) => `${m.method} ${m.path.replace(/\/[^/]+$/, '/:id')}`)).toEqual([
      'PATCH /api/v2/event-streams/:id',
    ]);
    expect(onboarding()?.versions.length).toBe(versions);
    expect([...auth0.tenant.eventStreams.values()][0]?.subscriptions.map((s) => s.event_type).sort()).toEqual(
      ['user.created', 'user.updated'],
    );

    // Back to the committed tenant.yaml.
    expect((await cli('deploy', ['--env', 'local', ...FAST])).code).toBe(0);
  });

  it('a changed Action is redeployed once (one new version), and only the Action', async () => {
    const file = tenantCopy('new-code', (t) => t);
    const code = path.join(path.dirname(file), 'actions', 'Onboarding Workflow', 'code.js');
    writeFileSync(code, `${readFileSync(code, 'utf8')}// changed\n`);
    auth0.tenant.resetMutations();
    const versions = onboarding()?.versions.length ?? 0;
    const r = await cli('deploy', ['--env', 'local', '--tenant-file', file, ...FAST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('~ action "Onboarding Workflow" updated: code');
    expect(onboarding()?.versions.length).toBe(versions + 1);
    expect(new Set(writes().map((m) => m.path.split('/')[3]))).toEqual(new Set(['actions']));
    expect((await cli('deploy', ['--env', 'local', ...FAST])).code).toBe(0);
  });

  it('a changed secret value shows in the plan by name only', async () => {
    const plan = await cli('plan', ['--env', 'local'], {
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T000/B000/rotated-test',
    });
    expect(plan.code).toBe(2);
    expect(plan.stdout).toContain('secrets: value changed: SLACK_WEBHOOK_URL');
    expect(plan.stdout).not.toContain('rotated-test');
  });
});

describe('deploy guards against the local tenant (each refuses before any write)', () => {
  jest.setTimeout(120_000);

  beforeEach(() => auth0.tenant.resetMutations());

  it('an unresolved keyword: exit 1, one line naming the keyword and where to set it', async () => {
    const file = tenantCopy('unresolved', (t) =>
      t.replace("value: '##HUBSPOT_BASE_URL##'", "value: '##HUBSPOT_API_ROOT##'"),
    );
    const r = await cli('deploy', ['--env', 'local', '--tenant-file', file, ...FAST]);
    expect(r.code).toBe(1);
    const line =
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('HUBSPOT_API_ROOT')) + 1;
    expect(r.stderr.trim()).toBe(
      `deploy failed: keyword ##HUBSPOT_API_ROOT## (${file}:${line}) has no value: add HUBSPOT_API_ROOT to keywords (or, if secret, to secrets) in tenant/environments/local.yaml`,
    );
    expect(writes()).toEqual([]);
  });

  it('AUTH0_ALLOW_DELETE must be a real boolean', async () => {
    const r = await cli('deploy', ['--env', 'local', ...FAST], { AUTH0_ALLOW_DELETE: 'nope' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'deploy failed: AUTH0_ALLOW_DELETE is "nope": use true or false (or the --allow-delete flag)',
    );
  });

  it('AUTH0_ALLOW_DELETE="false" keeps the SCIM configuration a0deploy would delete on the string', async () => {
    const file = tenantCopy('no-scim', (t) =>
      t
        .replace('display_name: Corporate IdP', 'display_name: Corporate IdP (renamed)')
        .replace(/\n {4}scim_configuration:[\s\S]*?\n\n/, '\n\n'),
    );
    const r = await cli('deploy', ['--env', 'local', '--tenant-file', file, ...FAST], {
      AUTH0_ALLOW_DELETE: 'false',
    });
    expect(r.code).toBe(0);
    const conn = auth0.tenant.connectionByName('corporate-idp');
    expect(conn?.display_name).toBe('Corporate IdP (renamed)');
    expect(conn && auth0.tenant.scimConfigs.has(conn.id)).toBe(true);
    expect(writes().some((m) => m.method === 'DELETE')).toBe(false);
    expect((await cli('deploy', ['--env', 'local', ...FAST])).code).toBe(0);
  });

  it('missing scim_config scopes: an error that says how to fix it (a0deploy would only warn)', async () => {
    const all = [...auth0.tenant.grantedScopes];
    auth0.tenant.grantedScopes = all.filter((s) => !['create:scim_config', 'update:scim_config'].includes(s));
    try {
      const r = await cli('deploy', ['--env', 'local', ...FAST]);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        'deploy failed: the Management API client lacks create:scim_config, update:scim_config; a0deploy would skip scim_configuration with only a warning: grant these scopes to the deploy client (Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications)',
      );
      expect(writes()).toEqual([]);
    } finally {
      auth0.tenant.grantedScopes = all;
    }
  });

  it('a changed action destination on the existing stream: an error (a0deploy would skip it silently)', async () => {
    const file = tenantCopy('other-destination', (t) =>
      t
        .replace(
          'actions:\n',
          'actions:\n  - name: Other Action\n    code: ./actions/Onboarding Workflow/code.js\n    runtime: node22\n    deployed: true\n    supported_triggers: [{ id: event-stream, version: v1 }]\n',
        )
        .replace(/action_id: Onboarding Workflow/, 'action_id: Other Action'),
    );
    const plan = await cli('plan', ['--env', 'local', '--tenant-file', file]);
    expect(plan.code).toBe(1);
    const r = await cli('deploy', ['--env', 'local', '--tenant-file', file, ...FAST]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'deploy failed: event stream "Onboarding Workflow": sends to action "Onboarding Workflow" in the tenant but tenant.yaml names "Other Action" (not deployed yet); a0deploy cannot change an existing stream\'s destination: delete the stream in the tenant (or rename it in tenant.yaml and deploy with --allow-delete), then deploy again',
    );
    expect(writes()).toEqual([]);
  });

  it('production refuses to run outside CI unless --allow-local-production', async () => {
    const r = await cli('deploy', ['--env', 'production']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      'deploy failed: production deploys run in CI (push to main, approved in the "production" GitHub environment); to deploy from this machine anyway, add --allow-local-production',
    );
  });

  it('an unknown environment: exit 1 with the known ones', async () => {
    const d = await cli('deploy', ['--env', 'qa']);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain(
      'deploy failed: tenant/environments/qa.yaml: not found (known environments: local, production, staging)',
    );
  });
});
