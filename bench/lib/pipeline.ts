/**
 * The pipeline the bench and the chaos runs drive: the HubSpot and Slack stand-ins (HubSpot holding
 * the custom properties the deploy creates, read from tenant/environments/local.yaml), and the
 * committed Action bundle loaded the way Auth0 loads it — or the Action's source with small budgets.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createActionCache, loadEventStreamHandler, type ActionDependency } from '../../local/action-runtime';
import { startLocalHubSpot, type LocalHubSpot, type RateLimitSetting } from '../../local/hubspot';
import { startLocalSlack, type LocalSlack } from '../../local/slack';
import { DESTINATION_NAMES, startLocalDestinations } from '../../local/destinations';
import type { StandinServer } from '../../local/http-standin';
import { createHandler, type HandlerOptions } from '../../event-streams/onboarding-workflow/handler';
import { contactProperties } from '../../event-streams/onboarding-workflow/destinations/hubspot';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';

export const ROOT = path.resolve(__dirname, '../..');
export const BUNDLE_PATH = path.join(ROOT, 'actions/Onboarding Workflow/code.js');
export const HUBSPOT_TOKEN = 'pat-bench-0000-fake-token';

export type Handler = (
  event: { message: unknown; secrets: Record<string, string> },
  api: { cache: ReturnType<typeof createActionCache> },
) => Promise<void>;

export function declaredDependencies(): ActionDependency[] {
  const tenant = parse(fs.readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8')) as {
    actions?: Array<{ dependencies?: ActionDependency[] }>;
  };
  return tenant.actions?.[0]?.dependencies ?? [];
}

/** The HubSpot contact properties the deploy creates (tenant/environments/local.yaml), as PropertyCreate bodies. */
export function deployedHubSpotSchema(): { group?: { name: string; label: string }; properties: unknown[] } {
  const env = parse(fs.readFileSync(path.join(ROOT, 'tenant/environments/local.yaml'), 'utf8')) as {
    hubspot?: {
      group?: { name: string; label: string };
      properties?: Array<{
        name: string;
        label: string;
        type: string;
        fieldType: string;
        unique?: boolean;
        description?: string;
      }>;
    };
  };
  const group = env.hubspot?.group?.name ?? 'contactinformation';
  const properties = (env.hubspot?.properties ?? []).map((p) => ({
    name: p.name,
    label: p.label,
    type: p.type,
    fieldType: p.fieldType,
    groupName: group,
    hasUniqueValue: p.unique === true,
    description: p.description,
  }));
  return { group: env.hubspot?.group, properties };
}

/** Console sink that keeps the Action's JSON log lines (parsed) instead of printing them. */
export function captureConsole() {
  const lines: Array<Record<string, unknown>> = [];
  const push = (s: unknown) => {
    try {
      lines.push(JSON.parse(String(s)) as Record<string, unknown>);
    } catch {
      lines.push({ raw: String(s) });
    }
  };
  return { lines, sink: { log: push, info: push, warn: push, error: push, debug: push } };
}

export function loadBundle(sink: Pick<Console, 'log' | 'info' | 'warn' | 'error' | 'debug'>): Handler {
  const code = fs.readFileSync(BUNDLE_PATH, 'utf8');
  return loadEventStreamHandler(code, {
    dependencies: declaredDependencies(),
    resolveFrom: ROOT,
    console: sink,
  }) as Handler;
}

/**
 * The Action's source with the given budgets. Its console is the process console, so the caller
 * swaps console methods while it runs (see withConsole).
 */
export function sourceHandler(options: HandlerOptions): Handler {
  return createHandler(options) as Handler;
}

type Sink = Pick<Console, 'log' | 'error'>;
const consoleScope = new AsyncLocalStorage<Sink>();
let consoleRouted = false;

/**
 * Runs `run` with console output going to `sink`. The Action's source logs through the global
 * console, so console is routed once through AsyncLocalStorage: concurrent runs each keep their
 * own sink, and code outside any run prints normally.
 */
export async function withConsole<T>(sink: Sink, run: () => Promise<T>): Promise<T> {
  if (!consoleRouted) {
    consoleRouted = true;
    const original = { log: console.log, info: console.info, warn: console.warn, error: console.error };
    const route =
      (fallback: (...args: unknown[]) => void, pick: (s: Sink) => (...args: unknown[]) => void) =>
      (...args: unknown[]) => {
        const scoped = consoleScope.getStore();
        if (scoped) pick(scoped)(...args);
        else fallback(...args);
      };
    console.log = route(original.log, (s) => s.log);
    console.info = route(original.info, (s) => s.log);
    console.warn = route(original.warn, (s) => s.error);
    console.error = route(original.error, (s) => s.error);
  }
  return consoleScope.run(sink, run);
}

