/**
 * `npm run validate`: offline checks that need no credentials (so they run on pull requests from
 * forks too). Each check is a pure function over file contents; collectRepo() is the I/O edge.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import {
  type Environment,
  type Result,
  isOmitted,
  listEnvironmentNames,
  loadEnvironment,
  secretNames,
} from './environment';
import { type KeywordUse, findKeywords } from './keywords';

// ---- deploy-cli's own schema --------------------------------------------------------------------

interface AjvLike {
  validate(schema: object, data: unknown): boolean;
  errors?: Array<{ dataPath?: string; message?: string; params?: Record<string, unknown> }> | null;
}
// deploy-cli's own schema (its handlers' `schema` exports) and ajv 6 with its options.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deployCliSchema = require('./deploy-cli-schema') as {
  schemaFor: (types: readonly string[]) => object;
  newAjv: (allErrors: boolean) => AjvLike;
};

/** Placeholders stand for values of the right type, like after deploy-cli's replacement. */
export function withPlaceholdersFilled(text: string): string {
  return text
    .replace(/(['"]?)@@([A-Z][A-Z0-9_]*)@@\1/g, '[]')
    .replace(/##([A-Z][A-Z0-9_]*)##/g, 'placeholder-$1');
}

export function checkDeployCliSchema(tenantText: string, file = 'tenant.yaml'): string[] {
  let doc: unknown;
  try {
    doc = parseYaml(withPlaceholdersFilled(tenantText));
  } catch (err) {
    return [`${file}: is not valid YAML: ${(err as Error).message.split('\n')[0]}`];
  }
  const nonNull = Object.fromEntries(
    Object.entries((doc ?? {}) as Record<string, unknown>).filter(([, v]) => v != null),
  );
  const ajv = deployCliSchema.newAjv(true);
  if (ajv.validate(deployCliSchema.schemaFor(Object.keys(nonNull)), nonNull)) return [];
  return (ajv.errors ?? []).map((e) => {
    const where = (e.dataPath ?? '').replace(/^\./, '').replace(/\['([^']+)'\]/g, '.$1') || '(top level)';
    const extra =
      e.params && 'additionalProperty' in e.params ? ` "${String(e.params.additionalProperty)}"` : '';
    return `${file}: ${where}: ${e.message}${extra} (auth0-deploy-cli schema)`;
  });
}

// ---- tenant.yaml semantics ------------------------------------------------------------------------

interface TenantDoc {
  connections?: Array<{ name?: string; strategy?: string; scim_configuration?: unknown }>;
  actions?: Array<{
    name?: string;
    code?: string;
    dependencies?: Array<{ name?: string; version?: string }>;
    secrets?: Array<{ name?: string }>;
  }>;
  eventStreams?: Array<{
    name?: string;
    subscriptions?: Array<{ event_type?: string }>;
    destination?: { type?: string; configuration?: { action_id?: string } };
  }>;
}

export function checkStreamsNameActions(doc: TenantDoc, file = 'tenant.yaml'): string[] {
  const actions = new Set((doc.actions ?? []).map((a) => a.name));
  return (doc.eventStreams ?? []).flatMap((s, i) => {
    if (s.destination?.type !== 'action') return [];
    const name = s.destination.configuration?.action_id;
    return actions.has(name)
      ? []
      : [
          `${file}: eventStreams[${i}].destination.configuration.action_id: "${name}" is not the name of an action in ${file}`,
        ];
  });
}

/** The event types an Event Stream accepts, as documented (fallback when ../shared is absent). */
export const DOCUMENTED_EVENT_TYPES = [
  'group.created',
  'group.deleted',
  'group.member.added',
  'group.member.deleted',
  'group.role.assigned',
  'group.role.deleted',
  'group.updated',
  'organization.connection.added',
  'organization.connection.removed',
  'organization.connection.updated',
  'organization.created',
  'organization.deleted',
  'organization.group.role.assigned',
  'organization.group.role.deleted',
  'organization.member.added',
  'organization.member.deleted',
  'organization.member.role.assigned',
  'organization.member.role.deleted',
  'organization.updated',
  'user.created',
  'user.deleted',
  'user.updated',
];

export function knownEventTypes(root: string): { types: string[]; source: string } {
  const file = path.resolve(root, '..', 'shared', 'reference', 'auth0-management-api.openapi.json');
  if (existsSync(file)) {
    const spec = JSON.parse(readFileSync(file, 'utf8')) as {
      components?: { schemas?: Record<string, { enum?: string[] }> };
    };
    const e = spec.components?.schemas?.EventStreamSubscribeEventsEventTypeEnum?.enum;
    if (e?.length) return { types: e, source: 'the Management API OpenAPI description' };
  }
  return { types: DOCUMENTED_EVENT_TYPES, source: 'the documented list' };
}

export function checkSubscriptions(
  doc: TenantDoc,
  known: { types: string[]; source: string },
  file = 'tenant.yaml',
): string[] {
  return (doc.eventStreams ?? []).flatMap((s, i) =>
    (s.subscriptions ?? []).flatMap((sub, j) =>
      known.types.includes(sub.event_type ?? '')
        ? []
        : [
            `${file}: eventStreams[${i}].subscriptions[${j}].event_type: "${sub.event_type}" is not an event type in ${known.source}`,
          ],
    ),
  );
}

/**
 * The strategies for which auth0-deploy-cli applies `scim_configuration` (its ScimHandler). Auth0
 * itself also offers SCIM on adfs and pingfederate, but a0deploy would skip them silently.
 */
export function deployCliScimStrategies(): string[] {
  // (deploy-cli-schema loaded deploy-cli through its entry, so this handler loads cleanly.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ScimHandler = require('auth0-deploy-cli/lib/tools/auth0/handlers/scimHandler').default as new (
    ...a: unknown[]
  ) => { scimStrategies: string[] };
  return new ScimHandler(() => undefined, {}, {}).scimStrategies;
}

export function checkScimStrategies(doc: TenantDoc, strategies: string[], file = 'tenant.yaml'): string[] {
  return (doc.connections ?? []).flatMap((c, i) =>
    c.scim_configuration && !strategies.includes((c.strategy ?? '').toLowerCase())
      ? [
          `${file}: connections[${i}].strategy: "${c.strategy}" has scim_configuration, but auth0-deploy-cli applies SCIM only for ${strategies.join(', ')} (it would skip it silently)`,
        ]
      : [],
  );
}

export function checkDependenciesPinned(
  doc: TenantDoc,
  lock: { packages?: Record<string, { version?: string }> },
  file = 'tenant.yaml',
): string[] {
  return (doc.actions ?? []).flatMap((a, i) =>
    (a.dependencies ?? []).flatMap((d, j) => {
      const locked = lock.packages?.[`node_modules/${d.name}`]?.version;
      const where = `${file}: actions[${i}].dependencies[${j}]`;
      if (!locked)
        return [
          `${where}: ${d.name} is not in package-lock.json; add it with npm install --save-exact so tests run the same version`,
        ];
      if (d.version !== locked)
        return [
          `${where}: ${d.name}@${d.version} differs from package-lock.json (${locked}); pin exactly ${locked}`,
        ];
      return [];
    }),
  );
}

export interface SecretRead {
  file: string;
  /** Has a default in the source: it may be left undeclared. */
  optional: boolean;
}

/**
 * Secret names the Action source reads: event.secrets.X, secrets['X'], destructuring, keys of a
 * `*secrets*` zod object, and entries of a settings table (`NAME: { schema: ... }`); an entry with
 * a `default:` is optional.
 */
export function secretsReadBySource(files: Array<{ path: string; text: string }>): Map<string, SecretRead> {
  const found = new Map<string, SecretRead>();
  const add = (name: string, file: string, optional = false) => {
    const prev = found.get(name);
    if (!prev) found.set(name, { file, optional });
    else if (prev.optional && !optional) found.set(name, { file, optional });
  };
  for (const { path: p, text } of files) {
    for (const m of text.matchAll(/\bsecrets\??\.([A-Z][A-Z0-9_]*)\b/g)) add(m[1] as string, p);
    for (const m of text.matchAll(/\bsecrets\??\.?\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g))
      add(m[1] as string, p);
    for (const m of text.matchAll(/\b\w*[sS]ecrets\w*\s*=\s*z\s*\.\s*object\(\s*\{([\s\S]*?)\}\s*\)/g)) {
      for (const k of (m[1] as string).matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*:/gm)) add(k[1] as string, p);
    }
    for (const m of text.matchAll(/^\s*([A-Z][A-Z0-9_]*)\s*:\s*\{\s*schema\s*:([^\n]*)$/gm)) {
      add(m[1] as string, p, /\bdefault\s*:/.test(m[2] as string));
    }
    for (const m of text.matchAll(/\{([^{}]*)\}\s*=\s*event\.secrets\b/g)) {
      for (const k of (m[1] as string).matchAll(/\b([A-Z][A-Z0-9_]*)\b/g)) add(k[1] as string, p);
    }
  }
  return found;
}

export function checkSecretsDeclared(
  doc: TenantDoc,
  read: Map<string, SecretRead>,
  file = 'tenant.yaml',
): string[] {
  const declared = new Set((doc.actions ?? []).flatMap((a) => (a.secrets ?? []).map((s) => s.name ?? '')));
  const problems: string[] = [];
  for (const [name, r] of [...read.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!r.optional && !declared.has(name))
      problems.push(
        `${r.file}: reads event.secrets.${name}, which no action in ${file} declares under secrets`,
      );
  }
  (doc.actions ?? []).forEach((a, i) =>
    (a.secrets ?? []).forEach((s, j) => {
      if (s.name && !read.has(s.name))
        problems.push(
          `${file}: actions[${i}].secrets[${j}]: ${s.name} is declared but the Action source never reads it`,
        );
    }),
  );
  return problems;
}

export function checkKeywordSources(uses: KeywordUse[], envs: Environment[]): string[] {
  const names = [...new Set(uses.map((u) => u.name))].sort();
  const problems: string[] = [];
  for (const env of envs) {
    const secrets = secretNames(env);
    for (const n of names) {
      if (n in env.keywords || secrets.includes(n) || isOmitted(env, n)) continue;
      const at = uses.find((u) => u.name === n);
      problems.push(
        `${env.file}: keywords: ${n} (used at ${at?.file}:${at?.line}) has no value source; add it under keywords, under secrets if it is secret, or under omitSecrets if this environment does not use it`,
      );
    }
    for (const k of Object.keys(env.keywords)) {
      if (!names.includes(k))
        problems.push(`${env.file}: keywords.${k}: not used by tenant.yaml or the Action bundle`);
    }
  }
  return problems;
}

// ---- literal secrets ----------------------------------------------------------------------------------

export const SECRET_PATTERNS: Array<{ what: string; re: RegExp }> = [
  {
    what: 'a Slack incoming-webhook URL',
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9]+\/[A-Za-z0-9]+\/[A-Za-z0-9]+/g,
  },
  {
    what: 'a HubSpot private-app token',
    re: /\bpat-(?:na|eu)\d+-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  },
  { what: 'a Slack token', re: /\bxox[abposr]-[0-9A-Za-z-]{10,}/g },
  { what: 'a PEM private key', re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
];

/** Test fixtures may hold secret-shaped strings only when they say they are fake. */
const OBVIOUSLY_FAKE = /fake|test|dummy|example|sample|local|placeholder|not-?a-?real|x{4,}|0{6,}|1234/i;

export function findLiteralSecrets(files: Array<{ path: string; text: string }>): string[] {
  const problems: string[] = [];
  for (const { path: p, text } of files) {
    const inTests = p.startsWith('tests/');
    for (const { what, re } of SECRET_PATTERNS) {
      for (const m of text.matchAll(re)) {
        const line = text.slice(0, m.index).split('\n').length;
        const lineText = text.split('\n')[line - 1] ?? '';
        if (inTests && (OBVIOUSLY_FAKE.test(m[0]) || OBVIOUSLY_FAKE.test(lineText))) continue;
        // Patterns describing secrets (like this file's own) are not secrets.
        if (/\\[dsw]|\[0-9|\[A-Z/.test(lineText)) continue;
        problems.push(
          `${p}:${line}: looks like ${what}; secrets belong in environment variables only${inTests ? ' (a test fixture must use an obviously fake value)' : ''}`,
        );
      }
    }
  }
  return problems;
}

// ---- bundle ------------------------------------------------------------------------------------------

export const MAX_BUNDLE_BYTES = 100 * 1024;

export function checkBundles(
  built: Array<{ codePath: string; code: string }>,
  committed: (codePath: string) => string | undefined,
): string[] {
  const problems: string[] = [];
  for (const b of built) {
    const current = committed(b.codePath);
    if (current === undefined) problems.push(`${b.codePath}: missing; run npm run build and commit it`);
    else if (current !== b.code)
      problems.push(
        `${b.codePath}: stale (differs from what the source builds); run npm run build and commit it`,
      );
    const bytes = Buffer.byteLength(b.code);
    if (bytes > MAX_BUNDLE_BYTES)
      problems.push(`${b.codePath}: ${bytes} bytes, over the ${MAX_BUNDLE_BYTES}-byte limit`);
  }
  return problems;
}

// ---- I/O edge --------------------------------------------------------------------------------------------

function walk(dir: string, root: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const full = path.join(dir, f);
    if (statSync(full).isDirectory()) return walk(full, root, ext);
    return f.endsWith(ext) ? [path.relative(root, full)] : [];
  });
}

function trackedTextFiles(root: string): Array<{ path: string; text: string }> {
  let list: string[];
  try {
    list = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
    })
      .split('\0')
      .filter(Boolean);
  } catch {
    list = [];
  }
  return list.flatMap((p) => {
    try {
      const buf = readFileSync(path.join(root, p));
      if (buf.length > 2_000_000 || buf.includes(0)) return [];
      return [{ path: p, text: buf.toString('utf8') }];
    } catch {
      return [];
    }
  });
}

export interface ValidateOptions {
  root: string;
  tenantFile?: string;
  /** Builds the bundles in memory (scripts/build-actions.ts); injectable for tests. */
  buildBundles?: (root: string) => Promise<Array<{ codePath: string; code: string }>>;
}

export async function runValidate(opts: ValidateOptions): Promise<{ problems: string[]; checked: string[] }> {
  const { root } = opts;
  const tenantFile = opts.tenantFile ?? 'tenant.yaml';
  const problems: string[] = [];
  const checked: string[] = [];
  const tenantText = readFileSync(path.resolve(root, tenantFile), 'utf8');
  let doc: TenantDoc = {};
  try {
    doc = (parseYaml(withPlaceholdersFilled(tenantText)) ?? {}) as TenantDoc;
  } catch {
    // reported by the schema check
  }

  problems.push(...checkDeployCliSchema(tenantText, tenantFile));
  checked.push('tenant.yaml against auth0-deploy-cli 8.44.0 schema');

  const envResults: Array<Result<Environment>> = listEnvironmentNames(root).map((n) =>
    loadEnvironment(root, n),
  );
  const envs = envResults.flatMap((r) => (r.ok ? [r.value] : []));
  for (const r of envResults) if (!r.ok) problems.push(...r.problems);
  for (const required of ['local', 'staging', 'production']) {
    if (!existsSync(path.join(root, 'tenant', 'environments', `${required}.yaml`)))
      problems.push(`tenant/environments/${required}.yaml: missing`);
  }
  checked.push(`environments (${envResults.length})`);

  problems.push(...checkStreamsNameActions(doc, tenantFile));
  problems.push(...checkSubscriptions(doc, knownEventTypes(root), tenantFile));
  problems.push(...checkScimStrategies(doc, deployCliScimStrategies(), tenantFile));
  checked.push('streams, subscriptions, SCIM strategies');

  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as {
    packages?: Record<string, { version?: string }>;
  };
  problems.push(...checkDependenciesPinned(doc, lock, tenantFile));
  checked.push('action dependencies pinned to package-lock.json');

  const sources = walk(path.join(root, 'event-streams'), root, '.ts').map((p) => ({
    path: p,
    text: readFileSync(path.join(root, p), 'utf8'),
  }));
  problems.push(...checkSecretsDeclared(doc, secretsReadBySource(sources), tenantFile));
  checked.push('event.secrets read by the source vs declared');

  const uses = [...findKeywords(tenantText, tenantFile)];
  const baseDir = path.dirname(path.resolve(root, tenantFile));
  for (const a of doc.actions ?? []) {
    const codeFile = a.code ? path.join(baseDir, a.code) : undefined;
    if (codeFile && existsSync(codeFile))
      uses.push(...findKeywords(readFileSync(codeFile, 'utf8'), path.relative(root, codeFile)));
  }
  problems.push(...checkKeywordSources(uses, envs));
  checked.push('every keyword has a value source in every environment');

  problems.push(...findLiteralSecrets(trackedTextFiles(root)));
  checked.push('no literal secret values in the repository');

  const build =
    opts.buildBundles ??
    (async (r: string) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(path.join(r, 'scripts', 'build-actions')) as {
        buildActionBundles: (root: string) => Promise<Array<{ codePath: string; code: string }>>;
      };
      return mod.buildActionBundles(r);
    });
  try {
    const built = await build(root);
    problems.push(
      ...checkBundles(built, (p) =>
        existsSync(path.join(root, p)) ? readFileSync(path.join(root, p), 'utf8') : undefined,
      ),
    );
  } catch (err) {
    problems.push(`npm run build: ${(err as Error).message.split('\n')[0]}`);
  }
  checked.push('committed bundle fresh and under 100 kB');
  return { problems, checked };
}
