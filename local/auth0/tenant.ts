/**
 * One local Auth0 tenant: state, users, the events they emit and their delivery. The HTTP surfaces
 * (management.ts, scim.ts, control.ts) are thin layers over this class; tests may also drive it
 * directly (create users, mint SCIM tokens, read mutations, await delivery).
 */
import crypto from 'node:crypto';
import { DeliveryEngine, type DeliveryOptions, type DeliveryRecord } from './delivery';
import { buildUserEvent, type UserChange, type UserCloudEvent } from './events';
import { HttpError } from './http';
import { newScimTokenId, newTenantId, randomAlnum } from './ids';
import {
  TENANT_SETTINGS_DEFAULTS,
  type Action,
  type ActionVersion,
  type Client,
  type Connection,
  type EventStream,
  type MutationRecord,
  type ScimConfiguration,
  type ScimToken,
} from './state';
import { UserStore, type UserAttributes, type UserProfile } from './users';

/** Every scope the local Management API checks. A client gets all of them unless told otherwise. */
export const MANAGEMENT_SCOPES = [
  'read:tenant_settings',
  'update:tenant_settings',
  'read:clients',
  'read:connections',
  'create:connections',
  'update:connections',
  'delete:connections',
  'read:connections_options',
  'update:connections_options',
  'read:directory_provisionings',
  'read:scim_config',
  'create:scim_config',
  'update:scim_config',
  'delete:scim_config',
  'read:scim_token',
  'create:scim_token',
  'delete:scim_token',
  'read:actions',
  'create:actions',
  'update:actions',
  'delete:actions',
  'read:event_streams',
  'create:event_streams',
  'update:event_streams',
  'delete:event_streams',
  'read:event_deliveries',
  'update:event_deliveries',
  'read:users',
  'update:users',
  'delete:users',
  'create:users',
] as const;

/** The scopes a SCIM token can carry (one per SCIM method). */
export const SCIM_TOKEN_SCOPES = ['get:users', 'post:users', 'put:users', 'patch:users', 'delete:users'];

export interface LocalTenantOptions {
  /** Tenant name (a0tenant in events). Default 'local-tenant'. */
  tenantName?: string;
  clientId?: string;
  clientSecret?: string;
  /** Scopes granted to the client; default: all of MANAGEMENT_SCOPES. */
  grantedScopes?: readonly string[];
  /** Delay before a created/updated Action becomes `built` (scaled by delivery.timeScale). Default 300 ms. */
  actionBuildDelayMs?: number;
  /** Include data.previous_object in user.updated events. Default true. */
  includePreviousObject?: boolean;
  delivery?: DeliveryOptions;
  /** Management access token lifetime, seconds. Default 86400. */
  tokenLifetimeSeconds?: number;
}

export interface IssuedToken {
  access_token: string;
  scope: string;
  expires_in: number;
  token_type: 'Bearer';
}

function b64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

export class LocalTenant {
  readonly name: string;
  readonly tenantId = newTenantId();
  readonly clientId: string;
  readonly clientSecret: string;
  domain = '127.0.0.1';
  grantedScopes: string[];
  settings: Record<string, unknown> = structuredClone(TENANT_SETTINGS_DEFAULTS);
  readonly connections = new Map<string, Connection>();
  readonly scimConfigs = new Map<string, ScimConfiguration>();
  readonly scimTokens = new Map<string, ScimToken>();
  readonly actions = new Map<string, Action>();
  readonly eventStreams = new Map<string, EventStream>();
  readonly clients = new Map<string, Client>();
  readonly users: UserStore;
  readonly delivery: DeliveryEngine;
  /** Every CloudEvent emitted, in order (one per subscribed stream). */
  readonly events: UserCloudEvent[] = [];
  private mutationLog: MutationRecord[] = [];
  private mutationSeq = 0;
  private readonly signingKey = crypto.randomBytes(32);
  private readonly buildTimers = new Set<NodeJS.Timeout>();

