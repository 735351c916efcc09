/**
 * The steps behind `plan` and `deploy`, shared. I/O happens here (files, Auth0, HubSpot, child
 * processes); every decision is made by the pure modules it calls.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  isOmitted,
  type Environment,
  type ResolvedEnvironment,
  loadEnvironment,
  needsLocalStack,
  resolveEnvironment,
} from './environment';
import { findKeywords, redact, unresolvedKeywordProblems } from './keywords';
import { ensureHubspot, hubspotClient, readHubspot } from './hubspot';
import {
  type LiveState,
  fetchWithCa,
  getAccessToken,
  managementClient,
  readLiveState,
  tokenScopes,
} from './live';
import { ensureLocalStack } from './localStack';
import { makeMarker } from './marker';
import { type DesiredAssets, type HubspotDesired, type Plan, computePlan } from './plan';
import { effectiveTenantDoc, loadDesired } from './tenantConfig';
import { parseAllowDelete, productionGuard } from './guards';
import {
  type A0deployConfig,
  type Summary,
  readTenantYaml,
  removeDir,
  runA0deploy,
  selectForImport,
  writeImportDir,
} from './deployCli';
import { runValidate } from './validate';
import { UserError } from './cli-edge';

export { UserError };

export interface CommonOptions {
  root: string;
  envName: string;
  processEnv: Record<string, string | undefined>;
  /** tenant.yaml to use, relative to root (tests point it at an edited copy). */
  tenantFile?: string;
  log: (line: string) => void;
}

interface Context {
  env: Environment;
  /** tenant.yaml as this environment deploys it (omitted secrets removed), keywords unreplaced. */
  tenantDoc: Record<string, unknown>;
  resolved: ResolvedEnvironment;
  tenantFile: string;
  /** Redacts every secret value from text that is about to be printed. */
  redact: (text: string) => string;
}

async function loadContext(opts: CommonOptions, startStack: boolean): Promise<Context> {
  const loaded = loadEnvironment(opts.root, opts.envName);
  if (!loaded.ok) throw new UserError(loaded.problems[0] as string, loaded.problems);
  const env = loaded.value;
  let stack: Record<string, unknown> | undefined;
  if (needsLocalStack(env)) {
    stack = await ensureLocalStack(opts.root, startStack);
    if (!stack)
      throw new UserError(
        `the local stack is not running: start it with npm run local (or run npm run deploy -- --env ${env.name})`,
      );
  }
  const resolved = resolveEnvironment(env, opts.processEnv, stack);
  if (!resolved.ok) throw new UserError(resolved.problems[0] as string, resolved.problems);
  const values = resolved.value.keywordValues;
  const secrets = resolved.value.secretNames;
  const credentialValues = {
    ...values,
    AUTH0_CLIENT_SECRET: resolved.value.credentials.AUTH0_CLIENT_SECRET ?? '',
    AUTH0_ACCESS_TOKEN: resolved.value.credentials.AUTH0_ACCESS_TOKEN ?? '',
  };
  const redactNames = [...secrets, 'AUTH0_CLIENT_SECRET', 'AUTH0_ACCESS_TOKEN'];
  const tenantFile = opts.tenantFile ?? 'tenant.yaml';
  return {
    env,
    tenantDoc: effectiveTenantDoc(readTenantYaml(opts.root, tenantFile), (n) => isOmitted(env, n)),
    resolved: resolved.value,
    tenantFile,
    redact: (text) => redact(text, credentialValues, redactNames),
  };
}

/** Keywords used by tenant.yaml and by the code files its actions name. */
function keywordUses(
  root: string,
  tenantFile: string,
  doc: { actions?: Array<{ code?: string }> },
): ReturnType<typeof findKeywords> {
  const uses = findKeywords(readFileSync(path.resolve(root, tenantFile), 'utf8'), tenantFile);
  const baseDir = path.dirname(path.resolve(root, tenantFile));
  for (const a of doc.actions ?? []) {
    if (!a.code) continue;
    const file = path.join(baseDir, a.code);
    try {
      uses.push(...findKeywords(readFileSync(file, 'utf8'), path.relative(root, file)));
    } catch {
      throw new UserError(`${tenantFile}: action code file ${a.code} is missing: run npm run build`);
    }
  }
  return uses;
}

function hubspotDesired(env: Environment): HubspotDesired {
  return { group: env.hubspot.group, properties: env.hubspot.properties };
}

export interface PlanResult {
  plan: Plan;
  desired: DesiredAssets;
  live: LiveState;
  ctx: Context;
  token: string;
  allowDelete: boolean;
}

