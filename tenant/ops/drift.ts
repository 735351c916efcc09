/**
 * npm run drift -- --env <name> [--format text|markdown] [--allow-delete]
 * Exports the live tenant's owned resources with auth0-deploy-cli (yaml, keyword placeholders
 * preserved, into a private temporary directory that is removed afterwards) and compares the export
 * with tenant.yaml through the plan's diff. Exit 0: no drift; 2: drift; 1: error.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { stringify as stringifyYaml } from 'yaml';
import { readTenantYaml } from '../lib/deployCli';
import { parseAllowDelete } from '../lib/guards';
import { tokenScopes } from '../lib/live';
import { computePlan } from '../lib/plan';
import { isOmitted } from '../lib/environment';
import { effectiveTenantDoc, loadDesired } from '../lib/tenantConfig';
import { openTenant, type OpsContext, UserError } from './context';
import {
  driftExitCode,
  exportToLive,
  renderDrift,
  withPreservedDifferences,
  type DriftFormat,
  type PreservedDifference,
} from './drift-core';
import { REPO_ROOT, configure, fail, redactEnv } from './cli';

const CHILD = path.join(__dirname, 'a0deploy-export-child.js');
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

interface Options {
  env: string;
  format: string;
  allowDelete?: boolean;
  tenantFile: string;
  verbose?: boolean;
}

/**
 * Writes this environment's tenant.yaml (omitted secrets left out) and copies the Action code files
 * it names: deploy-cli reads them to know where the keywords are.
 */
function stageLocalConfig(tenantPath: string, doc: Record<string, unknown>, dir: string): string {
  const base = path.dirname(tenantPath);
  for (const a of (doc.actions as Array<{ code?: unknown }> | undefined) ?? []) {
    if (typeof a.code !== 'string') continue;
    const rel = path.normalize(a.code);
    if (path.isAbsolute(rel) || rel.startsWith('..'))
      throw new UserError(`tenant.yaml: action code path ${a.code} must stay inside the repository`);
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    try {
      copyFileSync(path.join(base, rel), path.join(dir, rel));
    } catch {
      throw new UserError(`tenant.yaml: action code file ${a.code} is missing: run npm run build`);
    }
  }
  const target = path.join(dir, 'tenant.yaml');
  writeFileSync(target, stringifyYaml(doc, { lineWidth: 0 }), { mode: 0o600 });
  return target;
}

interface ExportResult {
  preserved: PreservedDifference[];
  log: string[];
}

async function runExport(
  ctx: OpsContext,
  inputFile: string,
  connectionNames: string[],
): Promise<ExportResult> {
  // Only keywords with a value: deploy-cli would otherwise "preserve" an empty string.
  const mappings = Object.fromEntries(Object.entries(ctx.resolved.keywordValues).filter(([, v]) => v !== ''));
  const config: Record<string, unknown> = {
    AUTH0_DOMAIN: ctx.domain,
    AUTH0_ACCESS_TOKEN: ctx.token,
    AUTH0_INPUT_FILE: inputFile,
    AUTH0_INCLUDED_ONLY: [...ctx.env.AUTH0_INCLUDED_ONLY],
    AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings,
    AUTH0_PRESERVE_KEYWORDS: Object.keys(mappings).length > 0,
    AUTH0_EXPORT_SECRETS: false,
  };
  if (connectionNames.length) config.AUTH0_INCLUDED_CONNECTIONS = connectionNames;
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  if (ctx.caFile) env.NODE_EXTRA_CA_CERTS = ctx.caFile;
  const child = spawn(process.execPath, [CHILD], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const preserved: PreservedDifference[] = [];
  const log: string[] = [];
  let failure = '';
  const collectLines = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    const take = (raw: string) => {
      const line = raw.replace(ANSI, '').trimEnd();
      if (!line) return;
      if (line.startsWith('::preserved-differs ')) {
        const entry = JSON.parse(line.slice('::preserved-differs '.length)) as Partial<PreservedDifference>;
        // A warning deploy-cli worded differently cannot be placed: fail rather than hide drift.
        if (typeof entry.address !== 'string')
          failure = 'a0deploy export reported a preserved keyword it could not place';
        else preserved.push({ address: entry.address, remote: entry.remote });
      } else if (line.startsWith('a0deploy export failed')) failure = line;
      else log.push(ctx.redact(line));
    };
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) !== -1) {
        take(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    stream.on('end', () => take(buf));
  };
  collectLines(child.stdout);
  collectLines(child.stderr);
  child.stdin.end(JSON.stringify({ config }));
  const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  clearTimeout(timer);
  if (code !== 0 || failure)
    throw new UserError(ctx.redact(failure || `a0deploy export exited with code ${code}`), [
      failure,
      ...log.slice(-5),
    ]);
  return { preserved, log };
}

