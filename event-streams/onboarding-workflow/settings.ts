/**
 * The Action's configuration, read from `event.secrets` (the only configuration an Action has).
 *
 * `DESTINATIONS` (a comma list, default "hubspot,slack") chooses which destinations run, so each
 * environment switches them on in tenant/environments/*.yaml without a code change. Each enabled
 * destination then needs its own settings: a missing or invalid one makes that destination
 * "misconfigured" (the delivery fails until it is fixed); a disabled destination is not read at all.
 *
 * Base URLs default to the real APIs; the local stand-ins are reached by setting them, so no
 * test-only branch exists in this code. Pure: no I/O, the same secrets always give the same settings.
 */
import { z } from 'zod';
import { PROVISIONING_SOURCES, type ProvisioningSource } from './lifecycle';

export const DESTINATION_NAMES = [
  'hubspot',
  'slack',
  'salesforce',
  'jira',
  'segment',
  'teams',
  'provisioning',
] as const;
export type DestinationName = (typeof DESTINATION_NAMES)[number];
const DEFAULT_DESTINATIONS: readonly DestinationName[] = ['hubspot', 'slack'];

/** An unresolved deploy-time keyword ('##NAME##' or '@@NAME@@') counts as unset, never as a value. */
const UNRESOLVED_KEYWORD = /^(##|@@)[A-Za-z0-9_]+(##|@@)$/;

/** A raw value as a trimmed string, or undefined when it is empty or an unresolved keyword. */
function configuredValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' || UNRESOLVED_KEYWORD.test(trimmed) ? undefined : trimmed;
}

const text = z.string().min(1);
const url = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));
/** A Salesforce field API name (custom fields end in __c). */
const apiName = z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/);
const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);

export interface MappingEntry {
  /** Dotted path in the request body, e.g. `user.email`. */
  target: string;
  source: ProvisioningSource;
}

const DEFAULT_PROVISIONING_MAPPING =
  'user_id=userId,email=email,given_name=givenName,family_name=familyName,title=title,' +
  'department=department,manager_id=managerId,employee_number=employeeNumber,' +
  'action=step,event_id=eventId,occurred_at=occurredAt';

/** Parses `target=source` pairs; rejects unknown sources and targets that collide (`a` and `a.b`). */
export function parseMapping(value: string): MappingEntry[] | undefined {
  const entries: MappingEntry[] = [];
  for (const pair of value.split(',').map((p) => p.trim())) {
    if (pair === '') continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*=\s*([A-Za-z]+)$/.exec(pair);
    if (!match || !(PROVISIONING_SOURCES as readonly string[]).includes(match[2]!)) return undefined;
    entries.push({ target: match[1]!, source: match[2] as ProvisioningSource });
  }
  const targets = entries.map((e) => e.target);
  const collides = targets.some(
    (t, i) => targets.indexOf(t) !== i || targets.some((other) => other.startsWith(`${t}.`)),
  );
  return entries.length === 0 || collides ? undefined : entries;
}
const mapping = z.string().transform((value, ctx) => {
  const parsed = parseMapping(value);
  if (!parsed) ctx.addIssue({ code: 'custom', message: 'invalid mapping' });
  return parsed ?? [];
});

/**
 * Every setting each destination reads. `secret: true` values are credentials: they are redacted
 * from every log line. The others are plain settings (URLs, field names) and stay readable in logs.
 */
const SETTINGS = {
  hubspot: {
    HUBSPOT_TOKEN: { schema: text, secret: true },
    HUBSPOT_BASE_URL: { schema: url, default: 'https://api.hubapi.com' },
  },
  slack: {
    SLACK_WEBHOOK_URL: { schema: url, secret: true },
  },
  salesforce: {
    SALESFORCE_LOGIN_URL: { schema: url },
    SALESFORCE_CLIENT_ID: { schema: text, secret: true },
    SALESFORCE_CLIENT_SECRET: { schema: text, secret: true },
    SALESFORCE_EXTERNAL_ID_FIELD: { schema: apiName, default: 'Auth0_User_Id__c' },
    SALESFORCE_OFFBOARD: { schema: z.enum(['deactivate', 'delete']), default: 'deactivate' },
    SALESFORCE_ACTIVE_FIELD: { schema: apiName, default: 'Active__c' },
  },
  jira: {
    JIRA_BASE_URL: { schema: url },
    JIRA_EMAIL: { schema: text, secret: true },
    JIRA_API_TOKEN: { schema: text, secret: true },
    JIRA_PROJECT_KEY: { schema: z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/) },
    JIRA_ISSUE_TYPE: { schema: text, default: 'Task' },
  },
  segment: {
    SEGMENT_WRITE_KEY: { schema: text, secret: true },
    SEGMENT_API_URL: { schema: url, default: 'https://api.segment.io' },
  },
  teams: {
    TEAMS_WEBHOOK_URL: { schema: url, secret: true },
  },
  provisioning: {
    PROVISIONING_URL: { schema: url },
    PROVISIONING_AUTH_VALUE: { schema: text, secret: true },
    PROVISIONING_AUTH_HEADER: { schema: headerName, default: 'Authorization' },
    PROVISIONING_BODY_MAPPING: { schema: mapping, default: DEFAULT_PROVISIONING_MAPPING },
  },
} satisfies Record<
  DestinationName,
  Record<string, { schema: z.ZodType; secret?: boolean; default?: string }>