async function computeLivePlan(
  opts: CommonOptions,
  ctx: Context,
  strictSecrets: boolean,
  allowDelete: boolean,
): Promise<PlanResult> {
  const { env, resolved } = ctx;
  // An omitted secret is never sent, so its keyword needs no value here.
  const uses = keywordUses(opts.root, ctx.tenantFile, ctx.tenantDoc).filter((u) => !isOmitted(env, u.name));
  const missingSecretValues = resolved.secretNames.filter((n) => !resolved.keywordValues[n]);
  // A plan may run without secret values (it then cannot compare them); a deploy may not.
  const tolerated = strictSecrets ? {} : Object.fromEntries(missingSecretValues.map((n) => [n, 'unset']));
  const blocking = unresolvedKeywordProblems(
    uses,
    { ...resolved.keywordValues, ...tolerated },
    resolved.secretNames,
    env.file,
  );
  if (blocking.length) throw new UserError(blocking[0] as string, blocking);

  const desired = await loadDesired(
    ctx.tenantDoc,
    path.dirname(path.resolve(opts.root, ctx.tenantFile)),
    resolved.keywordValues,
    env.AUTH0_INCLUDED_ONLY,
  );
  const fetchImpl = fetchWithCa(ctx.resolved.caFile);
  const token = await getAccessToken(resolved.domain, resolved.credentials, fetchImpl).catch((err: Error) => {
    throw new UserError(ctx.redact(err.message));
  });
  const client = managementClient(resolved.domain, token, fetchImpl);
  const live = await readLiveState(client, {
    connectionNames: (desired.connections ?? []).map((c) => c.name),
    actionNames: (desired.actions ?? []).map((a) => a.name),
    includeTenant: !!desired.tenant,
  }).catch((err: Error & { statusCode?: number }) => {
    throw new UserError(
      `reading the tenant ${resolved.domain} failed: ${ctx.redact(err.message.split('\n')[0] ?? '')}`,
    );
  });
  const hubspotToken = resolved.keywordValues[env.hubspot.tokenSecret];
  const hsDesired = hubspotDesired(env);
  const hsLive = hubspotToken
    ? await readHubspot(hubspotClient(resolved.hubspotBasePath, hubspotToken), hsDesired)
    : null;
  const plan = computePlan({
    desired,
    live,
    allowDelete,
    missingSecretValues,
    hubspot: { desired: hsDesired, live: hsLive },
    tokenScopes: tokenScopes(token),
    forDeploy: strictSecrets,
  });
  for (const n of missingSecretValues) plan.warnings.push(`${n} is not set: secret values were not compared`);
  return { plan, desired, live, ctx, token, allowDelete };
}

/**
 * Runs the real a0deploy on what the plan selected: an import, or (dryRun) deploy-cli's own
 * preview of the same input. Output lines go through `log`, redacted.
 */
async function importSelection(
  opts: CommonOptions,
  result: PlanResult,
  selection: ReturnType<typeof selectForImport>,
  allowDelete: boolean,
  dryRun: boolean,
): Promise<Summary> {
  const { ctx } = result;
  const actions = result.desired.actions ?? [];
  const secretValues = Object.fromEntries(
    actions.flatMap((a) => (a.secrets ?? []).map((s) => [s.name, s.value ?? ''])),
  );
  const marker = makeMarker(secretValues, Object.keys(secretValues));
  const { dir, inputFile } = writeImportDir(opts.root, ctx.tenantFile, selection, marker);
  try {
    const config: A0deployConfig = {
      AUTH0_DOMAIN: ctx.resolved.domain,
      AUTH0_ACCESS_TOKEN: result.token,
      AUTH0_KEYWORD_REPLACE_MAPPINGS: ctx.resolved.keywordValues,
      AUTH0_INCLUDED_ONLY: selection.types,
      AUTH0_ALLOW_DELETE: allowDelete,
      ...(dryRun ? { AUTH0_DRY_RUN: 'preview' as const } : {}),
    };
    const connectionNames = (result.desired.connections ?? []).map((c) => c.name);
    if (connectionNames.length) config.AUTH0_INCLUDED_CONNECTIONS = connectionNames;
    return await runA0deploy({
      inputFile,
      config,
      caFile: ctx.resolved.caFile,
      onLine: (l) => opts.log(ctx.redact(l)),
    }).catch((err: Error) => {
      throw new UserError(ctx.redact(err.message));
    });
  } finally {
    removeDir(dir);
  }
}

export interface PlanOptions extends CommonOptions {
  allowDelete?: boolean;
  /** Also run deploy-cli's own dry run on what a deploy would import. */
  deployCliDryRun?: boolean;
}

