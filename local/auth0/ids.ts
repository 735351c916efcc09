import crypto from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** n random characters from [A-Za-z0-9] (rejection sampling keeps it uniform). */
export function randomAlnum(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const b of crypto.randomBytes(n * 2)) {
      if (b < 248 && out.length < n) out += ALNUM[b % 62];
    }
  }
  return out;
}

/*
 * Id shapes. Auth0 documents `con_` + 16 and `ten_` + 16. For event streams and events the OpenAPI
 * is stricter in one place than another: the CloudEvent schemas say `est_[a-zA-Z0-9]{16}` /
 * `evt_[a-zA-Z0-9]{16}` (unanchored patterns), while `EventStreamDelivery.event_stream_id` and the
 * `{id}` / `{event_id}` path parameters require exactly 26 characters. `est_`/`evt_` + 22 satisfies
 * both, and is what real stream ids look like.
 */
export const newConnectionId = (): string => `con_${randomAlnum(16)}`;
export const newTenantId = (): string => `ten_${randomAlnum(16)}`;
export const newEventStreamId = (): string => `est_${randomAlnum(22)}`;
export const newEventId = (): string => `evt_${randomAlnum(22)}`;
export const newScimTokenId = (): string => `tok_${randomAlnum(16)}`;
export const newUuid = (): string => crypto.randomUUID();
