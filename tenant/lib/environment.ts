/**
 * One YAML file per environment under tenant/environments/, holding only non-secret settings.
 * Secret values never live in these files: an environment lists the NAMES of its secrets and
 * their values come from environment variables at deploy time.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export const ENVIRONMENTS_DIR = path.join('tenant', 'environments');

/** Resource types auth0-deploy-cli may manage for this repo; anything else stays untouched. */
export const OWNED_RESOURCE_TYPES = ['tenant', 'connections', 'actions', 'eventStreams'] as const;

const KEYWORD_NAME = /^[A-Z][A-Z0-9_]*$/;
const keywordName = z
  .string()
  .regex(KEYWORD_NAME, { message: 'must be UPPER_SNAKE_CASE, like HUBSPOT_TOKEN' });

/** Where the local stack's state file keeps a value: a dotted path into .local/stack.json. */
const localStackRef = z
  .object({
    localStack: z.string().min(1, { message: 'names a field of .local/stack.json, like "auth0.domain"' }),
  })
  .strict();

const hostName = z.string().regex(/^[a-z0-9.-]+(:\d+)?$/i, {
  message: 'must be a bare host name like "example.eu.auth0.com" (no https://, no path)',
});

const nonSecretValue = z.union([z.string().min(1, { message: 'must not be empty' }), localStackRef], {
  message: 'must be a non-empty string or { localStack: <field of .local/stack.json> }',
});

const secretEntry = z.union(
  [
    keywordName,
    // The local stand-ins accept made-up credentials, so the local environment may take a
    // secret's default from the stack; an environment variable of the same name still wins.
    z.object({ name: keywordName, localStack: z.string().min(1) }).strict(),
  ],
  { message: 'must be a secret name like HUBSPOT_TOKEN (or, for local only, { name, localStack })' },
);

const hubspotProperty = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, { message: 'must be a lower_snake_case HubSpot internal name' }),
    label: z.string().min(1),
    type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
    fieldType: z.enum(['text', 'textarea', 'number', 'date', 'booleancheckbox', 'select']),
    unique: z.boolean().default(false),
    description: z.string().optional(),
  })
  .strict();

export const environmentSchema = z
  .object({
    description: z.string().optional(),
    AUTH0_DOMAIN: z.union([hostName, localStackRef], {
      message: 'must be a bare host name like "example.eu.auth0.com" or { localStack: <field> }',
    }),
    AUTH0_INCLUDED_ONLY: z
      .array(
        z.enum(OWNED_RESOURCE_TYPES, {
          message: `each entry must be one of ${OWNED_RESOURCE_TYPES.join(', ')}`,
        }),
      )
      .min(1, { message: 'must list at least one resource type' }),
    /** Non-secret keyword values for tenant.yaml (##NAME## / @@NAME@@). */
    keywords: z.record(keywordName, nonSecretValue).default({}),
    /** Keywords whose values are secret: read from the environment variable of the same name. */
    secrets: z.array(secretEntry).default([]),
    /**
     * Action secrets this environment does not use (for example the settings of a destination it
     * does not enable): left out of the deploy, so no '##NAME##' placeholder is ever uploaded as a
     * value. A trailing * matches a prefix (SALESFORCE_*).
     */
    omitSecrets: z
      .array(
        z.string().regex(/^[A-Z][A-Z0-9_]*\*?$/, {
          message: 'must be a secret name or a prefix ending in *, like SALESFORCE_*',
        }),
      )
      .default([]),
    /** Per-environment values that are neither keywords nor secrets (shown in plans, used by docs/CI). */
    settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    hubspot: z
      .object({
        basePath: nonSecretValue,
        /** Which secret holds the HubSpot private-app token used to manage properties. */
        tokenSecret: keywordName,
        group: z.object({ name: z.string().min(1), label: z.string().min(1) }).strict(),
        properties: z
          .array(hubspotProperty)
          .min(1, { message: 'must list the contact properties the Action relies on' }),
      })
      .strict(),
    /**
     * local only: fields of .local/stack.json holding the stack's own Management API client (used
     * when AUTH0_CLIENT_ID is not set) and the CA certificate its HTTPS server uses.
     */
    localStack: z
      .object({ clientId: z.string().min(1), clientSecret: z.string().min(1), caFile: z.string().min(1) })
      .strict()
      .optional(),
    ci: z
      .object({
        /** The GitHub environment holding this tenant's secrets (and its required reviewers). */
        githubEnvironment: z.string().min(1),
      })
      .strict()
      .optional(),
  })
  .strict();

