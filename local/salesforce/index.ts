/**
 * Local Salesforce: OAuth 2.0 client-credentials token endpoint and the REST sObject calls an upsert-by-
 * external-ID integration makes on Contact. See local/salesforce/README.md for sources and assumptions.
 *
 *   const sf = await startLocalSalesforce({ clientId: 'cid', clientSecret: 'test-secret', tokenTtlMs: 60_000 });
 *   POST {sf.baseUrl}/services/oauth2/token  grant_type=client_credentials&client_id=…&client_secret=…
 *   PATCH {sf.baseUrl}/services/data/v60.0/sobjects/Contact/Auth0_User_Id__c/auth0|123   (Bearer <access_token>)
 */
import { randomBytes } from 'node:crypto';
import {
  JsonParseError,
  REDACTED,
  RollingWindowLimiter,
  jsonReply,
  setNumericConfig,
  startStandin,
  type IncomingRequest,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';

export interface SalesforceField {
  name: string;
  type: 'string' | 'email' | 'boolean' | 'id';
  /** External ID fields can be used in the upsert URL; they are unique here (Unique + External ID). */
  externalId?: boolean;
  required?: boolean;
}

export interface LocalSalesforceOptions extends StandinOptions {
  clientId?: string;
  clientSecret?: string;
  /** Lifetime of an access token; afterwards calls answer 401 INVALID_SESSION_ID. Default 2 h. */
  tokenTtlMs?: number;
  /** Custom Contact fields besides the standard ones. Default: Auth0_User_Id__c (external id), Active__c. */
  customFields?: SalesforceField[];
  /** Org-wide API request allowance over `requestLimit.windowMs` (REQUEST_LIMIT_EXCEEDED). Off by default. */
  requestLimit?: { max: number; windowMs: number } | false;
  clock?: () => number;
}

export interface SalesforceContact {
  Id: string;
  fields: Record<string, string | boolean | null>;
  createdDate: string;
  lastModifiedDate: string;
}

export interface LocalSalesforce extends StandinServer {
  readonly clientId: string;
  /** Live contacts (deleted ones are in the recycle bin: `deletedContacts()`). */
  contacts(): SalesforceContact[];
  deletedContacts(): SalesforceContact[];
  findContact(field: string, value: string): SalesforceContact | undefined;
  /** Issued tokens stay valid until they expire; this revokes them all (forces re-authentication). */
  revokeTokens(): void;
  /** Number of tokens issued so far: how often the client authenticated. */
  tokensIssued(): number;
  setTokenTtl(ms: number): void;
}

const STANDARD_FIELDS: SalesforceField[] = [
  { name: 'FirstName', type: 'string' },
  { name: 'LastName', type: 'string', required: true },
  { name: 'Email', type: 'email' },
  { name: 'Title', type: 'string' },
  { name: 'Department', type: 'string' },
  { name: 'Phone', type: 'string' },
  { name: 'MobilePhone', type: 'string' },
  { name: 'AccountId', type: 'id' },
  { name: 'Description', type: 'string' },
];

const DEFAULT_CUSTOM_FIELDS: SalesforceField[] = [
  { name: 'Auth0_User_Id__c', type: 'string', externalId: true },
  { name: 'Active__c', type: 'boolean' },
  { name: 'Auth0_Last_Event_At__c', type: 'string' },
  { name: 'Auth0_Last_Event_Id__c', type: 'string' },
];

/** Salesforce REST errors are arrays of { message, errorCode, fields? }. */
export const sfError = (status: number, errorCode: string, message: string, fields?: string[]): Reply =>
  jsonReply(status, [{ message, errorCode, ...(fields !== undefined ? { fields } : {}) }]);

const API_VERSION_RE = /^\/services\/data\/v(\d+)\.(\d)(\/.*)?$/;
const READ_ONLY = new Set(['Id', 'CreatedDate', 'LastModifiedDate', 'IsDeleted', 'SystemModstamp']);

/** An 18-character Contact id (prefix 003), unique within this org. */
function contactId(n: number): string {
  const base = `003LOC${String(n).padStart(9, '0')}`;
  return `${base}AAA`;
}

export async function startLocalSalesforce(opts: LocalSalesforceOptions = {}): Promise<LocalSalesforce> {
  const clientId = opts.clientId ?? 'local-salesforce-client';
  const clientSecret = opts.clientSecret ?? 'local-salesforce-secret';
  const clock = opts.clock ?? Date.now;
  let tokenTtlMs = opts.tokenTtlMs ?? 2 * 60 * 60 * 1000;
  const fields = [...STANDARD_FIELDS, ...(opts.customFields ?? DEFAULT_CUSTOM_FIELDS)];
  const fieldByName = new Map(fields.map((f) => [f.name.toLowerCase(), f]));
  const limiter =
    opts.requestLimit === undefined || opts.requestLimit === false
      ? undefined
      : new RollingWindowLimiter(opts.requestLimit.max, opts.requestLimit.windowMs);

  let tokens = new Map<string, number>(); // token -> expiry (ms epoch)
  let issued = 0;
  let contacts = new Map<string, SalesforceContact & { deleted: boolean }>();
  let seq = 0;
  let baseUrl = '';

  const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+0000');

  const token = (req: IncomingRequest): Reply => {
    if (req.method !== 'POST') return sfError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
    const form = new URLSearchParams(req.rawBody);
    const grant = form.get('grant_type');
    if (grant !== 'client_credentials') {
      return jsonReply(400, {
        error: 'unsupported_grant_type',
        error_description: 'grant type not supported',
      });
    }
    // Salesforce also accepts the client credentials as HTTP Basic.
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic !== undefined) {
      const [u, p] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      id = decodeURIComponent(u ?? '');
      secret = decodeURIComponent(p ?? '');
    }
    if (id !== clientId || secret !== clientSecret) {
      return jsonReply(400, { error: 'invalid_client', error_description: 'invalid client credentials' });
    }
    const accessToken = `00DLOCAL0000000!${randomBytes(24).toString('base64url')}`;
    const now = clock();
    tokens.set(accessToken, now + tokenTtlMs);
    issued++;
    return jsonReply(200, {
      access_token: accessToken,
      signature: randomBytes(32).toString('base64'),
      scope: 'api',
      instance_url: baseUrl,
      id: `${baseUrl}/id/00DLOCAL00000000/005LOCAL00000000`,
      token_type: 'Bearer',
      issued_at: String(now),
    });
  };

  const record = (c: SalesforceContact, version: string) => ({
    attributes: { type: 'Contact', url: `/services/data/v${version}/sobjects/Contact/${c.Id}` },
    Id: c.Id,
    ...Object.fromEntries(fields.map((f) => [f.name, c.fields[f.name] ?? null])),
    CreatedDate: c.createdDate,
    LastModifiedDate: c.lastModifiedDate,
  });

  /** Validates a Contact body; returns canonical field names -> values, or an error reply. */
  const validateBody = (
    body: unknown,
    externalField?: string,
    externalValue?: string,
  ): Record<string, string | boolean | null> | Reply => {
    if (body instanceof JsonParseError || typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sfError(400, 'JSON_PARSER_ERROR', 'Unexpected character: was expecting a JSON object');
    }
    const out: Record<string, string | boolean | null> = {};
    for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
      if (name === 'attributes') continue;
      if (READ_ONLY.has(name)) {
        return sfError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${name}.`, [
          name,
        ]);
      }
      const f = fieldByName.get(name.toLowerCase());
      if (f === undefined) {
        return sfError(400, 'INVALID_FIELD', `No such column '${name}' on sobject of type Contact`);
      }
      if (externalField !== undefined && f.name === externalField && value !== externalValue) {
        // The external ID travels in the URL; a different value in the body cannot be honoured.
        return sfError(
          400,
          'INVALID_FIELD',
          `The value of ${f.name} in the body does not match the external ID in the URL.`,
          [f.name],
        );
      }
      if (value === null) out[f.name] = null;
      else if (f.type === 'boolean') {
        if (typeof value !== 'boolean') {
          return sfError(
            400,
            'JSON_PARSER_ERROR',
            `Cannot deserialize instance of boolean from ${JSON.stringify(value)}`,
          );
        }
        out[f.name] = value;
      } else {
        if (typeof value !== 'string' && typeof value !== 'number') {
          return sfError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of string for ${f.name}`);
        }
        const s = String(value);
        if (f.type === 'email' && s !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s)) {
          return sfError(400, 'INVALID_EMAIL_ADDRESS', `${f.name}: invalid email address: ${s}`, [f.name]);
        }
        out[f.name] = s;
      }
    }
    return out;
  };

  const live = () => [...contacts.values()].filter((c) => !c.deleted);
  const findBy = (field: string, value: string) =>
    field === 'Id'
      ? live().filter((c) => c.Id === value || c.Id.slice(0, 15) === value)
      : live().filter((c) => c.fields[field] === value);

  const sobjects = (req: IncomingRequest, version: string, rest: string): Reply => {
    const m = /^\/sobjects\/Contact(?:\/([^/]+))?(?:\/([^/]+))?$/.exec(rest);
    if (m === null) {
      return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    const first = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
    const second = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const now = clock();

    if (first === undefined) {
      if (req.method !== 'POST') return sfError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
      const body = validateBody(req.json);
      if ('status' in body && typeof body.status === 'number') return body as Reply;
      return create(body as Record<string, string | boolean | null>, now);
    }

    // /sobjects/Contact/{Id} or /sobjects/Contact/{ExternalIdField}/{value}
    const field = second === undefined ? 'Id' : fieldByName.get(first.toLowerCase())?.name;
    const value = second ?? first;
    if (
      field === undefined ||
      (field !== 'Id' && fieldByName.get(field.toLowerCase())?.externalId !== true)
    ) {
      return sfError(
        404,
        'NOT_FOUND',
        `Provided external ID field does not exist or is not accessible: ${first}`,
      );
    }
    const matches = findBy(field, value);
    if (matches.length > 1) {
      return jsonReply(
        300,
        matches.map((c) => `/services/data/v${version}/sobjects/Contact/${c.Id}`),
      );
    }
    const found = matches[0];

    if (req.method === 'GET') {
      const wanted = req.query.get('fields');
      const names =
        wanted === null
          ? undefined
          : wanted
              .split(',')
              .map((f) => f.trim())
              .filter((f) => f !== '');
      const unknown = names?.find((n) => !READ_ONLY.has(n) && !fieldByName.has(n.toLowerCase()));
      if (unknown !== undefined) {
        return sfError(400, 'INVALID_FIELD', `No such column '${unknown}' on sobject of type Contact`);
      }
      if (found === undefined) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      const full = record(found, version) as Record<string, unknown>;
      if (names === undefined) return jsonReply(200, full);
      const canonical = names.map((n) => fieldByName.get(n.toLowerCase())?.name ?? n);
      return jsonReply(200, {
        attributes: full.attributes,
        ...Object.fromEntries(canonical.map((n) => [n, full[n] ?? null])),
      });
    }
    if (req.method === 'DELETE') {
      if (found === undefined) {
        const wasDeleted = field === 'Id' && [...contacts.values()].some((c) => c.deleted && c.Id === value);
        return wasDeleted
          ? sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted', [])
          : sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
      }
      found.deleted = true;
      found.lastModifiedDate = iso(now);
      return { status: 204 };
    }
    if (req.method === 'PATCH') {
      const body = validateBody(req.json, field === 'Id' ? undefined : field, value);
      if ('status' in body && typeof body.status === 'number') return body as Reply;
      const changes = body as Record<string, string | boolean | null>;
      if (found === undefined) {
        // By Id there is nothing to upsert; API v61+ `updateOnly=true` refuses to create.
        if (field === 'Id' || req.query.get('updateOnly') === 'true') {
          return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        }
        return create({ ...changes, [field]: value }, now, Number(version));
      }
      const conflict = checkUnique({ ...found.fields, ...changes }, found.Id);
      if (conflict !== undefined) return conflict;
      Object.assign(found.fields, changes);
      found.lastModifiedDate = iso(now);
      if (field === 'Id') return { status: 204 };
      // Upsert of an existing record: 200 with created=false from API 46.0, 204 before.
      return Number(version) >= 46
        ? jsonReply(200, { id: found.Id, success: true, errors: [], created: false })
        : { status: 204 };
    }
    return sfError(405, 'METHOD_NOT_ALLOWED', 'HTTP Method not allowed');
  };

  const checkUnique = (next: Record<string, string | boolean | null>, selfId?: string): Reply | undefined => {
    for (const f of fields) {
      if (!f.externalId) continue;
      const v = next[f.name];
      if (v === null || v === undefined) continue;
      const other = live().find((c) => c.Id !== selfId && c.fields[f.name] === v);
      if (other !== undefined) {
        return sfError(
          400,
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${other.Id}`,
          [],
        );
      }
    }
    return undefined;
  };

  const create = (values: Record<string, string | boolean | null>, now: number, version = 46): Reply => {
    const missing = fields.filter(
      (f) => f.required && (values[f.name] === undefined || values[f.name] === null || values[f.name] === ''),
    );
    if (missing.length > 0) {
      const names = missing.map((f) => f.name);
      return sfError(
        400,
        'REQUIRED_FIELD_MISSING',
        `Required fields are missing: [${names.join(', ')}]`,
        names,
      );
    }
    const conflict = checkUnique(values);
    if (conflict !== undefined) return conflict;
    const c = {
      Id: contactId(++seq),
      fields: { ...values },
      createdDate: iso(now),
      lastModifiedDate: iso(now),
      deleted: false,
    };
    contacts.set(c.Id, c);
    return jsonReply(201, {
      id: c.Id,
      success: true,
      errors: [],
      ...(version >= 46 ? { created: true } : {}),
    });
  };

  const server = await startStandin(
    {
      name: 'salesforce',
      handle(req) {
        if (req.path === '/services/oauth2/token') return token(req);
        const m = API_VERSION_RE.exec(req.path);
        if (m === null) return sfError(404, 'NOT_FOUND', 'The requested resource does not exist');
        const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const expiry = auth === undefined ? undefined : tokens.get(auth);
        if (expiry === undefined || expiry <= clock()) {
          return sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
        }
        if (limiter !== undefined && !limiter.hit('org').allowed) {
          return sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
        }
        const version = `${m[1]}.${m[2]}`;
        return sobjects(req, version, m[3] ?? '');
      },
      errorReply(status) {
        return status === 503
          ? sfError(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable')
          : sfError(
              status,
              'UNKNOWN_EXCEPTION',
              'An unexpected error occurred. Please include this ErrorId if you contact support: 000000000-00000 (-0000000000)',
            );
      },
      redact(rec) {
        if (rec.path === '/services/oauth2/token' && typeof rec.body === 'string') {
          const form = new URLSearchParams(rec.body);
          if (form.has('client_secret')) form.set('client_secret', REDACTED);
          rec.body = form.toString();
        }
      },
      control({ method, subpath, json }) {
        if (subpath === '/state' && method === 'GET') {
          return jsonReply(200, {
            contacts: api.contacts(),
            deleted: api.deletedContacts(),
            tokensIssued: issued,
            tokenTtlMs,
          });
        }
        if (subpath === '/tokens/revoke' && method === 'POST') {
          api.revokeTokens();
          return { status: 204 };
        }
        if (subpath === '/config' && method === 'POST') {
          return setNumericConfig(json, { tokenTtlMs: (ms) => (tokenTtlMs = ms) });
        }
        return undefined;
      },
      reset() {
        contacts = new Map();
        tokens = new Map();
        issued = 0;
        seq = 0;
        limiter?.reset();
      },
    },
    opts,
  );
  baseUrl = server.baseUrl;

  const view = (c: SalesforceContact): SalesforceContact => ({
    Id: c.Id,
    fields: { ...c.fields },
    createdDate: c.createdDate,
    lastModifiedDate: c.lastModifiedDate,
  });
  const api: LocalSalesforce = {
    ...server,
    clientId,
    contacts: () => live().map(view),
    deletedContacts: () => [...contacts.values()].filter((c) => c.deleted).map(view),
    findContact: (field, value) => {
      const c = live().find((x) => x.fields[field] === value);
      return c === undefined ? undefined : view(c);
    },
    revokeTokens() {
      tokens = new Map();
    },
    tokensIssued: () => issued,
    setTokenTtl(ms) {
      tokenTtlMs = ms;
    },
  };
  return api;
}
