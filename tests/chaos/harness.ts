/**
 * Runs a chaos scenario twice — once as scheduled (duplicates, reordering, faults, Auth0's retries
 * and dead-letter queue, then a redelivery of the dead letters), once clean (in order, exactly
 * once, no faults) — on fresh stand-ins, and compares what the destinations hold.
 *
 * "Equal" is defined in docs form in tests/chaos/README.md; in short:
 * - HubSpot, per Auth0 user: at most one live contact in both runs; the user's effective record is
 *   the live contact if any, else the user is "archived" (a tombstone exists) or absent. Live
 *   contacts must hold the same email, firstname, lastname, jobtitle, department and last-applied
 *   event id/time (an empty value counts as unset); archived ones match on being archived only (a
 *   tombstone's other fields are not user-visible and legitimately differ with arrival order).
 * - Slack: at most one message per event id (while api.cache holds the id, i.e. the whole run),
 *   except when an earlier post of that event was accepted after the Action had timed out (it
 *   cannot know, so a redelivery posts again: reported as "ambiguous", not a failure); and no
 *   message for an event the clean run does not announce.
 * - Nothing left dead-lettered once the faults stop and the dead letters are redelivered.
 */
import {
  createActionCache,
  type Handler,
  startDestinations,
  sourceHandler,
  loadBundle,
  withConsole,
  captureConsole,
} from '../../bench/lib/pipeline';
import { SimulatedDelivery } from '../../bench/lib/delivery';
import { DEFAULT_OPTIONS, type HandlerOptions } from '../../event-streams/onboarding-workflow/handler';
import { buildScenario, type Scenario } from './scenario';

/** The production policy with small budgets, so a hung socket costs 150 ms instead of 5 s. */
export const CHAOS_OPTIONS: HandlerOptions = {
  ...DEFAULT_OPTIONS,
  deadlineMs: 2_000,
  requestTimeoutMs: 150,
  maxInlineWaitMs: 100,
  breakerCooldownMs: 200,
};

export type HandlerKind = 'source' | 'bundle' | 'naive';

export interface RunOptions {
  handler: HandlerKind;
  /** Delivery: in-process Auth0 semantics (default) or the local tenant (tests/chaos/via-auth0.ts). */
  via?: 'simulated' | 'auth0';
  /** Scales Auth0's 1 s / 2 s / 4 s retry delays. */
  timeScale: number;
}

export const DEFAULT_RUN: RunOptions = { handler: 'source', timeScale: 0.01 };

const MIRRORED = ['email', 'firstname', 'lastname', 'jobtitle', 'department'];
const STAMP = ['auth0_last_event_at', 'auth0_last_event_id'];

export interface UserRecord {
  live: boolean;
  properties?: Record<string, string>;
}

export interface Snapshot {
  /** Keyed by auth0_user_id (or `email:<email>` for contacts without one). */
  records: Record<string, UserRecord>;
  /** Users with more than one live contact. */
  duplicateLive: string[];
  /** Slack messages per event id (messages without an id under ""). */
  slackByEvent: Record<string, number>;
  /** Event ids whose Slack post was accepted after the request timeout (unacknowledged). */
  slackUnacknowledged: string[];
  deadLetters: number;
  /** Users for whom executions of two different events overlapped in time (local-tenant runs). */
  overlappingUsers?: string[];
  stats: SimulatedDelivery['stats'];
  logs: Array<Record<string, unknown>>;
}

function clean(
  properties: Record<string, string | null | undefined>,
  names: string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = properties[name];
    if (value !== undefined && value !== null && value !== '') out[name] = value;
  }
  return out;
}

const EVENT_ID = /evt_[A-Za-z0-9]{16}/;

async function naiveHandler(): Promise<Handler> {
  const { onExecuteEventStream } = await import('../../bench/baseline/naive-handler');
  return (event) => onExecuteEventStream(event as never);
}

