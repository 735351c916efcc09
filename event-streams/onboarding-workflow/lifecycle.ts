/**
 * Pure mapping from an Auth0 user event to a lifecycle step and the profile destinations use.
 *
 * Deactivation in the IdP (SCIM active=false) reaches Auth0 as blocked=true on a user.updated event,
 * so the step follows the user's state, not the event type alone: a blocked user is always offboarded,
 * and an unblocked one is onboarded again.
 */
import type { Auth0User, UserEvent, UserEventType } from './events';

export type LifecycleStep = 'onboard' | 'update' | 'offboard';

/** Profile fields destinations use. Names follow the SCIM mapping in tenant.yaml. */
export interface Profile {
  userId: string;
  email?: string;
  givenName?: string;
  familyName?: string;
  displayName?: string;
  title?: string;
  department?: string;
  managerId?: string;
  employeeNumber?: string;
  blocked: boolean;
}
export type ProfileField = Exclude<keyof Profile, 'userId' | 'blocked'>;

export interface LifecycleEvent {
  eventId: string;
  eventType: UserEventType;
  /** ISO time Auth0 recorded the change; orders events that arrive out of order. */
  occurredAt: string;
  occurredAtMs: number;
  step: LifecycleStep;
  profile: Profile;
  /** The profile before the change, when Auth0 sent previous_object. */
  previous?: Profile;
}

function text(value: unknown): string | undefined {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** Where each profile field comes from: a root attribute where Auth0 has one, app_metadata otherwise. */
const FIELD_SOURCES: { [F in ProfileField]: (user: Auth0User, meta: Record<string, unknown>) => unknown } = {
  email: (user) => user.email?.toLowerCase(),
  givenName: (user) => user.given_name,
  familyName: (user) => user.family_name,
  displayName: (user) => user.name,
  title: (_, meta) => meta.title,
  department: (_, meta) => meta.department,
  managerId: (_, meta) => meta.manager_id,
  employeeNumber: (_, meta) => meta.employee_number,
};
/** Every profile field, complete by construction (FIELD_SOURCES must name each one). */
export const PROFILE_FIELDS = Object.keys(FIELD_SOURCES) as ProfileField[];

export function toProfile(user: Auth0User): Profile {
  const meta = user.app_metadata ?? {};
  const profile: Profile = { userId: user.user_id, blocked: user.blocked === true };
  for (const field of PROFILE_FIELDS) {
    const clean = text(FIELD_SOURCES[field](user, meta));
    if (clean !== undefined) profile[field] = clean;
  }
  return profile;
}

export function lifecycleStep(type: UserEventType, profile: Profile, previous?: Profile): LifecycleStep {
  if (type === 'user.deleted' || profile.blocked) return 'offboard';
  if (type === 'user.created' || previous?.blocked) return 'onboard';
  return 'update';
}

export function toLifecycleEvent(event: UserEvent): LifecycleEvent {
  const profile = toProfile(event.user);
  const previous = event.previousUser ? toProfile(event.previousUser) : undefined;
  return {
    eventId: event.id,
    eventType: event.type,
    occurredAt: event.time,
    occurredAtMs: Date.parse(event.time),
    step: lifecycleStep(event.type, profile, previous),
    profile,
    previous,
  };
}

/**
 * Pure: whether `event` is newer than the last one a destination applied, as recorded there by its
 * time and id (ties broken by event id, so two events of the same millisecond still have an order).
 * No readable time means nothing was applied yet.
 */
export function isNewerThanStamp(event: LifecycleEvent, appliedAt: unknown, appliedId: unknown): boolean {
  const at = typeof appliedAt === 'string' ? Date.parse(appliedAt) : Number.NaN;
  if (Number.isNaN(at)) return true;
  if (event.occurredAtMs !== at) return event.occurredAtMs > at;
  return event.eventId > (typeof appliedId === 'string' ? appliedId : '');
}

/** True when an update changed at least one of `fields` (or when Auth0 sent no previous state). */
export function changedAny(event: LifecycleEvent, fields: readonly ProfileField[]): boolean {
  if (event.step !== 'update' || !event.previous) return true;
  const before = event.previous;
  return fields.some((field) => before[field] !== event.profile[field]);
}

/** What a generic destination (the provisioning service) can map into its request body. */
export type ProvisioningSource =
  'userId' | ProfileField | 'blocked' | 'step' | 'eventId' | 'eventType' | 'occurredAt';
export const PROVISIONING_SOURCES: readonly ProvisioningSource[] = [
  'userId',
  ...PROFILE_FIELDS,
  'blocked',
  'step',
  'eventId',
  'eventType',
  'occurredAt',
];

/** Pure: the value of one mapping source for an event (undefined when the user has no such field). */
export function sourceValue(event: LifecycleEvent, source: ProvisioningSource): string | boolean | undefined {
  switch (source) {
    case 'step':
      return event.step;
    case 'eventId':
      return event.eventId;
    case 'eventType':
      return event.eventType;
    case 'occurredAt':
      return new Date(event.occurredAtMs).toISOString();
    default:
      return event.profile[source];
  }
}

/**
 * True when the event moves the user across the active/offboarded line, which is what people are
 * told about. Deleting or editing a user who was already blocked, or creating one blocked, is not
 * news: the deactivation was announced when it happened.
 */
export function changesStatus(event: LifecycleEvent): boolean {
  if (event.step === 'onboard') return true;
  if (event.step === 'update' || event.eventType === 'user.created') return false;
  const wasBlocked =
    event.previous?.blocked ?? (event.eventType === 'user.deleted' ? event.profile.blocked : false);
  return !wasBlocked;
}
