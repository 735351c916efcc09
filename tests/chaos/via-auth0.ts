/**
 * Chaos through the local Auth0 tenant (local/auth0): the scenario's user operations are applied to
 * the tenant's user store, which emits its own CloudEvents; the tenant's delivery engine runs the
 * deployed Action with its duplicate and reorder knobs, its 1/2/4 s retries (scaled), the
 * dead-letter queue and redeliver; faults hit the HubSpot and Slack stand-ins. The reference is the
 * same operations on a second tenant without knobs or faults.
 *
 * The deployed code is the Action's source bundled the way `npm run build` bundles it, with the
 * small chaos budgets (CHAOS_OPTIONS) so an open breaker cools off in 200 ms instead of 30 s.
 * Event ids and times come from each tenant, so live contacts are compared without the
 * auth0_last_event_* stamps, and Slack is checked within the chaos run (at most one message per
 * event id; no more announced events than the clean run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { declaredDependencies, ROOT, startDestinations } from '../../bench/lib/pipeline';
import { createCorporateIdp, startTestTenant } from '../support/local-auth0';
import { CHAOS_OPTIONS, compare, type ChaosResult, type Snapshot } from './harness';
import { buildScenario, type Scenario } from './scenario';
import { createRandom } from '../../bench/lib/random';

const MAPPING = [
  { auth0: 'preferred_username', scim: 'userName' },
  { auth0: 'email', scim: 'emails[type eq "work"].value' },
  { auth0: 'blocked', scim: 'active' },
];
const OWNED = ['user_id', 'identities', 'created_at', 'updated_at', 'deleted_at'];
const EVENT_ID = /evt_[A-Za-z0-9]+/;

let bundled: string | undefined;

/** The Action's source with CHAOS_OPTIONS, bundled like scripts/build-actions.ts does. */
export function chaosBundle(): string {
  if (bundled) return bundled;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-action-'));
  const entry = path.join(dir, 'index.ts');
  const handler = path.join(ROOT, 'event-streams/onboarding-workflow/handler').replace(/\\/g, '/');
  fs.writeFileSync(
    entry,
    `import { createHandler } from ${JSON.stringify(handler)};\n` +
      `export const onExecuteEventStream = createHandler(${JSON.stringify(CHAOS_OPTIONS)});\n`,
  );
  const out = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: ['node22', 'node20'],
    format: 'cjs',
    write: false,
    external: declaredDependencies().map((d) => d.name),
    logLevel: 'silent',
  });
  fs.rmSync(dir, { recursive: true, force: true });
  bundled = out.outputFiles[0]!.text;
  return bundled;
}

interface Operation {
  kind: 'user.created' | 'user.updated' | 'user.deleted';
  userId: string;
  attributes: Record<string, unknown>;
}

/** The scenario's user events as operations on the tenant (noise events cannot be produced by Auth0). */
export function operations(scenario: Scenario): Operation[] {
  // Clean order across users, but each user's changes in the order they were made: two events with
  // the same time sort by id, and a tenant cannot update a user before creating it.
  const users = scenario.events.filter((e) => e.userId);
  const byUser = new Map<string, typeof users>();
  for (const e of [...users].sort((a, b) => (a.step ?? 0) - (b.step ?? 0))) {
    byUser.set(e.userId!, [...(byUser.get(e.userId!) ?? []), e]);
  }
  return users
    .map((e) => byUser.get(e.userId!)!.shift()!)
    .map((e) => {
      const message = e.message as { type: Operation['kind']; data: { object: Record<string, unknown> } };
      const attributes = Object.fromEntries(
        Object.entries(message.data.object).filter(([key]) => !OWNED.includes(key)),
      );
      return { kind: message.type, userId: e.userId!, attributes };
    });
}

interface Knobs {
  duplicate: number;
  window: number;
  faults: Scenario['faults'];
}

function knobs(scenario: Scenario, operationCount: number): Knobs {
  const random = createRandom(scenario.seed).fork('auth0');
  return {
    duplicate: random.int(1, 4),
    window: random.pick([0, 2, 5, 10]),
    // Hung sockets and late commits would cost the production timeouts: left to the simulated path.
    faults: scenario.faults
      .filter((f) => f.spec.kind !== 'hang' && f.spec.kind !== 'latency')
      .map((f) => ({
        ...f,
        at: Math.floor((f.at * operationCount) / Math.max(1, scenario.deliveries.length)),
      })),
  };
}

/**
 * The scenario's user events replaced by what the tenant emitted for them (its own ids and times),
 * matched per user in order; an update that changed nothing emitted no event and is dropped.
 */
