/**
 * One chaos scenario, entirely determined by its seed:
 * - a few users, each with a coherent lifecycle of events drawn from the official schemas
 *   (created, renames, job changes, email changes, block/unblock as Okta's Deactivate does,
 *   fields removed, huge values, no-op updates, deleted), times increasing per user, some ties;
 * - noise: malformed events, test events, other event types;
 * - a delivery plan: every event delivered 1-4 times, reordered within a seeded window;
 * - a fault plan: destination outages, 429s, hung sockets, connection resets, malformed bodies,
 *   and writes that commit after the client gave up (latency past the request timeout).
 */
import {
  alnum,
  envelope,
  hugeText,
  malformedEvent,
  newEventId,
  schemaUser,
  type Json,
} from '../../bench/lib/events';
import { createRandom, type Random } from '../../bench/lib/random';
import { freeText } from '../../bench/lib/schema-gen';
import type { FaultSpec } from '../../local/http-standin';

export interface ScenarioEvent {
  message: unknown;
  /** Canonical (clean) delivery order: by time, then id, as the Action orders events. */
  order: number;
  label: string;
  userId?: string;
  /** Position in the user's own lifecycle (created = 0): the order the IdP made the changes in. */
  step?: number;
}

export interface PlannedFault {
  /** Added just before this delivery index. */
  at: number;
  target: 'hubspot' | 'slack';
  spec: FaultSpec;
  label: string;
}

export interface Scenario {
  seed: number;
  events: ScenarioEvent[];
  /** Indexes into `events`, in chaos delivery order, duplicates included. */
  deliveries: number[];
  faults: PlannedFault[];
  summary: string;
}

export interface ScenarioOptions {
  /** The request timeout the handler under test uses (a "late commit" fault waits twice as long). */
  requestTimeoutMs: number;
}

type UpdateKind = 'rename' | 'job' | 'email' | 'block' | 'unblock' | 'noop' | 'drop-field' | 'huge';

function lifecycle(
  random: Random,
  userIndex: number,
  startMs: number,
): Array<Omit<ScenarioEvent, 'order'> & { time: number; id: string }> {
  const base = schemaUser(random, 'user.created', {
    optional: 0.4,
    unicode: 0.3,
    maxExtraProperties: 1,
    maxDepth: 4,
  });
  const tag = alnum(random, 6).toLowerCase();
  const userId = `samlp|corporate-idp|chaos-${userIndex}-${tag}`;
  let emailCounter = 0;
  const email = () => `chaos.${userIndex}.${tag}.${emailCounter++}@example.com`;
  const name = () =>
    freeText(random, { optional: 0.5, unicode: 0.4, maxExtraProperties: 0, maxDepth: 1 }, 1, 150);
  let user: Json = {
    ...base,
    user_id: userId,
    email: email(),
    given_name: name(),
    family_name: name(),
    app_metadata: {
      title: freeText(random, { optional: 0.5, unicode: 0.3, maxExtraProperties: 0, maxDepth: 1 }),
      department: random.pick(['Platform', 'Sales', 'Finance', 'Légal', '研究開発']),
      employee_number: String(random.int(1000, 9999)),
    },
  };
  delete user.blocked;
  user.name = `${String(user.given_name)} ${String(user.family_name)}`.slice(0, 300);

  const out: Array<Omit<ScenarioEvent, 'order'> & { time: number; id: string }> = [];
  let time = startMs;
  const push = (type: 'user.created' | 'user.updated' | 'user.deleted', label: string, previous?: Json) => {
    const id = newEventId(random);
    const object = type === 'user.deleted' ? { ...user, deleted_at: new Date(time).toISOString() } : user;
    out.push({
      message: envelope(random, type, structuredClone(object), {
        id,
        time: new Date(time).toISOString(),
        previous: previous ? structuredClone(previous) : undefined,
      }),
      label: `${label}@${userIndex}`,
      userId,
      step: out.length,
      time,
      id,
    });
  };
  push('user.created', 'created');

  const updates = random.int(0, 5);
  for (let k = 0; k < updates; k++) {
    time += random.chance(0.06) ? 0 : random.int(1, 5000); // a tie now and then (broken by event id)
    const previous = user;
    const meta = { ...((user.app_metadata as Json | undefined) ?? {}) };
    const blocked = user.blocked === true;
    const kind: UpdateKind = random.pick<UpdateKind>([
      'rename',
      'job',
      'email',
      'noop',
      'drop-field',
      'huge',
      blocked ? 'unblock' : 'block',
      blocked ? 'unblock' : 'block',
    ]);
    user = { ...user, app_metadata: meta };
    switch (kind) {
      case 'rename':
        user.given_name = name();
        user.family_name = name();
        user.name = `${String(user.given_name)} ${String(user.family_name)}`.slice(0, 300);
        break;
      case 'job':
        meta.title = freeText(random, { optional: 0.5, unicode: 0.5, maxExtraProperties: 0, maxDepth: 1 });
        meta.department = random.pick(['Platform', 'Sales', 'Finance', 'Support', 'Ops & Infra']);
        break;
      case 'email':
        user.email = email();
        break;
      case 'block':
        user.blocked = true;
        break;
      case 'unblock':
        user.blocked = false;
        break;
      case 'noop':
        user.logins_count = random.int(0, 500);
        break;
      case 'drop-field':
        delete meta[random.pick(['title', 'department'])];
        break;
      case 'huge':
        meta.title = hugeText(random, 66_000, 120_000);
        break;
    }
    // Auth0 sends previous_object on some user.updated events only.
    push('user.updated', kind, random.chance(0.7) ? previous : undefined);
  }
  if (random.chance(0.4)) {
    time += random.int(1, 5000);
    push('user.deleted', 'deleted');
  }
  return out;
}

