/**
 * HubSpot CRM: exactly one contact per Auth0 user.
 *
 * - Correlation is by the Auth0 user id in the unique custom property `auth0_user_id` (emails change,
 *   user ids do not), read by id (`idProperty`), never through search, whose index lags writes.
 * - Writes are idempotent: a batch upsert keyed by `auth0_user_id`, or a PATCH of the contact found.
 * - Order: every write stamps `auth0_last_event_at` / `auth0_last_event_id`; an event that is not
 *   newer than the stamp is skipped, so redeliveries and late events change nothing.
 * - Offboard archives the contact after stamping it, so the archived record is a tombstone that
 *   stops a late update from bringing the contact back (a newer offboard leaves a newer tombstone). It never uses the GDPR delete, which
 *   blocklists the email.
 * - A contact that already holds the user's email (created by hand, or by a form) is adopted.
 */
import { DestinationError, request, responseError, type HttpResponse } from '../http';
import { changedAny, isNewerThanStamp, type LifecycleEvent, type ProfileField } from '../lifecycle';
import type { HubSpotSettings } from '../settings';
import type { CallContext, Destination } from './types';

export const HUBSPOT_PROPERTIES = {
  userId: 'auth0_user_id',
  lastEventAt: 'auth0_last_event_at',
  lastEventId: 'auth0_last_event_id',
} as const;

/** Profile fields mirrored to HubSpot, with the contact property each one fills. */
const MIRRORED: ReadonlyArray<[ProfileField, string]> = [
  ['email', 'email'],
  ['givenName', 'firstname'],
  ['familyName', 'lastname'],
  ['title', 'jobtitle'],
  ['department', 'department'],
];
const MAX_PROPERTY_LENGTH = 65_536;

const READ_PROPERTIES = [...MIRRORED.map(([, property]) => property), ...Object.values(HUBSPOT_PROPERTIES)];

export interface Contact {
  id: string;
  properties: Record<string, string | null | undefined>;
  archived?: boolean;
}

