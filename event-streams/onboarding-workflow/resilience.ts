/**
 * Failure policy shared by all destinations, with its memory in `api.cache`.
 *
 * api.cache is best effort (about 20 entries, 4 kB a value, may be empty on any execution), so it
 * only ever holds optimisations: a circuit breaker state per destination, the ids of recent events
 * a notification destination already announced, and a delivery counter for the logs. Losing any of
 * them costs a redundant call, never correctness.
 */
import {
  BrokenCircuitError,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IBackoffFactory,
} from 'cockatiel';
import { readCached, writeCached, type ActionCache } from './cache';
import { DestinationError, isRetryable } from './http';

const isRateLimit = (error: Error) => error instanceof DestinationError && error.details.status === 429;

export interface ResilienceSettings {
  /** Consecutive retryable failures (across executions) that open a destination's breaker. */
  breakerThreshold: number;
  /** How long an open breaker skips its destination before one trial call. */
  breakerCooldownMs: number;
  /** Tries per destination within one execution (Auth0 redelivers on top of this). */
  attemptsPerExecution: number;
  /** Longest Retry-After the Action waits for in-line; longer waits are left to Auth0's redelivery. */
  maxInlineWaitMs: number;
}

const BREAKER_TTL_MS = 60 * 60 * 1000;
const RECENT_IDS = 100;

function isBreakerState(value: unknown): boolean {
  const state = value as { ownState?: { value?: unknown }; breakerState?: unknown } | undefined;
  return typeof state?.ownState?.value === 'number' && typeof state.breakerState === 'number';
}

export interface DestinationBreaker {
  policy: CircuitBreakerPolicy;
  save(): void;
}

/** A cockatiel breaker for one destination, restored from and saved back to api.cache. */
export function loadBreaker(
  cache: ActionCache,
  destination: string,
  settings: ResilienceSettings,
): DestinationBreaker {
  const key = `breaker:${destination}`;
  const stored = readCached<unknown>(cache, key);
  const policy = circuitBreaker(
    // A 429 says the service is up but throttling: waiting for redelivery is the cure, and opening
    // the breaker would only keep the destination shut past Auth0's retries (bench: 906 of 1,000
    // burst events dead-lettered with 429s counted, none without).
    handleWhen((error) => isRetryable(error) && !isRateLimit(error)),
    {
      halfOpenAfter: settings.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
      initialState: isBreakerState(stored) ? stored : undefined,
    },
  );
  const before = JSON.stringify(stored ?? null);
  return {
    policy,
    save() {
      const state = policy.toJSON();
      if (JSON.stringify(state) !== before) writeCached(cache, key, state, BREAKER_TTL_MS);
    },
  };
}

/** Backoff that honours a destination's Retry-After, bounded by what the deadline leaves. */
function retryAfterBackoff(
  fallbackMs: number,
): IBackoffFactory<{ result: { error: Error } | { value: unknown } }> {
  const backoff = (attempt: number): IBackoff<{ result: { error: Error } | { value: unknown } }> => ({
    duration: fallbackMs * attempt,
    next: (context) => {
      const error = 'error' in context.result ? context.result.error : undefined;
      const hinted = error instanceof DestinationError ? error.details.retryAfterMs : undefined;
      return { ...backoff(attempt + 1), duration: hinted ?? fallbackMs * attempt };
    },
  });
  return { next: (context) => backoff(1).next(context) };
}

/**
 * Runs `call` through the destination's breaker and an in-line retry. A retry happens only for a
 * retryable failure whose wait fits the deadline; otherwise the failure is reported at once.
 */
export async function runWithPolicies<T>(
  breaker: DestinationBreaker,
  settings: ResilienceSettings,
  remainingMs: () => number,
  call: (attempt: number) => Promise<T>,
): Promise<{ value: T; attempts: number }> {
  let attempts = 0;
  const shouldRetry = (error: Error) => {
    if (!isRetryable(error) || error instanceof BrokenCircuitError) return false;
    const wait = error instanceof DestinationError ? (error.details.retryAfterMs ?? 250) : 250;
    return wait <= settings.maxInlineWaitMs && wait < remainingMs() / 2;
  };
  const retryPolicy = retry(handleWhen(shouldRetry), {
    maxAttempts: settings.attemptsPerExecution - 1,
    backoff: retryAfterBackoff(250),
  });
  try {
    const value = await breaker.policy.execute(() => retryPolicy.execute(() => call(++attempts)));
    return { value, attempts };
  } catch (error) {
    throw Object.assign(error as Error, { attempts });
  } finally {
    breaker.save();
  }
}

/** Whether a notification for this event already went out (so a redelivery does not repeat it). */
export function alreadyNotified(cache: ActionCache, destination: string, eventId: string): boolean {
  return (readCached<string[]>(cache, `sent:${destination}`) ?? []).includes(eventId);
}

export function rememberNotified(cache: ActionCache, destination: string, eventId: string): void {
  const ids = (readCached<string[]>(cache, `sent:${destination}`) ?? []).filter((id) => id !== eventId);
  writeCached(cache, `sent:${destination}`, [...ids, eventId].slice(-RECENT_IDS), 24 * 60 * 60 * 1000);
}

/** Counts deliveries of an event id (best effort), so logs show which Auth0 attempt this is. */
export function countDelivery(cache: ActionCache, eventId: string): number {
  const seen = readCached<Array<[string, number]>>(cache, 'deliveries') ?? [];
  const previous = seen.find(([id]) => id === eventId)?.[1] ?? 0;
  const next: Array<[string, number]> = [...seen.filter(([id]) => id !== eventId), [eventId, previous + 1]];
  writeCached(cache, 'deliveries', next.slice(-60), 60 * 60 * 1000);
  return previous + 1;
}
