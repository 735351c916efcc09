/**
 * What the local stand-ins of the other destinations must hold after a step. Each check reads the
 * stand-in's own record (`/__local/state`), the local equivalent of opening Salesforce, Jira,
 * Segment, Teams or the provisioning service and looking. Pure functions of that state.
 */
import type { ExpectedAuth0User } from '../../connections/request-fixture';
import type { Transition } from './scenario';

export interface StepFacts {
  transition: Transition;
  userId: string;
  /** The user after the step; undefined once deleted. */
  expected?: ExpectedAuth0User;
  /** Counts from before the step, for "a new message/ticket appeared". */
  before: Record<string, number>;
}

export interface StandinCheck {
  label: string;
  /** Runs for this step at all. */
  applies(facts: StepFacts): boolean;
  /** A number that grows when the destination announces something (compared with `before`). */
  count?(state: unknown, facts: StepFacts): number;
  /** [] when the state is as expected, else what differs. */
  problems(state: unknown, facts: StepFacts): string[];
}

const active = (facts: StepFacts) => facts.expected !== undefined && facts.expected.blocked !== true;
const mentions = (value: unknown, needle: string) => JSON.stringify(value).includes(needle);
const list = (state: unknown, key: string) =>
  ((state as Record<string, unknown[]>)[key] ?? []) as Array<Record<string, unknown>>;

export const STANDIN_CHECKS: Record<string, StandinCheck> = {
  salesforce: {
    label: 'Salesforce contact',
    applies: (f) => f.transition !== 'none',
    problems(state, f) {
      const contact = list(state, 'contacts').find(
        (c) => (c.fields as Record<string, unknown>)?.Auth0_User_Id__c === f.userId,
      );
      const fields = (contact?.fields ?? {}) as Record<string, unknown>;
      if (!active(f)) return contact && fields.Active__c !== false ? ['contact is still active'] : [];
      if (!contact) return ['no contact with this Auth0 user id'];
      const problems: string[] = [];
      if (fields.Active__c === false) problems.push('contact is inactive');
      if (String(fields.Email ?? '').toLowerCase() !== f.expected?.email?.toLowerCase())
        problems.push(`Email is ${String(fields.Email)}`);
      if (fields.LastName !== f.expected?.family_name)
        problems.push(`LastName is ${String(fields.LastName)}`);
      return problems;
    },
  },
  jira: {
    label: 'Jira ticket',
    applies: (f) => f.transition === 'onboard' || f.transition === 'offboard',
    count: (state, f) =>
      list(state, 'issues').filter(
        (i) =>
          mentions(i, f.userId) && (i.labels as string[]).some((l) => l.startsWith(`auth0-${f.transition}-`)),
      ).length,
    problems(state, f) {
      return (this.count!(state, f) ?? 0) > 0 ? [] : [`no ${f.transition} ticket for the user`];
    },
  },
  segment: {
    label: 'Segment identify',
    applies: (f) => f.transition !== 'none',
    problems(state, f) {
      const calls = list(state, 'events').filter((e) => e.userId === f.userId);
      const traits = (calls.at(-1)?.traits ?? {}) as Record<string, unknown>;
      if (!calls.length) return ['no identify call for the user'];
      if (!active(f))
        return traits.status === 'offboarded' ? [] : [`last traits.status is ${String(traits.status)}`];
      return traits.email === f.expected?.email?.toLowerCase()
        ? []
        : [`last traits.email is ${String(traits.email)}`];
    },
  },
  teams: {
    label: 'Teams message',
    applies: (f) => f.transition === 'onboard' || f.transition === 'offboard',
    count: (state, f) => list(state, 'posts').filter((p) => mentions(p, f.userId)).length,
    problems(state, f) {
      return (this.count!(state, f) ?? 0) > (f.before.teams ?? 0) ? [] : ['no new message naming the user'];
    },
  },
  provisioning: {
    label: 'Provisioning service',
    applies: (f) => f.transition !== 'none',
    problems(state, f) {
      const last = list(state, 'events')
        .map((e) => e.body as Record<string, unknown>)
        .filter((b) => b?.user_id === f.userId)
        .at(-1);
      if (!last) return ['no request for the user'];
      const want = active(f) ? ['onboard', 'update'] : ['offboard'];
      return want.includes(String(last.action)) ? [] : [`last action is ${String(last.action)}`];
    },
  },
};
