/**
 * Builders for the CloudEvents Auth0 sends an Event Stream Action, shaped by the official schemas
 * (EventStreamCloudEventUser{Created,Updated,Deleted}CloudEvent). Tests validate what these build
 * against ../shared/reference, so the builders cannot drift from the published shapes.
 */
export type UserEventType = 'user.created' | 'user.updated' | 'user.deleted';

let counter = 0;
/** A valid `evt_` + 16 alphanumerics id; deterministic per test run. */
export function eventId(seed?: string): string {
  const base = (seed ?? `n${(counter++).toString(36)}`).replace(/[^a-zA-Z0-9]/g, '');
  return `evt_${base.padStart(16, '0').slice(-16)}`;
}

export interface UserShape {
  user_id: string;
  email?: string;
  given_name?: string;
  family_name?: string;
  name?: string;
  blocked?: boolean;
  app_metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

export function employee(overrides: Partial<UserShape> = {}): UserShape {
  const id = overrides.user_id ?? 'samlp|corporate-idp|ada.lovelace@example.com';
  return {
    user_id: id,
    email: 'ada.lovelace@example.com',
    email_verified: true,
    given_name: 'Ada',
    family_name: 'Lovelace',
    name: 'Ada Lovelace',
    nickname: 'ada',
    created_at: '2026-12-01T09:00:00.000Z',
    updated_at: '2026-12-01T09:00:00.000Z',
    identities: [
      {
        connection: 'corporate-idp',
        provider: 'samlp',
        user_id: id.split('|').slice(2).join('|') || 'ada',
        isSocial: false,
      },
    ],
    app_metadata: { title: 'Engineer', department: 'Platform', employee_number: '1001' },
    ...overrides,
  };
}

export interface BuildOptions {
  id?: string;
  time?: string;
  previous?: UserShape;
  test?: boolean;
}

export function cloudEvent(
  type: UserEventType,
  user: UserShape,
  options: BuildOptions = {},
): Record<string, unknown> {
  const object =
    type === 'user.deleted' ? { deleted_at: options.time ?? '2026-12-01T10:00:00.000Z', ...user } : user;
  const data: Record<string, unknown> = { object };
  if (options.previous) data.previous_object = options.previous;
  return {
    specversion: '1.0',
    type,
    source: 'urn:auth0:example-tenant.us.auth0.com',
    id: options.id ?? eventId(),
    time: options.time ?? '2026-12-01T10:00:00.000Z',
    a0tenant: 'example-tenant',
    a0stream: 'est_0123456789abcdef',
    ...(options.test ? { a0purpose: 'test' } : {}),
    data,
  };
}

/** The event as the official schema describes it (previous_object is sent by Auth0 but not published). */
export function withoutPreviousObject(event: Record<string, unknown>): Record<string, unknown> {
  const data = { ...(event.data as Record<string, unknown>) };
  delete data.previous_object;
  return { ...event, data };
}

export const OFFICIAL_SCHEMA: Record<UserEventType, string> = {
  'user.created': 'EventStreamCloudEventUserCreatedCloudEvent',
  'user.updated': 'EventStreamCloudEventUserUpdatedCloudEvent',
  'user.deleted': 'EventStreamCloudEventUserDeletedCloudEvent',
};
