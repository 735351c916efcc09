/**
 * Starts the destination stand-ins together (for `npm run local`, e2e tests and verify) and describes how to
 * reach them: base URLs, webhook URLs and the fake credentials each one accepts. Each stand-in is also usable on
 * its own (local/<name>/index.ts).
 */
import { startLocalHubSpot, type LocalHubSpot, type LocalHubSpotOptions } from './hubspot';
import { startLocalSlack, type LocalSlack, type LocalSlackOptions } from './slack';
import { startLocalSalesforce, type LocalSalesforce, type LocalSalesforceOptions } from './salesforce';
import { startLocalJira, type LocalJira, type LocalJiraOptions } from './jira';
import { startLocalSegment, type LocalSegment, type LocalSegmentOptions } from './segment';
import { startLocalTeams, type LocalTeams, type LocalTeamsOptions } from './teams';
import {
  startLocalProvisioning,
  type LocalProvisioning,
  type LocalProvisioningOptions,
} from './provisioning';

// One list for the Action and its stand-ins: a destination the Action knows has a stand-in here.
import { DESTINATION_NAMES, type DestinationName } from '../event-streams/onboarding-workflow/settings';

export { DESTINATION_NAMES, type DestinationName };

export interface LocalDestinationsOptions {
  /** Which stand-ins to start (default: all). */
  only?: DestinationName[];
  hubspot?: LocalHubSpotOptions;
  slack?: LocalSlackOptions;
  salesforce?: LocalSalesforceOptions;
  jira?: LocalJiraOptions;
  segment?: LocalSegmentOptions;
  teams?: LocalTeamsOptions;
  provisioning?: LocalProvisioningOptions;
}

export interface LocalDestinations {
  hubspot?: LocalHubSpot;
  slack?: LocalSlack;
  salesforce?: LocalSalesforce;
  jira?: LocalJira;
  segment?: LocalSegment;
  teams?: LocalTeams;
  provisioning?: LocalProvisioning;
  /** How to reach each running stand-in; values are fake, local-only credentials. */
  connection(): DestinationConnections;
  /** Clears state, records and faults of every stand-in. */
  reset(): void;
  stop(): Promise<void>;
}

export interface DestinationConnections {
  hubspot?: { baseUrl: string; accessToken: string };
  slack?: { baseUrl: string; webhookUrl: string };
  salesforce?: { baseUrl: string; tokenUrl: string; clientId: string; clientSecret: string };
  jira?: { baseUrl: string; email: string; apiToken: string };
  segment?: { baseUrl: string; writeKey: string };
  teams?: { baseUrl: string; webhookUrl: string };
  /** `authValue` is the Authorization header value the service expects (what PROVISIONING_AUTH_VALUE holds). */
  provisioning?: { baseUrl: string; eventsUrl: string; token: string; authValue: string };
}

/**
 * The Action secrets that point the Onboarding Workflow at these stand-ins, with DESTINATIONS naming
 * the running ones (what tenant/environments/local.yaml resolves for a deploy to the local tenant).
 */
export function actionSecrets(c: DestinationConnections): Record<string, string> {
  const settings: Record<string, string> = {
    ...(c.hubspot && { HUBSPOT_TOKEN: c.hubspot.accessToken, HUBSPOT_BASE_URL: c.hubspot.baseUrl }),
    ...(c.slack && { SLACK_WEBHOOK_URL: c.slack.webhookUrl }),
    ...(c.salesforce && {
      SALESFORCE_LOGIN_URL: c.salesforce.baseUrl,
      SALESFORCE_CLIENT_ID: c.salesforce.clientId,
      SALESFORCE_CLIENT_SECRET: c.salesforce.clientSecret,
    }),
    ...(c.jira && {
      JIRA_BASE_URL: c.jira.baseUrl,
      JIRA_EMAIL: c.jira.email,
      JIRA_API_TOKEN: c.jira.apiToken,
      // The stand-in's default project.
      JIRA_PROJECT_KEY: 'ONB',
    }),
    ...(c.segment && { SEGMENT_WRITE_KEY: c.segment.writeKey, SEGMENT_API_URL: c.segment.baseUrl }),
    ...(c.teams && { TEAMS_WEBHOOK_URL: c.teams.webhookUrl }),
    ...(c.provisioning && {
      PROVISIONING_URL: c.provisioning.eventsUrl,
      PROVISIONING_AUTH_VALUE: c.provisioning.authValue,
    }),
  };
  return { DESTINATIONS: DESTINATION_NAMES.filter((name) => c[name]).join(','), ...settings };
}

