import type { LifecycleEvent } from '../lifecycle';
import type { ActionCache } from '../cache';

/**
 * `record` destinations hold state derived from the user (a CRM contact): their writes are
 * idempotent and order-checked, so a retryable failure makes the handler throw and Auth0 redeliver.
 * `notification` destinations only announce: they never fail the delivery, and skip events they
 * already announced.
 */
export type DestinationKind = 'record' | 'notification';

export interface CallContext {
  /** Aborts when the handler's deadline passes. */
  signal: AbortSignal;
  requestTimeoutMs: number;
  /**
   * api.cache, for best-effort memory across executions (a Salesforce access token, Jira issues just
   * created). Shared by all destinations: about 20 entries in all, 4 kB a value, may be empty.
   */
  cache: ActionCache;
}

export interface Destination {
  name: string;
  kind: DestinationKind;
  /** Pure: false when the event needs no call (for example an update of fields this destination ignores). */
  wants(event: LifecycleEvent): boolean;
  /** Applies the event; resolves with a short outcome label for the logs. */
  apply(event: LifecycleEvent, context: CallContext): Promise<string>;
}