  constructor(readonly options: LocalTenantOptions = {}) {
    this.name = options.tenantName ?? 'local-tenant';
    this.clientId = options.clientId ?? `local${randomAlnum(27)}`;
    this.clientSecret = options.clientSecret ?? randomAlnum(64);
    this.grantedScopes = [...(options.grantedScopes ?? MANAGEMENT_SCOPES)];
    this.clients.set(this.clientId, {
      client_id: this.clientId,
      client_secret: this.clientSecret,
      name: 'Deploy CLI (local)',
      app_type: 'non_interactive',
      scopes: this.grantedScopes,
    });
    this.users = new UserStore(this.tenantId, (change) => this.onUserChange(change));
    this.delivery = new DeliveryEngine(
      {
        getStream: (id) => this.eventStreams.get(id),
        getAction: (id) => this.actions.get(id),
        getDeployedVersion: (action) => this.deployedVersion(action),
        disableStream: (id) => {
          const stream = this.eventStreams.get(id);
          if (stream) {
            stream.status = 'disabled';
            stream.updated_at = new Date().toISOString();
          }
        },
        now: () => new Date(),
      },
      options.delivery,
    );
  }

  // ---- OAuth ---------------------------------------------------------------------------------

  /** client_credentials: a signed JWT whose `scope` is what the client was granted (∩ requested). */
  issueToken(clientId: string, clientSecret: string, audience: string, requestedScope?: string): IssuedToken {
    const client = this.clients.get(clientId);
    const secretOk =
      client &&
      clientSecret.length === client.client_secret.length &&
      crypto.timingSafeEqual(Buffer.from(clientSecret), Buffer.from(client.client_secret));
    if (!client || !secretOk) throw new HttpError(401, 'Unauthorized', 'access_denied');
    if (!/\/api\/v2\/?$/.test(audience))
      throw new HttpError(403, `Service not found: ${audience}`, 'access_denied');
    const granted = clientId === this.clientId ? this.grantedScopes : client.scopes;
    const requested = requestedScope?.split(/\s+/).filter(Boolean);
    const scopes = requested?.length ? granted.filter((s) => requested.includes(s)) : granted;
    const lifetime = this.options.tokenLifetimeSeconds ?? 86400;
    const iat = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64url(
      JSON.stringify({
        iss: `https://${this.domain}/`,
        sub: `${clientId}@clients`,
        aud: audience,
        iat,
        exp: iat + lifetime,
        scope: scopes.join(' '),
        gty: 'client-credentials',
        azp: clientId,
      }),
    );
    const signature = b64url(
      crypto.createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest(),
    );
    return {
      access_token: `${header}.${payload}.${signature}`,
      scope: scopes.join(' '),
      expires_in: lifetime,
      token_type: 'Bearer',
    };
  }

  /** Verifies a Management API bearer token; returns its scopes. */
  verifyToken(authorization: string | undefined): string[] {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new HttpError(401, 'Missing authentication', 'missing_authentication');
    const [header, payload, signature] = token.split('.');
    const expected =
      header && payload
        ? b64url(crypto.createHmac('sha256', this.signingKey).update(`${header}.${payload}`).digest())
        : '';
    if (!signature || signature !== expected) throw new HttpError(401, 'Invalid token', 'invalid_token');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as {
      exp: number;
      scope: string;
    };
    if (claims.exp * 1000 < Date.now())
      throw new HttpError(401, 'Expired token received for JSON Web Token validation', 'token_expired');
    return claims.scope.split(' ').filter(Boolean);
  }

  // ---- mutations -----------------------------------------------------------------------------

  recordMutation(method: string, path: string, status: number, dryRun: boolean): void {
    this.mutationLog.push({
      seq: ++this.mutationSeq,
      method,
      path,
      time: new Date().toISOString(),
      status,
      dryRun,
    });
  }

  /** Mutating Management API calls (POST/PUT/PATCH/DELETE under /api/v2) since the last reset. */
  mutations(): MutationRecord[] {
    return [...this.mutationLog];
  }

  resetMutations(): void {
    this.mutationLog = [];
  }

  // ---- connections & SCIM ----------------------------------------------------------------------

  connectionByName(name: string): Connection | undefined {
    return [...this.connections.values()].find((c) => c.name === name);
  }

  requireConnection(id: string): Connection {
    const c = this.connections.get(id);
    if (!c) throw new HttpError(404, 'The connection does not exist', 'inexistent_connection');
    return c;
  }

