/**
 * Jira Cloud: one onboarding ticket when a user is onboarded, one offboarding ticket when they are
 * offboarded, each created at most once per user and step, even when Auth0 redelivers the event.
 *
 * - Stable key: the label `auth0-<step>-<hash of the user id>` (labels cannot hold the raw id, which
 *   has `|` and may have spaces). The ticket also carries an issue property `auth0.lifecycle` with the
 *   user id, step, event id and event time.
 * - Look up before create: a JQL search for the label in the project. Jira's /search/jql is eventually
 *   consistent (a new issue can be missing for seconds), so the ids of issues this Action created
 *   recently are kept in api.cache: a label found there needs no search at all, and the search passes
 *   those ids as `reconcileIssues`, which Jira documents as read-after-write for them.
 * - Residual race (documented in DESTINATIONS.md): two executions for the same user and step that run
 *   at the same moment, or a redelivery within the index lag after api.cache lost the entry, can both
 *   miss the ticket and create two. Jira has no conditional create to close it.
 * - Order: a late onboard (an event older than the user's offboarding ticket) creates nothing.
 */
import { basicAuth, DestinationError, request, responseError } from '../http';
import { stableHash } from '../ids';
import type { LifecycleEvent, LifecycleStep } from '../lifecycle';
import { readCached, writeCached, type ActionCache } from '../cache';
import type { JiraSettings } from '../settings';
import { personName, truncate } from './text';
import type { CallContext, Destination } from './types';

const JIRA_PROPERTY = 'auth0.lifecycle';
const JIRA_COMMON_LABEL = 'auth0-lifecycle';
const JIRA_CACHE_KEY = 'jira:issues';
const REMEMBERED = 40;

type TicketStep = Exclude<LifecycleStep, 'update'>;

/** Pure: the label that identifies a user's ticket for one step. */
export const jiraLabel = (step: TicketStep, userId: string) => `auth0-${step}-${stableHash([userId], 20)}`;

/** Plain text for Jira: no control characters or line breaks, bounded length. */
const plain = (value: string, max: number) =>
  // eslint-disable-next-line no-control-regex
  truncate(value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim(), max);

const paragraph = (label: string, value: string | undefined) => ({
  type: 'paragraph',
  content: [
    { type: 'text', text: `${label}: `, marks: [{ type: 'strong' }] },
    // ADF text nodes are literal text: nothing in a user's name can become a link or a mention.
    { type: 'text', text: value ? plain(value, 500) : '(not set)' },
  ],
});

/** Pure: the create-issue request for an event. */
export function jiraIssue(
  event: LifecycleEvent & { step: TicketStep },
  settings: Pick<JiraSettings, 'JIRA_PROJECT_KEY' | 'JIRA_ISSUE_TYPE'>,
): Record<string, unknown> {
  const p = event.profile;
  const title = event.step === 'onboard' ? 'Onboard' : 'Offboard';
  return {
    fields: {
      project: { key: settings.JIRA_PROJECT_KEY },
      issuetype: { name: settings.JIRA_ISSUE_TYPE },
      summary: plain(`${title} ${personName(p)}${p.email ? ` (${p.email})` : ''}`, 250),
      labels: [jiraLabel(event.step, p.userId), JIRA_COMMON_LABEL],
      description: {
        type: 'doc',
        version: 1,
        content: [
          paragraph('Name', personName(p)),
          paragraph('Email', p.email),
          paragraph('Title', p.title),
          paragraph('Department', p.department),
          paragraph('Manager', p.managerId),
          paragraph('Employee number', p.employeeNumber),
          paragraph('Auth0 user', p.userId),
          paragraph('Event', `${event.eventType} ${event.eventId} at ${event.occurredAt}`),
        ],
      },
    },
    properties: [
      {
        key: JIRA_PROPERTY,
        value: {
          userId: p.userId,
          step: event.step,
          eventId: event.eventId,
          occurredAt: new Date(event.occurredAtMs).toISOString(),
        },
      },
    ],
  };
}

type Remembered = Array<[label: string, id: string, key: string]>;

function remembered(cache: ActionCache): Remembered {
  const value = readCached<unknown>(cache, JIRA_CACHE_KEY);
  return Array.isArray(value) ? (value as Remembered) : [];
}

