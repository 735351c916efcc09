/**
 * Auth0 Inbound SCIM 2.0 (RFC 7643/7644), one endpoint per connection:
 *   /scim/v2/connections/{connectionId}/Users[/{id}]
 * Bearer tokens are the ones minted by POST /api/v2/connections/{id}/scim-configuration/tokens;
 * each SCIM method needs its scope (get:users, post:users, put:users, patch:users, delete:users).
 *
 * scimmy is used where it fits: filter parsing/matching (Types.Filter), PatchOp application
 * (Messages.PatchOp against its User schema with the enterprise extension), ListResponse and Error
 * bodies. It does not fit two things, handled here: (1) Entra ID's dialect — `"active": "False"`
 * strings and `manager` sent as a bare string — which scimmy's strict types reject, so requests are
 * normalised first; (2) storage and attribute mapping, which are Auth0's (scim-mapping.ts): a user
 * is stored as an Auth0 profile holding only the mapped attributes, and SCIM views are rebuilt from it.
 */
import SCIMMY from 'scimmy';
import { HttpError, Router, asRecord, queryInt, type Reply, type Request } from './http';
import {
  CORE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA,
  auth0ToScim,
  getScimValue,
  scimToAuth0,
  toBoolean,
  withoutMappedTargets,
} from './scim-mapping';
import type { Connection, ScimConfiguration } from './state';
import type { LocalTenant } from './tenant';
import type { UserAttributes, UserProfile } from './users';

const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let scimmyReady = false;
function ensureScimmy(): void {
  if (scimmyReady) return;
  // scimmy keeps schema extensions globally; extending twice throws, so do it once per process.
  try {
    SCIMMY.Resources.User.extend(SCIMMY.Schemas.EnterpriseUser, false);
  } catch {
    // already extended by another tenant in this process
  }
  scimmyReady = true;
}

export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message);
  }
}

export function scimErrorReply(status: number, detail: string, scimType?: string): Reply {
  return {
    status,
    contentType: SCIM_CONTENT_TYPE,
    body: {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
      status: String(status),
      ...(scimType ? { scimType } : {}),
      detail,
    },
  };
}

const scimReply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  contentType: SCIM_CONTENT_TYPE,
  ...(headers ? { headers } : {}),
});

const METHOD_SCOPES: Record<string, string> = {
  GET: 'get:users',
  POST: 'post:users',
  PUT: 'put:users',
  PATCH: 'patch:users',
  DELETE: 'delete:users',
};

