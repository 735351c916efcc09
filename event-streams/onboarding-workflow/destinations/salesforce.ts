/**
 * Salesforce: exactly one Contact per Auth0 user.
 *
 * - Correlation and idempotency: the Contact is upserted through an External ID field (unique) that
 *   holds the Auth0 user id: PATCH /sobjects/Contact/<field>/<user id>. A redelivered upsert writes
 *   the same values again.
 * - Order: Salesforce has no conditional write, so (like HubSpot) every write stamps the event time
 *   and id into two text fields, read first; an event that is not newer than the stamp is skipped.
 *   The time is kept as text because Salesforce DateTime fields drop milliseconds.
 * - Offboard, by policy: `deactivate` sets the Active field to false (the record stays, and its stamp
 *   stops late updates); `delete` stamps then deletes the record. A deleted record stays in the
 *   recycle bin (15 days), where queryAll still sees its stamp, so a late update cannot recreate it.
 *   An offboard that arrives before any record exists leaves a stamped tombstone in either policy.
 * - Auth: OAuth 2.0 client credentials. The token (with its instance URL) is reused across executions
 *   through api.cache; a 401 drops it and the call is retried once with a fresh token. The token is
 *   never logged: errors carry status and code only.
 */
import { DestinationError, errorCode, request, responseError, type HttpResponse } from '../http';
import { stableHash } from '../ids';
import { changedAny, isNewerThanStamp, type LifecycleEvent } from '../lifecycle';
import { readCached, writeCached, type ActionCache } from '../cache';
import type { SalesforceSettings } from '../settings';
import { clip } from './text';
import type { CallContext, Destination } from './types';

const SALESFORCE_API = '/services/data/v62.0';
/** Custom Text fields that carry the last applied event (see DESTINATIONS.md). */
const SALESFORCE_STAMP = {
  lastEventAt: 'Auth0_Last_Event_At__c',
  lastEventId: 'Auth0_Last_Event_Id__c',
} as const;
const TOKEN_CACHE_KEY = 'salesforce:token';
/** Below Salesforce's default 2 h session timeout; a shorter org setting is handled by the 401 retry. */
const TOKEN_TTL_MS = 30 * 60 * 1000;

/** Contact field lengths (Salesforce rejects longer values with STRING_TOO_LONG). */
const LIMITS = { FirstName: 40, LastName: 80, Email: 80, Title: 128, Department: 80 } as const;

export type ContactRecord = Record<string, unknown> & { Id?: string };