const program = configure(new Command('drift'))
  .description(
    'Compare the live tenant (exported with auth0-deploy-cli) with tenant.yaml; exit 0 none, 2 drift, 1 error',
  )
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .option('--format <format>', 'text or markdown (for a job summary or an issue)', 'text')
  .option(
    '--allow-delete',
    'also report owned actions/streams that tenant.yaml does not declare (as deletes)',
  )
  .option(
    '--tenant-file <path>',
    'tenant.yaml to compare with, relative to the repository root',
    'tenant.yaml',
  )
  .option('--verbose', "print auth0-deploy-cli's own export log (redacted) to stderr")
  .action(async (opts: Options) => {
    if (!['text', 'markdown'].includes(opts.format))
      throw new UserError(`--format: "${opts.format}" must be text or markdown`);
    const allow = parseAllowDelete(process.env.AUTH0_ALLOW_DELETE, opts.allowDelete);
    if ('problem' in allow) throw new UserError(allow.problem);

    const ctx = await openTenant({
      root: REPO_ROOT,
      envName: opts.env,
      processEnv: process.env,
      tenantFile: opts.tenantFile,
    });
    const tenantPath = path.resolve(REPO_ROOT, opts.tenantFile);
    // tenant.yaml as this environment deploys it: the Action secrets it omits are left out.
    const tenantDoc = effectiveTenantDoc(ctx.tenantDoc, (n) => isOmitted(ctx.env, n));
    const desired = await loadDesired(
      tenantDoc,
      path.dirname(tenantPath),
      ctx.resolved.keywordValues,
      ctx.env.AUTH0_INCLUDED_ONLY,
      opts.tenantFile,
    ).catch((err: Error) => {
      throw new UserError(ctx.redact(err.message));
    });
    const wantsScim = (desired.connections ?? []).some((c) => c.scim_configuration);
    const scopes = tokenScopes(ctx.token);
    if (wantsScim && scopes && !scopes.includes('read:scim_config')) {
      // deploy-cli would export the connection without scim_configuration, with only a warning.
      throw new UserError(
        'the Management API client lacks read:scim_config, so the SCIM configuration cannot be compared: grant it to the client',
      );
    }

    const dir = mkdtempSync(path.join(os.tmpdir(), 'a0drift-'));
    try {
      const inputFile = stageLocalConfig(tenantPath, tenantDoc, dir);
      const connectionNames = (desired.connections ?? []).map((c) => c.name);
      const exported = await runExport(ctx, inputFile, connectionNames);
      if (opts.verbose) for (const l of exported.log) process.stderr.write(`  a0deploy | ${redactEnv(l)}\n`);
      const liveAssets = await loadDesired(
        readTenantYaml(dir, 'tenant.yaml'),
        dir,
        ctx.resolved.keywordValues,
        ctx.env.AUTH0_INCLUDED_ONLY,
        'the export',
      ).catch((err: Error) => {
        throw new UserError(`reading the export failed: ${ctx.redact(err.message)}`);
      });
      const live = exportToLive(liveAssets, true);
      const missingSecretValues = ctx.resolved.secretNames.filter((n) => !ctx.resolved.keywordValues[n]);
      let plan = computePlan({
        desired,
        live,
        allowDelete: allow.value,
        missingSecretValues,
        tokenScopes: null,
      });
      plan = withPreservedDifferences(plan, exported.preserved, tenantDoc, {
        values: ctx.resolved.keywordValues,
        secretNames: ctx.resolved.secretNames,
      });
      for (const n of missingSecretValues)
        plan.warnings.push(`${n} is not set: secret values were not compared`);
      const text = renderDrift(
        plan,
        { environment: opts.env, domain: ctx.domain },
        opts.format as DriftFormat,
      );
      console.log(redactEnv(ctx.redact(text)));
      process.exitCode = driftExitCode(plan);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => fail('drift', err));
