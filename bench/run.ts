/**
 * npm run bench — one run, side by side, on the local stand-ins:
 *   fan-out   one user.created, every enabled destination at a fixed injected latency: the Action
 *             (committed bundle) vs the guide's naive sequential handler (bench/baseline)
 *   overhead  CPU per event for parse + plan over >= 10,000 events drawn from the official schemas;
 *             bundle size; cold load of code.js in a fresh module wrapper
 *   burst     1,000 user.created against HubSpot's TEN_SECONDLY_ROLLING limit, scaled so the floor
 *             is ~45 s: total time vs floor, contacts, duplicates, dead letters after redelivery
 *   deploy    first and no-op deploy to the local tenant, mutating calls of the no-op
 * Prints a table and writes bench/results/latest.json. Options: --quick (fewer repetitions and a
 * smaller burst, for trying the script), --only fanout,overhead,burst,deploy; --only whatif runs an
 * opt-in experiment (the burst with and without the breaker reacting to 429s).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildSync } from 'esbuild';
import * as prettier from 'prettier';
import { loadActionModule } from '../local/action-runtime';
import { parseMessage } from '../event-streams/onboarding-workflow/events';
import { toLifecycleEvent } from '../event-streams/onboarding-workflow/lifecycle';
import {
  buildDestinations,
  DEFAULT_OPTIONS,
  type HandlerOptions,
} from '../event-streams/onboarding-workflow/handler';
import { readSettings } from '../event-streams/onboarding-workflow/settings';
import type { Destination } from '../event-streams/onboarding-workflow/destinations/types';
import { onExecuteEventStream as naiveHandler } from './baseline/naive-handler';
import { SimulatedDelivery, AUTH0_BACKOFF_MS } from './lib/delivery';
import type { StandinServer } from '../local/http-standin';
import { envelope, randomEvent, schemaUser, alnum, type Json } from './lib/events';
import {
  BUNDLE_PATH,
  ROOT,
  captureConsole,
  createActionCache,
  declaredDependencies,
  loadBundle,
  sourceHandler,
  startAllDestinations,
  startDestinations,
  withConsole,
  type Handler,
} from './lib/pipeline';
import { createRandom, type Random } from './lib/random';
import { deploy, oktaCreateUser, scimClient, startTenant, type TenantBench } from './lib/tenant';
import { median, quantile, round, table } from './lib/stats';

const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const ONLY = new Set(
  (onlyArg?.includes('=') ? onlyArg.split('=')[1] : onlyArg ? args[args.indexOf(onlyArg) + 1] : undefined)
    ?.split(',')
    .map((s) => s.trim()) ?? ['fanout', 'overhead', 'burst', 'deploy'],
);
const SEED = Number(process.env.BENCH_SEED ?? 20261204);

type Row = [string, string, string?];
const rows: Row[] = [];
const results: Record<string, unknown> = {};

/** A clean, mapped employee for the runs that need a normal user (fan-out, burst). */
function employeeEvent(random: Random, index: number, time = new Date().toISOString()): Json {
  const user = schemaUser(random, 'user.created', {
    optional: 0.3,
    unicode: 0,
    maxExtraProperties: 0,
    maxDepth: 4,
  });
  const id = alnum(random, 8);
  Object.assign(user, {
    user_id: `samlp|corporate-idp|bench-${index}-${id}`,
    email: `bench.${index}.${id.toLowerCase()}@example.com`,
    given_name: 'Bench',
    family_name: `User ${index}`,
    name: `Bench User ${index}`,
    app_metadata: { title: 'Engineer', department: 'Platform', employee_number: String(1000 + index) },
  });
  delete user.blocked;
  return envelope(random, 'user.created', user, { time, context: false });
}

// ---- fan-out ------------------------------------------------------------------------------------

type CallContext = Parameters<Destination['apply']>[1];

interface FanoutSetup {
  key: string;
  title: string;
  servers: StandinServer[];
  secrets: Record<string, string>;
  /** Also time the guide's naive handler (it only knows HubSpot and Slack). */
  naive: boolean;
}

const LATENCY_MS = 200;