  /** Mints a SCIM bearer token (the same path as POST .../scim-configuration/tokens). */
  createScimToken(
    connectionId: string,
    scopes: string[] = SCIM_TOKEN_SCOPES,
    lifetimeSeconds?: number | null,
  ) {
    this.requireConnection(connectionId);
    if (!this.scimConfigs.has(connectionId))
      throw new HttpError(404, 'SCIM configuration does not exist', 'inexistent_scim_configuration');
    const unknown = scopes.filter((s) => !SCIM_TOKEN_SCOPES.includes(s));
    if (unknown.length) throw new HttpError(400, `Invalid scopes: ${unknown.join(', ')}`, 'invalid_body');
    if (lifetimeSeconds != null && lifetimeSeconds <= 900) {
      throw new HttpError(400, 'token_lifetime must be greater than 900', 'invalid_body');
    }
    const token = `scim_${randomAlnum(48)}`;
    const now = new Date();
    const record: ScimToken = {
      token_id: newScimTokenId(),
      connection_id: connectionId,
      token_hash: crypto.createHash('sha256').update(token).digest('hex'),
      scopes: [...scopes],
      created_at: now.toISOString(),
      ...(lifetimeSeconds != null
        ? { valid_until: new Date(now.getTime() + lifetimeSeconds * 1000).toISOString() }
        : {}),
    };
    this.scimTokens.set(record.token_id, record);
    return {
      token_id: record.token_id,
      token,
      scopes: record.scopes,
      created_at: record.created_at,
      ...(record.valid_until ? { valid_until: record.valid_until } : {}),
    };
  }

  /** Finds the SCIM token for a bearer value (valid for this connection and not expired). */
  scimTokenFor(connectionId: string, bearer: string): ScimToken | undefined {
    const hash = crypto.createHash('sha256').update(bearer).digest('hex');
    const found = [...this.scimTokens.values()].find(
      (t) => t.token_hash === hash && t.connection_id === connectionId,
    );
    if (!found || (found.valid_until && Date.parse(found.valid_until) < Date.now())) return undefined;
    found.last_used_at = new Date().toISOString();
    return found;
  }

  // ---- actions -------------------------------------------------------------------------------

  requireAction(id: string): Action {
    const a = this.actions.get(id);
    if (!a) throw new HttpError(404, 'That action does not exist.', 'action_not_found');
    return a;
  }

  deployedVersion(action: Action): ActionVersion | undefined {
    return action.versions.find((v) => v.id === action.deployed_version_id);
  }

  /** pending -> built after a short delay, like Auth0's asynchronous build. */
  scheduleBuild(action: Action): void {
    action.status = 'pending';
    const delay = (this.options.actionBuildDelayMs ?? 300) * (this.options.delivery?.timeScale ?? 1);
    const timer = setTimeout(() => {
      this.buildTimers.delete(timer);
      action.status = 'built';
      action.built_at = new Date().toISOString();
    }, delay);
    this.buildTimers.add(timer);
  }

  // ---- users & events ------------------------------------------------------------------------

  /** Programmatic user creation (as SCIM would, without HTTP): applies the Auth0 attributes as given. */
  createUser(connectionName: string, idValue: string, attributes: UserAttributes): UserProfile {
    const connection = this.connectionByName(connectionName);
    if (!connection)
      throw new HttpError(404, `No connection named ${connectionName}`, 'inexistent_connection');
    return this.users.create(connection, idValue, attributes);
  }

  private onUserChange(change: UserChange): void {
    for (const stream of this.eventStreams.values()) {
      if (stream.status !== 'enabled') continue;
      if (!stream.subscriptions.some((s) => s.event_type === change.type)) continue;
      const event = buildUserEvent(
        change,
        stream,
        { name: this.name, domain: `${this.name}.local.auth0app.com` },
        { includePreviousObject: this.options.includePreviousObject },
      );
      this.events.push(event);
      this.delivery.enqueue(stream, event);
    }
  }

  deliveries(): DeliveryRecord[] {
    return [...this.delivery.records.values()];
  }

  /** Resolves when every emitted event has been delivered or dead-lettered. */
  drain(): Promise<void> {
    return this.delivery.drain();
  }

  stop(): void {
    this.delivery.stop();
    for (const t of this.buildTimers) clearTimeout(t);
    this.buildTimers.clear();
  }
}
