/**
 * CloudEvents for user lifecycle changes, shaped by the official schemas
 * EventStreamCloudEventUser{Created,Updated,Deleted}CloudEvent in the Management API description.
 */
import { newEventId } from './ids';
import type { UserProfile } from './users';

export type UserEventType = 'user.created' | 'user.updated' | 'user.deleted';

export interface EventContext {
  tenant: { tenant_id: string };
  connection?: { id: string; name: string; strategy: string };
}

export interface UserCloudEvent {
  specversion: '1.0';
  type: UserEventType;
  source: string;
  id: string;
  time: string;
  a0tenant: string;
  a0stream: string;
  data: {
    object: Record<string, unknown>;
    context?: EventContext;
    /**
     * user.updated only: the profile before the change. Auth0 sends it on some updates, but the
     * published schema (EventStreamCloudEventUserUpdatedData, additionalProperties: false) does not
     * declare it — consumers must treat it as optional, and schema checks must ignore it.
     */
    previous_object?: Record<string, unknown>;
  };
}

/** The change a user store reports; one CloudEvent per subscribed stream is built from it. */
export interface UserChange {
  type: UserEventType;
  time: string;
  user: UserProfile;
  previous?: UserProfile;
  context: EventContext;
}

export function buildUserEvent(
  change: UserChange,
  stream: { id: string },
  tenant: { name: string; domain: string },
  options: { includePreviousObject?: boolean } = {},
): UserCloudEvent {
  const object = structuredClone(change.user) as unknown as Record<string, unknown>;
  if (change.type === 'user.deleted') object.deleted_at = change.time;
  const data: UserCloudEvent['data'] = { object, context: structuredClone(change.context) };
  if (change.type === 'user.updated' && change.previous && options.includePreviousObject !== false) {
    data.previous_object = structuredClone(change.previous) as unknown as Record<string, unknown>;
  }
  return {
    specversion: '1.0',
    type: change.type,
    source: `urn:auth0:${tenant.domain}`,
    id: newEventId(),
    time: change.time,
    a0tenant: tenant.name,
    a0stream: stream.id,
    data,
  };
}
