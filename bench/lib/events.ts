/**
 * Seeded Auth0 user events drawn from the official CloudEvent schemas, for the bench (parse and
 * plan cost over many shapes) and the chaos runs (coherent user lifecycles).
 *
 * Every event marked `valid` matches its official schema once `data.previous_object` (sent by Auth0
 * on some updates, absent from the published schema) is removed; tests/chaos/generator.test.ts
 * checks that with ajv. Malformed events break the schema on purpose.
 */
import { clip, freeText, generate, isoTime, type GenerateOptions, DEFAULT_GENERATE } from './schema-gen';
import type { Random } from './random';

export type UserEventType = 'user.created' | 'user.updated' | 'user.deleted';

export const EVENT_SCHEMA: Record<UserEventType, string> = {
  'user.created': 'EventStreamCloudEventUserCreatedCloudEvent',
  'user.updated': 'EventStreamCloudEventUserUpdatedCloudEvent',
  'user.deleted': 'EventStreamCloudEventUserDeletedCloudEvent',
};
const OBJECT_SCHEMA: Record<UserEventType, string> = {
  'user.created': 'EventStreamCloudEventUserCreatedObject',
  'user.updated': 'EventStreamCloudEventUserUpdatedObject',
  'user.deleted': 'EventStreamCloudEventUserDeletedObject',
};
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

export type Json = Record<string, unknown>;

export interface GeneratedEvent {
  /** The CloudEvent as Auth0 puts it in `event.message`. */
  message: unknown;
  /** True when the message matches its official schema (without previous_object). */
  valid: boolean;
  /** Short label of what was varied, for the bench's breakdown and for failure reports. */
  shape: string;
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function alnum(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALNUM[random.int(0, ALNUM.length - 1)];
  return out;
}

export const newEventId = (random: Random) => `evt_${alnum(random, 16)}`;

/** A huge string: Auth0 caps names, but app_metadata and user_metadata values are free-form. */
export function hugeText(random: Random, minLength = 70_000, maxLength = 300_000): string {
  const unit = random.pick(['x', 'é', '山', '👩🏽‍💻', 'Ada Lovelace ']);
  return unit.repeat(Math.ceil(random.int(minLength, maxLength) / unit.length));
}

/** The CloudEvent envelope around a user object, generated from the schema then pinned down. */
export function envelope(
  random: Random,
  type: UserEventType,
  object: Json,
  options: { id?: string; time?: string; previous?: Json; context?: boolean; test?: boolean } = {},
  generateOptions: GenerateOptions = DEFAULT_GENERATE,
): Json {
  const base = generate(ref(EVENT_SCHEMA[type]), random, { ...generateOptions, optional: 0 }) as Json;
  const data: Json = { object };
  if (options.context ?? random.chance(0.3)) {
    data.context = generate(ref('EventStreamCloudEventContext'), random, generateOptions);
  }
  if (options.previous) data.previous_object = options.previous;
  const message: Json = {
    ...base,
    specversion: '1.0',
    type,
    source: 'urn:auth0:example-tenant.us.auth0.com',
    id: options.id ?? newEventId(random),
    time: options.time ?? isoTime(random),
    data,
  };
  if (options.test) message.a0purpose = 'test';
  else delete message.a0purpose;
  return message;
}

/** A user object drawn from the official schema for `type`, with every optional attribute possible. */
export function schemaUser(
  random: Random,
  type: UserEventType,
  options: GenerateOptions = DEFAULT_GENERATE,
): Json {
  const user = generate(ref(OBJECT_SCHEMA[type]), random, options) as Json;
  user.user_id = `samlp|corporate-idp|${alnum(random, 10)}`;
  return user;
}

/** One event of any supported shape, for the parse-and-plan bench. */
export function randomEvent(random: Random): GeneratedEvent {
  const roll = random.next();
  if (roll < 0.05) return malformedEvent(random);
  if (roll < 0.07) {
    const type = random.pick(['user.created', 'user.updated'] as const);
    return {
      message: envelope(random, type, schemaUser(random, type), { test: true }),
      valid: true,
      shape: 'test-event',
    };
  }
  if (roll < 0.09) {
    const message = envelope(random, 'user.created', schemaUser(random, 'user.created'));
    message.type = random.pick(['user.login.succeeded', 'organization.created', 'group.member.added']);
    return { message, valid: false, shape: 'unsupported-type' };
  }
  const type = random.pick(['user.created', 'user.updated', 'user.updated', 'user.deleted'] as const);
  const options: GenerateOptions = {
    ...DEFAULT_GENERATE,
    optional: random.pick([0.1, 0.5, 0.9]),
    unicode: random.pick([0, 0.3, 1]),
  };
  const user = schemaUser(random, type, options);
  const shapes: string[] = [type];
  const meta: Json = (user.app_metadata as Json | undefined) ?? {};
  if (random.chance(0.6)) {
    meta.title = freeText(random, options);
    meta.department = freeText(random, options);
    meta.employee_number = random.chance(0.5) ? random.int(1, 99_999) : String(random.int(1, 99_999));
    user.app_metadata = meta;
  }
  if (random.chance(0.03)) {
    meta.title = hugeText(random);
    user.app_metadata = meta;
    user.user_metadata = { bio: hugeText(random) };
    shapes.push('huge');
  }
  if (type !== 'user.created' && random.chance(0.2)) {
    user.blocked = true;
    shapes.push('blocked');
  }
  let previous: Json | undefined;
  if (type === 'user.updated' && random.chance(0.5)) {
    previous = { ...user, blocked: random.chance(0.2) };
    if (random.chance(0.5)) previous.given_name = clip(freeText(random, options), 150);
    shapes.push('previous_object');
  }
  if (type === 'user.deleted') user.deleted_at = isoTime(random);
  return {
    message: envelope(random, type, user, { previous }, options),
    valid: true,
    shape: shapes.join('+'),
  };
}

/** Breaks a valid event the ways a broken producer or proxy could (one mutation is schema-valid but unusable). */
export function malformedEvent(random: Random): GeneratedEvent {
  const type = random.pick(['user.created', 'user.updated', 'user.deleted'] as const);
  const message = envelope(random, type, schemaUser(random, type));
  const data = message.data as Json;
  const object = data.object as Json;
  const mutations: Array<[string, () => unknown]> = [
    ['no-data-object', () => (delete data.object, message)],
    ['no-data', () => (delete message.data, message)],
    ['user-id-number', () => ((object.user_id = random.int(1, 9999)), message)],
    ['user-id-empty', () => ((object.user_id = ''), message)],
    ['email-number', () => ((object.email = 42), message)],
    ['blocked-string', () => ((object.blocked = 'yes'), message)],
    ['app-metadata-array', () => ((object.app_metadata = ['title']), message)],
    ['time-not-date', () => ((message.time = 'yesterday'), message)],
    ['no-id', () => (delete message.id, message)],
    ['data-string', () => ((message.data = JSON.stringify(data)), message)],
    ['message-null', () => null],
    ['message-string', () => JSON.stringify(message)],
    ['message-array', () => [message]],
  ];
  const [shape, mutate] = random.pick(mutations);
  // An empty user_id is allowed by the official schema (no minLength) but cannot be correlated.
  const prefix = shape === 'user-id-empty' ? 'unusable' : 'malformed';
  return { message: mutate(), valid: false, shape: `${prefix}:${shape}` };
}