/** Delivers `order` (indexes into scenario.events) and returns what the destinations hold. */
export async function deliver(
  scenario: Scenario,
  order: number[],
  withFaults: boolean,
  options: RunOptions,
): Promise<Snapshot> {
  const d = await startDestinations({ seed: scenario.seed });
  const capture = captureConsole();
  const cache = createActionCache();
  const handler: Handler =
    options.handler === 'bundle'
      ? loadBundle(capture.sink)
      : options.handler === 'naive'
        ? await naiveHandler()
        : sourceHandler(CHAOS_OPTIONS);
  const delivery = new SimulatedDelivery(handler, {
    secrets: d.secrets,
    cache,
    timeScale: options.timeScale,
    // The bundle has production budgets: give an execution its full 20 s, scaled like the retries.
    executionLimitMs: options.handler === 'bundle' ? 20_000 : 5_000,
  });
  try {
    await withConsole(capture.sink, async () => {
      const faults = withFaults ? [...scenario.faults] : [];
      for (let i = 0; i < order.length; i++) {
        while (faults.length && (faults[0]?.at ?? Infinity) <= i) {
          const fault = faults.shift()!;
          (fault.target === 'hubspot' ? d.hubspot : d.slack).faults.add(fault.spec);
        }
        await delivery.sendAndWait(scenario.events[order[i]!]!.message);
      }
      // The outage is over: clear faults, let the breakers cool down, redeliver the dead letters.
      d.hubspot.faults.clear();
      d.slack.faults.clear();
      // The bundle has the production cool-off (30 s); the source runs with the chaos budgets.
      const coolOff =
        options.handler === 'bundle' ? DEFAULT_OPTIONS.breakerCooldownMs : CHAOS_OPTIONS.breakerCooldownMs;
      for (let round = 0; round < 5 && delivery.deadLetters().length > 0; round++) {
        await new Promise((resolve) => setTimeout(resolve, coolOff + 50));
        delivery.redeliverDeadLetters();
        await delivery.drain();
      }
    });
    // Requests still sleeping in a latency fault finish now (they commit late, unacknowledged).
    const lateCommit = Math.max(0, ...(withFaults ? scenario.faults : []).map((f) => f.spec.latencyMs ?? 0));
    if (lateCommit > 0) await new Promise((resolve) => setTimeout(resolve, lateCommit + 50));

    const records: Record<string, UserRecord> = {};
    const liveCount = new Map<string, number>();
    const keyOf = (p: Record<string, string | null | undefined>) =>
      p.auth0_user_id ? String(p.auth0_user_id) : `email:${String(p.email ?? '')}`;
    for (const contact of d.hubspot.contacts()) {
      const key = keyOf(contact.properties);
      liveCount.set(key, (liveCount.get(key) ?? 0) + 1);
      records[key] = { live: true, properties: clean(contact.properties, [...MIRRORED, ...STAMP]) };
    }
    for (const contact of d.hubspot.archivedContacts()) {
      const key = keyOf(contact.properties);
      if (!records[key]) records[key] = { live: false };
    }
    const slackByEvent: Record<string, number> = {};
    const slackUnacknowledged = new Set<string>();
    const requestBySeq = new Map(d.slack.requests().map((r) => [r.seq, r]));
    for (const message of d.slack.messages()) {
      const id = EVENT_ID.exec(JSON.stringify(message.payload))?.[0] ?? '';
      slackByEvent[id] = (slackByEvent[id] ?? 0) + 1;
      const request = requestBySeq.get(message.seq);
      if ((request?.durationMs ?? 0) >= CHAOS_OPTIONS.requestTimeoutMs) slackUnacknowledged.add(id);
    }
    // A post the Action gave up on (timeout) may still have been accepted, whatever the server
    // measured: under load the client's clock runs out first. Those ids are ambiguous too.
    for (const line of capture.lines) {
      const code = (line.error as { code?: string } | undefined)?.code;
      if (line.msg === 'destination' && line.destination === 'slack' && code === 'timeout') {
        slackUnacknowledged.add(String(line.event_id));
      }
    }
    return {
      records,
      duplicateLive: [...liveCount.entries()].filter(([, n]) => n > 1).map(([k]) => k),
      slackByEvent,
      slackUnacknowledged: [...slackUnacknowledged],
      deadLetters: delivery.deadLetters().length,
      stats: { ...delivery.stats },
      logs: capture.lines,
    };
  } finally {
    await d.stop();
  }
}

export interface ChaosResult {
  seed: number;
  ok: boolean;
  problems: string[];
  summary: string;
  chaos: Snapshot;
  reference: Snapshot;
  ambiguousSlack: string[];
  scenario: Scenario;
}

