/**
 * Stable identifiers derived from event and user ids: the same input always gives the same id, on
 * every execution and every redelivery, which is what makes the destinations' writes idempotent.
 */
import { createHash } from 'node:crypto';

/** Hex SHA-256 of the parts (separated by NUL, so ("ab","c") and ("a","bc") differ), cut to `length`. */
export function stableHash(parts: readonly string[], length = 32): string {
  return createHash('sha256').update(parts.join('\u0000'), 'utf8').digest('hex').slice(0, length);
}
