/**
 * The Management API v2 subset that auth0-deploy-cli 8.44 (tenant, connections + SCIM, actions,
 * eventStreams handlers), the auth0 SDK 7.1 and this repository's tools call. Shapes follow
 * ../shared/reference/auth0-management-api.openapi.json (tests validate them against it).
 *
 * Each route declares the scopes that allow it (any of); a token without one gets Auth0's 403
 * `insufficient_scope`, which deploy-cli relies on to skip SCIM when `*:scim_config` is missing.
 */
import { HttpError, Router, asRecord, json, queryBool, queryInt, type Reply, type Request } from './http';
import { newConnectionId, newEventStreamId, newUuid } from './ids';
import type { LocalTenant } from './tenant';
import type { Action, ActionSecret, ActionVersion, Connection, EventStream, ScimMappingItem } from './state';
import type { DeliveryRecord } from './delivery';
import type { UserProfile } from './users';

export interface ManagementRoute {
  method: string;
  path: string;
  scopes: string[];
}

/** Route table (method, OpenAPI path, scopes) — exported so tests can check it against the OpenAPI. */
export const MANAGEMENT_ROUTES: ManagementRoute[] = [];

/** Auth0's default SCIM mapping for SAML connections (used when POST scim-configuration has no body). */
export const DEFAULT_SCIM_MAPPING: ScimMappingItem[] = [
  { auth0: 'preferred_username', scim: 'userName' },
  { auth0: 'email', scim: 'emails[primary eq true].value' },
  { auth0: 'app_metadata.external_id', scim: 'externalId' },
  { auth0: 'blocked', scim: 'active' },
  { auth0: 'name', scim: 'displayName' },
  { auth0: 'given_name', scim: 'name.givenName' },
  { auth0: 'family_name', scim: 'name.familyName' },
  { auth0: 'nickname', scim: 'nickName' },
];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Auth0's Management API error body. */
export function managementError(status: number, message: string, errorCode?: string): Reply {
  return json(status, {
    statusCode: status,
    error: STATUS_TEXT[status] ?? 'Error',
    message,
    ...(errorCode ? { errorCode } : {}),
  });
}

const CONNECTION_NAME = /^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$/;

/** Connection properties a PATCH may carry; a POST takes these plus name and strategy. */
const CONNECTION_UPDATABLE = [
  'display_name',
  'options',
  'enabled_clients',
  'realms',
  'is_domain_connection',
  'show_as_button',
  'metadata',
  'authentication',
  'connected_accounts',
];

function connectionView(c: Connection, forList = false): Record<string, unknown> {
  return {
    id: c.id,
    name: c.name,
    strategy: c.strategy,
    ...(c.display_name !== undefined ? { display_name: c.display_name } : {}),
    options: structuredClone(c.options),
    realms: [...c.realms],
    is_domain_connection: c.is_domain_connection,
    ...(c.show_as_button !== undefined ? { show_as_button: c.show_as_button } : {}),
    ...(c.metadata ? { metadata: { ...c.metadata } } : {}),
    ...(c.authentication ? { authentication: { ...c.authentication } } : {}),
    ...(c.connected_accounts ? { connected_accounts: { ...c.connected_accounts } } : {}),
    ...(forList ? {} : { enabled_clients: [...c.enabled_clients] }),
  };
}

const secretsView = (secrets: ActionSecret[]) =>
  secrets.map((s) => ({ name: s.name, updated_at: s.updated_at }));

function actionBase(a: Action) {
  return {
    id: a.id,
    name: a.name,
    supported_triggers: structuredClone(a.supported_triggers),
    all_changes_deployed: a.all_changes_deployed,
    created_at: a.created_at,
    updated_at: a.updated_at,
  };
}

function versionView(v: ActionVersion, a: Action): Record<string, unknown> {
  return {
    id: v.id,
    action_id: v.action_id,
    code: v.code,
    dependencies: structuredClone(v.dependencies),
    deployed: v.deployed,
    runtime: v.runtime,
    secrets: secretsView(v.secrets),
    status: v.status,
    number: v.number,
    errors: [],
    action: actionBase(a),
    built_at: v.built_at,
    created_at: v.created_at,
    updated_at: v.updated_at,
    supported_triggers: structuredClone(v.supported_triggers),
  };
}

function actionView(a: Action, tenant: LocalTenant): Record<string, unknown> {
  const deployed = tenant.deployedVersion(a);
  return {
    ...actionBase(a),
    code: a.code,
    dependencies: structuredClone(a.dependencies),
    runtime: a.runtime,
    secrets: secretsView(a.secrets),
    modules: structuredClone(a.modules),
    status: a.status,
    ...(a.built_at ? { built_at: a.built_at } : {}),
    ...(deployed ? { deployed_version: versionView(deployed, a) } : {}),
  };
}

