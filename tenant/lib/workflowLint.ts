/**
 * Structural checks of .github/workflows/*.yml beyond GitHub's schema: least privilege, pinned
 * actions, secrets only through GitHub environments, no untrusted input in shell, one deploy at
 * a time. Pure: file text in, problems out.
 */
import { parse as parseYaml } from 'yaml';

interface Step {
  uses?: string;
  run?: string;
  shell?: string;
  env?: Record<string, unknown>;
  with?: Record<string, unknown>;
}
interface Job {
  permissions?: unknown;
  environment?: unknown;
  steps?: Step[];
  'timeout-minutes'?: number;
  needs?: string | string[];
  if?: string;
  concurrency?: unknown;
}
interface Workflow {
  on?: unknown;
  permissions?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown } | string;
  jobs?: Record<string, Job>;
}

/** Write scopes a job may ask for, and why. Anything else must stay read-only. */
export const ALLOWED_WRITE_SCOPES: Record<string, string> = {
  'pull-requests': 'to post the plan comment',
};

const SHA_PIN = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/;
/** Inputs an outsider controls; expanded inside `run:` they become shell code. */
const UNTRUSTED =
  /\$\{\{\s*github\.(event\.(pull_request\.(title|body|head\.ref|head\.label)|issue\.(title|body)|comment\.body|review\.body|head_commit\.message|commits)|head_ref)/;

export function triggers(wf: Workflow): string[] {
  const on = wf.on;
  if (typeof on === 'string') return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === 'object' ? Object.keys(on) : [];
}

function permissionProblems(where: string, perms: unknown, jobLevel: boolean): string[] {
  if (perms === undefined) return [];
  if (perms === 'write-all' || perms === 'read-all')
    return [`${where}: permissions: ${perms} is not least privilege; list each scope`];
  if (typeof perms !== 'object' || perms === null)
    return [`${where}: permissions: must be a mapping of scopes`];
  const problems: string[] = [];
  for (const [scope, level] of Object.entries(perms as Record<string, unknown>)) {
    if (level !== 'write') continue;
    if (!jobLevel)
      problems.push(
        `${where}: permissions.${scope}: write at workflow level; grant it only to the job that needs it`,
      );
    else if (!(scope in ALLOWED_WRITE_SCOPES))
      problems.push(`${where}: permissions.${scope}: write is not needed by any job here`);
  }
  return problems;
}

export function lintWorkflow(file: string, text: string): string[] {
  let wf: Workflow;
  try {
    wf = parseYaml(text) as Workflow;
  } catch (err) {
    return [`${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`];
  }
  const problems: string[] = [];
  const on = triggers(wf);
  if (!on.length) problems.push(`${file}: on: no trigger`);
  if (wf.permissions === undefined)
    problems.push(`${file}: permissions: not declared (the default token may write to the repository)`);
  problems.push(...permissionProblems(file, wf.permissions, false));

  for (const [id, job] of Object.entries(wf.jobs ?? {})) {
    const where = `${file}: jobs.${id}`;
    problems.push(...permissionProblems(where, job.permissions, true));
    if (typeof job['timeout-minutes'] !== 'number')
      problems.push(`${where}: timeout-minutes: not set (a hung job would run for 6 hours)`);
    const usesSecrets = JSON.stringify(job).includes('secrets.');
    if (usesSecrets && !job.environment)
      problems.push(
        `${where}: reads secrets without an environment; secrets come from GitHub environment secrets only`,
      );
    if (usesSecrets && on.includes('pull_request_target'))
      problems.push(
        `${where}: reads secrets in a pull_request_target workflow (a fork's code would run with them)`,
      );
    (job.steps ?? []).forEach((step, i) => {
      const at = `${where}.steps[${i}]`;
      if (
        step.uses &&
        !step.uses.startsWith('./') &&
        !step.uses.startsWith('docker://') &&
        !SHA_PIN.test(step.uses)
      ) {
        problems.push(`${at}: uses ${step.uses}: pin the action to a full commit SHA`);
      }
      if (step.uses?.startsWith('actions/checkout@') && step.with?.['persist-credentials'] !== false) {
        problems.push(
          `${at}: actions/checkout: set persist-credentials: false (later steps do not need the token on disk)`,
        );
      }
      if (step.run && UNTRUSTED.test(step.run))
        problems.push(`${at}: run: expands untrusted input inside the script; pass it through env: instead`);
      if (step.run && step.run.includes('secrets.'))
        problems.push(`${at}: run: expands a secret inside the script; pass it through env: instead`);
      if (step.run && /\|\s*tee\b/.test(step.run) && step.shell !== 'bash') {
        problems.push(`${at}: run: pipes into tee without shell: bash (no pipefail: a failure would pass)`);
      }
    });
    if (
      on.includes('pull_request_target') &&
      (job.steps ?? []).some(
        (s) => s.uses?.startsWith('actions/checkout@') && JSON.stringify(s.with ?? {}).includes('head'),
      )
    ) {
      problems.push(`${where}: checks out the pull request head in pull_request_target`);
    }
  }
  return problems;
}

/** Checks specific to the deploy workflow: one concurrency group, staging before reviewed production. */
export function lintDeployWorkflow(file: string, text: string): string[] {
  const wf = parseYaml(text) as Workflow;
  const problems: string[] = [];
  const c = wf.concurrency;
  if (!c || typeof c === 'string' || !c.group)
    problems.push(`${file}: concurrency: one workflow-level group is required so deploys never overlap`);
  else if (c['cancel-in-progress'] !== false)
    problems.push(`${file}: concurrency.cancel-in-progress: must be false (never cancel a running deploy)`);
  if (String(c && typeof c === 'object' ? c.group : c).includes('${{'))
    problems.push(`${file}: concurrency.group: must be a constant, shared by every run`);
  const jobs = wf.jobs ?? {};
  const envOf = (j: Job | undefined) =>
    typeof j?.environment === 'string'
      ? j.environment
      : (j?.environment as { name?: string } | undefined)?.name;
  const prod = Object.entries(jobs).find(([, j]) => envOf(j) === 'production');
  const staging = Object.entries(jobs).find(([, j]) => envOf(j) === 'staging');
  if (!staging) problems.push(`${file}: no job deploys to the staging environment`);
  if (!prod)
    problems.push(
      `${file}: no job deploys to the production environment (its required reviewers gate the deploy)`,
    );
  if (prod && staging) {
    const needs = ([] as string[]).concat(prod[1].needs ?? []);
    if (!needs.includes(staging[0]))
      problems.push(`${file}: jobs.${prod[0]}: must need jobs.${staging[0]} (staging first)`);
  }
  for (const [id, j] of Object.entries(jobs))
    if (j.concurrency)
      problems.push(`${file}: jobs.${id}: concurrency: keep the single workflow-level group`);
  return problems;
}