export type EnvironmentFile = z.infer<typeof environmentSchema>;
export type NonSecretValue = z.infer<typeof nonSecretValue>;
export type HubspotPropertySpec = z.infer<typeof hubspotProperty>;

export interface Environment extends EnvironmentFile {
  name: string;
  file: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: string[] };

function fieldPath(p: ReadonlyArray<PropertyKey>): string {
  if (p.length === 0) return '(top level)';
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** Pure: text of one environment file -> the parsed environment, or one message per problem. */
export function parseEnvironment(name: string, file: string, text: string): Result<Environment> {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return { ok: false, problems: [`${file}: is not valid YAML: ${(err as Error).message.split('\n')[0]}`] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [`${file}: must be a YAML mapping of settings`] };
  }
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        if (issue.code === 'unrecognized_keys') {
          const where = issue.path.length ? `${fieldPath(issue.path)}.` : '';
          return `${file}: ${issue.keys.map((k) => where + k).join(', ')}: unknown field (check the spelling)`;
        }
        if (issue.code === 'invalid_key') {
          // zod reports a bad record key as "Invalid key in record"; the nested issue says why.
          return `${file}: ${fieldPath(issue.path)}: ${issue.issues[0]?.message ?? issue.message}`;
        }
        return `${file}: ${fieldPath(issue.path)}: ${issue.message}`;
      }),
    };
  }
  const env: Environment = { ...parsed.data, name, file };
  const problems = crossFieldProblems(env);
  return problems.length ? { ok: false, problems } : { ok: true, value: env };
}

function isLocalStackRef(v: unknown): v is { localStack: string } {
  return typeof v === 'object' && v !== null && 'localStack' in v;
}

/** True when this environment leaves the Action secret `name` out of its deploys. */
export function isOmitted(env: Pick<EnvironmentFile, 'omitSecrets'>, name: string): boolean {
  return env.omitSecrets.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

export function secretNames(env: Pick<EnvironmentFile, 'secrets'>): string[] {
  return env.secrets.map((s) => (typeof s === 'string' ? s : s.name));
}

function crossFieldProblems(env: Environment): string[] {
  const problems: string[] = [];
  const names = secretNames(env);
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) problems.push(`${env.file}: secrets[${i}]: ${n} is listed twice`);
    seen.add(n);
    if (n in env.keywords) {
      problems.push(
        `${env.file}: secrets[${i}]: ${n} is also under keywords; a value is either secret or not`,
      );
    }
  });
  if (!names.includes(env.hubspot.tokenSecret)) {
    problems.push(
      `${env.file}: hubspot.tokenSecret: ${env.hubspot.tokenSecret} must be listed under secrets`,
    );
  }
  if (env.name !== 'local') {
    // Only the local stack can supply values; a real tenant must never depend on a dev machine's state.
    if (isLocalStackRef(env.AUTH0_DOMAIN))
      problems.push(`${env.file}: AUTH0_DOMAIN: localStack is only allowed in local.yaml`);
    for (const [k, v] of Object.entries(env.keywords)) {
      if (isLocalStackRef(v))
        problems.push(`${env.file}: keywords.${k}: localStack is only allowed in local.yaml`);
    }
    env.secrets.forEach((s, i) => {
      if (typeof s !== 'string')
        problems.push(`${env.file}: secrets[${i}]: localStack defaults are only allowed in local.yaml`);
    });
    if (isLocalStackRef(env.hubspot.basePath))
      problems.push(`${env.file}: hubspot.basePath: localStack is only allowed in local.yaml`);
    if (env.localStack) {
      problems.push(
        `${env.file}: localStack: only allowed in local.yaml (credentials come from AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET)`,
      );
    }
  }
  for (const n of [...Object.keys(env.keywords), ...names]) {
    if (isOmitted(env, n))
      problems.push(`${env.file}: omitSecrets: ${n} is omitted but also given a value; keep one`);
  }
  const propNames = new Set<string>();
  env.hubspot.properties.forEach((p, i) => {
    if (propNames.has(p.name))
      problems.push(`${env.file}: hubspot.properties[${i}].name: ${p.name} is listed twice`);
    propNames.add(p.name);
  });
  return problems;
}

export function environmentFile(name: string): string {
  return path.join(ENVIRONMENTS_DIR, `${name}.yaml`);
}