function noise(random: Random, startMs: number): Omit<ScenarioEvent, 'order'> & { time: number; id: string } {
  const roll = random.next();
  const time = startMs + random.int(0, 60_000);
  if (roll < 0.6) {
    const bad = malformedEvent(random);
    return { message: bad.message, label: bad.shape, time, id: `~${alnum(random, 8)}` };
  }
  const id = newEventId(random);
  const user = schemaUser(random, 'user.created');
  const message = envelope(random, 'user.created', user, {
    id,
    time: new Date(time).toISOString(),
    test: roll < 0.8,
  });
  if (roll >= 0.8) message.type = 'user.login.succeeded';
  return { message, label: roll < 0.8 ? 'test-event' : 'other-type', time, id };
}

function faultPlan(random: Random, deliveries: number, options: ScenarioOptions): PlannedFault[] {
  const faults: PlannedFault[] = [];
  const count = random.pick([0, 1, 2, 3, 3, 4, 5, 6]);
  for (let k = 0; k < count; k++) {
    const target = random.chance(0.7) ? 'hubspot' : 'slack';
    const at = random.int(0, Math.max(0, deliveries - 1));
    const method =
      target === 'hubspot' && random.chance(0.4)
        ? random.pick(['GET', 'POST', 'PATCH', 'DELETE'])
        : undefined;
    const kind = random.pick(['outage', 'outage', '429', 'hang', 'reset', 'malformed', 'late-commit']);
    let spec: FaultSpec;
    switch (kind) {
      case 'outage':
        spec = { kind: 'error', status: random.pick([500, 502, 503, 504]), count: random.int(2, 14) };
        break;
      case '429':
        spec = { kind: 'error', status: 429, count: random.int(1, 6) };
        break;
      case 'hang':
        spec = { kind: 'hang', count: random.int(1, 2) };
        break;
      case 'reset':
        spec = { kind: 'reset', count: random.int(1, 3) };
        break;
      case 'malformed':
        spec = { kind: 'malformed', count: random.int(1, 2) };
        break;
      default:
        // The destination applies the request after the client has timed out: committed, unacknowledged.
        spec = { kind: 'latency', latencyMs: options.requestTimeoutMs * 2 + 50, count: 1 };
    }
    if (method) spec.method = method;
    faults.push({
      at,
      target,
      spec,
      label: `${target}:${kind}${method ? `:${method}` : ''}x${spec.count}@${at}`,
    });
  }
  return faults.sort((a, b) => a.at - b.at);
}

export function buildScenario(seed: number, options: ScenarioOptions): Scenario {
  const random = createRandom(seed);
  const users = random.int(2, 6);
  const raw: Array<Omit<ScenarioEvent, 'order'> & { time: number; id: string }> = [];
  const epoch = Date.UTC(2026, 11, 1, 9, 0, 0);
  for (let u = 0; u < users; u++) raw.push(...lifecycle(random.fork(`user${u}`), u, epoch + u * 7));
  const noiseCount = random.int(0, 4);
  for (let n = 0; n < noiseCount; n++) raw.push(noise(random.fork(`noise${n}`), epoch));
  // Clean order: the order an exactly-once, in-order delivery would use (time, then id — the
  // Action's own tie-break, so ties are applied in the order it would accept them).
  raw.sort((a, b) => a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const events: ScenarioEvent[] = raw.map(({ message, label, userId, step }, order) => ({
    message,
    label,
    userId,
    step,
    order,
  }));

  // Chaos delivery: 1-4 copies each; positions jittered within a seeded window (0 = in order).
  const window = random.pick([0, 2, 5, 10, events.length]);
  const duplicateRate = random.pick([0, 0.3, 0.6, 1]);
  const keyed: Array<{ index: number; key: number }> = [];
  events.forEach((_, index) => {
    const copies = random.chance(duplicateRate) ? random.int(2, 4) : 1;
    for (let c = 0; c < copies; c++) {
      keyed.push({ index, key: index + random.next() * window + (c > 0 ? random.next() * (window + 6) : 0) });
    }
  });
  const deliveries = keyed.sort((a, b) => a.key - b.key).map((k) => k.index);
  const faults = faultPlan(random, deliveries.length, options);
  return {
    seed,
    events,
    deliveries,
    faults,
    summary: `${users} users, ${events.length} events (${noiseCount} noise), ${deliveries.length} deliveries, reorder window ${window}, duplicate rate ${duplicateRate}, faults [${faults.map((f) => f.label).join(', ')}]`,
  };
}