function asEmitted(scenario: Scenario, emitted: Array<Record<string, unknown>>): Scenario {
  const byUser = new Map<string, Array<Record<string, unknown>>>();
  for (const event of emitted) {
    const user = String(
      ((event.data as Record<string, unknown>)?.object as Record<string, unknown>)?.user_id,
    );
    byUser.set(user, [...(byUser.get(user) ?? []), event]);
  }
  const events: Scenario['events'] = [];
  for (const e of scenario.events) {
    if (!e.userId) continue;
    const queue = byUser.get(e.userId) ?? [];
    const type = (e.message as { type: string }).type;
    if (queue[0]?.type === type) events.push({ ...e, message: queue.shift() });
  }
  return { ...scenario, events };
}

async function runOnTenant(
  scenario: Scenario,
  chaos: Knobs | undefined,
): Promise<Snapshot & { emitted: Array<Record<string, unknown>> }> {
  const d = await startDestinations({ seed: scenario.seed });
  const t = await startTestTenant({
    actionBuildDelayMs: 0,
    delivery: {
      timeScale: 0.01,
      resolveFrom: ROOT,
      ...(chaos
        ? {
            duplicate: chaos.duplicate,
            ...(chaos.window > 0
              ? { reorder: { window: chaos.window, seed: scenario.seed, flushAfterMs: 20 } }
              : {}),
          }
        : {}),
    },
  });
  try {
    await createCorporateIdp(t, MAPPING);
    const action = await t.api('POST', '/actions/actions', {
      name: 'Onboarding Workflow',
      supported_triggers: [{ id: 'event-stream', version: 'v1' }],
      code: chaosBundle(),
      runtime: 'node22',
      dependencies: declaredDependencies(),
      secrets: Object.entries(d.secrets).map(([name, value]) => ({ name, value })),
    });
    if (action.status !== 201)
      throw new Error(`create action: ${action.status} ${JSON.stringify(action.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
    const deployed = await t.api('POST', `/actions/actions/${action.body.id}/deploy`);
    if (deployed.status !== 202)
      throw new Error(`deploy action: ${deployed.status} ${JSON.stringify(deployed.body)}`);
    const stream = await t.api('POST', '/event-streams', {
      name: 'Onboarding Workflow',
      subscriptions: [
        { event_type: 'user.created' },
        { event_type: 'user.updated' },
        { event_type: 'user.deleted' },
      ],
      destination: { type: 'action', configuration: { action_id: action.body.id } },
      status: 'enabled',
    });
    if (stream.status !== 201)
      throw new Error(`create stream: ${stream.status} ${JSON.stringify(stream.body)}`);

    const tenant = t.auth0.tenant;
    const ops = operations(scenario);
    const faults = chaos ? [...chaos.faults] : [];
    for (let i = 0; i < ops.length; i++) {
      while (faults.length && faults[0]!.at <= i) {
        const fault = faults.shift()!;
        (fault.target === 'hubspot' ? d.hubspot : d.slack).faults.add(fault.spec);
      }
      const op = ops[i]!;
      if (op.kind === 'user.created')
        tenant.createUser('corporate-idp', op.userId.split('|').slice(2).join('|'), op.attributes);
      else if (op.kind === 'user.updated')
        tenant.users.update(op.userId, op.attributes, undefined, 'replace');
      else tenant.users.delete(op.userId);
      // Auth0 stamps events to the millisecond; keep operations apart so their order is unambiguous.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await tenant.drain();
    d.hubspot.faults.clear();
    d.slack.faults.clear();
    const failed = () => tenant.deliveries().filter((r) => r.status === 'failed');
    for (let round = 0; round < 5 && failed().length > 0; round++) {
      await new Promise((resolve) => setTimeout(resolve, CHAOS_OPTIONS.breakerCooldownMs + 50));
      for (const record of failed()) tenant.delivery.redeliver(record);
      await tenant.drain();
    }

    const records: Snapshot['records'] = {};
    const liveCount = new Map<string, number>();
    for (const contact of d.hubspot.contacts()) {
      const key = String(contact.properties.auth0_user_id ?? `email:${String(contact.properties.email)}`);
      liveCount.set(key, (liveCount.get(key) ?? 0) + 1);
      const properties: Record<string, string> = {};
      for (const name of ['email', 'firstname', 'lastname', 'jobtitle', 'department']) {
        const value = contact.properties[name];
        if (value) properties[name] = value;
      }
      records[key] = { live: true, properties };
    }
    for (const contact of d.hubspot.archivedContacts()) {
      const key = String(contact.properties.auth0_user_id ?? `email:${String(contact.properties.email)}`);
      if (!records[key]) records[key] = { live: false };
    }
    const slackByEvent: Record<string, number> = {};
    for (const message of d.slack.messages()) {
      const id = EVENT_ID.exec(JSON.stringify(message.payload))?.[0] ?? '';
      slackByEvent[id] = (slackByEvent[id] ?? 0) + 1;
    }
    const executions = tenant.deliveries().reduce((sum, r) => sum + r.attempts.length, 0);
    // The tenant runs retries alongside new deliveries, so two executions of one event id can
    // overlap; api.cache has no atomic check-and-set, so both may announce it (ambiguous, not a bug).
    const spans = new Map<string, Array<[number, number]>>();
    for (const record of tenant.deliveries()) {
      for (const attempt of record.attempts) {
        const end = Date.parse(attempt.timestamp);
        spans.set(record.event.id, [...(spans.get(record.event.id) ?? []), [end - attempt.duration_ms, end]]);
      }
    }
    const userSpans = new Map<string, Array<[number, number, string]>>();
    for (const record of tenant.deliveries()) {
      const user = String((record.event.data as { object?: { user_id?: string } }).object?.user_id);
      for (const attempt of record.attempts) {
        const end = Date.parse(attempt.timestamp);
        userSpans.set(user, [
          ...(userSpans.get(user) ?? []),
          [end - attempt.duration_ms, end, record.event.id],
        ]);
      }
    }
    const overlappingUsers = [...userSpans.entries()]
      .filter(([, list]) =>
        list.some(([a0, a1, a], i) =>
          list.some(([b0, b1, b], j) => i !== j && a !== b && a0 < b1 && b0 < a1),
        ),
      )
      .map(([user]) => user);
    const overlapping = [...spans.entries()]
      .filter(([, list]) =>
        list.some(([a0, a1], i) => list.some(([b0, b1], j) => i !== j && a0 < b1 && b0 < a1)),
      )
      .map(([id]) => id);
    return {
      emitted: tenant.events as unknown as Array<Record<string, unknown>>,
      records,
      duplicateLive: [...liveCount.entries()].filter(([, n]) => n > 1).map(([k]) => k),
      slackByEvent,
      slackUnacknowledged: overlapping,
      overlappingUsers,
      deadLetters: failed().length,
      stats: { executions, failedExecutions: 0, delivered: 0, deadLettered: 0, redelivered: 0 },
      logs: tenant
        .deliveries()
        .flatMap((r) => r.logs)
        .map((line) => {
          try {
            return JSON.parse(line.replace(/^\[\w+\] /, '')) as Record<string, unknown>;
          } catch {
            return { raw: line };
          }
        }),
    };
  } finally {
    await t.stop();
    await d.stop();
  }
}

export async function runChaosViaAuth0(seed: number): Promise<ChaosResult> {
  const scenario = buildScenario(seed, { requestTimeoutMs: CHAOS_OPTIONS.requestTimeoutMs });
  const used = knobs(scenario, operations(scenario).length);
  const reference = await runOnTenant(scenario, undefined);
  const chaos = await runOnTenant(scenario, used);
  // Event ids differ between the two tenants: announce-set equality becomes "no more than the clean run".
  const { problems, ambiguousSlack } = compare(
    {
      ...chaos,
      slackByEvent: Object.fromEntries(Object.entries(chaos.slackByEvent).map(([id, n]) => [id, n])),
    },
    { ...reference, slackByEvent: { ...chaos.slackByEvent } },
  );
  const announced = (s: Snapshot) => Object.keys(s.slackByEvent).filter((id) => id !== '').length;
  if (announced(chaos) > announced(reference)) {
    problems.push(
      `slack: ${announced(chaos)} events announced after chaos, ${announced(reference)} after clean delivery`,
    );
  }
  return {
    seed,
    ok: problems.length === 0,
    problems,
    summary:
      `via local Auth0: ${Object.keys(reference.records).length} users, ${operations(scenario).length} operations, ` +
      `every event delivered ${used.duplicate}x, reorder window ${used.window}, ` +
      `faults [${used.faults.map((f) => f.label.replace(/@\d+$/, `@op${f.at}`)).join(', ')}]`,
    chaos,
    reference,
    ambiguousSlack,
    // Failure histories and known-issue signatures read the chaos tenant's own events.
    scenario: asEmitted(scenario, chaos.emitted),
  };
}