/** Every HubSpot contact property the Action writes, found by asking it for a fully populated user. */
export function actionWrittenProperties(): string[] {
  const user = {
    user_id: 'samlp|corporate-idp|probe',
    email: 'probe@example.com',
    given_name: 'Probe',
    family_name: 'User',
    name: 'Probe User',
    app_metadata: { title: 'T', department: 'D', manager_id: 'M', employee_number: '1' },
  };
  const event = toLifecycleEvent({
    id: 'evt_0000000000000000',
    type: 'user.created',
    time: new Date(0).toISOString(),
    user,
  });
  return Object.keys(contactProperties(event, { ownsContact: true }));
}

export interface Destinations {
  /** Properties the Action writes that the deployed schema lacks, created so runs can proceed. */
  addedProperties: string[];
  hubspot: LocalHubSpot;
  slack: LocalSlack;
  secrets: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDestinations(
  options: {
    seed?: number;
    hubspotRateLimit?: RateLimitSetting | false;
    slackRateLimit?: { max: number; windowMs: number } | false;
  } = {},
): Promise<Destinations> {
  const hubspot = await startLocalHubSpot({
    accessToken: HUBSPOT_TOKEN,
    rateLimit: options.hubspotRateLimit ?? false,
    searchRateLimit: false,
    seed: options.seed,
  });
  // What the deploy does: the property group first, then the properties.
  const schema = deployedHubSpotSchema();
  if (schema.group) hubspot.store.createGroup(schema.group);
  for (const property of schema.properties) hubspot.store.createProperty(property);
  // A property the Action writes but the deploy does not create makes every such write fail
  // (reported in /work/notes/bugs.md); create it so the figures measure the pipeline, and say so.
  const existing = new Set(hubspot.store.listProperties().map((p) => p.name));
  const addedProperties = actionWrittenProperties().filter((name) => !existing.has(name));
  for (const name of addedProperties) {
    hubspot.store.createProperty({
      name,
      label: name,
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
    });
  }
  const slack = await startLocalSlack({ rateLimit: options.slackRateLimit ?? false, seed: options.seed });
  return {
    addedProperties,
    hubspot,
    slack,
    secrets: {
      HUBSPOT_TOKEN: HUBSPOT_TOKEN,
      HUBSPOT_BASE_URL: hubspot.baseUrl,
      SLACK_WEBHOOK_URL: slack.webhookUrl,
    },
    async stop() {
      await Promise.all([hubspot.stop(), slack.stop()]);
    },
  };
}

export interface AllDestinations {
  /** Every stand-in, by destination name. */
  servers: Record<string, StandinServer>;
  secrets: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Every destination the Action supports, each on its stand-in (local/destinations.ts), with
 * DESTINATIONS enabling all of them. Rate limits are off: the fan-out measures latency.
 */
export async function startAllDestinations(seed?: number): Promise<AllDestinations> {
  const all = await startLocalDestinations({
    hubspot: { accessToken: HUBSPOT_TOKEN, rateLimit: false, searchRateLimit: false, seed },
    slack: { rateLimit: false, seed },
  });
  const schema = deployedHubSpotSchema();
  if (schema.group) all.hubspot!.store.createGroup(schema.group);
  for (const property of schema.properties) all.hubspot!.store.createProperty(property);
  const c = all.connection();
  const servers: Record<string, StandinServer> = {};
  for (const name of DESTINATION_NAMES) {
    const server = all[name];
    if (server) servers[name] = server;
  }
  return {
    servers,
    secrets: {
      DESTINATIONS: Object.keys(servers).join(','),
      HUBSPOT_TOKEN: c.hubspot!.accessToken,
      HUBSPOT_BASE_URL: c.hubspot!.baseUrl,
      SLACK_WEBHOOK_URL: c.slack!.webhookUrl,
      SALESFORCE_LOGIN_URL: c.salesforce!.baseUrl,
      SALESFORCE_CLIENT_ID: c.salesforce!.clientId,
      SALESFORCE_CLIENT_SECRET: c.salesforce!.clientSecret,
      JIRA_BASE_URL: c.jira!.baseUrl,
      JIRA_EMAIL: c.jira!.email,
      JIRA_API_TOKEN: c.jira!.apiToken,
      JIRA_PROJECT_KEY: 'ONB',
      SEGMENT_WRITE_KEY: c.segment!.writeKey,
      SEGMENT_API_URL: c.segment!.baseUrl,
      TEAMS_WEBHOOK_URL: c.teams!.webhookUrl,
      PROVISIONING_URL: c.provisioning!.eventsUrl,
      PROVISIONING_AUTH_VALUE: `Bearer ${c.provisioning!.token}`,
    },
    stop: () => all.stop(),
  };
}

export { createActionCache };
