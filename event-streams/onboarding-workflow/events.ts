/**
 * The CloudEvents Auth0 delivers to an Event Stream Action, parsed with zod.
 *
 * The schemas accept every shape the official ones allow (EventStreamCloudEventUser{Created,Updated,
 * Deleted}CloudEvent in the Management API description): unknown user attributes pass through, and
 * only what this Action relies on is constrained. `data.previous_object` is not in the published
 * schema but Auth0 sends it on some user.updated events, so it is accepted when present.
 */
import { z } from 'zod';

const USER_EVENT_TYPES = ['user.created', 'user.updated', 'user.deleted'] as const;
export type UserEventType = (typeof USER_EVENT_TYPES)[number];

const optionalText = z.string().optional();

const userObjectSchema = z.looseObject({
  user_id: z.string().min(1),
  email: optionalText,
  given_name: optionalText,
  family_name: optionalText,
  name: optionalText,
  nickname: optionalText,
  blocked: z.boolean().optional(),
  app_metadata: z.record(z.string(), z.unknown()).optional(),
  user_metadata: z.record(z.string(), z.unknown()).optional(),
});
export type Auth0User = z.infer<typeof userObjectSchema>;

const envelopeSchema = z.looseObject({
  id: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  a0purpose: z.string().optional(),
  data: z.unknown(),
});

const userEventDataSchema = z.looseObject({
  object: userObjectSchema,
  previous_object: userObjectSchema.optional(),
});

export interface UserEvent {
  id: string;
  type: UserEventType;
  time: string;
  user: Auth0User;
  previousUser?: Auth0User;
}

export type ParsedMessage =
  | { kind: 'user-event'; event: UserEvent }
  | { kind: 'test-event'; id: string; type: string }
  | { kind: 'unsupported-type'; id: string; type: string }
  | { kind: 'malformed'; id?: string; type?: string; problems: string[] };

function describe(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

function peekString(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found.slice(0, 100) : undefined;
}

/** Classifies a raw `event.message`. Never throws: a malformed event cannot be fixed by retrying. */
export function parseMessage(message: unknown): ParsedMessage {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) {
    return {
      kind: 'malformed',
      id: peekString(message, 'id'),
      type: peekString(message, 'type'),
      problems: describe(envelope.error),
    };
  }
  const { id, type, time, a0purpose, data } = envelope.data;
  if (a0purpose === 'test') return { kind: 'test-event', id, type };
  if (!(USER_EVENT_TYPES as readonly string[]).includes(type)) return { kind: 'unsupported-type', id, type };

  const parsedData = userEventDataSchema.safeParse(data);
  if (!parsedData.success) {
    return { kind: 'malformed', id, type, problems: describe(parsedData.error).map((p) => `data.${p}`) };
  }
  return {
    kind: 'user-event',
    event: {
      id,
      type: type as UserEventType,
      time,
      user: parsedData.data.object,
      previousUser: parsedData.data.previous_object,
    },
  };
}