/** Pure: the Contact fields one event writes. A field the user no longer has is cleared (null). */
export function contactFields(
  event: LifecycleEvent,
  settings: Pick<SalesforceSettings, 'SALESFORCE_OFFBOARD' | 'SALESFORCE_ACTIVE_FIELD'>,
): Record<string, string | boolean | null> {
  const p = event.profile;
  const fields: Record<string, string | boolean | null> = {
    FirstName: p.givenName ? clip(p.givenName, LIMITS.FirstName) : null,
    // LastName is required on a Contact: fall back to what the user has.
    LastName: clip(p.familyName ?? p.displayName ?? p.email ?? p.userId, LIMITS.LastName),
    Title: p.title ? clip(p.title, LIMITS.Title) : null,
    Department: p.department ? clip(p.department, LIMITS.Department) : null,
    [SALESFORCE_STAMP.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
    [SALESFORCE_STAMP.lastEventId]: event.eventId,
  };
  // Never cleared: a contact keeps its last known address.
  if (p.email) fields.Email = clip(p.email, LIMITS.Email);
  if (settings.SALESFORCE_OFFBOARD === 'deactivate') {
    fields[settings.SALESFORCE_ACTIVE_FIELD] = event.step !== 'offboard';
  }
  return fields;
}

/** Pure: whether `event` is newer than what the record last applied. */
export const isNewerThanRecord = (event: LifecycleEvent, record: ContactRecord): boolean =>
  isNewerThanStamp(event, record[SALESFORCE_STAMP.lastEventAt], record[SALESFORCE_STAMP.lastEventId]);

/** A SOQL string literal (quotes and backslashes escaped as SOQL documents). */
export const soqlString = (value: string) =>
  `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;

/** Salesforce-specific classification: some 4xx are transient. */
function salesforceError(response: HttpResponse, externalIdField: string): DestinationError {
  const code = errorCode(response.body);
  const message = String((response.body as Array<{ message?: unknown }>)?.[0]?.message ?? '');
  if (response.status === 300) {
    return new DestinationError('Salesforce: several Contacts hold this external id', 'permanent', {
      status: 300,
      code: 'multiple-matches',
    });
  }
  const transient =
    code === 'REQUEST_LIMIT_EXCEEDED' ||
    code === 'UNABLE_TO_LOCK_ROW' ||
    // Two executions created the same contact at once: the retry finds it and updates it.
    (code === 'DUPLICATE_VALUE' && message.includes(externalIdField));
  if (!transient) return responseError('Salesforce', response);
  return new DestinationError(`Salesforce answered ${response.status} (${code})`, 'retryable', {
    status: response.status,
    code,
  });
}

interface CachedToken {
  /** Access token, instance URL, expiry (ms), and whose token it is (login URL + client id). */
  t: string;
  u: string;
  e: number;
  o: string;
}

function readToken(cache: ActionCache, owner: string): CachedToken | undefined {
  const token = readCached<CachedToken>(cache, TOKEN_CACHE_KEY);
  return token && token.o === owner && token.e > Date.now() && typeof token.t === 'string'
    ? token
    : undefined;
}

/** Best effort: without the cache each execution fetches its own token. */
function writeToken(cache: ActionCache, token: CachedToken | undefined): void {
  // An expired placeholder is how a token is dropped: api.cache has no delete in every runtime.
  writeCached(cache, TOKEN_CACHE_KEY, token ?? { e: 0 }, token ? TOKEN_TTL_MS : 1);
}

export function salesforceDestination(settings: SalesforceSettings): Destination {
  const field = settings.SALESFORCE_EXTERNAL_ID_FIELD;
  const owner = stableHash([settings.SALESFORCE_LOGIN_URL, settings.SALESFORCE_CLIENT_ID], 16);

  async function fetchToken(context: CallContext): Promise<CachedToken> {
    const response = await request('Salesforce', `${settings.SALESFORCE_LOGIN_URL}/services/oauth2/token`, {
      method: 'POST',
      form: {
        grant_type: 'client_credentials',
        client_id: settings.SALESFORCE_CLIENT_ID,
        client_secret: settings.SALESFORCE_CLIENT_SECRET,
      },
      signal: context.signal,
      timeoutMs: context.requestTimeoutMs,
    });
    if (response.status !== 200) {
      // invalid_client / invalid_grant (400): wrong credentials or app setup, which a retry cannot fix.
      throw responseError('Salesforce token request', response);
    }
    const body = response.body as { access_token?: unknown; instance_url?: unknown };
    if (
      typeof body?.access_token !== 'string' ||
      typeof body.instance_url !== 'string' ||
      !/^https?:\/\//.test(body.instance_url)
    ) {
      throw new DestinationError(
        'Salesforce token response lacks access_token or instance_url',
        'retryable',
        {
          code: 'malformed-body',
        },
      );
    }
    const token = {
      t: body.access_token,
      u: body.instance_url.replace(/\/+$/, ''),
      e: Date.now() + TOKEN_TTL_MS,
      o: owner,
    };
    writeToken(context.cache, token);
    return token;
  }

  /** One REST call with the cached token; on 401 the token is dropped and the call retried once. */
  async function call(
    method: 'GET' | 'PATCH' | 'DELETE',
    path: string,
    context: CallContext,
    json?: unknown,
  ): Promise<HttpResponse> {
    const cached = readToken(context.cache, owner);
    const send = (token: CachedToken) =>
      request('Salesforce', `${token.u}${SALESFORCE_API}${path}`, {
        method,
        json,
        headers: { authorization: `Bearer ${token.t}` },
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
    const response = await send(cached ?? (await fetchToken(context)));
    if (response.status !== 401) return response;
    writeToken(context.cache, undefined);
    // A fresh token that is refused too is a permanent failure (permissions), reported by the caller.
    return cached ? send(await fetchToken(context)) : response;
  }

  const byExternalId = `/sobjects/Contact/${encodeURIComponent(field)}/`;
  const stampFields = [SALESFORCE_STAMP.lastEventAt, SALESFORCE_STAMP.lastEventId];

  async function readLive(userId: string, context: CallContext): Promise<ContactRecord | undefined> {
    const query = new URLSearchParams({ fields: ['Id', ...stampFields].join(',') });
    const response = await call('GET', `${byExternalId}${encodeURIComponent(userId)}?${query}`, context);
    if (response.status === 404) return undefined;
    if (response.status !== 200) throw salesforceError(response, field);
    const record = response.body as ContactRecord | undefined;
    if (!record || typeof record !== 'object' || typeof record.Id !== 'string') {
      throw new DestinationError('Salesforce sent a Contact without Id', 'retryable', {
        code: 'malformed-body',
      });
    }
    return record;
  }

  /** The newest deleted Contact of this user still in the recycle bin (delete policy only). */
  async function readTombstone(userId: string, context: CallContext): Promise<ContactRecord | undefined> {
    const soql =
      `SELECT Id, ${stampFields.join(', ')} FROM Contact WHERE ${field} = ${soqlString(userId)} ` +
      `AND IsDeleted = true ORDER BY ${SALESFORCE_STAMP.lastEventAt} DESC LIMIT 1`;
    const response = await call('GET', `/queryAll?${new URLSearchParams({ q: soql })}`, context);
    if (response.status !== 200) throw salesforceError(response, field);
    const records = (response.body as { records?: unknown })?.records;
    if (!Array.isArray(records)) {
      throw new DestinationError('Salesforce sent a query result without records', 'retryable', {
        code: 'malformed-body',
      });
    }
    return records[0] as ContactRecord | undefined;
  }

  async function upsert(event: LifecycleEvent, context: CallContext): Promise<'created' | 'updated'> {
    const response = await call(
      'PATCH',
      `${byExternalId}${encodeURIComponent(event.profile.userId)}`,
      context,
      contactFields(event, settings),
    );
    if (response.status === 201) return 'created';
    if (response.status === 200 || response.status === 204) return 'updated';
    throw salesforceError(response, field);
  }

  async function remove(userId: string, context: CallContext): Promise<void> {
    const response = await call('DELETE', `${byExternalId}${encodeURIComponent(userId)}`, context);
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) {
      throw salesforceError(response, field);
    }
  }

  async function apply(event: LifecycleEvent, context: CallContext): Promise<string> {
    const userId = event.profile.userId;
    const live = await readLive(userId, context);
    const deletes = settings.SALESFORCE_OFFBOARD === 'delete';
    // Under the delete policy the newest state may be a deleted record: its stamp still counts.
    const latest = live ?? (deletes ? await readTombstone(userId, context) : undefined);
    if (latest && !isNewerThanRecord(event, latest)) return 'skipped-not-newer';

    if (event.step !== 'offboard') return upsert(event, context);
    const written = await upsert(event, context);
    if (!deletes) return written === 'created' ? 'tombstoned' : 'deactivated';
    await remove(userId, context);
    return live ? 'deleted' : 'tombstoned';
  }

  return {
    name: 'salesforce',
    kind: 'record',
    wants: (event) =>
      changedAny(event, ['email', 'givenName', 'familyName', 'displayName', 'title', 'department']),
    apply,
  };
}
