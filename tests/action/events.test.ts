import { parseMessage } from '../../event-streams/onboarding-workflow/events';
import {
  toLifecycleEvent,
  lifecycleStep,
  toProfile,
  changedAny,
  changesStatus,
} from '../../event-streams/onboarding-workflow/lifecycle';
import {
  cloudEvent,
  employee,
  OFFICIAL_SCHEMA,
  withoutPreviousObject,
  type UserEventType,
  type UserShape,
} from '../support/cloud-events';
import { check, schemaValidator } from '../support/openapi';

const types: UserEventType[] = ['user.created', 'user.updated', 'user.deleted'];

describe('event fixtures follow the official schemas', () => {
  it.each(types)('%s built by the fixtures validates against the Management API description', (type) => {
    const event = cloudEvent(type, employee(), {
      previous: type === 'user.updated' ? employee() : undefined,
    });
    expect(check(schemaValidator(OFFICIAL_SCHEMA[type]), withoutPreviousObject(event))).toEqual([]);
  });

  it('the schema check can fail (a wrong id pattern is rejected)', () => {
    const event = cloudEvent('user.created', employee(), { id: 'not-an-event-id' });
    expect(check(schemaValidator(OFFICIAL_SCHEMA['user.created']), event)).not.toEqual([]);
  });
});

describe('parseMessage', () => {
  it.each(types)('accepts %s with the user object', (type) => {
    const parsed = parseMessage(cloudEvent(type, employee()));
    expect(parsed.kind).toBe('user-event');
    if (parsed.kind === 'user-event') expect(parsed.event.user.user_id).toBe(employee().user_id);
  });

  it('keeps unknown user attributes (the official user object allows additional properties)', () => {
    const parsed = parseMessage(
      cloudEvent('user.created', employee({ custom_attribute: { nested: [1, 2] } })),
    );
    expect(parsed.kind === 'user-event' && parsed.event.user.custom_attribute).toEqual({ nested: [1, 2] });
  });

  it('reads previous_object when Auth0 sends it', () => {
    const parsed = parseMessage(
      cloudEvent('user.updated', employee(), { previous: employee({ blocked: true }) }),
    );
    expect(parsed.kind === 'user-event' && parsed.event.previousUser?.blocked).toBe(true);
  });

  it('recognises test events', () => {
    expect(parseMessage(cloudEvent('user.created', employee(), { test: true })).kind).toBe('test-event');
  });

  it('acknowledges unsupported event types', () => {
    const event = { ...cloudEvent('user.created', employee()), type: 'organization.created' };
    expect(parseMessage(event)).toMatchObject({ kind: 'unsupported-type', type: 'organization.created' });
  });

  it.each([
    ['missing data.object', (e: Record<string, unknown>) => ({ ...e, data: {} }), 'data.object'],
    [
      'user_id of the wrong type',
      (e: Record<string, unknown>) => ({ ...e, data: { object: { user_id: 42 } } }),
      'data.object.user_id',
    ],
    [
      'blocked of the wrong type',
      (e: Record<string, unknown>) => ({ ...e, data: { object: { ...employee(), blocked: 'yes' } } }),
      'data.object.blocked',
    ],
    ['an invalid time', (e: Record<string, unknown>) => ({ ...e, time: 'yesterday' }), 'time'],
    ['no id', (e: Record<string, unknown>) => ({ ...e, id: undefined }), 'id'],
  ])('reports %s as malformed, naming the field', (_label, mutate, field) => {
    const parsed = parseMessage(mutate(cloudEvent('user.created', employee())));
    expect(parsed.kind).toBe('malformed');
    expect(parsed.kind === 'malformed' && parsed.problems.join(' ')).toContain(field);
  });

  it.each([null, 'text', 42, []])('reports %p as malformed without throwing', (message) => {
    expect(parseMessage(message).kind).toBe('malformed');
  });

  it('accepts a user without email (the Action decides what that means per destination)', () => {
    const user = employee();
    delete user.email;
    expect(parseMessage(cloudEvent('user.created', user)).kind).toBe('user-event');
  });
});

describe('lifecycle', () => {
  it.each([
    ['user.created', {}, undefined, 'onboard'],
    ['user.created', { blocked: true }, undefined, 'offboard'],
    ['user.updated', {}, undefined, 'update'],
    ['user.updated', {}, {}, 'update'],
    ['user.updated', { blocked: true }, {}, 'offboard'],
    ['user.updated', { blocked: true }, undefined, 'offboard'],
    ['user.updated', {}, { blocked: true }, 'onboard'],
    ['user.deleted', {}, undefined, 'offboard'],
  ] as const)('%s with %j (previous %j) is %s', (type, overrides, previous, step) => {
    const profile = toProfile(employee(overrides));
    expect(lifecycleStep(type, profile, previous ? toProfile(employee(previous)) : undefined)).toBe(step);
  });

  it('maps the SCIM-fed attributes into the profile, trimming and lower-casing the email', () => {
    const profile = toProfile(
      employee({
        email: ' Ada.Lovelace@Example.com ',
        app_metadata: {
          title: ' Engineer ',
          department: 'Platform',
          manager_id: 'm-1',
          employee_number: 1001,
        },
      }) as never,
    );
    expect(profile).toMatchObject({
      email: 'ada.lovelace@example.com',
      title: 'Engineer',
      department: 'Platform',
      managerId: 'm-1',
      employeeNumber: '1001',
      blocked: false,
    });
  });

  it('detects whether an update touched the given fields', () => {
    const event = (previous: Record<string, unknown>) =>
      toLifecycleEvent({
        id: 'evt_0000000000000001',
        type: 'user.updated',
        time: '2026-12-01T10:00:00.000Z',
        user: employee() as never,
        previousUser: employee(previous) as never,
      });
    expect(changedAny(event({}), ['email', 'givenName'])).toBe(false);
    expect(changedAny(event({ given_name: 'Augusta' }), ['email', 'givenName'])).toBe(true);
    expect(changedAny(event({ given_name: 'Augusta' }), ['department'])).toBe(false);
  });
});

describe('changesStatus (what notifications announce)', () => {
  const event = (
    type: 'user.created' | 'user.updated' | 'user.deleted',
    user: Partial<UserShape>,
    previous?: Partial<UserShape>,
  ) =>
    toLifecycleEvent({
      id: 'evt_0000000000000009',
      type,
      time: '2026-12-01T10:00:00.000Z',
      user: employee(user) as never,
      previousUser: previous ? (employee(previous) as never) : undefined,
    });

  it.each([
    ['a new user', event('user.created', {}), true],
    ['a user created already blocked', event('user.created', { blocked: true }), false],
    ['a deactivation', event('user.updated', { blocked: true }, {}), true],
    ['a deactivation without previous_object', event('user.updated', { blocked: true }), true],
    [
      'an edit of a user who is still blocked',
      event('user.updated', { blocked: true }, { blocked: true }),
      false,
    ],
    ['a reactivation', event('user.updated', {}, { blocked: true }), true],
    ['a plain profile update', event('user.updated', { given_name: 'Augusta' }, {}), false],
    ['deleting an active user', event('user.deleted', {}), true],
    ['deleting a user already deactivated', event('user.deleted', { blocked: true }), false],
  ])('%s → %s', (_label, lifecycle, expected) => expect(changesStatus(lifecycle)).toBe(expected));
});
