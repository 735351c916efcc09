/**
 * Segment: an `identify` call per lifecycle event (HTTP Tracking API).
 *
 * - userId is the Auth0 user id, so every event lands on the same Segment user.
 * - Idempotency: `messageId` is derived from the event id and the destination, so a redelivered
 *   event carries the same messageId and Segment drops the duplicate.
 * - `timestamp` is the time Auth0 recorded the change, not the time of delivery, so consumers that
 *   order by timestamp (warehouses, Unify) see events in their true order.
 * - Offboard is an identify with `status: "offboarded"` (not a track call): the state lives on the
 *   user's traits, where every downstream tool can read and filter it. Onboard sets `status: "active"`;
 *   a plain update sends no status, so a late update cannot flip an offboarded user back to active.
 */
import { basicAuth, DestinationError, request, responseError } from '../http';
import { stableHash } from '../ids';
import { changedAny, type LifecycleEvent, type ProfileField } from '../lifecycle';
import type { SegmentSettings } from '../settings';
import { clip } from './text';
import type { CallContext, Destination } from './types';

/** Profile fields sent as traits (Segment's reserved trait names where one exists). */
const TRAITS: ReadonlyArray<[ProfileField, string]> = [
  ['email', 'email'],
  ['givenName', 'firstName'],
  ['familyName', 'lastName'],
  ['displayName', 'name'],
  ['title', 'title'],
  ['department', 'department'],
  ['employeeNumber', 'employee_number'],
  ['managerId', 'manager_id'],
];
/** Segment refuses messages over 32 KB; a trait never needs more than this. */
const MAX_TRAIT_LENGTH = 1_000;

/** Pure: the messageId of an event for this destination. */
export const segmentMessageId = (eventId: string) => `auth0-${stableHash([eventId, 'segment'])}`;

/** Pure: the identify payload for an event. */
export function segmentIdentify(event: LifecycleEvent): Record<string, unknown> {
  const traits: Record<string, string | null> = {};
  for (const [field, trait] of TRAITS) {
    const value = event.profile[field];
    if (value !== undefined) traits[trait] = clip(value, MAX_TRAIT_LENGTH);
    // A field the user no longer has is cleared (null), except the email.
    else if (event.previous?.[field] !== undefined && field !== 'email') traits[trait] = null;
  }
  if (event.step === 'onboard') traits.status = 'active';
  if (event.step === 'offboard') {
    traits.status = 'offboarded';
    traits.offboarded_at = new Date(event.occurredAtMs).toISOString();
  }
  return {
    type: 'identify',
    userId: event.profile.userId,
    messageId: segmentMessageId(event.eventId),
    timestamp: new Date(event.occurredAtMs).toISOString(),
    traits,
    context: { library: { name: 'auth0-onboarding-workflow' }, auth0: { event_id: event.eventId } },
  };
}

export function segmentDestination(settings: SegmentSettings): Destination {
  const authorization = basicAuth(settings.SEGMENT_WRITE_KEY, '');
  return {
    name: 'segment',
    kind: 'record',
    wants: (event) =>
      changedAny(
        event,
        TRAITS.map(([field]) => field),
      ),
    async apply(event: LifecycleEvent, context: CallContext) {
      const response = await request('Segment', `${settings.SEGMENT_API_URL}/v1/identify`, {
        method: 'POST',
        json: segmentIdentify(event),
        headers: { authorization },
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
      if (response.status !== 200) throw responseError('Segment', response);
      // Segment answers 200 {"success": true}; anything else at 200 is not Segment.
      if ((response.body as { success?: unknown })?.success !== true) {
        throw new DestinationError('Segment answered 200 without success', 'retryable', {
          status: 200,
          code: 'malformed-body',
        });
      }
      return 'identified';
    },
  };
}
