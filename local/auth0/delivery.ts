/**
 * Event Stream delivery to an Action destination, with Auth0's semantics:
 * - the destination runs the DEPLOYED version of the Action (the exact code string a0deploy uploaded)
 *   with the secret values deployed with it, through local/action-runtime.ts (module wrapper,
 *   declared dependencies only, api.cache limits, 20 s per execution);
 * - a failed execution is retried: 4 attempts in all, 1 s, 2 s, 4 s apart (`timeScale` scales every
 *   delay), then the delivery is dead-lettered (status `failed`), listed by the deliveries API and
 *   can be redelivered;
 * - after `autoDisableAfter` consecutive dead-lettered deliveries (500 by default) the stream is
 *   disabled.
 *
 * Module lifetime: the Action module is loaded once per deployed version and reused, like a warm
 * Auth0 container — so module-level state may survive between executions, as it can on Auth0, where
 * it is never guaranteed. `api.cache` (one per Action) is the only supported cross-execution store.
 * `freshModulePerExecution: true` loads the module for every execution (a cold start each time), which
 * tests can use to prove the Action does not rely on module state.
 *
 * Test knobs: `duplicate` runs every event N times (at-least-once delivery), `reorder` holds back a
 * window of events and releases them shuffled with a seeded PRNG.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  createActionCache,
  executeEventStreamAction,
  loadEventStreamHandler,
  EXECUTION_LIMIT_MS,
  type ActionCache,
  type OnExecuteEventStream,
} from '../action-runtime';
import { seededRandom } from '../http-standin';
import type { UserCloudEvent } from './events';
import type { Action, ActionVersion, EventStream } from './state';

export interface DeliveryOptions {
  /** Multiplies every delay (backoff, reorder flush). 0 makes them immediate. Default 1. */
  timeScale?: number;
  /** Delays before attempts 2..n, in ms. Default [1000, 2000, 4000]. */
  backoffMs?: number[];
  /** Attempts before dead-lettering. Default 4. */
  maxAttempts?: number;
  /** Consecutive dead-lettered deliveries after which the stream is disabled. Default 500. */
  autoDisableAfter?: number;
  /** Run each event this many times (Auth0 delivers at least once). Default 1. */
  duplicate?: number;
  /** Hold back `window` events and release them shuffled (seeded). */
  reorder?: { window: number; seed?: number; flushAfterMs?: number };
  /** How many first attempts run at once per stream. Default 1 (in order); retries never block. */
  concurrency?: number;
  /** Per-execution limit. Default 20 s (Auth0's limit); not scaled by timeScale. */
  executionLimitMs?: number;
  freshModulePerExecution?: boolean;
  /** Where the Action's declared dependencies are resolved (a folder with node_modules). Default cwd. */
  resolveFrom?: string;
  /** Print Action console output (prefixed) to stderr as well as recording it. Default false. */
  printActionLogs?: boolean;
}

export type AttemptStatus = 'succeeded' | 'failed';

export interface DeliveryAttempt {
  status: AttemptStatus;
  timestamp: string;
  error_message?: string;
  duration_ms: number;
  execution: number;
}

export interface DeliveryRecord {
  id: string;
  event_stream_id: string;
  event_type: string;
  event: UserCloudEvent;
  /** pending: queued or between retries; delivered; failed: dead-lettered. */
  status: 'pending' | 'delivered' | 'failed';
  attempts: DeliveryAttempt[];
  executions: number;
  redeliveries: number;
  created_at: string;
  updated_at: string;
  logs: string[];
}

export interface DeliveryHost {
  getStream(id: string): EventStream | undefined;
  getAction(id: string): Action | undefined;
  /** The version currently deployed for an Action, if any. */
  getDeployedVersion(action: Action): ActionVersion | undefined;
  disableStream(id: string, reason: string): void;
  now(): Date;
}