function streamView(s: EventStream): Record<string, unknown> {
  return structuredClone({
    id: s.id,
    name: s.name,
    status: s.status,
    subscriptions: s.subscriptions,
    destination: s.destination,
    created_at: s.created_at,
    updated_at: s.updated_at,
  });
}

/** A dead-lettered delivery as EventStreamDelivery (the API lists failed deliveries only). */
export function deliveryView(r: DeliveryRecord): Record<string, unknown> {
  const { data, ...envelope } = r.event;
  return {
    id: r.id,
    event_stream_id: r.event_stream_id,
    status: 'failed',
    event_type: r.event_type,
    attempts: r.attempts
      .filter((a) => a.status === 'failed')
      .map((a) => ({
        status: 'failed',
        timestamp: a.timestamp,
        ...(a.error_message ? { error_message: a.error_message } : {}),
      })),
    event: {
      id: envelope.id,
      source: envelope.source,
      specversion: envelope.specversion,
      time: envelope.time,
      type: envelope.type,
      data: JSON.stringify(data),
    },
  };
}

/** Checkpoint cursor: the index of the next item, opaque to callers. */
const encodeCursor = (i: number) => Buffer.from(`i:${i}`).toString('base64url');
function decodeCursor(from: string | null): number {
  if (!from) return 0;
  const m = /^i:(\d+)$/.exec(Buffer.from(from, 'base64url').toString('utf8'));
  if (!m) throw new HttpError(400, 'Invalid "from" cursor', 'invalid_query_string');
  return Number(m[1]);
}

/**
 * Auth0's three list shapes: checkpoint (`from`/`take` -> { key, next }), offset with totals
 * (`include_totals` -> { key, start, limit, total }) and a plain array (page/per_page or nothing).
 * `checkpointOnly` lists always answer in the checkpoint shape.
 */
function paginate<T>(
  items: T[],
  q: URLSearchParams,
  key: string,
  opts: { checkpointOnly?: boolean; defaultTake?: number } = {},
): unknown {
  const take = queryInt(q, 'take');
  if (opts.checkpointOnly || q.has('from') || take !== undefined) {
    const start = decodeCursor(q.get('from'));
    const size = Math.min(take ?? opts.defaultTake ?? 50, 100);
    const page = items.slice(start, start + size);
    const next = start + size < items.length ? encodeCursor(start + size) : undefined;
    return { [key]: page, ...(next ? { next } : {}) };
  }
  const perPage = Math.min(queryInt(q, 'per_page') ?? 50, 100);
  const pageNo = queryInt(q, 'page') ?? 0;
  const slice = items.slice(pageNo * perPage, pageNo * perPage + perPage);
  if (queryBool(q, 'include_totals'))
    return { [key]: slice, start: pageNo * perPage, limit: perPage, total: items.length };
  return slice;
}

/** The Actions API's own page shape: `{ <key>, total, page, per_page }`, 20 a page by default. */
function actionsPage<T>(
  items: T[],
  q: URLSearchParams,
  key: string,
  view: (item: T) => unknown,
): Record<string, unknown> {
  const perPage = Math.min(queryInt(q, 'per_page') ?? 20, 100);
  const page = queryInt(q, 'page') ?? 0;
  return {
    [key]: items.slice(page * perPage, page * perPage + perPage).map(view),
    total: items.length,
    page,
    per_page: perPage,
  };
}

function requireString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (typeof v !== 'string' || !v)
    throw new HttpError(
      400,
      `Payload validation error: 'Missing required property: ${field}'.`,
      'invalid_body',
    );
  return v;
}

function allowOnly(body: Record<string, unknown>, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) {
    throw new HttpError(
      400,
      `Payload validation error: 'Additional properties not allowed: ${extra.join(',')}'.`,
      'invalid_body',
    );
  }
}

function mappingFrom(value: unknown): ScimMappingItem[] {
  if (!Array.isArray(value))
    throw new HttpError(400, "Payload validation error: 'mapping' must be an array", 'invalid_body');
  return value.map((m) => {
    const rec = asRecord(m);
    if (typeof rec.auth0 !== 'string' || typeof rec.scim !== 'string') {
      throw new HttpError(
        400,
        "Payload validation error: mapping items need 'auth0' and 'scim' strings",
        'invalid_body',
      );
    }
    return { auth0: rec.auth0, scim: rec.scim };
  });
}

function secretsFrom(value: unknown, previous: ActionSecret[], now: string): ActionSecret[] {
  if (!Array.isArray(value))
    throw new HttpError(400, "Payload validation error: 'secrets' must be an array", 'invalid_body');
  return value.map((s) => {
    const rec = asRecord(s);
    const name = requireString(rec, 'name');
    const old = previous.find((p) => p.name === name);
    // A secret sent without a value keeps its stored value (the API never returns values to resend).
    const valueStr = typeof rec.value === 'string' ? rec.value : (old?.value ?? '');
    return { name, value: valueStr, updated_at: old && old.value === valueStr ? old.updated_at : now };
  });
}