const show = (value: unknown) => {
  const text = JSON.stringify(value);
  return text && text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/** Pure: the differences between a chaos run and its clean reference (empty = equal). */
export function compare(
  chaos: Snapshot,
  reference: Snapshot,
): { problems: string[]; ambiguousSlack: string[] } {
  const problems: string[] = [];
  for (const key of chaos.duplicateLive) problems.push(`hubspot: ${key} has more than one live contact`);
  for (const key of reference.duplicateLive)
    problems.push(`hubspot (clean run): ${key} has more than one live contact`);
  const users = new Set([...Object.keys(chaos.records), ...Object.keys(reference.records)]);
  for (const user of [...users].sort()) {
    const got = chaos.records[user];
    const want = reference.records[user];
    if (!got || !want) {
      problems.push(
        `hubspot: ${user} ${got ? (got.live ? 'live' : 'archived') : 'absent'} after chaos, ${want ? (want.live ? 'live' : 'archived') : 'absent'} after clean delivery`,
      );
      continue;
    }
    if (got.live !== want.live) {
      problems.push(
        `hubspot: ${user} is ${got.live ? 'live' : 'archived'} after chaos but ${want.live ? 'live' : 'archived'} after clean delivery`,
      );
      continue;
    }
    if (got.live) {
      const names = new Set([...Object.keys(got.properties ?? {}), ...Object.keys(want.properties ?? {})]);
      for (const name of names) {
        const a = got.properties?.[name];
        const b = want.properties?.[name];
        if (a !== b)
          problems.push(`hubspot: ${user} ${name} = ${show(a)} after chaos, ${show(b)} after clean delivery`);
      }
    }
  }
  const ambiguousSlack: string[] = [];
  for (const [id, count] of Object.entries(chaos.slackByEvent)) {
    if (id === '') continue;
    if (!(id in reference.slackByEvent))
      problems.push(`slack: ${count} message(s) for ${id}, which the clean run does not announce`);
    if (count > 1) {
      if (chaos.slackUnacknowledged.includes(id)) ambiguousSlack.push(id);
      else problems.push(`slack: ${count} messages for ${id} (at most one expected)`);
    }
  }
  if (chaos.deadLetters > 0)
    problems.push(`delivery: ${chaos.deadLetters} event(s) still dead-lettered after redelivery`);
  if (reference.deadLetters > 0)
    problems.push(`delivery (clean run): ${reference.deadLetters} event(s) dead-lettered`);
  return { problems, ambiguousSlack };
}

export function reproduceCommand(seed: number, options: RunOptions): string {
  const flags =
    (options.handler === 'source' ? '' : ` --handler ${options.handler}`) +
    (options.via === 'auth0' ? ' --via auth0' : '');
  return `CHAOS_SEED=${seed} npm run chaos${flags ? ` --${flags}` : ''}`;
}

export async function runChaos(seed: number, options: RunOptions = DEFAULT_RUN): Promise<ChaosResult> {
  const timeout =
    options.handler === 'bundle' ? DEFAULT_OPTIONS.requestTimeoutMs : CHAOS_OPTIONS.requestTimeoutMs;
  const scenario = buildScenario(seed, { requestTimeoutMs: timeout });
  const reference = await deliver(
    scenario,
    scenario.events.map((e) => e.order),
    false,
    options,
  );
  const chaos = await deliver(scenario, scenario.deliveries, true, options);
  const { problems, ambiguousSlack } = compare(chaos, reference);
  return {
    seed,
    ok: problems.length === 0,
    problems,
    summary: scenario.summary,
    chaos,
    reference,
    ambiguousSlack,
    scenario,
  };
}

/** For each user a problem names: its events in clean order, and what HubSpot did with each delivery. */
export function history(result: ChaosResult): string[] {
  const users = new Set<string>();
  for (const p of result.problems) {
    const user = /^hubspot[^:]*: (\S+)/.exec(p)?.[1];
    if (user) users.add(user);
  }
  const lines: string[] = [];
  for (const user of users) {
    const events = result.scenario.events.filter((e) => e.userId === user);
    lines.push(`  history of ${user}:`);
    for (const e of events) {
      const id = (e.message as { id?: string }).id ?? '';
      const time = (e.message as { time?: string }).time ?? '';
      const outcomes = result.chaos.logs
        .filter((l) => l.msg === 'destination' && l.destination === 'hubspot' && l.event_id === id)
        .map((l) => String(l.outcome));
      lines.push(
        `    #${e.order} ${e.label} ${time} ${id}: chaos hubspot ${outcomes.join(' → ') || '(no call)'}`,
      );
    }
  }
  return lines;
}

/** A failure report: the seed, the one-line reproduction, the scenario and what differed. */
export function describeFailure(result: ChaosResult, options: RunOptions): string {
  return [
    `chaos seed ${result.seed} failed — reproduce: ${reproduceCommand(result.seed, options)}`,
    `scenario: ${result.summary}`,
    ...result.problems.slice(0, 20).map((p) => `  - ${p}`),
    result.problems.length > 20 ? `  … ${result.problems.length - 20} more` : '',
    ...history(result).slice(0, 40),
  ]
    .filter(Boolean)
    .join('\n');
}
