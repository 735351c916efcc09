/**
 * The tenant's users. Every create/update/delete reports a UserChange to the listener, which turns
 * it into CloudEvents for the subscribed Event Streams.
 */
import { isDeepStrictEqual } from 'node:util';
import { HttpError } from './http';
import type { EventContext, UserChange } from './events';
import type { Connection } from './state';

export interface UserIdentity {
  connection: string;
  user_id: string;
  provider: string;
  isSocial: boolean;
}

/** An Auth0 user profile (root attributes plus app_metadata/user_metadata). */
export interface UserProfile {
  user_id: string;
  created_at: string;
  updated_at: string;
  identities: UserIdentity[];
  email?: string;
  email_verified?: boolean;
  name?: string;
  nickname?: string;
  given_name?: string;
  family_name?: string;
  picture?: string;
  blocked?: boolean;
  app_metadata?: Record<string, unknown>;
  user_metadata?: Record<string, unknown>;
  [attribute: string]: unknown;
}

/** Attributes a writer may set; ids, identities and timestamps are owned by the store. */
export type UserAttributes = Omit<
  Partial<UserProfile>,
  'user_id' | 'identities' | 'created_at' | 'updated_at'
>;

const OWNED = ['user_id', 'identities', 'created_at', 'updated_at'];

export class UserStore {
  private readonly users = new Map<string, UserProfile>();

  constructor(
    private readonly tenantId: string,
    private readonly onChange: (change: UserChange) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): UserProfile[] {
    return [...this.users.values()].map((u) => structuredClone(u));
  }

  get(userId: string): UserProfile | undefined {
    const u = this.users.get(userId);
    return u ? structuredClone(u) : undefined;
  }

  /** `samlp|corporate-idp|<value of the connection's user_id_attribute>`, as Auth0 names enterprise users. */
  static userIdFor(connection: Connection, idValue: string): string {
    return `${connection.strategy}|${connection.name}|${idValue}`;
  }

  create(connection: Connection, idValue: string, attributes: UserAttributes): UserProfile {
    const user_id = UserStore.userIdFor(connection, idValue);
    if (this.users.has(user_id)) throw new HttpError(409, 'The user already exists.', 'auth0_idp_error');
    const time = this.now().toISOString();
    const user: UserProfile = {
      ...clean(attributes),
      user_id,
      identities: [
        {
          connection: connection.name,
          user_id: `${connection.name}|${idValue}`,
          provider: connection.strategy,
          isSocial: false,
        },
      ],
      created_at: time,
      updated_at: time,
    };
    if (user.email_verified === undefined && user.email) user.email_verified = false;
    this.users.set(user_id, user);
    this.emit({ type: 'user.created', time, user: structuredClone(user), context: this.context(connection) });
    return structuredClone(user);
  }

  /** Replaces the writable attributes (`replace`) or merges them; emits user.updated when something changed. */
  update(
    userId: string,
    attributes: UserAttributes,
    connection?: Connection,
    mode: 'merge' | 'replace' = 'merge',
  ): UserProfile {
    const previous = this.users.get(userId);
    if (!previous) throw new HttpError(404, 'The user does not exist.', 'inexistent_user');
    const owned = Object.fromEntries(OWNED.map((k) => [k, previous[k]]));
    const base =
      mode === 'replace'
        ? {}
        : Object.fromEntries(Object.entries(previous).filter(([k]) => !OWNED.includes(k)));
    const next = { ...base, ...clean(attributes), ...owned } as UserProfile;
    if (isDeepStrictEqual({ ...next, updated_at: '' }, { ...previous, updated_at: '' }))
      return structuredClone(previous);
    const time = this.now().toISOString();
    next.updated_at = time;
    this.users.set(userId, next);
    this.emit({
      type: 'user.updated',
      time,
      user: structuredClone(next),
      previous: structuredClone(previous),
      context: this.context(connection),
    });
    return structuredClone(next);
  }

  delete(userId: string, connection?: Connection): void {
    const user = this.users.get(userId);
    if (!user) throw new HttpError(404, 'The user does not exist.', 'inexistent_user');
    this.users.delete(userId);
    const time = this.now().toISOString();
    this.emit({ type: 'user.deleted', time, user: structuredClone(user), context: this.context(connection) });
  }

  private context(connection?: Connection): EventContext {
    return {
      tenant: { tenant_id: this.tenantId },
      ...(connection
        ? { connection: { id: connection.id, name: connection.name, strategy: connection.strategy } }
        : {}),
    };
  }

  private emit(change: UserChange): void {
    this.onChange(change);
  }
}

/** Drops undefined values and empty metadata objects so profiles stay minimal, like Auth0's. */
function clean(attributes: UserAttributes): UserAttributes {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(attributes)) {
    if (v === undefined || v === null) continue;
    if (
      (k === 'app_metadata' || k === 'user_metadata') &&
      typeof v === 'object' &&
      Object.keys(v as object).length === 0
    )
      continue;
    out[k] = v;
  }
  return out as UserAttributes;
}