/** Evaluates the small subset of the users `q` syntax tools use: `field:"value"` terms joined by AND. */
function matchesQuery(user: UserProfile, q: string): boolean {
  const terms = [...q.matchAll(/([\w.]+):"?([^"\s]+(?:\s[^"\s:]+)*)"?/g)];
  return terms.every(([, field, value]) => {
    const actual = field!.split('.').reduce<unknown>((n, p) => asRecord(n)[p], user);
    return String(actual).toLowerCase() === String(value).toLowerCase();
  });
}

export function registerManagementRoutes(router: Router, tenant: LocalTenant): void {
  const route = (
    method: string,
    path: string,
    scopes: string[],
    handler: (req: Request) => Reply | Promise<Reply>,
  ) => {
    MANAGEMENT_ROUTES.push({ method, path, scopes });
    router.add(method, `/api/v2${path}`, async (req) => {
      const granted = tenant.verifyToken(req.headers.authorization);
      if (!scopes.some((s) => granted.includes(s))) {
        throw new HttpError(
          403,
          `Insufficient scope, expected any of: ${scopes.join(',')}`,
          'insufficient_scope',
        );
      }
      return handler(req);
    });
  };
  MANAGEMENT_ROUTES.length = 0;
  const now = () => new Date().toISOString();

  // ---- tenant settings
  route('GET', '/tenants/settings', ['read:tenant_settings'], () =>
    json(200, structuredClone(tenant.settings)),
  );
  route('PATCH', '/tenants/settings', ['update:tenant_settings'], (req) => {
    const body = asRecord(req.body);
    const flags = { ...asRecord(tenant.settings.flags), ...asRecord(body.flags) };
    tenant.settings = { ...tenant.settings, ...structuredClone(body), flags };
    return json(200, structuredClone(tenant.settings));
  });

  // ---- clients (deploy-cli reads them to resolve enabled_clients names)
  route('GET', '/clients', ['read:clients'], (req) =>
    json(
      200,
      paginate(
        [...tenant.clients.values()].map((c) => ({
          client_id: c.client_id,
          name: c.name,
          app_type: c.app_type,
          tenant: tenant.name,
        })),
        req.query,
        'clients',
      ),
    ),
  );

  // ---- connections
  route('GET', '/connections', ['read:connections'], (req) => {
    const strategies = req.query.getAll('strategy');
    const name = req.query.get('name');
    const list = [...tenant.connections.values()]
      .filter((c) => !strategies.length || strategies.includes(c.strategy))
      .filter((c) => !name || c.name === name)
      .map((c) => connectionView(c, true));
    return json(200, paginate(list, req.query, 'connections'));
  });
  route('POST', '/connections', ['create:connections'], (req) => {
    const body = asRecord(req.body);
    allowOnly(body, ['name', 'strategy', ...CONNECTION_UPDATABLE]);
    const name = requireString(body, 'name');
    const strategy = requireString(body, 'strategy');
    if (!CONNECTION_NAME.test(name) || name.length > 128)
      throw new HttpError(
        400,
        `Payload validation error: 'String does not match pattern' on property name.`,
        'invalid_body',
      );
    if (tenant.connectionByName(name))
      throw new HttpError(409, 'A connection with the same name already exists', 'connection_conflict');
    const c: Connection = {
      id: newConnectionId(),
      name,
      strategy,
      options: structuredClone(asRecord(body.options)),
      enabled_clients: Array.isArray(body.enabled_clients) ? body.enabled_clients.map(String) : [],
      realms: Array.isArray(body.realms) ? body.realms.map(String) : [name],
      is_domain_connection: body.is_domain_connection === true,
      ...(typeof body.display_name === 'string' ? { display_name: body.display_name } : {}),
      ...(typeof body.show_as_button === 'boolean' ? { show_as_button: body.show_as_button } : {}),
      ...(body.metadata ? { metadata: asRecord(body.metadata) as Record<string, string> } : {}),
      ...(body.authentication
        ? { authentication: asRecord(body.authentication) as { active: boolean } }
        : {}),
      ...(body.connected_accounts
        ? { connected_accounts: asRecord(body.connected_accounts) as { active: boolean } }
        : {}),
    };
    tenant.connections.set(c.id, c);
    return json(201, connectionView(c));
  });
  route('GET', '/connections/{id}', ['read:connections'], (req) =>
    json(200, connectionView(tenant.requireConnection(req.params.id!))),
  );
  route('PATCH', '/connections/{id}', ['update:connections'], (req) => {
    const c = tenant.requireConnection(req.params.id!);
    const body = asRecord(req.body);
    if (Object.keys(body).length === 0)
      throw new HttpError(
        400,
        "Payload validation error: 'Too few properties defined (0), minimum 1'.",
        'invalid_body',
      );
    allowOnly(body, CONNECTION_UPDATABLE);
    // PATCH replaces `options` wholesale (deploy-cli re-adds excluded options for this reason).
    if (body.options !== undefined) c.options = structuredClone(asRecord(body.options));
    if (typeof body.display_name === 'string') c.display_name = body.display_name;
    if (Array.isArray(body.enabled_clients)) c.enabled_clients = body.enabled_clients.map(String);
    if (Array.isArray(body.realms)) c.realms = body.realms.map(String);
    if (typeof body.is_domain_connection === 'boolean') c.is_domain_connection = body.is_domain_connection;
    if (typeof body.show_as_button === 'boolean') c.show_as_button = body.show_as_button;
    if (body.metadata !== undefined) c.metadata = asRecord(body.metadata) as Record<string, string>;
    if (body.authentication !== undefined)
      c.authentication = asRecord(body.authentication) as { active: boolean };
    if (body.connected_accounts !== undefined)
      c.connected_accounts = asRecord(body.connected_accounts) as { active: boolean };
    return json(200, connectionView(c));
  });
  route('DELETE', '/connections/{id}', ['delete:connections'], (req) => {
    const c = tenant.requireConnection(req.params.id!);
    tenant.connections.delete(c.id);
    tenant.scimConfigs.delete(c.id);
    for (const [id, t] of tenant.scimTokens) if (t.connection_id === c.id) tenant.scimTokens.delete(id);
    return json(202, { deleted_at: now() });
  });
  route('GET', '/connections/{id}/clients', ['read:connections'], (req) => {
    const c = tenant.requireConnection(req.params.id!);
    return json(
      200,
      paginate(
        c.enabled_clients.map((client_id) => ({ client_id })),
        req.query,
        'clients',
        { checkpointOnly: true },
      ),
    );
  });
  route('PATCH', '/connections/{id}/clients', ['update:connections'], (req) => {
    const c = tenant.requireConnection(req.params.id!);
    if (!Array.isArray(req.body))
      throw new HttpError(400, 'Payload validation error: expected an array', 'invalid_body');
    const set = new Set(c.enabled_clients);
    for (const item of req.body) {
      const rec = asRecord(item);
      if (rec.status === true) set.add(String(rec.client_id));
      else set.delete(String(rec.client_id));
    }
    c.enabled_clients = [...set];
    return { status: 204 };
  });
  route('GET', '/connections-directory-provisionings', ['read:directory_provisionings'], () =>
    json(200, { directory_provisionings: [] }),
  );

  // ---- SCIM configuration and tokens
  const scimView = (id: string) => {
    const cfg = tenant.scimConfigs.get(id);
    if (!cfg) throw new HttpError(404, 'SCIM configuration does not exist', 'inexistent_scim_configuration');
    const c = tenant.requireConnection(id);
    return {
      tenant_name: tenant.name,
      connection_id: c.id,
      connection_name: c.name,
      strategy: c.strategy,
      created_at: cfg.created_at,
      updated_on: cfg.updated_on,
      mapping: structuredClone(cfg.mapping),
      user_id_attribute: cfg.user_id_attribute,
    };
  };
  route('GET', '/connections-scim-configurations', ['read:scim_config'], (req) =>
    json(
      200,
      paginate([...tenant.scimConfigs.keys()].map(scimView), req.query, 'scim_configurations', {
        checkpointOnly: true,
      }),
    ),
  );
  route('GET', '/connections/{id}/scim-configuration', ['read:scim_config'], (req) => {
    tenant.requireConnection(req.params.id!);
    return json(200, scimView(req.params.id!));
  });
  route('GET', '/connections/{id}/scim-configuration/default-mapping', ['read:scim_config'], (req) => {
    tenant.requireConnection(req.params.id!);
    return json(200, { mapping: structuredClone(DEFAULT_SCIM_MAPPING) });
  });
  route('POST', '/connections/{id}/scim-configuration', ['create:scim_config'], (req) => {
    const c = tenant.requireConnection(req.params.id!);
    if (!['samlp', 'oidc', 'okta', 'waad'].includes(c.strategy)) {
      throw new HttpError(400, `SCIM is not supported for the ${c.strategy} strategy`, 'invalid_body');
    }
    if (tenant.scimConfigs.has(c.id))
      throw new HttpError(
        409,
        'SCIM configuration already exists for this connection',
        'scim_configuration_conflict',
      );
    const body = asRecord(req.body);
    allowOnly(body, ['mapping', 'user_id_attribute']);
    const time = now();
    tenant.scimConfigs.set(c.id, {
      connection_id: c.id,
      user_id_attribute: typeof body.user_id_attribute === 'string' ? body.user_id_attribute : 'externalId',
      mapping: body.mapping !== undefined ? mappingFrom(body.mapping) : structuredClone(DEFAULT_SCIM_MAPPING),
      created_at: time,
      updated_on: time,
    });
    return json(201, scimView(c.id));
  });
  route('PATCH', '/connections/{id}/scim-configuration', ['update:scim_config'], (req) => {
    tenant.requireConnection(req.params.id!);
    const cfg = tenant.scimConfigs.get(req.params.id!);
    if (!cfg) throw new HttpError(404, 'SCIM configuration does not exist', 'inexistent_scim_configuration');
    const body = asRecord(req.body);
    allowOnly(body, ['mapping', 'user_id_attribute']);
    cfg.user_id_attribute = requireString(body, 'user_id_attribute');
    cfg.mapping = mappingFrom(body.mapping);
    cfg.updated_on = now();
    return json(200, scimView(cfg.connection_id));
  });
  route('DELETE', '/connections/{id}/scim-configuration', ['delete:scim_config'], (req) => {
    tenant.requireConnection(req.params.id!);
    if (!tenant.scimConfigs.delete(req.params.id!))
      throw new HttpError(404, 'SCIM configuration does not exist', 'inexistent_scim_configuration');
    for (const [id, t] of tenant.scimTokens)
      if (t.connection_id === req.params.id) tenant.scimTokens.delete(id);
    return { status: 204 };
  });
  route('GET', '/connections/{id}/scim-configuration/tokens', ['read:scim_token'], (req) => {
    tenant.requireConnection(req.params.id!);
    const tokens = [...tenant.scimTokens.values()]
      .filter((t) => t.connection_id === req.params.id)
      .map((t) => ({
        token_id: t.token_id,
        scopes: [...t.scopes],
        created_at: t.created_at,
        ...(t.valid_until ? { valid_until: t.valid_until } : {}),
        ...(t.last_used_at ? { last_used_at: t.last_used_at } : {}),
      }));
    return json(200, tokens);
  });
  route('POST', '/connections/{id}/scim-configuration/tokens', ['create:scim_token'], (req) => {
    const body = asRecord(req.body);
    allowOnly(body, ['scopes', 'token_lifetime']);
    const scopes =
      body.scopes === undefined ? undefined : Array.isArray(body.scopes) ? body.scopes.map(String) : null;
    if (scopes === null || (scopes && scopes.length === 0))
      throw new HttpError(400, "Payload validation error: 'scopes' needs at least one item", 'invalid_body');
    const lifetime =
      body.token_lifetime === undefined || body.token_lifetime === null ? null : Number(body.token_lifetime);
    return json(201, tenant.createScimToken(req.params.id!, scopes, lifetime));
  });
  route('DELETE', '/connections/{id}/scim-configuration/tokens/{tokenId}', ['delete:scim_token'], (req) => {
    const t = tenant.scimTokens.get(req.params.tokenId!);
    if (!t || t.connection_id !== req.params.id)
      throw new HttpError(404, 'SCIM token does not exist', 'inexistent_scim_token');
    tenant.scimTokens.delete(t.token_id);
    return { status: 204 };
  });

  // ---- actions
  const requireVersion = (action: Action, id: string) => {
    const v = action.versions.find((x) => x.id === id);
    if (!v) throw new HttpError(404, 'That action version does not exist.', 'action_version_not_found');
    return v;
  };
  /** Makes `version` the only deployed one. */
  const publish = (action: Action, version: ActionVersion) => {
    for (const v of action.versions) v.deployed = false;
    action.versions.push(version);
    action.deployed_version_id = version.id;
    return version;
  };
  route('GET', '/actions/triggers', ['read:actions'], () =>
    json(200, {
      triggers: [
        {
          id: 'event-stream',
          version: 'v1',
          status: 'CURRENT',
          runtimes: ['node22'],
          default_runtime: 'node22',
          compatible_triggers: [],
        },
        {
          id: 'post-login',
          version: 'v3',
          status: 'CURRENT',
          runtimes: ['node18', 'node22'],
          default_runtime: 'node22',
          compatible_triggers: [],
        },
      ],
    }),
  );
  // Action modules are not modelled: the tenant has none (deploy-cli lists them to enrich actions).
  route('GET', '/actions/modules', ['read:actions'], (req) =>
    json(200, {
      modules: [],
      total: 0,
      page: queryInt(req.query, 'page') ?? 0,
      per_page: queryInt(req.query, 'per_page') ?? 50,
    }),
  );
  route('GET', '/actions/actions', ['read:actions'], (req) => {
    const name = req.query.get('actionName');
    const trigger = req.query.get('triggerId');
    const deployed = queryBool(req.query, 'deployed');
    const all = [...tenant.actions.values()]
      .filter((a) => !name || a.name === name)
      .filter((a) => !trigger || a.supported_triggers.some((t) => t.id === trigger))
      .filter((a) => deployed === undefined || !!a.deployed_version_id === deployed);
    return json(
      200,
      actionsPage(all, req.query, 'actions', (a) => actionView(a, tenant)),
    );
  });
  route('POST', '/actions/actions', ['create:actions'], (req) => {
    const body = asRecord(req.body);
    allowOnly(body, [
      'name',
      'supported_triggers',
      'code',
      'dependencies',
      'runtime',
      'secrets',
      'modules',
      'deploy',
    ]);
    const name = requireString(body, 'name');
    if (!Array.isArray(body.supported_triggers) || body.supported_triggers.length === 0) {
      throw new HttpError(
        400,
        "Payload validation error: 'Missing required property: supported_triggers'.",
        'invalid_body',
      );
    }
    if ([...tenant.actions.values()].some((a) => a.name === name))
      throw new HttpError(409, `An action with the name '${name}' already exists.`, 'action_conflict');
    const time = now();
    const action: Action = {
      id: newUuid(),
      name,
      supported_triggers: structuredClone(body.supported_triggers) as Action['supported_triggers'],
      code: typeof body.code === 'string' ? body.code : '',
      dependencies: Array.isArray(body.dependencies)
        ? (structuredClone(body.dependencies) as Action['dependencies'])
        : [],
      runtime: typeof body.runtime === 'string' ? body.runtime : 'node22',
      secrets: body.secrets !== undefined ? secretsFrom(body.secrets, [], time) : [],
      modules: Array.isArray(body.modules) ? structuredClone(body.modules) : [],
      status: 'pending',
      created_at: time,
      updated_at: time,
      all_changes_deployed: false,
      versions: [],
    };
    tenant.actions.set(action.id, action);
    tenant.scheduleBuild(action);
    return json(201, actionView(action, tenant));
  });
  route('GET', '/actions/actions/{id}', ['read:actions'], (req) =>
    json(200, actionView(tenant.requireAction(req.params.id!), tenant)),
  );
  route('PATCH', '/actions/actions/{id}', ['update:actions'], (req) => {
    const action = tenant.requireAction(req.params.id!);
    const body = asRecord(req.body);
    allowOnly(body, ['name', 'supported_triggers', 'code', 'dependencies', 'runtime', 'secrets', 'modules']);
    const time = now();
    if (typeof body.name === 'string') action.name = body.name;
    if (Array.isArray(body.supported_triggers))
      action.supported_triggers = structuredClone(body.supported_triggers) as Action['supported_triggers'];
    if (typeof body.code === 'string') action.code = body.code;
    if (Array.isArray(body.dependencies))
      action.dependencies = structuredClone(body.dependencies) as Action['dependencies'];
    if (typeof body.runtime === 'string') action.runtime = body.runtime;
    if (body.secrets !== undefined) action.secrets = secretsFrom(body.secrets, action.secrets, time);
    if (Array.isArray(body.modules)) action.modules = structuredClone(body.modules);
    action.updated_at = time;
    action.all_changes_deployed = false;
    tenant.scheduleBuild(action);
    return json(200, actionView(action, tenant));
  });
  route('DELETE', '/actions/actions/{id}', ['delete:actions'], (req) => {
    const action = tenant.requireAction(req.params.id!);
    const bound = [...tenant.eventStreams.values()].some(
      (s) => s.destination.configuration.action_id === action.id,
    );
    if (bound && req.query.get('force') !== 'true')
      throw new HttpError(400, 'The action is bound to an event stream; use force=true', 'action_bound');
    tenant.actions.delete(action.id);
    return { status: 204 };
  });
  route('POST', '/actions/actions/{id}/deploy', ['create:actions'], (req) => {
    const action = tenant.requireAction(req.params.id!);
    if (action.status !== 'built') {
      throw new HttpError(
        400,
        "An action must be in the 'built' state before it can be deployed.",
        'action_not_built',
      );
    }
    const time = now();
    const version = publish(action, {
      id: newUuid(),
      action_id: action.id,
      number: action.versions.length + 1,
      code: action.code,
      dependencies: structuredClone(action.dependencies),
      runtime: action.runtime,
      secrets: structuredClone(action.secrets),
      supported_triggers: structuredClone(action.supported_triggers),
      status: 'built',
      deployed: true,
      created_at: time,
      updated_at: time,
      built_at: action.built_at ?? time,
    });
    action.all_changes_deployed = true;
    return json(202, versionView(version, action));
  });
  // Roll back: deploy an earlier version again (as a new version number), optionally as the draft too.
  route('POST', '/actions/actions/{actionId}/versions/{id}/deploy', ['create:actions'], (req) => {
    const action = tenant.requireAction(req.params.actionId!);
    const source = requireVersion(action, req.params.id!);
    const body = asRecord(req.body);
    allowOnly(body, ['update_draft']);
    const time = now();
    const version = publish(action, {
      ...structuredClone(source),
      id: newUuid(),
      number: action.versions.length + 1,
      deployed: true,
      created_at: time,
      updated_at: time,
    });
    if (body.update_draft === true) {
      action.code = version.code;
      action.dependencies = structuredClone(version.dependencies);
      action.runtime = version.runtime;
      action.secrets = structuredClone(version.secrets);
      action.updated_at = time;
    }
    action.all_changes_deployed = action.code === version.code;
    return json(202, versionView(version, action));
  });
  route('GET', '/actions/actions/{actionId}/versions', ['read:actions'], (req) => {
    const action = tenant.requireAction(req.params.actionId!);
    const newestFirst = [...action.versions].reverse();
    return json(
      200,
      actionsPage(newestFirst, req.query, 'versions', (v) => versionView(v, action)),
    );
  });
  route('GET', '/actions/actions/{actionId}/versions/{id}', ['read:actions'], (req) => {
    const action = tenant.requireAction(req.params.actionId!);
    return json(200, versionView(requireVersion(action, req.params.id!), action));
  });

  // ---- event streams
  const requireStream = (id: string) => {
    const s = tenant.eventStreams.get(id);
    if (!s) throw new HttpError(404, 'Event stream not found', 'inexistent_event_stream');
    return s;
  };
  const validateSubscriptions = (value: unknown): EventStream['subscriptions'] => {
    if (!Array.isArray(value) || value.length === 0)
      throw new HttpError(
        400,
        "Payload validation error: 'subscriptions' needs at least one item",
        'invalid_body',
      );
    return value.map((s) => ({ event_type: requireString(asRecord(s), 'event_type') }));
  };
  route('GET', '/event-streams', ['read:event_streams'], (req) =>
    json(
      200,
      paginate([...tenant.eventStreams.values()].map(streamView), req.query, 'eventStreams', {
        checkpointOnly: true,
      }),
    ),
  );
  route('POST', '/event-streams', ['create:event_streams'], (req) => {
    const body = asRecord(req.body);
    allowOnly(body, ['name', 'subscriptions', 'destination', 'status']);
    const destination = asRecord(body.destination);
    const type = requireString(destination, 'type');
    if (!['webhook', 'eventbridge', 'action'].includes(type))
      throw new HttpError(400, `Unsupported destination type ${type}`, 'invalid_body');
    const configuration = asRecord(destination.configuration);
    if (type === 'action' && !tenant.actions.has(String(configuration.action_id))) {
      throw new HttpError(400, `Action ${String(configuration.action_id)} does not exist`, 'invalid_body');
    }
    const time = now();
    const stream: EventStream = {
      id: newEventStreamId(),
      name: typeof body.name === 'string' ? body.name : `stream-${time}`,
      status: body.status === 'disabled' ? 'disabled' : 'enabled',
      subscriptions: validateSubscriptions(body.subscriptions),
      destination: { type, configuration: structuredClone(configuration) },
      created_at: time,
      updated_at: time,
    };
    tenant.eventStreams.set(stream.id, stream);
    return json(201, streamView(stream));
  });
  route('GET', '/event-streams/{id}', ['read:event_streams'], (req) =>
    json(200, streamView(requireStream(req.params.id!))),
  );
  route('PATCH', '/event-streams/{id}', ['update:event_streams'], (req) => {
    const stream = requireStream(req.params.id!);
    const body = asRecord(req.body);
    allowOnly(body, ['name', 'subscriptions', 'destination', 'status']);
    if (body.destination !== undefined && ['action', 'eventbridge'].includes(stream.destination.type)) {
      throw new HttpError(
        400,
        `The destination of a ${stream.destination.type} event stream cannot be changed`,
        'invalid_body',
      );
    }
    if (typeof body.name === 'string') stream.name = body.name;
    if (body.status === 'enabled' || body.status === 'disabled') stream.status = body.status;
    if (body.subscriptions !== undefined) stream.subscriptions = validateSubscriptions(body.subscriptions);
    if (body.destination !== undefined) {
      const d = asRecord(body.destination);
      stream.destination = {
        ...stream.destination,
        configuration: { ...stream.destination.configuration, ...asRecord(d.configuration) },
      };
    }
    stream.updated_at = now();
    return json(200, streamView(stream));
  });
  route('DELETE', '/event-streams/{id}', ['delete:event_streams'], (req) => {
    const stream = requireStream(req.params.id!);
    tenant.eventStreams.delete(stream.id);
    return { status: 204 };
  });
  const filterDeliveries = (
    streamId: string,
    filters: { statuses?: string[]; event_types?: string[]; date_from?: string; date_to?: string },
  ) =>
    tenant.delivery
      .failed(streamId)
      .filter(() => !filters.statuses?.length || filters.statuses.includes('failed'))
      .filter((r) => !filters.event_types?.length || filters.event_types.includes(r.event_type))
      .filter((r) => !filters.date_from || r.created_at >= new Date(filters.date_from).toISOString())
      .filter((r) => !filters.date_to || r.created_at <= new Date(filters.date_to).toISOString());
  const csv = (v: string | null) =>
    v
      ? v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  route('GET', '/event-streams/{id}/deliveries', ['read:event_streams', 'read:event_deliveries'], (req) => {
    requireStream(req.params.id!);
    const list = filterDeliveries(req.params.id!, {
      statuses: csv(req.query.get('statuses')),
      event_types: csv(req.query.get('event_types')),
      date_from: req.query.get('date_from') ?? undefined,
      date_to: req.query.get('date_to') ?? undefined,
    }).map(deliveryView);
    // The OpenAPI describes a plain array; the SDK (7.1) pages with from/take and reads
    // { deliveries, next }. Answer in the shape the caller asked for.
    return json(
      200,
      req.query.has('from') || req.query.has('take') ? paginate(list, req.query, 'deliveries') : list,
    );
  });
  route('GET', '/event-streams/{id}/deliveries/{event_id}', ['read:event_deliveries'], (req) => {
    requireStream(req.params.id!);
    const r = tenant.delivery.records.get(req.params.event_id!);
    if (!r || r.event_stream_id !== req.params.id || r.status !== 'failed')
      throw new HttpError(404, 'Event delivery not found', 'inexistent_event_delivery');
    return json(200, deliveryView(r));
  });
  route('POST', '/event-streams/{id}/redeliver', ['update:event_deliveries'], (req) => {
    requireStream(req.params.id!);
    const body = asRecord(req.body);
    allowOnly(body, ['date_from', 'date_to', 'event_types', 'statuses']);
    const filters = {
      statuses: Array.isArray(body.statuses) ? body.statuses.map(String) : undefined,
      event_types: Array.isArray(body.event_types) ? body.event_types.map(String) : undefined,
      date_from: typeof body.date_from === 'string' ? body.date_from : undefined,
      date_to: typeof body.date_to === 'string' ? body.date_to : undefined,
    };
    for (const r of filterDeliveries(req.params.id!, filters)) tenant.delivery.redeliver(r);
    return json(202, structuredClone(body));
  });
  route('POST', '/event-streams/{id}/redeliver/{event_id}', ['update:event_deliveries'], (req) => {
    requireStream(req.params.id!);
    const r = tenant.delivery.records.get(req.params.event_id!);
    if (!r || r.event_stream_id !== req.params.id)
      throw new HttpError(404, 'Event delivery not found', 'inexistent_event_delivery');
    if (!tenant.delivery.redeliver(r))
      throw new HttpError(409, `Event ${r.id} is not in a failed state`, 'event_not_failed');
    return { status: 202 };
  });

  // ---- users (read; update/delete for tests and tools — they emit user events like Auth0)
  const requireUser = (id: string) => {
    const u = tenant.users.get(id);
    if (!u) throw new HttpError(404, 'The user does not exist.', 'inexistent_user');
    return u;
  };
  route('GET', '/users', ['read:users'], (req) => {
    const q = req.query.get('q');
    const connection = req.query.get('connection');
    const users = tenant.users
      .list()
      .filter((u) => !connection || u.identities.some((i) => i.connection === connection))
      .filter((u) => !q || matchesQuery(u, q));
    return json(200, paginate(users, req.query, 'users'));
  });
  route('GET', '/users/{id}', ['read:users'], (req) => json(200, requireUser(req.params.id!)));
  route('PATCH', '/users/{id}', ['update:users'], (req) => {
    const u = requireUser(req.params.id!);
    const body = asRecord(req.body);
    allowOnly(body, [
      'blocked',
      'email',
      'email_verified',
      'given_name',
      'family_name',
      'name',
      'nickname',
      'picture',
      'app_metadata',
      'user_metadata',
    ]);
    // Auth0 merges metadata objects one level deep; null removes a key.
    const merge = (prev: unknown, next: unknown) => {
      const out = { ...asRecord(prev) };
      for (const [k, v] of Object.entries(asRecord(next))) {
        if (v === null) delete out[k];
        else out[k] = v;
      }
      return out;
    };
    const patch: Record<string, unknown> = { ...body };
    if (body.app_metadata !== undefined) patch.app_metadata = merge(u.app_metadata, body.app_metadata);
    if (body.user_metadata !== undefined) patch.user_metadata = merge(u.user_metadata, body.user_metadata);
    const connection = tenant.connectionByName(u.identities[0]?.connection ?? '');
    return json(200, tenant.users.update(u.user_id, patch, connection));
  });
  route('DELETE', '/users/{id}', ['delete:users'], (req) => {
    const u = requireUser(req.params.id!);
    tenant.users.delete(u.user_id, tenant.connectionByName(u.identities[0]?.connection ?? ''));
    return { status: 204 };
  });
}
