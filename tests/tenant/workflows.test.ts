import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parse } from 'yaml';
import { PLAN_COMMENT_MARKER } from '../../tenant/lib/render';
import { lintDeployWorkflow, lintWorkflow, triggers } from '../../tenant/lib/workflowLint';

const DIR = path.resolve(__dirname, '..', '..', '.github', 'workflows');
const files = readdirSync(DIR).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'));
const read = (f: string) => readFileSync(path.join(DIR, f), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const load = (f: string) => parse(read(f)) as any;

describe('.github/workflows', () => {
  it('has the pull-request, deploy and drift workflows', () => {
    expect(files.sort()).toEqual(['deploy.yml', 'drift.yml', 'pull-request.yml']);
  });

  it.each(files)("%s is valid against GitHub's workflow schema (@action-validator/core)", (f) => {
    expect(validateWorkflow(read(f)).errors).toEqual([]);
  });

  it.each(files)('%s passes the structural lint (permissions, pins, secrets, timeouts)', (f) => {
    expect(lintWorkflow(f, read(f))).toEqual([]);
  });

  it('no workflow runs on pull_request_target', () => {
    for (const f of files) expect(triggers(load(f))).not.toContain('pull_request_target');
  });

  it('deploy: push to main, staging then production behind its environment, one concurrency group', () => {
    expect(lintDeployWorkflow('deploy.yml', read('deploy.yml'))).toEqual([]);
    const wf = load('deploy.yml');
    expect(wf.on.push.branches).toEqual(['main']);
    expect(wf.concurrency).toEqual({ group: 'auth0-tenant-deploy', 'cancel-in-progress': false });
    const run = (job: string) => wf.jobs[job].steps.map((s: { run?: string }) => s.run ?? '').join('\n');
    expect(run('staging')).toContain('npm run --silent deploy -- --env staging');
    expect(run('production')).toContain('npm run --silent deploy -- --env production');
    expect(wf.jobs.production.env?.AUTH0_ALLOW_DELETE).toBeUndefined();
  });

  it('pull request: checks without secrets; the plan only for same-repo branches, one comment found by the marker', () => {
    const wf = load('pull-request.yml');
    expect(wf.on).toEqual({ pull_request: { branches: ['main'] } });
    expect(JSON.stringify(wf.jobs.checks)).not.toContain('secrets.');
    const checks = wf.jobs.checks.steps.map((s: { run?: string }) => s.run).filter(Boolean);
    expect(checks).toEqual([
      'npm ci --no-audit --no-fund',
      'npm run typecheck',
      'npm run lint',
      'npm test',
      'npm run validate',
    ]);
    const plan = wf.jobs['plan-staging'];
    expect(plan.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(plan.permissions).toEqual({ contents: 'read', 'pull-requests': 'write' });
    const text = read('pull-request.yml');
    expect(text).toContain('--env staging --format markdown --out plan.md');
    expect(text).toContain(`const marker = '${PLAN_COMMENT_MARKER}';`);
    expect(text).toContain('github.rest.issues.updateComment');
  });

  it('drift: scheduled plan per environment; exit 2 fails with the plan in the job summary', () => {
    const wf = load('drift.yml');
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.jobs.plan.strategy.matrix.env).toEqual(['staging', 'production']);
    const script = wf.jobs.plan.steps.at(-1).run as string;
    expect(script).toContain('cat plan.md >> "$GITHUB_STEP_SUMMARY"');
    expect(script).toMatch(/2\) echo "::error::[^"]*"; exit 1 ;;/);
  });
});

describe('the workflow lint catches', () => {
  const base = `
on: push
permissions: { contents: read }
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with: { persist-credentials: false }
`;
  it('a clean example has no problems', () => expect(lintWorkflow('x.yml', base)).toEqual([]));

  it('missing or broad permissions, write at workflow level', () => {
    expect(lintWorkflow('x.yml', base.replace('permissions: { contents: read }\n', ''))).toEqual([
      'x.yml: permissions: not declared (the default token may write to the repository)',
    ]);
    expect(lintWorkflow('x.yml', base.replace('{ contents: read }', 'write-all'))).toEqual([
      'x.yml: permissions: write-all is not least privilege; list each scope',
    ]);
    expect(lintWorkflow('x.yml', base.replace('{ contents: read }', '{ contents: write }'))).toEqual([
      'x.yml: permissions.contents: write at workflow level; grant it only to the job that needs it',
    ]);
  });

  it('unpinned actions and persisted checkout credentials', () => {
    const p = lintWorkflow(
      'x.yml',
      base
        .replace('actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683', 'actions/checkout@v4')
        .replace('        with: { persist-credentials: false }\n', ''),
    );
    expect(p).toEqual([
      'x.yml: jobs.a.steps[0]: uses actions/checkout@v4: pin the action to a full commit SHA',
      'x.yml: jobs.a.steps[0]: actions/checkout: set persist-credentials: false (later steps do not need the token on disk)',
    ]);
  });

  it('secrets outside an environment, secrets in pull_request_target, script injection, no timeout', () => {
    const bad = base
      .replace('on: push', 'on: pull_request_target')
      .replace('    timeout-minutes: 5\n', '')
      .concat('      - run: echo "${{ github.event.pull_request.title }}" ${{ secrets.TOKEN }}\n');
    expect(lintWorkflow('x.yml', bad)).toEqual([
      'x.yml: jobs.a: timeout-minutes: not set (a hung job would run for 6 hours)',
      'x.yml: jobs.a: reads secrets without an environment; secrets come from GitHub environment secrets only',
      "x.yml: jobs.a: reads secrets in a pull_request_target workflow (a fork's code would run with them)",
      'x.yml: jobs.a.steps[1]: run: expands untrusted input inside the script; pass it through env: instead',
      'x.yml: jobs.a.steps[1]: run: expands a secret inside the script; pass it through env: instead',
    ]);
  });

  it('a deploy workflow without one group, or production not after staging', () => {
    const deploy = `
on: { push: { branches: [main] } }
permissions: { contents: read }
concurrency: { group: 'deploy-\${{ github.sha }}', cancel-in-progress: true }
jobs:
  staging: { runs-on: x, timeout-minutes: 1, environment: staging, steps: [] }
  production: { runs-on: x, timeout-minutes: 1, environment: production, steps: [] }
`;
    expect(lintDeployWorkflow('d.yml', deploy)).toEqual([
      'd.yml: concurrency.cancel-in-progress: must be false (never cancel a running deploy)',
      'd.yml: concurrency.group: must be a constant, shared by every run',
      'd.yml: jobs.production: must need jobs.staging (staging first)',
    ]);
  });
});
