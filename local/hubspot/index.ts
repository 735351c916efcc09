/**
 * Local HubSpot (CRM v3 contacts + contact properties) on loopback. See local/hubspot/README.md.
 *
 *   const hs = await startLocalHubSpot({ accessToken: 'pat-test-token', searchLagMs: 200 });
 *   new Client({ accessToken: 'pat-test-token', basePath: hs.baseUrl });
 *   ...
 *   await hs.stop();
 */
import {
  JsonParseError,
  RollingWindowLimiter,
  jsonReply,
  startStandin,
  type IncomingRequest,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';
import { HubSpotApiError, errorBody, rateLimited, unauthenticated, validation } from './errors';
import { HubSpotStore, type ContactRecord } from './store';
import type { PropertyDefinition } from './properties';

export interface RateLimitSetting {
  max: number;
  windowMs: number;
}

export interface LocalHubSpotOptions extends StandinOptions {
  /** The private-app token clients must send as `Authorization: Bearer <token>`. */
  accessToken?: string;
  /** Delay before a write becomes visible to search. Default 1500 ms. */
  searchLagMs?: number;
  /** TEN_SECONDLY_ROLLING burst limit per token. Default 100 per 10 000 ms (private app, Free/Starter). false = off. */
  rateLimit?: RateLimitSetting | false;
  /** Search endpoints' own limit per token. Default 5 per 1000 ms. false = off. */
  searchRateLimit?: RateLimitSetting | false;
  /** Daily limit reported in X-HubSpot-RateLimit-Daily (not enforced). */
  dailyLimit?: number;
  portalId?: number;
  firstId?: number;
  /** Custom contact properties to create at start (PropertyCreate bodies). */
  properties?: unknown[];
  clock?: () => number;
}

export interface LocalHubSpot extends StandinServer {
  readonly accessToken: string;
  readonly store: HubSpotStore;
  /** Live (non-archived) contacts, current state without search lag. */
  contacts(): ContactRecord[];
  archivedContacts(): ContactRecord[];
  /** The live contact holding this value of a unique property (email by default), or undefined. */
  findContact(value: string, idProperty?: string): ContactRecord | undefined;
  properties(): PropertyDefinition[];
  flushSearchIndex(): void;
  setSearchLag(ms: number): void;
  setRateLimit(limit: RateLimitSetting | false): void;
  setSearchRateLimit(limit: RateLimitSetting | false): void;
}

export const DEFAULT_HUBSPOT_TOKEN = 'pat-local-hubspot';
const DEFAULT_RATE: RateLimitSetting = { max: 100, windowMs: 10_000 };
const DEFAULT_SEARCH_RATE: RateLimitSetting = { max: 5, windowMs: 1000 };

const CONTACTS = '/crm/v3/objects/contacts';
const PROPS = '/crm/v3/properties/contacts';

function listParam(q: URLSearchParams, name: string): string[] | undefined {
  const all = q.getAll(name);
  if (all.length === 0) return undefined;
  return all
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function parseRateLimit(v: unknown, name: string): RateLimitSetting | false | undefined {
  if (v === undefined) return undefined;
  if (v === false) return false;
  const o = v as Partial<RateLimitSetting>;
  if (typeof o?.max !== 'number' || typeof o?.windowMs !== 'number' || o.max < 1 || o.windowMs < 1) {
    throw new Error(`${name} must be false or { max >= 1, windowMs >= 1 }`);
  }
  return { max: o.max, windowMs: o.windowMs };
}

export async function startLocalHubSpot(opts: LocalHubSpotOptions = {}): Promise<LocalHubSpot> {
  let accessToken = opts.accessToken ?? DEFAULT_HUBSPOT_TOKEN;
  const clock = opts.clock ?? Date.now;
  const store = new HubSpotStore({
    portalId: opts.portalId,
    searchLagMs: opts.searchLagMs,
    firstId: opts.firstId,
    clock,
  });
  const seed = () => {
    for (const p of opts.properties ?? []) store.createProperty(p);
  };
  seed();

  const rate = opts.rateLimit === false ? undefined : (opts.rateLimit ?? DEFAULT_RATE);
  const searchRate =
    opts.searchRateLimit === false ? undefined : (opts.searchRateLimit ?? DEFAULT_SEARCH_RATE);
  let limiter = rate ? new RollingWindowLimiter(rate.max, rate.windowMs) : undefined;
  let searchLimiter = searchRate ? new RollingWindowLimiter(searchRate.max, searchRate.windowMs) : undefined;
  const dailyLimit = opts.dailyLimit ?? 250_000;
  let dailyUsed = 0;

  const route = (req: IncomingRequest): Reply => {
    const { method, path, query } = req;
    const body = req.json;
    if (body instanceof JsonParseError) {
      throw validation(`Invalid input JSON on line 1: ${body.message}`);
    }
    const archived = query.get('archived') === 'true';

    if (path === CONTACTS && method === 'GET') {
      const limit = query.get('limit');
      return jsonReply(
        200,
        store.list({
          limit: limit === null ? undefined : Number(limit),
          after: query.get('after') ?? undefined,
          properties: listParam(query, 'properties'),
          archived,
        }),
      );
    }
    if (path === CONTACTS && method === 'POST') return jsonReply(201, store.create(body));
    if (path === `${CONTACTS}/batch/upsert` && method === 'POST')
      return jsonReply(200, store.batchUpsert(body));
    if (path === `${CONTACTS}/batch/read` && method === 'POST') {
      const r = store.batchRead(body, archived);
      return jsonReply(r.status, r.body);
    }
    if (path === `${CONTACTS}/batch/archive` && method === 'POST') {
      store.batchArchive(body);
      return { status: 204 };
    }
    if (path === `${CONTACTS}/search` && method === 'POST') return jsonReply(200, store.search(body));
    const contactId = path.startsWith(`${CONTACTS}/`)
      ? decodeURIComponent(path.slice(CONTACTS.length + 1))
      : '';
    if (contactId !== '' && !contactId.includes('/')) {
      const idProperty = query.get('idProperty') ?? undefined;
      if (method === 'GET') {
        return jsonReply(
          200,
          store.get(contactId, { idProperty, properties: listParam(query, 'properties'), archived }),
        );
      }
      if (method === 'PATCH') return jsonReply(200, store.update(contactId, body, idProperty));
      if (method === 'DELETE') {
        store.archive(contactId);
        return { status: 204 };
      }
    }

    if (path === `${PROPS}/groups` && method === 'GET')
      return jsonReply(200, { results: store.listGroups() });
    if (path === `${PROPS}/groups` && method === 'POST') return jsonReply(201, store.createGroup(body));
    const groupName = path.startsWith(`${PROPS}/groups/`)
      ? decodeURIComponent(path.slice(PROPS.length + 8))
      : '';
    if (groupName !== '') {
      if (method === 'GET') return jsonReply(200, store.getGroup(groupName));
      if (method === 'PATCH') return jsonReply(200, store.updateGroup(groupName, body));
    }
    if (path === PROPS && method === 'GET')
      return jsonReply(200, { results: store.listProperties(archived) });
    if (path === PROPS && method === 'POST') return jsonReply(201, store.createProperty(body));
    const propName = path.startsWith(`${PROPS}/`) ? decodeURIComponent(path.slice(PROPS.length + 1)) : '';
    if (propName !== '' && !propName.includes('/')) {
      if (method === 'GET') return jsonReply(200, store.getProperty(propName, archived));
      if (method === 'PATCH') return jsonReply(200, store.updateProperty(propName, body));
      if (method === 'DELETE') {
        store.archiveProperty(propName);
        return { status: 204 };
      }
    }
    return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Not Found' };
  };

  const rateHeaders = (remaining: number): Record<string, string> =>
    limiter === undefined
      ? {}
      : {
          'X-HubSpot-RateLimit-Max': String(limiter.max),
          'X-HubSpot-RateLimit-Remaining': String(remaining),
          'X-HubSpot-RateLimit-Interval-Milliseconds': String(limiter.windowMs),
          'X-HubSpot-RateLimit-Daily': String(dailyLimit),
          'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, dailyLimit - dailyUsed)),
        };

  const server = await startStandin(
    {
      name: 'hubspot',
      handle(req) {
        const auth = req.headers.authorization;
        if (auth !== `Bearer ${accessToken}`) return jsonReply(401, unauthenticated());
        const now = clock();
        let remaining = limiter?.max ?? 0;
        if (limiter !== undefined) {
          const r = limiter.hit(accessToken, now);
          if (!r.allowed) return jsonReply(429, rateLimited('TEN_SECONDLY_ROLLING'), rateHeaders(0));
          remaining = r.remaining;
        }
        if (searchLimiter !== undefined && req.method === 'POST' && req.path.endsWith('/search')) {
          if (!searchLimiter.hit(accessToken, now).allowed) {
            return jsonReply(429, rateLimited('SECONDLY'), rateHeaders(remaining));
          }
        }
        dailyUsed++;
        try {
          const reply = route(req);
          return { ...reply, headers: { ...rateHeaders(remaining), ...(reply.headers ?? {}) } };
        } catch (e) {
          if (e instanceof HubSpotApiError) return jsonReply(e.status, e.body, rateHeaders(remaining));
          throw e;
        }
      },
      errorReply(status) {
        const category = status >= 500 ? 'INTERNAL_ERROR' : 'ERROR';
        const message = status >= 500 ? 'internal error' : `injected ${status}`;
        return jsonReply(status, errorBody(category, message));
      },
      control({ method, subpath, json }) {
        if (subpath === '/state' && method === 'GET') {
          return jsonReply(200, {
            contacts: store.snapshot({ archived: false }),
            archived: store.snapshot({ archived: true }),
            properties: store.listProperties().filter((p) => !p.hubspotDefined),
            searchLagMs: store.searchLagMs,
            rateLimit: limiter ? { max: limiter.max, windowMs: limiter.windowMs } : false,
            searchRateLimit: searchLimiter
              ? { max: searchLimiter.max, windowMs: searchLimiter.windowMs }
              : false,
          });
        }
        if (subpath === '/config' && method === 'POST') {
          try {
            const o = (json ?? {}) as Record<string, unknown>;
            const r = parseRateLimit(o.rateLimit, 'rateLimit');
            const s = parseRateLimit(o.searchRateLimit, 'searchRateLimit');
            if (o.searchLagMs !== undefined) {
              if (typeof o.searchLagMs !== 'number' || o.searchLagMs < 0)
                throw new Error('searchLagMs must be >= 0');
              store.searchLagMs = o.searchLagMs;
            }
            if (o.accessToken !== undefined) {
              if (typeof o.accessToken !== 'string' || o.accessToken === '')
                throw new Error('accessToken must be a string');
              accessToken = o.accessToken;
            }
            if (r !== undefined) api.setRateLimit(r);
            if (s !== undefined) api.setSearchRateLimit(s);
            return { status: 204 };
          } catch (e) {
            return jsonReply(400, { error: (e as Error).message });
          }
        }
        if (subpath === '/search-index/flush' && method === 'POST') {
          store.flushSearchIndex();
          return { status: 204 };
        }
        return undefined;
      },
      reset() {
        store.reset();
        seed();
        limiter?.reset();
        searchLimiter?.reset();
        dailyUsed = 0;
      },
    },
    opts,
  );

  const api: LocalHubSpot = {
    ...server,
    get accessToken() {
      return accessToken;
    },
    store,
    contacts: () => store.snapshot({ archived: false }),
    archivedContacts: () => store.snapshot({ archived: true }),
    findContact(value: string, idProperty = 'email') {
      const wanted = idProperty === 'email' ? value.toLowerCase() : value;
      return store.snapshot({ archived: false }).find((c) => c.properties[idProperty] === wanted);
    },
    properties: () => store.listProperties(),
    flushSearchIndex: () => store.flushSearchIndex(),
    setSearchLag(ms: number) {
      store.searchLagMs = ms;
    },
    setRateLimit(l: RateLimitSetting | false) {
      limiter = l === false ? undefined : new RollingWindowLimiter(l.max, l.windowMs);
    },
    setSearchRateLimit(l: RateLimitSetting | false) {
      searchLimiter = l === false ? undefined : new RollingWindowLimiter(l.max, l.windowMs);
    },
  };
  return api;
}

export { HubSpotStore } from './store';
export type { ContactRecord, PublicObject } from './store';
export type { PropertyDefinition, PropertyGroup } from './properties';