async function measureFanout(setup: FanoutSetup, reps: number, random: Random): Promise<void> {
  const quiet = captureConsole();
  const bundle = loadBundle(quiet.sink);
  const cache = createActionCache();
  const destinations = buildDestinations(readSettings(setup.secrets));
  const missing = destinations.filter((x) => 'missing' in x);
  if (missing.length) throw new Error(`fan-out settings incomplete: ${JSON.stringify(missing)}`);
  const ready = destinations as Destination[];
  for (const server of setup.servers) server.faults.add({ kind: 'latency', latencyMs: LATENCY_MS });
  const hubspot = setup.servers.find((x) => x.name === 'hubspot')!;

  const timed = async (run: () => Promise<unknown>) => {
    const started = performance.now();
    await run();
    return performance.now() - started;
  };
  const requests = () => setup.servers.reduce((sum, x) => sum + x.requests().length, 0);
  const samples = {
    action: [] as number[],
    naive: [] as number[],
    roundTrip: [] as number[],
    single: Object.fromEntries(ready.map((x) => [x.name, [] as number[]])) as Record<string, number[]>,
  };
  const calls = { action: 0, naive: 0, single: {} as Record<string, number> };
  let n = 0;
  for (let rep = 0; rep <= reps; rep++) {
    const warmup = rep === 0;
    // One plain request at the injected latency: the floor of any call.
    const rt = await timed(() =>
      fetch(`${hubspot.baseUrl}/crm/v3/objects/contacts/none?idProperty=auth0_user_id`, {
        headers: { authorization: `Bearer ${setup.secrets.HUBSPOT_TOKEN}` },
      }).then((r) => r.text()),
    );
    // Each destination alone, on its own new user (what the slowest destination costs by itself).
    for (const destination of ready) {
      const parsed = parseMessage(employeeEvent(random, n++));
      if (parsed.kind !== 'user-event') throw new Error('bench event did not parse');
      const context = { signal: AbortSignal.timeout(15_000), requestTimeoutMs: 5_000, cache } as CallContext;
      const before = requests();
      const ms = await timed(() => destination.apply(toLifecycleEvent(parsed.event), context));
      if (!warmup) {
        samples.single[destination.name]!.push(ms);
        calls.single[destination.name] = requests() - before;
      }
    }
    const beforeAction = requests();
    const action = await timed(() =>
      bundle({ message: employeeEvent(random, n++), secrets: setup.secrets }, { cache }),
    );
    const actionCalls = requests() - beforeAction;
    let naive = Number.NaN;
    const beforeNaive = requests();
    if (setup.naive) {
      naive = await timed(() =>
        naiveHandler({ message: employeeEvent(random, n++) as never, secrets: setup.secrets }),
      );
    }
    const naiveCalls = requests() - beforeNaive;
    if (!warmup) {
      samples.roundTrip.push(rt);
      samples.action.push(action);
      if (setup.naive) samples.naive.push(naive);
      calls.action = actionCalls;
      calls.naive = naiveCalls;
    }
  }
  const failures = quiet.lines.filter((l) => l.level === 'error');
  const singles = Object.fromEntries(Object.entries(samples.single).map(([k, v]) => [k, median(v)]));
  const [slowestName, slowest] = Object.entries(singles).sort((a, b) => b[1] - a[1])[0] as [string, number];
  const action = median(samples.action);
  const naive = median(samples.naive);
  const roundTrip = median(samples.roundTrip);
  (results.fanout as Record<string, unknown>)[setup.key] = {
    injectedLatencyMs: LATENCY_MS,
    repetitions: reps,
    destinations: ready.map((x) => x.name),
    medianMs: {
      action,
      ...(setup.naive ? { naive } : {}),
      roundTrip,
      ...Object.fromEntries(Object.entries(singles).map(([k, v]) => [`alone:${k}`, v])),
    },
    samplesMs: samples,
    requestsPerEvent: calls,
    slowestDestination: slowestName,
    ratioToSlowestDestination: {
      action: action / slowest,
      ...(setup.naive ? { naive: naive / slowest } : {}),
      goal: 1.15,
    },
    ratioToOneRequest: { action: action / roundTrip, ...(setup.naive ? { naive: naive / roundTrip } : {}) },
    actionErrors: failures.slice(0, 5),
  };
  rows.push([
    `## ${setup.title}: one user.created, ${LATENCY_MS} ms injected per request, median of ${reps}`,
    '',
  ]);
  rows.push(['one request (floor of any call)', `${round(roundTrip, 0)} ms`]);
  for (const [name, ms] of Object.entries(singles).sort((a, b) => b[1] - a[1])) {
    const k = calls.single[name];
    rows.push([
      `${name} alone`,
      `${round(ms, 0)} ms`,
      `${k} request${k === 1 ? '' : 's'}, one after another`,
    ]);
  }
  rows.push([
    `Action (bundle), ${ready.length} destinations in parallel`,
    `${round(action, 0)} ms`,
    `${calls.action} requests`,
  ]);
  if (setup.naive)
    rows.push(['naive guide handler, sequential', `${round(naive, 0)} ms`, `${calls.naive} requests`]);
  rows.push([
    `Action / slowest destination alone (${slowestName})`,
    `${round(action / slowest, 2)}x`,
    action / slowest <= 1.15 ? 'goal <= 1.15: met' : 'goal <= 1.15: NOT met',
  ]);
  if (setup.naive) rows.push(['naive / slowest destination alone', `${round(naive / slowest, 2)}x`]);
  rows.push(['Action / one request', `${round(action / roundTrip, 2)}x`]);
  if (setup.naive) rows.push(['naive / one request', `${round(naive / roundTrip, 2)}x`]);
  if (failures.length) rows.push(['Action error log lines', String(failures.length), 'see latest.json']);
}

