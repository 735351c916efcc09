/** Pure: what `redeliver` was asked to do, and the summary of what it resent. */
import { type DeliveryRow, countBy } from './deliveries-core';

export type RedeliverMode = { kind: 'event'; eventId: string } | { kind: 'all-failed'; sinceMs?: number };

export function redeliverMode(flags: {
  event?: string;
  allFailed?: boolean;
  sinceMs?: number;
}): { mode: RedeliverMode } | { problem: string } {
  if (flags.event !== undefined && flags.allFailed) {
    return {
      problem: '--event and --all-failed cannot be combined: redeliver one event, or every failed one',
    };
  }
  if (flags.event === undefined && !flags.allFailed) {
    return { problem: 'say what to redeliver: --event <event id> (see npm run deliveries) or --all-failed' };
  }
  if (flags.event !== undefined) {
    if (flags.sinceMs !== undefined) return { problem: '--since applies to --all-failed only' };
    const id = flags.event.trim();
    if (!id) return { problem: '--event needs an event id, like evt_… (see npm run deliveries)' };
    return { mode: { kind: 'event', eventId: id } };
  }
  return { mode: { kind: 'all-failed', sinceMs: flags.sinceMs } };
}

export interface RedeliverSummaryInput {
  environment: string;
  stream: { id: string; name: string; status?: string };
  rows: DeliveryRow[];
  dryRun: boolean;
  /** The date window sent with a bulk redelivery. */
  window?: { from?: string; to: string };
}

export function renderRedeliverSummary(s: RedeliverSummaryInput): string {
  const out: string[] = [];
  const verb = s.dryRun ? 'would redeliver' : 'redelivery requested for';
  const n = s.rows.length;
  if (!n) {
    out.push(
      `Nothing to redeliver: stream "${s.stream.name}" on ${s.environment} has no failed delivery${s.window?.from ? ` since ${s.window.from}` : ''}.`,
    );
    return out.join('\n');
  }
  out.push(
    `${verb} ${n} failed deliver${n === 1 ? 'y' : 'ies'} of stream "${s.stream.name}" (${s.stream.id}) on ${s.environment}:`,
  );
  if (n > 1) {
    const byType = countBy(s.rows.map((r) => r.event_type));
    const types = Object.entries(byType).map(([t, c]) => `${t} ${c}`);
    out.push(`  by type: ${types.join(', ')}`);
    out.push(`  users: ${new Set(s.rows.map((r) => r.user_id).filter(Boolean)).size}`);
    const times = s.rows.map((r) => r.event_time ?? r.last_attempt_at ?? '').filter(Boolean);
    times.sort();
    if (times.length) out.push(`  events from ${times[0]} to ${times[times.length - 1]}`);
  }
  const shown = s.rows.slice(0, 20);
  for (const r of shown) {
    out.push(`  - ${r.event_id}  ${r.event_type}  ${r.user_id ?? '-'}  (${r.attempts} failed attempts)`);
    if (n === 1 && r.last_error) out.push(`    last error: ${r.last_error}`);
  }
  if (n > shown.length)
    out.push(`  … and ${n - shown.length} more (npm run deliveries -- --json lists them all)`);
  if (s.stream.status === 'disabled') {
    out.push(
      'warning: the stream is disabled; events are redelivered only once it is enabled again (npm run deploy re-enables it)',
    );
  }
  if (!s.dryRun) {
    out.push(
      'Each event runs the deployed Action again (at least once: the Action is idempotent per event id).',
    );
    out.push('Check the result in a minute with: npm run deliveries -- --env ' + s.environment);
  }
  return out.join('\n');
}