export async function runPlan(opts: PlanOptions): Promise<PlanResult & { deployCliDryRun?: string }> {
  const ctx = await loadContext(opts, false);
  const allow = parseAllowDelete(opts.processEnv.AUTH0_ALLOW_DELETE, opts.allowDelete);
  if ('problem' in allow) throw new UserError(allow.problem);
  const result = await computeLivePlan(opts, ctx, false, allow.value);
  if (!opts.deployCliDryRun || result.plan.errors.length) return result;
  const selection = selectForImport(ctx.tenantDoc, result.plan, allow.value, ctx.env.AUTH0_INCLUDED_ONLY);
  if (!selection.types.length)
    return { ...result, deployCliDryRun: 'Nothing to import: a deploy would not run a0deploy.' };
  // Keep deploy-cli's report (from its title on), not its spinner frames.
  const lines: string[] = [];
  await importSelection({ ...opts, log: (l) => lines.push(l) }, result, selection, allow.value, true);
  const start = lines.findIndex((l) => l.includes('Dry Run Preview'));
  return { ...result, deployCliDryRun: (start === -1 ? lines : lines.slice(start)).join('\n') };
}

export interface DeployOptions extends CommonOptions {
  allowDelete?: boolean;
  allowLocalProduction?: boolean;
  /** Skip `npm run build` (tests of the guards; the bundle is checked by validate anyway). */
  skipBuild?: boolean;
  /** Skip the offline validation (tests that deploy a deliberately edited tenant.yaml copy). */
  skipValidate?: boolean;
}

export interface DeployResult {
  plan: Plan;
  summary: Summary | null;
  hubspotCreated: string[];
  deployedTypes: string[];
}

export async function runDeploy(opts: DeployOptions): Promise<DeployResult> {
  const prod = productionGuard(opts.envName, opts.processEnv, !!opts.allowLocalProduction);
  if (prod) throw new UserError(prod);
  const allow = parseAllowDelete(opts.processEnv.AUTH0_ALLOW_DELETE, opts.allowDelete);
  if ('problem' in allow) throw new UserError(allow.problem);
  // A mistyped --env or a broken environment file fails before the slower steps.
  const env = loadEnvironment(opts.root, opts.envName);
  if (!env.ok) throw new UserError(env.problems[0] as string, env.problems);

  if (!opts.skipValidate) {
    opts.log('validate: offline checks');
    const v = await runValidate({ root: opts.root, tenantFile: opts.tenantFile });
    if (v.problems.length)
      throw new UserError(
        `validate found ${v.problems.length} problem(s); first: ${v.problems[0]}`,
        v.problems,
      );
  }
  if (!opts.skipBuild) {
    opts.log('build: npm run build');
    const b = spawnSync('npm', ['run', '--silent', 'build'], { cwd: opts.root, encoding: 'utf8' });
    if (b.status !== 0)
      throw new UserError(`npm run build failed: ${(b.stderr || b.stdout).trim().split('\n').pop()}`);
  }

  const ctx = await loadContext(opts, true);
  opts.log(`plan: reading ${ctx.resolved.domain}`);
  const result = await computeLivePlan(opts, ctx, true, allow.value);
  const { plan } = result;
  if (plan.errors.length) throw new UserError(plan.errors[0] as string, plan.errors);

  // HubSpot first: the Action relies on these properties from its first event.
  let hubspotCreated: string[] = [];
  if (plan.resources.some((r) => r.type === 'hubspotProperties' && r.action === 'create')) {
    const token = ctx.resolved.keywordValues[ctx.env.hubspot.tokenSecret] as string;
    const client = hubspotClient(ctx.resolved.hubspotBasePath, token);
    const desired = hubspotDesired(ctx.env);
    hubspotCreated = await ensureHubspot(client, desired, await readHubspot(client, desired)).catch(
      (err: Error) => {
        throw new UserError(ctx.redact(err.message));
      },
    );
  }

  const selection = selectForImport(ctx.tenantDoc, plan, allow.value, ctx.env.AUTH0_INCLUDED_ONLY);
  let summary: Summary | null = null;
  if (selection.types.length) {
    opts.log(`a0deploy: importing ${selection.types.join(', ')}`);
    summary = await importSelection(
      { ...opts, log: (l) => opts.log(`  a0deploy | ${l}`) },
      result,
      selection,
      allow.value,
      false,
    );
    // a0deploy skips some things with only a warning; a second read proves the tenant now matches.
    const after = await computeLivePlan(opts, ctx, true, allow.value);
    const left = after.plan.resources.filter(
      (r) => r.action !== 'unchanged' && r.type !== 'hubspotProperties',
    );
    if (left.length) {
      throw new UserError(
        `after a0deploy the tenant still differs from ${ctx.tenantFile}: ${left.map((r) => `${r.type} "${r.name}" (${r.fields.map((f) => f.field).join(', ')})`).join('; ')}`,
      );
    }
  }
  return { plan, summary, hubspotCreated, deployedTypes: selection.types };
}