export function seededShuffle<T>(items: T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

type ExecutionLog = (level: string, args: unknown[]) => void;

export class DeliveryEngine {
  readonly records = new Map<string, DeliveryRecord>();
  private readonly handlers = new Map<string, OnExecuteEventStream>();
  private readonly caches = new Map<string, ActionCache>();
  private readonly consecutiveFailures = new Map<string, number>();
  private readonly queues = new Map<string, { items: Array<() => Promise<void>>; running: number }>();
  private held: Array<{ stream: EventStream; event: UserCloudEvent }> = [];
  private heldTimer: NodeJS.Timeout | undefined;
  private busy = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The log of the execution in progress, for the console of a reused Action module. */
  private readonly executionLog = new AsyncLocalStorage<ExecutionLog>();
  private stopped = false;

  private options: DeliveryOptions;
  private random: () => number;

  constructor(
    private readonly host: DeliveryHost,
    options: DeliveryOptions = {},
  ) {
    this.options = { ...options };
    this.random = seededRandom(options.reorder?.seed ?? 1);
  }

  /** Changes delivery knobs at run time (e.g. turn on duplication/reordering for one test). */
  configure(patch: Partial<DeliveryOptions>): void {
    const allowed: Array<keyof DeliveryOptions> = [
      'timeScale',
      'backoffMs',
      'maxAttempts',
      'autoDisableAfter',
      'duplicate',
      'reorder',
      'concurrency',
      'executionLimitMs',
      'freshModulePerExecution',
      'printActionLogs',
    ];
    for (const key of allowed) {
      if (key in patch) (this.options as Record<string, unknown>)[key] = patch[key] ?? undefined;
    }
    if ('reorder' in patch) this.random = seededRandom(patch.reorder?.seed ?? 1);
  }

  settings(): DeliveryOptions {
    return structuredClone(this.options);
  }

  private get timeScale(): number {
    return this.options.timeScale ?? 1;
  }

  /** Accepts one event for one stream (the caller checks the stream is enabled and subscribed). */
  enqueue(stream: EventStream, event: UserCloudEvent): void {
    if (this.stopped) return;
    const reorder = this.options.reorder;
    if (reorder && reorder.window > 1) {
      this.held.push({ stream, event });
      this.track(+1);
      if (this.held.length >= reorder.window) this.releaseHeld();
      else if (!this.heldTimer) {
        this.heldTimer = this.schedule(() => this.releaseHeld(), reorder.flushAfterMs ?? 500);
      }
      return;
    }
    this.accept(stream, event);
  }

  private releaseHeld(): void {
    if (this.heldTimer) {
      clearTimeout(this.heldTimer);
      this.timers.delete(this.heldTimer);
      this.heldTimer = undefined;
    }
    const batch = seededShuffle(this.held, this.random);
    this.held = [];
    for (const { stream, event } of batch) {
      this.accept(stream, event);
      this.track(-1);
    }
  }

  private accept(stream: EventStream, event: UserCloudEvent): void {
    const time = this.host.now().toISOString();
    const record: DeliveryRecord = this.records.get(event.id) ?? {
      id: event.id,
      event_stream_id: stream.id,
      event_type: event.type,
      event,
      status: 'pending',
      attempts: [],
      executions: 0,
      redeliveries: 0,
      created_at: time,
      updated_at: time,
      logs: [],
    };
    this.records.set(event.id, record);
    const copies = Math.max(1, this.options.duplicate ?? 1);
    for (let i = 0; i < copies; i++) this.run(stream.id, () => this.deliver(record, 1));
  }

  /** Queue a delivery cycle (first attempt) behind the stream's concurrency limit. */
  private run(streamId: string, task: () => Promise<void>): void {
    const queue = this.queues.get(streamId) ?? { items: [], running: 0 };
    this.queues.set(streamId, queue);
    this.track(+1);
    queue.items.push(task);
    this.pump(streamId);
  }

  private pump(streamId: string): void {
    const queue = this.queues.get(streamId);
    if (!queue) return;
    const limit = Math.max(1, this.options.concurrency ?? 1);
    while (queue.running < limit && queue.items.length) {
      const task = queue.items.shift()!;
      queue.running++;
      void task().finally(() => {
        queue.running--;
        this.track(-1);
        this.pump(streamId);
      });
    }
  }

  /** One attempt; on failure schedules the next one outside the queue (retries never block others). */
  private async deliver(record: DeliveryRecord, attemptNumber: number): Promise<void> {
    const started = Date.now();
    const error = await this.execute(record);
    const duration_ms = Date.now() - started;
    const timestamp = this.host.now().toISOString();
    record.updated_at = timestamp;
    if (!error) {
      record.attempts.push({ status: 'succeeded', timestamp, duration_ms, execution: record.executions });
      record.status = 'delivered';
      this.consecutiveFailures.set(record.event_stream_id, 0);
      return;
    }
    record.attempts.push({
      status: 'failed',
      timestamp,
      error_message: error.slice(0, 500),
      duration_ms,
      execution: record.executions,
    });
    const maxAttempts = this.options.maxAttempts ?? 4;
    if (attemptNumber < maxAttempts && !this.stopped) {
      record.status = 'pending';
      const backoff = this.options.backoffMs ?? [1000, 2000, 4000];
      const delay = backoff[Math.min(attemptNumber - 1, backoff.length - 1)] ?? 0;
      this.track(+1);
      this.schedule(() => {
        void this.deliver(record, attemptNumber + 1).finally(() => this.track(-1));
      }, delay);
      return;
    }
    record.status = 'failed';
    const failures = (this.consecutiveFailures.get(record.event_stream_id) ?? 0) + 1;
    this.consecutiveFailures.set(record.event_stream_id, failures);
    const threshold = this.options.autoDisableAfter ?? 500;
    if (failures >= threshold) {
      this.host.disableStream(record.event_stream_id, `${failures} consecutive failed deliveries`);
    }
  }

  /** Runs the deployed Action once; returns an error message, or undefined on success. */
  private async execute(record: DeliveryRecord): Promise<string | undefined> {
    record.executions++;
    const stream = this.host.getStream(record.event_stream_id);
    if (!stream) return 'event stream no longer exists';
    if (stream.destination.type !== 'action')
      return `unsupported destination type ${stream.destination.type}`;
    const actionId = String(stream.destination.configuration.action_id ?? '');
    const action = this.host.getAction(actionId);
    if (!action) return `action ${actionId} not found`;
    const version = this.host.getDeployedVersion(action);
    if (!version) return `action ${action.name} has no deployed version`;
    const log: ExecutionLog = (level, args) => {
      const line = `[${level}] ${args.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ')}`;
      record.logs.push(line.slice(0, 2000));
      if (this.options.printActionLogs) process.stderr.write(`[action ${action.name}] ${line}\n`);
    };
    try {
      const handler = this.handlerFor(version);
      const secrets = Object.fromEntries(version.secrets.map((s) => [s.name, s.value]));
      await this.executionLog.run(log, () =>
        executeEventStreamAction(
          handler,
          { message: structuredClone(record.event), secrets },
          { cache: this.cacheFor(action.id) },
          this.options.executionLimitMs ?? EXECUTION_LIMIT_MS,
        ),
      );
      return undefined;
    } catch (err) {
      return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
  }

  private handlerFor(version: ActionVersion): OnExecuteEventStream {
    const cached = this.options.freshModulePerExecution ? undefined : this.handlers.get(version.id);
    if (cached) return cached;
    // A reused module keeps the console it was loaded with, so each line is routed to whichever
    // execution is running (executions of one module may overlap when concurrency > 1).
    const log =
      (level: string) =>
      (...args: unknown[]) =>
        this.executionLog.getStore()?.(level, args);
    const handler = loadEventStreamHandler(version.code, {
      dependencies: version.dependencies.map((d) => ({ name: d.name, version: d.version })),
      resolveFrom: this.options.resolveFrom ?? process.cwd(),
      console: {
        log: log('log'),
        info: log('info'),
        warn: log('warn'),
        error: log('error'),
        debug: log('debug'),
      },
      filename: `/action/${version.action_id}/v${version.number}/code.js`,
    });
    if (!this.options.freshModulePerExecution) this.handlers.set(version.id, handler);
    return handler;
  }

  private cacheFor(actionId: string): ActionCache {
    let cache = this.caches.get(actionId);
    if (!cache) {
      cache = createActionCache();
      this.caches.set(actionId, cache);
    }
    return cache;
  }

  /** Dead-lettered deliveries of a stream, newest first (what the deliveries API lists). */
  failed(streamId: string): DeliveryRecord[] {
    return [...this.records.values()]
      .filter((r) => r.event_stream_id === streamId && r.status === 'failed')
      .sort((a, b) => b.created_at.localeCompare(a.created_at));
  }

  /** Starts a new delivery cycle for a dead-lettered record. Returns false when it is not failed. */
  redeliver(record: DeliveryRecord): boolean {
    if (record.status !== 'failed') return false;
    record.status = 'pending';
    record.redeliveries++;
    this.run(record.event_stream_id, () => this.deliver(record, 1));
    return true;
  }

  /** Resolves once nothing is queued, held back, running or waiting for a retry. */
  async drain(): Promise<void> {
    if (this.held.length) this.releaseHeld();
    while (this.busy > 0) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      if (this.held.length) this.releaseHeld();
    }
  }

  get idle(): boolean {
    return this.busy === 0;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.busy = 0;
    this.notifyIdle();
  }

  private track(delta: number): void {
    this.busy += delta;
    if (this.busy <= 0) {
      this.busy = 0;
      this.notifyIdle();
    }
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }

  private schedule(fn: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        fn();
      },
      Math.max(0, ms * this.timeScale),
    );
    this.timers.add(timer);
    return timer;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