>;

type Spec = (typeof SETTINGS)[DestinationName];
type Values<S extends Spec> = { [K in keyof S]: S[K] extends { schema: z.ZodType<infer O> } ? O : never };

export type HubSpotSettings = Values<typeof SETTINGS.hubspot>;
export type SlackSettings = Values<typeof SETTINGS.slack>;
export type SalesforceSettings = Values<typeof SETTINGS.salesforce>;
export type JiraSettings = Values<typeof SETTINGS.jira>;
export type SegmentSettings = Values<typeof SETTINGS.segment>;
export type TeamsSettings = Values<typeof SETTINGS.teams>;
export type ProvisioningSettings = Values<typeof SETTINGS.provisioning>;

export interface Problem {
  /** The destination concerned, or `DESTINATIONS` for the list itself. */
  name: string;
  /** Names the settings at fault, never their values. */
  missing: string;
}

export interface Settings {
  /** Destinations to run, in DESTINATIONS order (only known, correctly configured ones). */
  enabled: DestinationName[];
  hubspot?: HubSpotSettings;
  slack?: SlackSettings;
  salesforce?: SalesforceSettings;
  jira?: JiraSettings;
  segment?: SegmentSettings;
  teams?: TeamsSettings;
  provisioning?: ProvisioningSettings;
  /** Enabled destinations that cannot run, and unknown names in DESTINATIONS. */
  problems: Problem[];
}

/** Setting names per destination, for tenant.yaml keywords, docs and the deploy tooling. */
export function settingNames(destination: DestinationName): {
  required: string[];
  optional: string[];
  secret: string[];
} {
  const entries = Object.entries(SETTINGS[destination]) as Array<
    [string, { secret?: boolean; default?: string }]
  >;
  return {
    required: entries.filter(([, s]) => s.default === undefined).map(([k]) => k),
    optional: entries.filter(([, s]) => s.default !== undefined).map(([k]) => k),
    secret: entries.filter(([, s]) => s.secret).map(([k]) => k),
  };
}

/** Values to redact from logs: every credential, and any key this Action does not know. */
export function secretValues(secrets: Record<string, string | undefined>): string[] {
  const plain = new Set<string>(['DESTINATIONS']);
  for (const spec of Object.values(SETTINGS)) {
    for (const [key, s] of Object.entries(spec) as Array<[string, { secret?: boolean }]>) {
      if (!s.secret) plain.add(key);
    }
  }
  return Object.entries(secrets)
    .filter(([key, value]) => !plain.has(key) && typeof value === 'string')
    .map(([, value]) => value as string);
}

/** DESTINATIONS as names; unknown entries are reported, never guessed. */
export function enabledDestinations(raw: unknown): { names: DestinationName[]; unknown: string[] } {
  const value = configuredValue(raw);
  if (value === undefined) return { names: [...DEFAULT_DESTINATIONS], unknown: [] };
  const listed = [
    ...new Set(
      value
        .toLowerCase()
        .split(/[\s,]+/)
        .filter(Boolean),
    ),
  ];
  if (listed.length === 1 && listed[0] === 'none') return { names: [], unknown: [] };
  return {
    names: listed.filter((n): n is DestinationName => (DESTINATION_NAMES as readonly string[]).includes(n)),
    unknown: listed.filter((n) => !(DESTINATION_NAMES as readonly string[]).includes(n)),
  };
}

function readDestination(
  destination: DestinationName,
  secrets: Record<string, string | undefined>,
): { settings: unknown } | { missing: string } {
  const spec = SETTINGS[destination] as Record<string, { schema: z.ZodType; default?: string }>;
  const shape: Record<string, z.ZodType> = {};
  const input: Record<string, string | undefined> = {};
  for (const [key, s] of Object.entries(spec)) {
    shape[key] = s.schema;
    input[key] = configuredValue(secrets[key]) ?? s.default;
  }
  const parsed = z.object(shape).safeParse(input);
  if (parsed.success) return { settings: parsed.data };
  const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
  return {
    missing: keys.map((key) => `${key} ${input[key] === undefined ? 'is not set' : 'is invalid'}`).join('; '),
  };
}

export function readSettings(secrets: Record<string, string | undefined>): Settings {
  const { names, unknown } = enabledDestinations(secrets.DESTINATIONS);
  const settings: Settings = { enabled: [], problems: [] };
  for (const name of unknown) {
    settings.problems.push({
      name,
      missing: `DESTINATIONS lists "${name}", which is not one of ${DESTINATION_NAMES.join(', ')}`,
    });
  }
  for (const name of names) {
    const result = readDestination(name, secrets);
    if ('missing' in result) settings.problems.push({ name, missing: result.missing });
    else {
      settings.enabled.push(name);
      (settings as unknown as Record<string, unknown>)[name] = result.settings;
    }
  }
  return settings;
}
