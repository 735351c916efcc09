/**
 * Action bugs the chaos runs found that are reported (see /work/notes/bugs.md and the chaos README)
 * but not fixed yet. A problem is "known" only when it has the exact signature of one of these —
 * the problem text AND the user's history in the chaos run's logs — so any other difference still
 * fails. Delete an entry once its fix lands; `CHAOS_STRICT=1` ignores this list.
 */
import type { ChaosResult } from './harness';

export interface KnownIssue {
  id: string;
  summary: string;
  matches(problem: string, result: ChaosResult): boolean;
}

function userOf(problem: string): string | undefined {
  return /^hubspot: (\S+)/.exec(problem)?.[1];
}

function eventsOf(result: ChaosResult, user: string) {
  return result.scenario.events
    .filter((e) => e.userId === user)
    .map((e) => ({ ...e, id: (e.message as { id: string }).id }));
}

export const KNOWN_ISSUES: KnownIssue[] = [
  {
    id: 'concurrent-executions-race',
    summary:
      'residual race: two executions for the same user overlapped (the local tenant runs retries and bulk redeliveries alongside new deliveries); each reads the stamp, then writes, and HubSpot has no conditional update, so the older event can land last',
    matches(problem, result) {
      const user = userOf(problem);
      return !!user && (result.chaos.overlappingUsers ?? []).includes(user);
    },
  },
  {
    id: 'late-commit-race',
    summary:
      'residual race: a HubSpot write that timed out but was applied later (after newer writes, or after the retry) wins; HubSpot has no conditional update, so the read-check-write cannot exclude it',
    matches(problem, result) {
      const user = userOf(problem);
      if (!user) return false;
      const lateCommit = result.scenario.faults.some(
        (f) => f.target === 'hubspot' && f.spec.kind === 'latency',
      );
      if (!lateCommit) return false;
      const ids = new Set(eventsOf(result, user).map((e) => e.id));
      return result.chaos.logs.some(
        (l) =>
          l.msg === 'destination' &&
          l.destination === 'hubspot' &&
          ids.has(String(l.event_id)) &&
          // A timeout that failed the execution, or one the in-line retry absorbed (attempt > 1).
          ((l.error as { code?: string } | undefined)?.code === 'timeout' || Number(l.attempt) > 1),
      );
    },
  },
];

export interface Classified {
  unknown: string[];
  known: Array<{ problem: string; issue: string }>;
}

export function classify(result: ChaosResult, strict = process.env.CHAOS_STRICT === '1'): Classified {
  const out: Classified = { unknown: [], known: [] };
  for (const problem of result.problems) {
    const issue = strict ? undefined : KNOWN_ISSUES.find((k) => k.matches(problem, result));
    if (issue) out.known.push({ problem, issue: issue.id });
    else out.unknown.push(problem);
  }
  return out;
}