/** Rewrites Entra ID's PatchOp quirks into RFC 7644 form so scimmy accepts them. */
export function normalisePatchOperations(body: unknown): {
  schemas: [typeof PATCH_OP_SCHEMA];
  Operations: unknown[];
} {
  const rec = asRecord(body);
  const ops = Array.isArray(rec.Operations)
    ? rec.Operations
    : Array.isArray(rec.operations)
      ? rec.operations
      : undefined;
  if (!ops) throw new ScimError(400, 'PatchOp request must contain Operations', 'invalidSyntax');
  const normaliseValue = (path: string | undefined, value: unknown): unknown => {
    const p = path?.toLowerCase();
    if (p === 'active') return toBoolean(value) ?? value;
    if (p?.endsWith(':manager') && typeof value === 'string') return { value };
    if (!path && value && typeof value === 'object' && !Array.isArray(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = normaliseValue(k, v);
      return out;
    }
    return value;
  };
  return {
    schemas: [PATCH_OP_SCHEMA],
    Operations: ops.map((op) => {
      const o = asRecord(op);
      const path = typeof o.path === 'string' ? o.path : undefined;
      return { ...o, ...(o.value !== undefined ? { value: normaliseValue(path, o.value) } : {}) };
    }),
  };
}

/** Applies a PatchOp to a SCIM resource with scimmy; returns the patched resource. */
export async function applyPatch(
  resource: Record<string, unknown>,
  body: unknown,
): Promise<Record<string, unknown>> {
  ensureScimmy();
  const message = normalisePatchOperations(body);
  const { id, meta, ...rest } = resource;
  try {
    const patch = new SCIMMY.Messages.PatchOp(
      message as ConstructorParameters<typeof SCIMMY.Messages.PatchOp>[0],
    );
    const target = new SCIMMY.Schemas.User(
      { ...rest, schemas: [CORE_USER_SCHEMA, ENTERPRISE_USER_SCHEMA] } as Record<string, unknown>,
      'in',
    );
    const patched = await patch.apply(target as never);
    const out = JSON.parse(JSON.stringify(patched ?? target)) as Record<string, unknown>;
    return { ...out, id, meta };
  } catch (err) {
    const e = err as { status?: number; scimType?: string; message?: string };
    throw new ScimError(e.status ?? 400, e.message ?? 'Invalid PatchOp', e.scimType ?? 'invalidValue');
  }
}

/** Lower-cases userName (caseExact: false in RFC 7643) on both sides of a filter match. */
function caseInsensitiveFilter(expression: string): InstanceType<typeof SCIMMY.Types.Filter> {
  let parsed: InstanceType<typeof SCIMMY.Types.Filter>;
  try {
    parsed = new SCIMMY.Types.Filter(expression);
  } catch (err) {
    throw new ScimError(400, (err as Error).message, 'invalidFilter');
  }
  const lower = (expr: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(expr).map(([k, v]) => [
        k,
        k.toLowerCase() === 'username' && Array.isArray(v) && typeof v[1] === 'string'
          ? [v[0], v[1].toLowerCase(), ...v.slice(2)]
          : v,
      ]),
    );
  return new SCIMMY.Types.Filter((parsed as unknown as Record<string, unknown>[]).map(lower) as never);
}

export function registerScimRoutes(router: Router, tenant: LocalTenant, baseUrl: () => string): void {
  const context = (req: Request): { connection: Connection; config: ScimConfiguration } => {
    const connection = tenant.connections.get(req.params.connectionId!);
    if (!connection) throw new ScimError(404, 'Connection not found');
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const record = token ? tenant.scimTokenFor(connection.id, token) : undefined;
    if (!record) throw new ScimError(401, 'Invalid or missing bearer token');
    const scope = METHOD_SCOPES[req.method];
    if (!scope || !record.scopes.includes(scope))
      throw new ScimError(403, `The token lacks the ${scope ?? req.method} scope`);
    const config = tenant.scimConfigs.get(connection.id);
    if (!config) throw new ScimError(404, 'SCIM is not enabled for this connection');
    return { connection, config };
  };
  const location = (connectionId: string, userId?: string) =>
    `${baseUrl()}/scim/v2/connections/${connectionId}/Users${userId ? `/${encodeURIComponent(userId)}` : ''}`;
  const usersOf = (connection: Connection) =>
    tenant.users.list().filter((u) => u.identities.some((i) => i.connection === connection.name));
  const view = (config: ScimConfiguration, connection: Connection, user: UserProfile) =>
    auth0ToScim(config.mapping, user, location(connection.id, user.user_id));
  const userNameOf = (r: Record<string, unknown>) => String(getScimValue(r, 'userName') ?? '').toLowerCase();
  const requireUser = (connection: Connection, id: string) => {
    const user = tenant.users.get(id);
    if (!user || !user.identities.some((i) => i.connection === connection.name))
      throw new ScimError(404, `Resource ${id} not found`);
    return user;
  };
  const assertUniqueUserName = (
    config: ScimConfiguration,
    connection: Connection,
    resource: Record<string, unknown>,
    exceptId?: string,
  ) => {
    const wanted = userNameOf(resource);
    if (!wanted) return;
    const clash = usersOf(connection).find(
      (u) => u.user_id !== exceptId && userNameOf(view(config, connection, u)) === wanted,
    );
    if (clash) throw new ScimError(409, `User with userName ${wanted} already exists`, 'uniqueness');
  };
  /** Replaces the mapped attributes of a user with those derived from a full SCIM resource. */
  const replaceMapped = (
    config: ScimConfiguration,
    connection: Connection,
    user: UserProfile,
    resource: Record<string, unknown>,
  ) => {
    const rest = withoutMappedTargets(user as Record<string, unknown>, config.mapping) as UserAttributes;
    const mapped = scimToAuth0(config.mapping, resource);
    const merged: Record<string, unknown> = { ...rest, ...mapped };
    for (const key of ['app_metadata', 'user_metadata'] as const) {
      if (rest[key] || mapped[key]) merged[key] = { ...asRecord(rest[key]), ...asRecord(mapped[key]) };
    }
    return tenant.users.update(user.user_id, merged as UserAttributes, connection, 'replace');
  };

  const scim = (method: string, path: string, handler: (req: Request) => Promise<Reply> | Reply) =>
    router.add(method, `/scim/v2/connections/{connectionId}${path}`, async (req) => {
      try {
        return await handler(req);
      } catch (err) {
        if (err instanceof ScimError) return scimErrorReply(err.status, err.message, err.scimType);
        if (err instanceof HttpError)
          return scimErrorReply(err.status, err.message, err.status === 409 ? 'uniqueness' : undefined);
        throw err;
      }
    });

  scim('GET', '/ServiceProviderConfig', () =>
    scimReply(200, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
      patch: { supported: true },
      bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
      filter: { supported: true, maxResults: 100 },
      changePassword: { supported: false },
      sort: { supported: false },
      etag: { supported: false },
      authenticationSchemes: [
        {
          type: 'oauthbearertoken',
          name: 'OAuth Bearer Token',
          description: 'SCIM token minted by the Management API',
        },
      ],
    }),
  );

  scim('POST', '/Users', (req) => {
    const { connection, config } = context(req);
    const resource = asRecord(req.body);
    const idValue = getScimValue(resource, config.user_id_attribute);
    if (typeof idValue !== 'string' || !idValue) {
      throw new ScimError(
        400,
        `Attribute ${config.user_id_attribute} (the connection's user_id_attribute) is required`,
        'invalidValue',
      );
    }
    assertUniqueUserName(config, connection, resource);
    const user = tenant.users.create(connection, idValue, scimToAuth0(config.mapping, resource));
    return scimReply(201, view(config, connection, user), {
      location: location(connection.id, user.user_id),
    });
  });

  scim('GET', '/Users', (req) => {
    const { connection, config } = context(req);
    let resources = usersOf(connection).map((u) => view(config, connection, u));
    const filter = req.query.get('filter');
    if (filter) {
      const byLowerName = resources.map((r) => ({ ...r, userName: userNameOf(r) }));
      let matched: Set<string>;
      try {
        matched = new Set(
          caseInsensitiveFilter(filter)
            .match(byLowerName)
            .map((r) => (r as { id: string }).id),
        );
      } catch (err) {
        if (err instanceof ScimError) throw err;
        throw new ScimError(400, `Invalid filter: ${(err as Error).message}`, 'invalidFilter');
      }
      resources = resources.filter((r) => matched.has(r.id as string));
    }
    const startIndex = Math.max(1, queryInt(req.query, 'startIndex') ?? 1);
    const count = queryInt(req.query, 'count');
    const list = new SCIMMY.Messages.ListResponse(
      resources as never,
      {
        startIndex,
        ...(count !== undefined ? { count: Math.max(0, count) } : {}),
      } as never,
    );
    return scimReply(200, JSON.parse(JSON.stringify(list)));
  });

  scim('GET', '/Users/{id}', (req) => {
    const { connection, config } = context(req);
    return scimReply(200, view(config, connection, requireUser(connection, req.params.id!)));
  });

  scim('PUT', '/Users/{id}', (req) => {
    const { connection, config } = context(req);
    const user = requireUser(connection, req.params.id!);
    const resource = asRecord(req.body);
    assertUniqueUserName(config, connection, resource, user.user_id);
    return scimReply(200, view(config, connection, replaceMapped(config, connection, user, resource)));
  });

  scim('PATCH', '/Users/{id}', async (req) => {
    const { connection, config } = context(req);
    const user = requireUser(connection, req.params.id!);
    const patched = await applyPatch(view(config, connection, user), req.body);
    assertUniqueUserName(config, connection, patched, user.user_id);
    return scimReply(200, view(config, connection, replaceMapped(config, connection, user, patched)));
  });

  scim('DELETE', '/Users/{id}', (req) => {
    const { connection } = context(req);
    const user = requireUser(connection, req.params.id!);
    tenant.users.delete(user.user_id, connection);
    return { status: 204 };
  });
}
