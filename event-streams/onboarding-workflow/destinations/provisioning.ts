/**
 * The internal provisioning service: a generic HTTP destination. Each event is POSTed to a configured
 * URL with a configured auth header and a body built from a small mapping (`target=source` pairs,
 * dotted targets nest), for example `user.email=email,action=step`.
 *
 * Idempotency: `Idempotency-Key` is a stable hash of the event id and the destination, so a
 * redelivered event repeats the same key and the service (following the IETF Idempotency-Key
 * header draft) answers with the first result instead of acting twice. Per that draft, 409 means the
 * first request with this key is still in progress (retry later) and 422 that the key was reused
 * with another body (permanent). Order: the body carries the event time (`occurred_at` in the
 * default mapping); the service applies an event only when it is newer than what it holds.
 */
import { DestinationError, request, responseError } from '../http';
import { stableHash } from '../ids';
import {
  changedAny,
  PROFILE_FIELDS,
  sourceValue,
  type LifecycleEvent,
  type ProfileField,
} from '../lifecycle';
import type { MappingEntry, ProvisioningSettings } from '../settings';
import type { CallContext, Destination } from './types';

/** Pure: the Idempotency-Key of an event for this destination. */
export const provisioningKey = (eventId: string) => `auth0-${stableHash([eventId, 'provisioning'])}`;

/** Pure: the request body for an event. A field the user does not have is sent as null. */
export function provisioningBody(
  event: LifecycleEvent,
  mapping: readonly MappingEntry[],
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const { target, source } of mapping) {
    const path = target.split('.');
    let node = body;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key] as Record<string, unknown>;
    }
    node[path.at(-1)!] = sourceValue(event, source) ?? null;
  }
  return body;
}

export function provisioningDestination(settings: ProvisioningSettings): Destination {
  const mapping = settings.PROVISIONING_BODY_MAPPING;
  const profileFields = mapping
    .map((m) => m.source)
    .filter((s): s is ProfileField => (PROFILE_FIELDS as readonly string[]).includes(s));
  return {
    name: 'provisioning',
    kind: 'record',
    // Onboard and offboard always matter; an update only when it changes a mapped field.
    wants: (event) => changedAny(event, profileFields),
    async apply(event: LifecycleEvent, context: CallContext) {
      const response = await request('Provisioning', settings.PROVISIONING_URL, {
        method: 'POST',
        json: provisioningBody(event, mapping),
        headers: {
          [settings.PROVISIONING_AUTH_HEADER]: settings.PROVISIONING_AUTH_VALUE,
          'idempotency-key': provisioningKey(event.eventId),
        },
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
      if (response.status >= 200 && response.status < 300) return 'provisioned';
      if (response.status === 409) {
        throw new DestinationError('Provisioning: the same request is still in progress', 'retryable', {
          status: 409,
          code: 'idempotency-key-in-progress',
        });
      }
      throw responseError('Provisioning', response);
    },
  };
}
