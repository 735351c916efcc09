/**
 * startLocalAuth0(): the local tenant over HTTPS on 127.0.0.1 —
 *   /oauth/token                        client_credentials
 *   /api/v2/...                         Management API subset (management.ts)
 *   /scim/v2/connections/{id}/Users     Inbound SCIM (scim.ts)
 *   /__local/...                        control surface for tests and out-of-process tools (not Auth0)
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { ensureTlsMaterial } from './certs';
import {
  HttpError,
  Router,
  asRecord,
  json,
  parseBody,
  readBody,
  send,
  type Reply,
  type Request,
} from './http';
import { managementError, registerManagementRoutes } from './management';
import { registerScimRoutes, scimErrorReply } from './scim';
import { LocalTenant, type LocalTenantOptions } from './tenant';
import { deliveryView } from './management';

export interface LocalAuth0Options extends LocalTenantOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Directory for the CA/TLS files (reused across starts). Default: a fresh temporary directory. */
  stateDir?: string;
  /** Log every request to stderr. */
  logRequests?: boolean;
}

export interface LocalAuth0 {
  tenant: LocalTenant;
  /** https://127.0.0.1:PORT */
  baseUrl: string;
  /** 127.0.0.1:PORT — what AUTH0_DOMAIN / the SDK's `domain` take. */
  domain: string;
  port: number;
  /** Pass as NODE_EXTRA_CA_CERTS to child processes (Node reads it at start only). */
  caCertPath: string;
  caCert: string;
  clientId: string;
  clientSecret: string;
  /** Requests that matched no route (method + path), to spot API calls the stand-in lacks. */
  unhandled: Array<{ method: string; path: string; time: string }>;
  drain(): Promise<void>;
  stop(): Promise<void>;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function startLocalAuth0(options: LocalAuth0Options = {}): Promise<LocalAuth0> {
  const tls = await ensureTlsMaterial(options.stateDir);
  const tenant = new LocalTenant(options);
  const unhandled: LocalAuth0['unhandled'] = [];
  let baseUrl = '';

  const api = new Router();
  registerManagementRoutes(api, tenant);
  const scim = new Router();
  registerScimRoutes(scim, tenant, () => baseUrl);
  const control = registerControlRoutes(new Router(), tenant, unhandled);

  const oauthToken = (req: Request): Reply => {
    const body = asRecord(req.body);
    if (body.grant_type !== 'client_credentials') {
      return json(403, {
        error: 'unauthorized_client',
        error_description: `Grant type '${String(body.grant_type)}' not allowed for the client.`,
      });
    }
    try {
      const token = tenant.issueToken(
        String(body.client_id ?? ''),
        String(body.client_secret ?? ''),
        String(body.audience ?? ''),
        typeof body.scope === 'string' ? body.scope : undefined,
      );
      return json(200, token);
    } catch (err) {
      const e = err as HttpError;
      return json(e.status ?? 401, { error: e.code ?? 'access_denied', error_description: e.message });
    }
  };

  const server = https.createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://127.0.0.1');
      const method = (req.method ?? 'GET').toUpperCase();
      const path = url.pathname;
      const surface = path.startsWith('/api/v2/')
        ? 'api'
        : path.startsWith('/scim/v2/')
          ? 'scim'
          : path.startsWith('/__local/')
            ? 'control'
            : 'other';
      let reply: Reply;
      try {
        const rawBody = await readBody(req);
        const request: Request = {
          method,
          path,
          query: url.searchParams,
          params: {},
          headers: req.headers,
          rawBody,
          body: parseBody(rawBody, req.headers['content-type']),
        };
        if (path === '/oauth/token' && method === 'POST') reply = oauthToken(request);
        else {
          const router =
            surface === 'api' ? api : surface === 'scim' ? scim : surface === 'control' ? control : undefined;
          const found = router?.match(method, path);
          if (!found || !('handler' in found)) {
            unhandled.push({ method, path, time: new Date().toISOString() });
            const allowed = found && 'allowed' in found ? found.allowed : [];
            const status = allowed.length ? 405 : 404;
            reply =
              surface === 'scim'
                ? scimErrorReply(status, `No route ${method} ${path}`)
                : managementError(status, status === 404 ? 'Not Found' : 'Method Not Allowed');
          } else {
            request.params = found.params;
            reply = await found.handler(request);
          }
        }
      } catch (err) {
        if (err instanceof HttpError) {
          reply =
            surface === 'scim'
              ? scimErrorReply(err.status, err.message)
              : managementError(err.status, err.message, err.code);
        } else {
          reply = managementError(500, err instanceof Error ? err.message : String(err));
          process.stderr.write(
            `[local-auth0] ${method} ${path} failed: ${err instanceof Error ? err.stack : String(err)}\n`,
          );
        }
      }
      if (surface === 'api' && MUTATING.has(method)) {
        tenant.recordMutation(method, path, reply.status, req.headers['x-auth0-deploy-mode'] === 'dry-run');
      }
      if (options.logRequests)
        process.stderr.write(
          `[local-auth0 ${new Date().toISOString().slice(14, 23)}] ${method} ${path}${url.search} -> ${reply.status}\n`,
        );
      send(res, reply);
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `https://127.0.0.1:${port}`;
  tenant.domain = `127.0.0.1:${port}`;

  return {
    tenant,
    baseUrl,
    domain: tenant.domain,
    port,
    caCertPath: tls.caCertPath,
    caCert: tls.caCert,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    unhandled,
    drain: () => tenant.drain(),
    stop: async () => {
      tenant.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** /__local/*: state for assertions and reports. Not part of Auth0; loopback only, no auth. */
function registerControlRoutes(
  router: Router,
  tenant: LocalTenant,
  unhandled: LocalAuth0['unhandled'],
): Router {
  router.add('GET', '/__local/health', () =>
    json(200, { ok: true, tenant: tenant.name, domain: tenant.domain }),
  );
  // ?type=user.created filters; ?since=N returns events after the first N (poll with the last count).
  router.add('GET', '/__local/events', (req) => {
    const type = req.query.get('type');
    const since = Number(req.query.get('since') ?? 0) || 0;
    return json(
      200,
      tenant.events.slice(since).filter((e) => !type || e.type === type),
    );
  });

  router.add('GET', '/__local/deliveries', () =>
    json(
      200,
      tenant.deliveries().map((r) => ({
        id: r.id,
        event_stream_id: r.event_stream_id,
        event_type: r.event_type,
        status: r.status,
        executions: r.executions,
        redeliveries: r.redeliveries,
        attempts: r.attempts,
        created_at: r.created_at,
        updated_at: r.updated_at,
        logs: r.logs,
      })),
    ),
  );
  router.add('GET', '/__local/deliveries/failed', () =>
    json(
      200,
      tenant
        .deliveries()
        .filter((r) => r.status === 'failed')
        .map(deliveryView),
    ),
  );
  router.add('GET', '/__local/mutations', () => {
    const list = tenant.mutations();
    return json(200, { count: list.length, mutations: list });
  });
  router.add('POST', '/__local/mutations/reset', () => {
    tenant.resetMutations();
    return json(200, { count: 0 });
  });
  router.add('GET', '/__local/unhandled', () => json(200, unhandled));
  router.add('POST', '/__local/drain', async () => {
    await tenant.drain();
    return json(200, { idle: true });
  });
  router.add('GET', '/__local/scopes', () => json(200, { scopes: tenant.grantedScopes }));
  router.add('PUT', '/__local/scopes', (req) => {
    const scopes = asRecord(req.body).scopes;
    if (!Array.isArray(scopes)) throw new HttpError(400, 'Body must be { "scopes": [...] }');
    tenant.grantedScopes = scopes.map(String);
    return json(200, { scopes: tenant.grantedScopes });
  });
  router.add('PATCH', '/__local/delivery', (req) => {
    const body = asRecord(req.body);
    tenant.delivery.configure(body);
    return json(200, tenant.delivery.settings());
  });
  router.add('GET', '/__local/delivery', () => json(200, tenant.delivery.settings()));
  router.add('POST', '/__local/scim-tokens', (req) => {
    const body = asRecord(req.body);
    const connection = tenant.connectionByName(String(body.connection ?? ''));
    if (!connection) throw new HttpError(404, `No connection named ${String(body.connection)}`);
    return json(201, tenant.createScimToken(connection.id));
  });
  router.add('GET', '/__local/users', () => json(200, tenant.users.list()));
  return router;
}