/** Fake credentials used when the caller gives none (never real secrets). */
export const LOCAL_CREDENTIALS = {
  hubspotToken: 'pat-local-hubspot',
  salesforceClientId: 'local-salesforce-client',
  salesforceClientSecret: 'local-salesforce-secret',
  jiraEmail: 'automation@example.com',
  jiraApiToken: 'local-jira-token',
  segmentWriteKey: 'local-segment-write-key',
  provisioningToken: 'local-provisioning-token',
} as const;

export async function startLocalDestinations(
  opts: LocalDestinationsOptions = {},
): Promise<LocalDestinations> {
  const wanted = new Set<DestinationName>(opts.only ?? DESTINATION_NAMES);
  const d: Omit<LocalDestinations, 'connection' | 'reset' | 'stop'> = {};
  const started: Array<{ stop(): Promise<void>; reset(): void }> = [];
  const creds = {
    hubspot: opts.hubspot?.accessToken ?? LOCAL_CREDENTIALS.hubspotToken,
    sfId: opts.salesforce?.clientId ?? LOCAL_CREDENTIALS.salesforceClientId,
    sfSecret: opts.salesforce?.clientSecret ?? LOCAL_CREDENTIALS.salesforceClientSecret,
    jiraEmail: opts.jira?.email ?? LOCAL_CREDENTIALS.jiraEmail,
    jiraToken: opts.jira?.apiToken ?? LOCAL_CREDENTIALS.jiraApiToken,
    segment: opts.segment?.writeKey ?? LOCAL_CREDENTIALS.segmentWriteKey,
    provisioning: opts.provisioning?.token ?? LOCAL_CREDENTIALS.provisioningToken,
  };
  try {
    if (wanted.has('hubspot'))
      started.push((d.hubspot = await startLocalHubSpot({ ...opts.hubspot, accessToken: creds.hubspot })));
    if (wanted.has('slack')) started.push((d.slack = await startLocalSlack(opts.slack)));
    if (wanted.has('salesforce')) {
      started.push(
        (d.salesforce = await startLocalSalesforce({
          ...opts.salesforce,
          clientId: creds.sfId,
          clientSecret: creds.sfSecret,
        })),
      );
    }
    if (wanted.has('jira')) {
      started.push(
        (d.jira = await startLocalJira({ ...opts.jira, email: creds.jiraEmail, apiToken: creds.jiraToken })),
      );
    }
    if (wanted.has('segment'))
      started.push((d.segment = await startLocalSegment({ ...opts.segment, writeKey: creds.segment })));
    if (wanted.has('teams')) started.push((d.teams = await startLocalTeams(opts.teams)));
    if (wanted.has('provisioning')) {
      started.push(
        (d.provisioning = await startLocalProvisioning({ ...opts.provisioning, token: creds.provisioning })),
      );
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.stop()));
    throw e;
  }

  return {
    ...d,
    connection() {
      const c: DestinationConnections = {};
      if (d.hubspot) c.hubspot = { baseUrl: d.hubspot.baseUrl, accessToken: d.hubspot.accessToken };
      if (d.slack) c.slack = { baseUrl: d.slack.baseUrl, webhookUrl: d.slack.webhookUrl };
      if (d.salesforce) {
        c.salesforce = {
          baseUrl: d.salesforce.baseUrl,
          tokenUrl: `${d.salesforce.baseUrl}/services/oauth2/token`,
          clientId: creds.sfId,
          clientSecret: creds.sfSecret,
        };
      }
      if (d.jira) c.jira = { baseUrl: d.jira.baseUrl, email: creds.jiraEmail, apiToken: creds.jiraToken };
      if (d.segment) c.segment = { baseUrl: d.segment.baseUrl, writeKey: creds.segment };
      if (d.teams) c.teams = { baseUrl: d.teams.baseUrl, webhookUrl: d.teams.webhookUrl };
      if (d.provisioning) {
        c.provisioning = {
          baseUrl: d.provisioning.baseUrl,
          eventsUrl: d.provisioning.eventsUrl,
          token: creds.provisioning,
          authValue: `Bearer ${creds.provisioning}`,
        };
      }
      return c;
    },
    reset() {
      for (const s of started) s.reset();
    },
    async stop() {
      await Promise.all(started.map((s) => s.stop()));
    },
  };
}