/** Best effort: without it, the JQL search still finds the ticket once Jira has indexed it. */
function remember(cache: ActionCache, entry: Remembered[number]): void {
  const rest = remembered(cache).filter(([label]) => label !== entry[0]);
  writeCached(cache, JIRA_CACHE_KEY, [...rest, entry].slice(-REMEMBERED), 24 * 60 * 60 * 1000);
}

interface FoundIssue {
  id: string;
  key: string;
  labels: string[];
}

export function jiraDestination(settings: JiraSettings): Destination {
  const authorization = basicAuth(settings.JIRA_EMAIL, settings.JIRA_API_TOKEN);
  const call = (method: 'GET' | 'POST', path: string, context: CallContext, json?: unknown) =>
    request('Jira', `${settings.JIRA_BASE_URL}/rest/api/3${path}`, {
      method,
      json,
      headers: { authorization },
      signal: context.signal,
      timeoutMs: context.requestTimeoutMs,
    });

  async function search(labels: string[], context: CallContext): Promise<FoundIssue[]> {
    const reconcileIssues = remembered(context.cache)
      .map(([, id]) => Number(id))
      .filter((id) => Number.isInteger(id))
      .slice(-50);
    const jql = `project = "${settings.JIRA_PROJECT_KEY}" AND labels in (${labels.map((l) => `"${l}"`).join(', ')})`;
    const response = await call('POST', '/search/jql', context, {
      jql,
      fields: ['labels'],
      maxResults: 20,
      ...(reconcileIssues.length ? { reconcileIssues } : {}),
    });
    if (response.status !== 200) throw responseError('Jira', response);
    const issues = (response.body as { issues?: unknown })?.issues;
    if (!Array.isArray(issues)) {
      throw new DestinationError('Jira sent a search result without issues', 'retryable', {
        code: 'malformed-body',
      });
    }
    return issues
      .filter(
        (i): i is { id: string; key: string; fields?: { labels?: unknown } } => typeof i?.id === 'string',
      )
      .map((i) => ({
        id: i.id,
        key: String(i.key),
        labels: Array.isArray(i.fields?.labels) ? (i.fields.labels as string[]) : [],
      }));
  }

  /** The event time the offboarding ticket was created for, from its issue property. */
  async function ticketTime(issue: FoundIssue, context: CallContext): Promise<number | undefined> {
    const response = await call(
      'GET',
      `/issue/${encodeURIComponent(issue.id)}/properties/${encodeURIComponent(JIRA_PROPERTY)}`,
      context,
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw responseError('Jira', response);
    const at = (response.body as { value?: { occurredAt?: unknown } })?.value?.occurredAt;
    return typeof at === 'string' ? Date.parse(at) : undefined;
  }

  async function apply(event: LifecycleEvent, context: CallContext): Promise<string> {
    const step = event.step as TicketStep;
    const label = jiraLabel(step, event.profile.userId);
    if (remembered(context.cache).some(([l]) => l === label)) return 'already-created';

    const offboardLabel = jiraLabel('offboard', event.profile.userId);
    const found = await search(step === 'onboard' ? [label, offboardLabel] : [label], context);
    const existing = found.find((i) => i.labels.includes(label));
    if (existing) {
      remember(context.cache, [label, existing.id, existing.key]);
      return 'already-created';
    }
    const offboarding = found.find((i) => i.labels.includes(offboardLabel));
    if (step === 'onboard' && offboarding) {
      const offboardedAt = await ticketTime(offboarding, context);
      if (offboardedAt !== undefined && offboardedAt > event.occurredAtMs) return 'skipped-not-newer';
    }

    const response = await call('POST', '/issue', context, jiraIssue({ ...event, step }, settings));
    if (response.status !== 201 && response.status !== 200) throw responseError('Jira', response);
    const created = response.body as { id?: unknown; key?: unknown } | undefined;
    if (typeof created?.id !== 'string') {
      // The ticket may exist now: the next delivery's search finds it (or, within the index lag, may not).
      throw new DestinationError('Jira created an issue but sent no id', 'retryable', {
        code: 'malformed-body',
      });
    }
    remember(context.cache, [label, created.id, String(created.key)]);
    return 'created';
  }

  return {
    name: 'jira',
    kind: 'record',
    wants: (event) => event.step === 'onboard' || event.step === 'offboard',
    apply,
  };
}