async function fanout(): Promise<void> {
  const REPS = QUICK ? 3 : 9;
  const random = createRandom(SEED).fork('fanout');
  results.fanout = {};
  const pair = await startDestinations({ seed: SEED });
  try {
    await measureFanout(
      {
        key: 'guidePair',
        title: "Fan-out, the guide's pair (HubSpot, Slack) vs the guide's handler",
        servers: [pair.hubspot, pair.slack],
        secrets: pair.secrets,
        naive: true,
      },
      REPS,
      random,
    );
  } finally {
    await pair.stop();
  }
  const all = await startAllDestinations(SEED);
  try {
    await measureFanout(
      {
        key: 'allDestinations',
        title: `Fan-out, every destination enabled (${Object.keys(all.servers).join(', ')})`,
        servers: Object.values(all.servers),
        secrets: all.secrets,
        naive: false,
      },
      REPS,
      random,
    );
  } finally {
    await all.stop();
  }
}

// ---- overhead -----------------------------------------------------------------------------------

function overhead(): void {
  const COUNT = 12_000;
  const random = createRandom(SEED).fork('overhead');
  const events = Array.from({ length: COUNT }, () => randomEvent(random));
  const destinations = buildDestinations(
    readSettings({
      HUBSPOT_TOKEN: 'pat-bench-0000-fake-token',
      HUBSPOT_BASE_URL: 'http://127.0.0.1:9',
      SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/services/T0/B0/x',
    }),
  ).filter((x): x is Destination => !('missing' in x));

  let sink = 0;
  const plan = (message: unknown) => {
    const parsed = parseMessage(message);
    if (parsed.kind !== 'user-event') return;
    const event = toLifecycleEvent(parsed.event);
    for (const destination of destinations) if (destination.wants(event)) sink++;
  };
  // Warm up the JIT on a slice, then time full passes.
  for (const e of events.slice(0, 2000)) plan(e.message);
  const passes: number[] = [];
  const perEvent: number[] = new Array(COUNT);
  const byShape = new Map<string, number[]>();
  for (let pass = 0; pass < 3; pass++) {
    const cpu = process.cpuUsage();
    for (let i = 0; i < COUNT; i++) {
      const started = process.hrtime.bigint();
      plan(events[i]!.message);
      perEvent[i] = Number(process.hrtime.bigint() - started) / 1000;
    }
    const used = process.cpuUsage(cpu);
    passes.push((used.user + used.system) / COUNT);
  }
  events.forEach((e, i) => {
    const key =
      e.shape.startsWith('malformed') || e.shape.startsWith('unusable')
        ? 'malformed'
        : e.shape.includes('huge')
          ? 'huge strings'
          : e.shape === 'test-event' || e.shape === 'unsupported-type'
            ? 'acknowledged (test / other type)'
            : 'valid user events';
    byShape.set(key, [...(byShape.get(key) ?? []), perEvent[i]!]);
  });
  const cpuPerEvent = median(passes);

  const code = fs.readFileSync(BUNDLE_PATH);
  const gzip = zlib.gzipSync(code, { level: 9 }).length;

  const COLD = QUICK ? 3 : 10;
  const cold: number[] = [];
  const warm: number[] = [];
  // Plain node on a pre-bundled child: a TypeScript loader would slow every require being timed.
  const childFile = path.join(os.tmpdir(), `bench-cold-load-${process.pid}.cjs`);
  buildSync({
    entryPoints: [path.join(__dirname, 'lib/cold-load.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile: childFile,
    external: ['zod', 'cockatiel'],
    define: { __BENCH_ROOT__: JSON.stringify(ROOT) },
    logLevel: 'silent',
  });
  for (let i = 0; i < COLD; i++) {
    const child = spawnSync(process.execPath, [childFile], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`cold-load child failed: ${child.stderr}`);
    const out = JSON.parse(child.stdout.trim().split('\n').at(-1) as string) as {
      coldMs: number;
      warmMs: number;
    };
    cold.push(out.coldMs);
    warm.push(out.warmMs);
  }
  fs.rmSync(childFile, { force: true });
  // In this process (dependencies cached): the fresh module wrapper alone, many times.
  const inProcess: number[] = [];
  const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
  const source = code.toString('utf8');
  for (let i = 0; i < 30; i++) {
    const started = process.hrtime.bigint();
    loadActionModule(source, { dependencies: declaredDependencies(), resolveFrom: ROOT, console: quiet });
    inProcess.push(Number(process.hrtime.bigint() - started) / 1e6);
  }

  const shapes = Object.fromEntries(
    [...byShape.entries()].map(([k, v]) => [
      k,
      { events: v.length, p50us: median(v), p99us: quantile(v, 0.99) },
    ]),
  );
  results.overhead = {
    events: COUNT,
    generatorSeed: SEED,
    wantedCalls: sink,
    cpuMicrosPerEvent: { median: cpuPerEvent, passes },
    wallMicrosPerEvent: { p50: median(perEvent), p99: quantile(perEvent, 0.99), max: Math.max(...perEvent) },
    byShape: shapes,
    bundle: { bytes: code.length, gzipBytes: gzip },
    coldLoadMs: { freshProcessMedian: median(cold), samples: cold, runs: COLD },
    wrapperOnlyMs: {
      secondLoadInChildMedian: median(warm),
      inProcessMedian: median(inProcess),
      inProcessRuns: 30,
    },
  };
  rows.push([
    `## Action overhead: parse + plan (parseMessage, toLifecycleEvent, wants()) over ${COUNT.toLocaleString('en')} schema-generated events`,
    '',
  ]);
  rows.push(['CPU per event (user+system, median of 3 passes)', `${round(cpuPerEvent, 1)} µs`]);
  rows.push([
    'wall per event p50 / p99',
    `${round(median(perEvent), 1)} / ${round(quantile(perEvent, 0.99), 1)} µs`,
  ]);
  for (const [name, s] of Object.entries(shapes)) {
    rows.push([`  ${name} (${s.events})`, `${round(s.p50us, 1)} / ${round(s.p99us, 1)} µs`, 'p50 / p99']);
  }
  rows.push([
    'bundle size (code.js)',
    `${(code.length / 1024).toFixed(1)} kB`,
    `${(gzip / 1024).toFixed(1)} kB gzip`,
  ]);
  rows.push([
    `cold load, fresh process (median of ${COLD})`,
    `${round(median(cold), 1)} ms`,
    'wrapper + first require of zod, cockatiel',
  ]);
  rows.push([
    'reload, dependencies cached (median of 30)',
    `${round(median(inProcess), 2)} ms`,
    'wrapper evaluation alone',
  ]);
}

// ---- burst --------------------------------------------------------------------------------------

async function burstDirect(reason: string): Promise<void> {
  const USERS = QUICK ? 200 : 1000;
  const MAX = 100; // TEN_SECONDLY_ROLLING: 100 requests per rolling window (private app, Free/Starter)
  const TARGET_FLOOR_S = QUICK ? 8 : 45;
  const random = createRandom(SEED).fork('burst');

  // Requests one create costs the Action (measured, not assumed), to size the window.
  const probe = await startDestinations({ seed: SEED });
  let perUser: number;
  try {
    const quiet = captureConsole();
    await loadBundle(quiet.sink)(
      { message: employeeEvent(random, -1), secrets: probe.secrets },
      { cache: createActionCache() },
    );
    perUser = probe.hubspot.requests().length;
  } finally {
    await probe.stop();
  }
  const callsNeeded = perUser * USERS;
  const windowMs = Math.round((TARGET_FLOOR_S * 1000 * MAX) / callsNeeded);
  const scale = windowMs / 10_000;
  const floorS = callsNeeded / (MAX / (windowMs / 1000));

  const d = await startDestinations({ seed: SEED, hubspotRateLimit: { max: MAX, windowMs } });
  const log = captureConsole();
  const cache = createActionCache();
  // One clock for everything: the rate-limit window, Auth0's retries AND the Action's own timings
  // (breaker cool-off, in-line waits, deadline) run `scale` times real time. Only the source takes
  // options, so this is createHandler() — the code the bundle is built from.
  const options: HandlerOptions = {
    ...DEFAULT_OPTIONS,
    deadlineMs: DEFAULT_OPTIONS.deadlineMs * scale,
    requestTimeoutMs: Math.max(250, DEFAULT_OPTIONS.requestTimeoutMs * scale),
    breakerCooldownMs: DEFAULT_OPTIONS.breakerCooldownMs * scale,
    maxInlineWaitMs: DEFAULT_OPTIONS.maxInlineWaitMs * scale,
  };
  const source = sourceHandler(options);
  const handler: Handler = (event, api) => withConsole(log.sink, () => source(event, api));
  const concurrency = 4;
  const delivery = new SimulatedDelivery(handler, {
    secrets: d.secrets,
    cache,
    timeScale: scale,
    concurrency,
  });
  const path =
    'direct: user.created events fed to the Action (createHandler, production options on the scaled clock) with ' +
    `Auth0's retry schedule scaled; the local tenant's SCIM path is not used because ${reason}`;
  try {
    const started = performance.now();
    const messages = Array.from({ length: USERS }, (_, i) => employeeEvent(random, i));
    for (const message of messages) delivery.send(message);
    await delivery.drain();
    const firstPassS = (performance.now() - started) / 1000;
    const deadAfterFirstPass = delivery.deadLetters().length;
    let rounds = 0;
    while (delivery.deadLetters().length > 0 && rounds < 20) {
      rounds++;
      // An operator redelivers once the outage is over: after a breaker cool-off and a rate window.
      await new Promise((resolve) => setTimeout(resolve, options.breakerCooldownMs + windowMs));
      delivery.redeliverDeadLetters();
      await delivery.drain();
    }
    const totalS = (performance.now() - started) / 1000;
    const live = d.hubspot.contacts();
    const byUser = new Map<string, number>();
    for (const c of live) {
      const id = String(c.properties.auth0_user_id ?? '');
      byUser.set(id, (byUser.get(id) ?? 0) + 1);
    }
    const duplicates = [...byUser.values()].reduce((sum, count) => sum + Math.max(0, count - 1), 0);
    const expected = new Set(messages.map((m) => ((m.data as Json).object as Json).user_id as string));
    const missing = [...expected].filter((id) => !byUser.has(id)).length;
    const served = d.hubspot.requests();
    const limited = served.filter((r) => r.status === 429).length;
    const outcomes = new Map<string, number>();
    for (const l of log.lines) {
      if (l.msg === 'destination' && l.destination === 'hubspot') {
        const key = String(l.outcome);
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }
    }
    results.burst = {
      path,
      users: USERS,
      rateLimit: { policy: 'TEN_SECONDLY_ROLLING', max: MAX, windowMs, scaleOfRealWindow: scale },
      auth0RetryScheduleMs: AUTH0_BACKOFF_MS.map((ms) => ms * scale),
      concurrency,
      handlerOptions: options,
      requestsPerCreate: perUser,
      callsNeeded,
      floorS,
      firstPassS,
      totalS,
      ratioToFloor: totalS / floorS,
      contactsCreated: live.length,
      missingUsers: missing,
      duplicates,
      deadLetteredAfterFirstPass: deadAfterFirstPass,
      redeliveryRounds: rounds,
      deadLetteredAfterRedelivery: delivery.deadLetters().length,
      hubspotRequests: served.length,
      hubspot429: limited,
      executions: delivery.stats,
      hubspotOutcomes: Object.fromEntries(outcomes),
      slackMessages: d.slack.messages().length,
    };
    rows.push([
      `## Burst: ${USERS} user.created, HubSpot TEN_SECONDLY_ROLLING ${MAX}/${windowMs} ms (real 100/10 s, x${round(1 / scale, 2)}), concurrency ${concurrency}`,
      '',
    ]);
    rows.push(['path', 'direct', `events straight into the Action; SCIM not used: ${reason}`]);
    rows.push([
      'clock',
      `x${round(1 / scale, 2)}`,
      'rate window, Auth0 retries, breaker cool-off, in-line waits',
    ]);
    rows.push([
      'rate-limit floor',
      `${round(floorS, 1)} s`,
      `${callsNeeded} calls needed (${perUser} per create) / ${round(MAX / (windowMs / 1000), 1)} per s`,
    ]);
    rows.push([
      'total time (incl. redelivery)',
      `${round(totalS, 1)} s`,
      `${round(totalS / floorS, 2)}x floor; first pass ${round(firstPassS, 1)} s`,
    ]);
    rows.push([
      'contacts created',
      String(live.length),
      live.length === USERS ? `= ${USERS}` : `expected ${USERS}, missing ${missing}`,
    ]);
    rows.push(['duplicates', String(duplicates)]);
    rows.push(['dead-lettered after first pass', String(deadAfterFirstPass)]);
    rows.push([
      `dead-lettered after redelivery (${rounds} round${rounds === 1 ? '' : 's'})`,
      String(delivery.deadLetters().length),
    ]);
    rows.push(['HubSpot requests / 429s', `${served.length} / ${limited}`]);
    rows.push([
      'executions / failed executions',
      `${delivery.stats.executions} / ${delivery.stats.failedExecutions}`,
    ]);
  } finally {
    await d.stop();
  }
}

// ---- local tenant: deploy, then the burst through SCIM ----------------------------------------

function tenantUnavailable(): string | undefined {
  if (!fs.existsSync(path.join(ROOT, 'tenant/cli/deploy.ts')))
    return 'tenant/cli/deploy.ts is not in the repository';
  if (!fs.existsSync(path.join(ROOT, 'local/stack.ts')))
    return 'the local tenant (local/stack.ts) has not landed';
  return undefined;
}

async function deploySection(t: TenantBench): Promise<boolean> {
  const hubspot = t.stack.destinations!.hubspot!;
  const first = await deploy(t);
  if (first.status !== 0) {
    const reason = `first deploy failed (exit ${first.status}): ${(first.stderr || first.stdout).trim().split('\n').slice(-3).join(' / ')}`;
    results.deploy = { measured: false, reason };
    rows.push(['## Deploy', '']);
    rows.push(['first deploy', 'failed', reason]);
    return false;
  }
  const firstMutations = t.stack.auth0.tenant.mutations().length;
  const firstHubspotWrites = hubspot.requests().filter((r) => r.method !== 'GET').length;
  t.stack.auth0.tenant.resetMutations();
  hubspot.clearRequests();
  const noop = await deploy(t);
  const mutations = t.stack.auth0.tenant.mutations();
  const hubspotWrites = hubspot.requests().filter((r) => r.method !== 'GET');
  results.deploy = {
    measured: true,
    command: 'npm run deploy -- --env local (real a0deploy, child process)',
    firstMs: first.ms,
    firstMutatingCalls: firstMutations,
    firstHubspotWrites,
    noopMs: noop.ms,
    noopStatus: noop.status,
    noopMutatingCalls: mutations.length,
    noopMutations: mutations,
    noopHubspotWrites: hubspotWrites.map((r) => `${r.method} ${r.path}`),
    noopTail: noop.stdout.trim().split('\n').slice(-6),
    ...(noop.status !== 0 ? { noopError: (noop.stderr || noop.stdout).trim().split('\n').slice(-6) } : {}),
  };
  rows.push([
    '## Deploy: tenant.yaml to the local tenant with `npm run deploy -- --env local` (real a0deploy)',
    '',
  ]);
  rows.push([
    'first deploy',
    `${round(first.ms / 1000, 1)} s`,
    `${firstMutations} Management API writes, ${firstHubspotWrites} HubSpot writes`,
  ]);
  rows.push([
    'no-op deploy',
    `${round(noop.ms / 1000, 1)} s`,
    noop.status === 0
      ? 'exit 0'
      : `FAILED (exit ${noop.status}): ${(noop.stderr || noop.stdout).trim().split('\n').slice(-2).join(' / ')}`,
  ]);
  rows.push([
    'no-op deploy: mutating calls',
    String(mutations.length + hubspotWrites.length),
    `goal 0 (${mutations.length} Management API, ${hubspotWrites.length} HubSpot)`,
  ]);
  return true;
}

async function burstScim(t: TenantBench): Promise<void> {
  const USERS = QUICK ? 200 : 1000;
  const MAX = 100;
  const TARGET_FLOOR_S = QUICK ? 8 : 45;
  const PER_CREATE = 3; // measured in the fan-out and direct runs: GET live, GET archived, batch upsert
  const callsNeeded = PER_CREATE * USERS;
  const windowMs = Math.round((TARGET_FLOOR_S * 1000 * MAX) / callsNeeded);
  const floorS = callsNeeded / (MAX / (windowMs / 1000));
  const hubspot = t.stack.destinations!.hubspot!;
  const tenant = t.stack.auth0.tenant;
  const concurrency = 4;
  // Real clock everywhere (Auth0's 1/2/4 s retries, the deployed Action's own timings); only the
  // rate window is shorter, as if HubSpot granted a 6-7x higher limit.
  tenant.delivery.configure({ timeScale: 1, concurrency });
  hubspot.clearRequests();
  const contactsBefore = hubspot.contacts().length;
  hubspot.setRateLimit({ max: MAX, windowMs });
  const post = scimClient(t);
  const tag = Date.now().toString(36);
  const deliveriesBefore = new Set(tenant.deliveries().map((r) => r.id));

  const started = performance.now();
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = next++; i < USERS; i = next++) {
        const { status } = await post(oktaCreateUser(i, tag));
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  const provisionedS = (performance.now() - started) / 1000;
  await t.stack.drain();
  const firstPassS = (performance.now() - started) / 1000;
  const ours = () => tenant.deliveries().filter((r) => !deliveriesBefore.has(r.id));
  const failed = () => ours().filter((r) => r.status === 'failed');
  const deadAfterFirstPass = failed().length;
  let rounds = 0;
  while (failed().length > 0 && rounds < 5) {
    rounds++;
    // An operator redelivers once the outage is over: after the Action's breaker cool-off.
    await new Promise((resolve) => setTimeout(resolve, DEFAULT_OPTIONS.breakerCooldownMs + windowMs));
    for (const record of failed()) tenant.delivery.redeliver(record);
    await t.stack.drain();
  }
  const totalS = (performance.now() - started) / 1000;
  hubspot.setRateLimit(false);

  const live = hubspot.contacts();
  const byUser = new Map<string, number>();
  for (const c of live) {
    const id = String(c.properties.auth0_user_id ?? '');
    if (id.includes(tag)) byUser.set(id, (byUser.get(id) ?? 0) + 1);
  }
  const created = [...byUser.values()].reduce((a, b) => a + b, 0);
  const duplicates = [...byUser.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const served = hubspot.requests();
  const limited = served.filter((r) => r.status === 429).length;
  const deliveries = ours();
  const executions = deliveries.reduce((sum, r) => sum + r.attempts.length, 0);
  // What the deployed Action logged about HubSpot: how often the breaker (opened by 429s) skipped it.
  const hubspotLines = deliveries.flatMap((r) => r.logs).filter((l) => l.includes('"destination":"hubspot"'));
  const circuitOpen = hubspotLines.filter((l) => l.includes('"circuit-open"')).length;
  const rateLimited = hubspotLines.filter((l) => l.includes('"status":429')).length;
  results.burst = {
    path: 'SCIM: Okta-style POST /Users to the local tenant -> user.created -> Auth0 delivery -> the deployed Action',
    users: USERS,
    scimStatuses: Object.fromEntries(statuses),
    rateLimit: { policy: 'TEN_SECONDLY_ROLLING', max: MAX, windowMs, ofRealWindow: windowMs / 10_000 },
    clock: 'real: Auth0 retries 1/2/4 s, the deployed Action with production timings',
    concurrency,
    requestsPerCreate: PER_CREATE,
    callsNeeded,
    floorS,
    provisionedS,
    firstPassS,
    totalS,
    ratioToFloor: totalS / floorS,
    contactsCreated: created,
    contactsBefore,
    duplicates,
    deliveries: deliveries.length,
    deadLetteredAfterFirstPass: deadAfterFirstPass,
    redeliveryRounds: rounds,
    deadLetteredAfterRedelivery: failed().length,
    executions,
    hubspotRequests: served.length,
    hubspot429: limited,
    actionHubspotFailures: { circuitOpen, rateLimited },
  };
  rows.push([
    `## Burst: ${USERS} users through SCIM, HubSpot TEN_SECONDLY_ROLLING ${MAX}/${windowMs} ms (real 100/10 s), delivery concurrency ${concurrency}`,
    '',
  ]);
  rows.push(['path', 'SCIM', 'Okta-style POST /Users -> Auth0 delivery -> deployed Action (real clock)']);
  rows.push([
    'rate-limit floor',
    `${round(floorS, 1)} s`,
    `${callsNeeded} calls needed (${PER_CREATE} per create) / ${round(MAX / (windowMs / 1000), 1)} per s`,
  ]);
  rows.push([
    'SCIM provisioning done',
    `${round(provisionedS, 1)} s`,
    `statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
  ]);
  rows.push([
    'total time (incl. redelivery)',
    `${round(totalS, 1)} s`,
    `${round(totalS / floorS, 2)}x floor; first pass ${round(firstPassS, 1)} s`,
  ]);
  rows.push(['contacts created', String(created), created === USERS ? `= ${USERS}` : `expected ${USERS}`]);
  rows.push(['duplicates', String(duplicates)]);
  rows.push(['dead-lettered after first pass', String(deadAfterFirstPass)]);
  rows.push([
    `dead-lettered after redelivery (${rounds} round${rounds === 1 ? '' : 's'})`,
    String(failed().length),
  ]);
  rows.push(['HubSpot requests / 429s', `${served.length} / ${limited}`]);
  rows.push(['deliveries / executions', `${deliveries.length} / ${executions}`]);
  rows.push([
    'failed HubSpot steps: breaker open / 429',
    `${circuitOpen} / ${rateLimited}`,
    'from the Action logs',
  ]);
}

/**
 * Opt-in experiment (`--only whatif`): the same 1,000 creates fed straight into the Action's source
 * on the real clock (Auth0's 1/2/4 s retries, 30 s breaker cool-off) under the same scaled rate
 * limit, once with the production options and once with the breaker never opening — what the
 * breaker's reaction to 429s costs a burst.
 */
async function burstWhatIf(): Promise<void> {
  const USERS = QUICK ? 200 : 1000;
  const MAX = 100;
  const windowMs = Math.round(((QUICK ? 8 : 45) * 1000 * MAX) / (3 * USERS));
  const floorS = (3 * USERS) / (MAX / (windowMs / 1000));
  const variants: Array<[string, HandlerOptions]> = [
    ['production options', DEFAULT_OPTIONS],
    ['breaker never opens', { ...DEFAULT_OPTIONS, breakerThreshold: Number.MAX_SAFE_INTEGER }],
  ];
  const out: Record<string, unknown> = {};
  rows.push([
    `## What-if: ${USERS} creates straight into the source, real clock, HubSpot ${MAX}/${windowMs} ms, floor ${round(floorS, 1)} s`,
    '',
  ]);
  for (const [label, options] of variants) {
    const random = createRandom(SEED).fork('whatif');
    const d = await startDestinations({ seed: SEED, hubspotRateLimit: { max: MAX, windowMs } });
    const log = captureConsole();
    const source = sourceHandler(options);
    const handler: Handler = (event, api) => withConsole(log.sink, () => source(event, api));
    const delivery = new SimulatedDelivery(handler, {
      secrets: d.secrets,
      cache: createActionCache(),
      concurrency: 4,
    });
    try {
      const started = performance.now();
      for (let i = 0; i < USERS; i++) delivery.send(employeeEvent(random, i));
      await delivery.drain();
      const firstPassS = (performance.now() - started) / 1000;
      const deadAfterFirstPass = delivery.deadLetters().length;
      let rounds = 0;
      while (delivery.deadLetters().length > 0 && rounds < 10) {
        rounds++;
        await new Promise((resolve) => setTimeout(resolve, options.breakerCooldownMs + windowMs));
        delivery.redeliverDeadLetters();
        await delivery.drain();
      }
      const totalS = (performance.now() - started) / 1000;
      const contacts = d.hubspot.contacts().length;
      out[label] = {
        totalS,
        firstPassS,
        deadAfterFirstPass,
        rounds,
        dead: delivery.deadLetters().length,
        contacts,
        executions: delivery.stats.executions,
      };
      rows.push([
        label,
        `${round(totalS, 1)} s`,
        `${round(totalS / floorS, 2)}x floor; ${deadAfterFirstPass} dead-lettered first, ${rounds} redelivery round(s); ${contacts} contacts; ${delivery.stats.executions} executions`,
      ]);
    } finally {
      await d.stop();
    }
  }
  results.whatIf = { users: USERS, rateLimit: { max: MAX, windowMs }, floorS, variants: out };
}

async function tenantSections(): Promise<void> {
  const unavailable = tenantUnavailable();
  if (unavailable) {
    if (ONLY.has('deploy')) {
      results.deploy = { measured: false, reason: unavailable };
      rows.push(['## Deploy', '']);
      rows.push(['first deploy / no-op deploy', 'not measured', unavailable]);
    }
    if (ONLY.has('burst')) await burstDirect(unavailable);
    return;
  }
  const t = await startTenant();
  try {
    // The burst needs the deployed Action, so it runs after the deploy even when only --only burst.
    const deployed = await deploySection(t);
    if (!ONLY.has('deploy')) {
      rows.splice(rows.findIndex((r) => r[0].startsWith('## Deploy')));
      delete results.deploy;
    }
    if (ONLY.has('burst')) {
      if (deployed) await burstScim(t);
      else await burstDirect('the deploy to the local tenant failed');
    }
  } finally {
    await t.stop();
  }
}

// ---- main ---------------------------------------------------------------------------------------

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return {
    nproc: os.availableParallelism(),
    node: process.version,
    cpu,
    platform: `${os.platform()} ${os.release()}`,
    commit,
    // Other work on the machine skews wall times: say how busy it was.
    loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
  };
}

async function main() {
  const started = performance.now();
  const loadAtStart = round(os.loadavg()[0] ?? 0, 2);
  if (ONLY.has('fanout')) await fanout();
  if (ONLY.has('overhead')) overhead();
  if (ONLY.has('burst') || ONLY.has('deploy')) await tenantSections();
  if (ONLY.has('whatif')) await burstWhatIf();
  const info = machine();
  const output = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${args.length ? ` -- ${args.join(' ')}` : ''}`,
    seed: SEED,
    quick: QUICK,
    machine: { ...info, loadAverage1mAtStart: loadAtStart },
    durationS: (performance.now() - started) / 1000,
    ...results,
  };
  const text = [
    `Bench ${output.generatedAt} — ${info.cpu}, ${info.nproc} cores, Node ${info.node}, commit ${info.commit}, ` +
      `seed ${SEED}, load average ${loadAtStart} at start / ${info.loadAverage1m} at end`,
    table(rows),
    `\n(${round(output.durationS, 0)} s)`,
  ].join('\n');
  console.log(text);
  const partial = QUICK || ONLY.size < 4;
  const file = path.join(ROOT, 'bench/results', partial ? 'latest.tmp.json' : 'latest.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  // Formatted like the rest of the repository, so `npm run lint` stays clean after a run.
  const options = (await prettier.resolveConfig(file)) ?? {};
  fs.writeFileSync(file, await prettier.format(JSON.stringify(output), { ...options, parser: 'json' }));
  // The table as printed, for the README.
  if (!partial) fs.writeFileSync(path.join(ROOT, 'bench/results/latest.txt'), `${text}\n`);
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