/** Pure: the stamp that records `event` as the contact's last applied event. */
const stampOf = (event: LifecycleEvent) => ({
  [HUBSPOT_PROPERTIES.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
  [HUBSPOT_PROPERTIES.lastEventId]: event.eventId,
});

/** Pure: the properties one event writes. A field the user no longer has is cleared. */
export function contactProperties(
  event: LifecycleEvent,
  { ownsContact }: { ownsContact: boolean },
): Record<string, string> {
  const properties: Record<string, string> = {
    [HUBSPOT_PROPERTIES.userId]: event.profile.userId,
    ...stampOf(event),
  };
  for (const [field, property] of MIRRORED) {
    const value = event.profile[field];
    if (value !== undefined) properties[property] = value.slice(0, MAX_PROPERTY_LENGTH);
    // A contact this Action owns mirrors the user's whole state, so the result does not depend on
    // which events were applied; a contact being adopted keeps what the CRM already knew.
    else if (ownsContact && field !== 'email') properties[property] = '';
  }
  return properties;
}

/** Pure: whether `event` is newer than what the contact last applied. */
export const isNewerThan = (event: LifecycleEvent, contact: Contact): boolean =>
  isNewerThanStamp(
    event,
    contact.properties[HUBSPOT_PROPERTIES.lastEventAt],
    contact.properties[HUBSPOT_PROPERTIES.lastEventId],
  );

function asContact(body: unknown): Contact {
  const contact = body as Partial<Contact> | undefined;
  if (!contact || typeof contact.id !== 'string' || typeof contact.properties !== 'object') {
    throw new DestinationError('HubSpot sent a contact without id or properties', 'retryable', {
      code: 'malformed-body',
    });
  }
  return contact as Contact;
}

const isConflict = (response: HttpResponse) =>
  response.status === 409 ||
  (response.status === 207 &&
    Array.isArray((response.body as { errors?: unknown[] })?.errors) &&
    (response.body as { errors: Array<{ category?: string }> }).errors.some(
      (e) => e.category === 'CONFLICT',
    ));

export function hubspotDestination(settings: HubSpotSettings): Destination {
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    context: CallContext,
    json?: unknown,
  ) =>
    request('HubSpot', `${settings.HUBSPOT_BASE_URL}${path}`, {
      method,
      json,
      headers: { authorization: `Bearer ${settings.HUBSPOT_TOKEN}` },
      signal: context.signal,
      timeoutMs: context.requestTimeoutMs,
    });

  /** A contact by a unique property, or undefined. `archived` reads the recycle bin instead. */
  async function find(idProperty: string, value: string, archived: boolean, context: CallContext) {
    const query = new URLSearchParams({
      idProperty,
      archived: String(archived),
      properties: READ_PROPERTIES.join(','),
    });
    const response = await call(
      'GET',
      `/crm/v3/objects/contacts/${encodeURIComponent(value)}?${query}`,
      context,
    );
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw responseError('HubSpot', response);
    return asContact(response.body);
  }

  /**
   * The newest record HubSpot holds for this user: the live contact, else its archived tombstone.
   * For an onboard the contact is usually new, so both reads go out together (one round trip
   * instead of two); otherwise the tombstone is read only when no live contact exists.
   */
  async function latestRecord(userId: string, context: CallContext, likelyNew: boolean) {
    const tombstoneRead = () => find(HUBSPOT_PROPERTIES.userId, userId, true, context);
    const early = likelyNew ? tombstoneRead() : undefined;
    early?.catch(() => undefined); // awaited below; never an unhandled rejection meanwhile
    const live = await find(HUBSPOT_PROPERTIES.userId, userId, false, context);
    if (live) return { contact: live, live: true };
    const tombstone = await (early ?? tombstoneRead());
    return tombstone ? { contact: tombstone, live: false } : undefined;
  }

  async function patch(id: string, properties: Record<string, string>, context: CallContext) {
    const response = await call('PATCH', `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, context, {
      properties,
    });
    if (response.status === 409) {
      throw new DestinationError('HubSpot: another contact already holds this email', 'permanent', {
        status: 409,
        code: 'email-conflict',
      });
    }
    if (response.status !== 200) throw responseError('HubSpot', response);
  }

  async function adoptByEmail(
    event: LifecycleEvent,
    properties: Record<string, string>,
    context: CallContext,
  ) {
    const email = event.profile.email;
    const existing = email ? await find('email', email, false, context) : undefined;
    if (!existing) {
      throw new DestinationError(
        'HubSpot reported a conflict but no contact holds the email yet',
        'retryable',
        {
          code: 'conflict-race',
        },
      );
    }
    const owner = existing.properties[HUBSPOT_PROPERTIES.userId];
    if (owner && owner !== event.profile.userId) {
      throw new DestinationError(
        'HubSpot: the email belongs to a contact of another Auth0 user',
        'permanent',
        {
          code: 'email-owned-by-other-user',
        },
      );
    }
    await patch(existing.id, properties, context);
    return 'adopted';
  }

  async function upsert(event: LifecycleEvent, context: CallContext): Promise<string> {
    const latest = await latestRecord(event.profile.userId, context, event.step === 'onboard');
    if (latest && !isNewerThan(event, latest.contact)) return 'skipped-not-newer';
    const properties = contactProperties(event, { ownsContact: latest?.live === true });
    if (latest?.live) {
      await patch(latest.contact.id, properties, context);
      return 'updated';
    }
    const response = await call('POST', '/crm/v3/objects/contacts/batch/upsert', context, {
      inputs: [{ idProperty: HUBSPOT_PROPERTIES.userId, id: event.profile.userId, properties }],
    });
    if (isConflict(response)) return adoptByEmail(event, properties, context);
    if (response.status !== 200 && response.status !== 201) throw responseError('HubSpot', response);
    return 'created';
  }

  async function archive(id: string, context: CallContext) {
    const response = await call('DELETE', `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, context);
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) {
      throw responseError('HubSpot', response);
    }
  }

  async function offboard(event: LifecycleEvent, context: CallContext): Promise<string> {
    const latest = await latestRecord(event.profile.userId, context, false);
    if (latest && !isNewerThan(event, latest.contact)) {
      // This event's own stamp on a live contact: an earlier try stamped it, then failed to archive.
      const interrupted =
        latest.live && latest.contact.properties[HUBSPOT_PROPERTIES.lastEventId] === event.eventId;
      if (!interrupted) return 'skipped-not-newer';
      await archive(latest.contact.id, context);
      return 'archived';
    }
    const stamp = stampOf(event);
    if (latest?.live) {
      await patch(latest.contact.id, stamp, context);
      await archive(latest.contact.id, context);
      return 'archived';
    }
    // No live contact: the offboard arrived before the onboard, or the user's tombstone holds an
    // older offboard (blocked, then unblocked and deleted, the unblock still on its way). Either way
    // a late onboard must meet this event's stamp. Archived contacts cannot be edited, so a new
    // tombstone is left (without the email); reads of archived contacts return the latest one.
    const response = await call('POST', '/crm/v3/objects/contacts/batch/upsert', context, {
      inputs: [
        {
          idProperty: HUBSPOT_PROPERTIES.userId,
          id: event.profile.userId,
          properties: { [HUBSPOT_PROPERTIES.userId]: event.profile.userId, ...stamp },
        },
      ],
    });
    if (response.status !== 200 && response.status !== 201) throw responseError('HubSpot', response);
    const created = (response.body as { results?: Array<{ id?: string }> })?.results?.[0]?.id;
    if (!created) throw new DestinationError('HubSpot upsert returned no contact id', 'retryable');
    await archive(created, context);
    return latest ? 'restamped-tombstone' : 'tombstoned';
  }

  return {
    name: 'hubspot',
    kind: 'record',
    wants: (event) =>
      changedAny(
        event,
        MIRRORED.map(([field]) => field),
      ),
    apply: (event, context) =>
      event.step === 'offboard' ? offboard(event, context) : upsert(event, context),
  };
}
