/**
 * The Event Stream handler: parse → lifecycle step → every destination in parallel, each under its
 * own failure policy → throw only when a record destination hit a retryable failure, so Auth0
 * redelivers the event (its writes are idempotent and order-checked, so that is safe).
 */
import { BrokenCircuitError } from 'cockatiel';
import type { ActionCache } from './cache';
import { buildDestinations, NOTIFICATION_DESTINATIONS } from './destinations/registry';
import type { Destination } from './destinations/types';
import { parseMessage } from './events';
import { DestinationError, isRetryable } from './http';
import { toLifecycleEvent, type LifecycleEvent } from './lifecycle';
import { createLogger, type Logger } from './log';
import {
  alreadyNotified,
  countDelivery,
  loadBreaker,
  rememberNotified,
  runWithPolicies,
  type ResilienceSettings,
} from './resilience';
import { readSettings, secretValues } from './settings';

export { buildDestinations };

export interface HandlerOptions extends ResilienceSettings {
  /** The whole execution's budget, well inside Auth0's 20 s limit. */
  deadlineMs: number;
  requestTimeoutMs: number;
}

export const DEFAULT_OPTIONS: HandlerOptions = {
  deadlineMs: 15_000,
  requestTimeoutMs: 5_000,
  breakerThreshold: 5,
  breakerCooldownMs: 30_000,
  attemptsPerExecution: 2,
  maxInlineWaitMs: 2_000,
};

export interface EventStreamEvent {
  message: unknown;
  secrets?: Record<string, string | undefined>;
}
export interface EventStreamApi {
  cache: ActionCache;
}

interface DestinationResult {
  destination: string;
  outcome: string;
  /** True when Auth0 must redeliver the event for this destination. */
  redeliver: boolean;
}

function describeFailure(error: unknown) {
  if (error instanceof BrokenCircuitError)
    return { kind: 'retryable', code: 'circuit-open', message: 'circuit open' };
  if (error instanceof DestinationError)
    return {
      kind: error.kind,
      code: error.details.code,
      status: error.details.status,
      message: error.message,
    };
  return {
    kind: 'retryable',
    code: 'unexpected',
    message: error instanceof Error ? error.message : String(error),
  };
}

async function runDestination(
  destination: Destination,
  event: LifecycleEvent,
  api: EventStreamApi,
  options: HandlerOptions,
  deadline: { signal: AbortSignal; remainingMs: () => number },
  log: Logger,
  delivery: number,
): Promise<DestinationResult> {
  const started = Date.now();
  const base = {
    msg: 'destination',
    event_id: event.eventId,
    type: event.eventType,
    step: event.step,
    user_id: event.profile.userId,
    destination: destination.name,
    delivery,
  };
  if (!destination.wants(event)) {
    log.info({ ...base, outcome: 'skipped-no-relevant-change', attempt: 0, duration_ms: 0 });
    return { destination: destination.name, outcome: 'skipped', redeliver: false };
  }
  if (destination.kind === 'notification' && alreadyNotified(api.cache, destination.name, event.eventId)) {
    log.info({ ...base, outcome: 'skipped-already-sent', attempt: 0, duration_ms: 0 });
    return { destination: destination.name, outcome: 'skipped', redeliver: false };
  }
  const breaker = loadBreaker(api.cache, destination.name, options);
  try {
    const { value, attempts } = await runWithPolicies(breaker, options, deadline.remainingMs, () =>
      destination.apply(event, {
        signal: deadline.signal,
        requestTimeoutMs: options.requestTimeoutMs,
        cache: api.cache,
      }),
    );
    if (destination.kind === 'notification') rememberNotified(api.cache, destination.name, event.eventId);
    log.info({ ...base, outcome: value, attempt: attempts, duration_ms: Date.now() - started });
    return { destination: destination.name, outcome: value, redeliver: false };
  } catch (error) {
    const failure = describeFailure(error);
    const redeliver = destination.kind === 'record' && isRetryable(error);
    log.error({
      ...base,
      outcome: failure.kind === 'permanent' ? 'failed-permanent' : 'failed-retryable',
      will_redeliver: redeliver,
      attempt: (error as { attempts?: number }).attempts ?? 1,
      duration_ms: Date.now() - started,
      error: failure,
    });
    return { destination: destination.name, outcome: 'failed', redeliver };
  }
}

export function createHandler(options: HandlerOptions = DEFAULT_OPTIONS) {
  return async function onExecuteEventStream(event: EventStreamEvent, api: EventStreamApi): Promise<void> {
    const started = Date.now();
    const secrets = event.secrets ?? {};
    const log = createLogger(secretValues(secrets));
    const parsed = parseMessage(event.message);

    if (parsed.kind !== 'user-event') {
      // Acknowledged: a test event needs no work, and retrying cannot fix an unknown or malformed one.
      const line = {
        msg: 'event',
        outcome: `ignored-${parsed.kind}`,
        event_id: parsed.id,
        type: parsed.type,
      };
      if (parsed.kind === 'malformed') log.error({ ...line, problems: parsed.problems });
      else log.info(line);
      return;
    }

    const lifecycle = toLifecycleEvent(parsed.event);
    const delivery = countDelivery(api.cache, lifecycle.eventId);
    const deadlineAt = started + options.deadlineMs;
    const deadline = {
      signal: AbortSignal.timeout(options.deadlineMs),
      remainingMs: () => deadlineAt - Date.now(),
    };

    const results = await Promise.all(
      buildDestinations(readSettings(secrets)).map(
        (destination): Promise<DestinationResult> | DestinationResult => {
          if ('missing' in destination) {
            log.error({
              msg: 'destination',
              event_id: lifecycle.eventId,
              destination: destination.name,
              outcome: 'failed-misconfigured',
              error: { message: destination.missing },
            });
            // A record destination fails the delivery, so the event waits in the dead-letter queue
            // until the setting is fixed; a notification-only one never fails it.
            const redeliver = !NOTIFICATION_DESTINATIONS.has(destination.name);
            return { destination: destination.name, outcome: 'misconfigured', redeliver };
          }
          return runDestination(destination, lifecycle, api, options, deadline, log, delivery);
        },
      ),
    );

    const redeliverFor = results.filter((r) => r.redeliver).map((r) => r.destination);
    log.info({
      msg: 'event',
      event_id: lifecycle.eventId,
      type: lifecycle.eventType,
      step: lifecycle.step,
      user_id: lifecycle.profile.userId,
      delivery,
      outcome: redeliverFor.length ? 'redeliver' : 'done',
      destinations: Object.fromEntries(results.map((r) => [r.destination, r.outcome])),
      duration_ms: Date.now() - started,
    });
    if (redeliverFor.length) {
      throw new Error(`Event ${lifecycle.eventId} must be redelivered for: ${redeliverFor.join(', ')}`);
    }
  };
}
