/**
 * Shared pieces of the per-destination tests (Salesforce, Jira, Segment, Teams, provisioning):
 * fake settings for each destination, and the call-by-call fault matrix every destination faces.
 */
import nock from 'nock';

export const SF_LOGIN = 'https://acme.my.salesforce.test';
export const SF_INSTANCE = 'https://acme-instance.my.salesforce.test';
export const JIRA = 'https://acme.atlassian.test';
export const SEGMENT = 'https://api.segment.test';
export const TEAMS_WEBHOOK =
  'https://prod-00.westus.logic.azure.test/workflows/abc/triggers/manual/paths/invoke?sig=fake-teams-signature-value';
export const PROVISIONING = 'https://provisioning.internal.test';

export const DESTINATION_SECRETS = {
  salesforce: {
    SALESFORCE_LOGIN_URL: SF_LOGIN,
    SALESFORCE_CLIENT_ID: 'sf-client-id-test-0000-fake',
    SALESFORCE_CLIENT_SECRET: 'sf-client-secret-test-value',
  },
  jira: {
    JIRA_BASE_URL: JIRA,
    JIRA_EMAIL: 'automation@example.com',
    JIRA_API_TOKEN: 'jira-api-token-test-value',
    JIRA_PROJECT_KEY: 'ONB',
  },
  segment: { SEGMENT_WRITE_KEY: 'segment-write-key-test-value', SEGMENT_API_URL: SEGMENT },
  teams: { TEAMS_WEBHOOK_URL: TEAMS_WEBHOOK },
  provisioning: {
    PROVISIONING_URL: `${PROVISIONING}/v1/identities`,
    PROVISIONING_AUTH_VALUE: 'Bearer provisioning-token-test-value',
  },
} as const;

/** Secrets that enable exactly one destination (so each test file isolates its destination). */
export const only = (
  name: keyof typeof DESTINATION_SECRETS,
  extra: Record<string, string> = {},
): Record<string, string> => ({ DESTINATIONS: name, ...DESTINATION_SECRETS[name], ...extra });

export interface Fault {
  label: string;
  reply: (interceptor: nock.Interceptor) => nock.Scope;
  /** True when the failure is transient (408/429/5xx, network, timeout, unreadable body). */
  retryable: boolean;
  code?: string;
  status?: number;
}

/** The faults every HTTP destination faces; `persist` makes them outlast the in-line retry. */
export const COMMON_FAULTS: Fault[] = [
  {
    label: '429 with Retry-After (longer than the in-line budget)',
    reply: (i) => i.reply(429, { message: 'Too many requests' }, { 'Retry-After': '30' }),
    retryable: true,
    status: 429,
  },
  {
    label: '429 without Retry-After',
    reply: (i) => i.reply(429, { message: 'Too many requests' }),
    retryable: true,
    status: 429,
  },
  { label: '500', reply: (i) => i.reply(500, { message: 'boom' }), retryable: true, status: 500 },
  { label: '503', reply: (i) => i.reply(503, { message: 'unavailable' }), retryable: true, status: 503 },
  { label: 'a hang', reply: (i) => i.delay(5_000).reply(200, {}), retryable: true, code: 'timeout' },
  {
    label: 'a connection reset',
    reply: (i) => i.replyWithError({ code: 'ECONNRESET', message: 'socket hang up' }),
    retryable: true,
  },
  {
    label: 'a malformed JSON body',
    reply: (i) => i.reply(200, '{"id": "1", "unterminated', { 'Content-Type': 'application/json' }),
    retryable: true,
    code: 'malformed-body',
  },
];

beforeEach(() => nock.disableNetConnect());
afterEach(() => {
  nock.abortPendingRequests();
  nock.cleanAll();
  nock.enableNetConnect();
});