export function listEnvironmentNames(root: string): string[] {
  return readdirSync(path.join(root, ENVIRONMENTS_DIR))
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

export function loadEnvironment(root: string, name: string): Result<Environment> {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    return {
      ok: false,
      problems: [`--env: "${name}" is not an environment name (lowercase letters, digits, dashes)`],
    };
  }
  const rel = environmentFile(name);
  let text: string;
  try {
    text = readFileSync(path.join(root, rel), 'utf8');
  } catch {
    const known = (() => {
      try {
        return listEnvironmentNames(root).join(', ');
      } catch {
        return 'none';
      }
    })();
    return { ok: false, problems: [`${rel}: not found (known environments: ${known})`] };
  }
  return parseEnvironment(name, rel, text);
}

/** Reads a dotted path (e.g. "auth0.domain") from the local stack's state object. */
export function readLocalStackField(state: unknown, dotted: string): unknown {
  let cur: unknown = state;
  for (const part of dotted.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface ResolvedEnvironment {
  env: Environment;
  domain: string;
  /** Management API credentials: the environment variables, else (local) the stack's client. */
  credentials: { AUTH0_CLIENT_ID?: string; AUTH0_CLIENT_SECRET?: string; AUTH0_ACCESS_TOKEN?: string };
  /** The local stack's CA certificate file (HTTPS with a certificate made at start). */
  caFile?: string;
  hubspotBasePath: string;
  /** Every keyword -> value (secret values included; never print this map). */
  keywordValues: Record<string, string>;
  /** Names of the keywords whose values are secret. */
  secretNames: string[];
}

/**
 * Pure: fills every value source. Missing values are reported, not thrown, so the caller can
 * list them all at once; the keyword guard decides which of them matter for this deploy.
 */
export function resolveEnvironment(
  env: Environment,
  processEnv: Record<string, string | undefined>,
  localStack: unknown | undefined,
): Result<ResolvedEnvironment> {
  const problems: string[] = [];
  const fromStack = (field: string, ref: string): string => {
    if (localStack === undefined) {
      problems.push(
        `${env.file}: ${field}: needs the local stack, but it is not running (start it with npm run local)`,
      );
      return '';
    }
    const v = readLocalStackField(localStack, ref);
    if (typeof v !== 'string' || v === '') {
      problems.push(`${env.file}: ${field}: .local/stack.json has no non-empty string at "${ref}"`);
      return '';
    }
    return v;
  };
  const value = (field: string, v: NonSecretValue): string =>
    typeof v === 'string' ? v : fromStack(field, v.localStack);

  const domain = value('AUTH0_DOMAIN', env.AUTH0_DOMAIN);
  const hubspotBasePath = value('hubspot.basePath', env.hubspot.basePath);
  const keywordValues: Record<string, string> = {};
  for (const [k, v] of Object.entries(env.keywords)) keywordValues[k] = value(`keywords.${k}`, v);
  env.secrets.forEach((s) => {
    const name = typeof s === 'string' ? s : s.name;
    const fromEnv = processEnv[name];
    if (fromEnv !== undefined && fromEnv !== '') keywordValues[name] = fromEnv;
    else if (typeof s !== 'string' && localStack !== undefined) {
      const v = readLocalStackField(localStack, s.localStack);
      keywordValues[name] = typeof v === 'string' ? v : '';
    } else keywordValues[name] = '';
  });
  const credentials = {
    AUTH0_CLIENT_ID: processEnv.AUTH0_CLIENT_ID,
    AUTH0_CLIENT_SECRET: processEnv.AUTH0_CLIENT_SECRET,
    AUTH0_ACCESS_TOKEN: processEnv.AUTH0_ACCESS_TOKEN,
  };
  if (env.localStack && !credentials.AUTH0_CLIENT_ID && !credentials.AUTH0_ACCESS_TOKEN) {
    credentials.AUTH0_CLIENT_ID = fromStack('localStack.clientId', env.localStack.clientId);
    credentials.AUTH0_CLIENT_SECRET = fromStack('localStack.clientSecret', env.localStack.clientSecret);
  }
  const caFile = env.localStack ? fromStack('localStack.caFile', env.localStack.caFile) : undefined;
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    value: {
      env,
      domain,
      credentials,
      caFile,
      hubspotBasePath,
      keywordValues,
      secretNames: secretNames(env),
    },
  };
}

export function needsLocalStack(env: EnvironmentFile): boolean {
  if (env.localStack) return true;
  const refs: unknown[] = [
    env.AUTH0_DOMAIN,
    env.hubspot.basePath,
    ...Object.values(env.keywords),
    ...env.secrets,
  ];
  return refs.some(isLocalStackRef);
}
