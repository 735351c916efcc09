/**
 * At-least-once delivery to an Event Stream Action with Auth0's documented shape, for runs that do
 * not go through the local tenant: each event is executed (20 s limit), a failed execution is
 * retried after 1 s, 2 s and 4 s (4 attempts in all; `timeScale` scales the delays), then the
 * event is dead-lettered; `redeliverDeadLetters()` plays the Management API's redeliver.
 * The same numbers as local/auth0/delivery.ts, so both paths measure the same policy.
 */
import { executeEventStreamAction, EXECUTION_LIMIT_MS, type ActionCache } from '../../local/action-runtime';
import type { Handler } from './pipeline';

export const AUTH0_BACKOFF_MS = [1000, 2000, 4000];

export interface SimulatedDeliveryOptions {
  secrets: Record<string, string>;
  cache: ActionCache;
  /** Multiplies every retry delay. Default 1. */
  timeScale?: number;
  backoffMs?: number[];
  /** Executions running at once (first attempts and retries alike). Default 1. */
  concurrency?: number;
  executionLimitMs?: number;
}

export interface DeliveryStats {
  executions: number;
  failedExecutions: number;
  delivered: number;
  deadLettered: number;
  redelivered: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class SimulatedDelivery {
  readonly stats: DeliveryStats = {
    executions: 0,
    failedExecutions: 0,
    delivered: 0,
    deadLettered: 0,
    redelivered: 0,
  };
  /** Messages whose last delivery ended dead-lettered (cleared by a redelivery). */
  private dead = new Map<number, unknown>();
  private pending = new Set<Promise<void>>();
  private running = 0;
  private waiters: Array<() => void> = [];
  private nextId = 0;

  constructor(
    private readonly handler: Handler,
    private readonly options: SimulatedDeliveryOptions,
  ) {}

  private async slot<T>(run: () => Promise<T>): Promise<T> {
    const limit = this.options.concurrency ?? 1;
    while (this.running >= limit) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.running++;
    try {
      return await run();
    } finally {
      this.running--;
      this.waiters.shift()?.();
    }
  }

  private async execute(message: unknown): Promise<boolean> {
    return this.slot(async () => {
      this.stats.executions++;
      try {
        await executeEventStreamAction(
          this.handler,
          { message, secrets: this.options.secrets },
          { cache: this.options.cache },
          this.options.executionLimitMs ?? EXECUTION_LIMIT_MS,
        );
        return true;
      } catch {
        this.stats.failedExecutions++;
        return false;
      }
    });
  }

  private async deliver(id: number, message: unknown): Promise<void> {
    const backoff = this.options.backoffMs ?? AUTH0_BACKOFF_MS;
    const scale = this.options.timeScale ?? 1;
    for (let attempt = 0; attempt <= backoff.length; attempt++) {
      if (attempt > 0) await sleep((backoff[attempt - 1] ?? 0) * scale);
      if (await this.execute(message)) {
        this.stats.delivered++;
        return;
      }
    }
    this.stats.deadLettered++;
    this.dead.set(id, message);
  }

  /** Starts one delivery; resolves at once (use drain() to wait). */
  send(message: unknown): void {
    const id = this.nextId++;
    const run = this.deliver(id, message).finally(() => this.pending.delete(run));
    this.pending.add(run);
  }

  /** Sends and waits for this delivery (including its retries) to finish. */
  async sendAndWait(message: unknown): Promise<void> {
    const id = this.nextId++;
    await this.deliver(id, message);
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  deadLetters(): unknown[] {
    return [...this.dead.values()];
  }

  /** Redelivers every dead-lettered event (in the order they died), as the redeliver API does. */
  redeliverDeadLetters(): number {
    const messages = [...this.dead.entries()];
    this.dead.clear();
    for (const [id, message] of messages) {
      this.stats.redelivered++;
      const run = this.deliver(id, message).finally(() => this.pending.delete(run));
      this.pending.add(run);
    }
    return messages.length;
  }
}
