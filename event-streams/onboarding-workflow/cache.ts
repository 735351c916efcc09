/**
 * api.cache as the Action uses it: JSON values, best effort. The cache holds about 20 entries of up to
 * 4 kB each, may be empty on any execution, and a write may fail; so it only ever holds what saves
 * calls (a token, recent ids, breaker state), never what correctness depends on.
 */

export interface ActionCache {
  get(key: string): { value: string } | undefined;
  set(key: string, value: string, options?: { ttl?: number }): unknown;
}

/** The JSON value under `key`, or undefined when absent or unreadable. */
export function readCached<T>(cache: ActionCache, key: string): T | undefined {
  try {
    const record = cache.get(key);
    return record ? (JSON.parse(record.value) as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Stores `value` as JSON; a failed write is ignored (it only costs a redundant call later). */
export function writeCached(cache: ActionCache, key: string, value: unknown, ttlMs?: number): void {
  try {
    cache.set(key, JSON.stringify(value), ttlMs ? { ttl: ttlMs } : undefined);
  } catch {
    // Best effort by design.
  }
}
