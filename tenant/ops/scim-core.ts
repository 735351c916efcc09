/**
 * Pure: SCIM token bookkeeping. Auth0 keeps at most two SCIM tokens per connection (a third create
 * answers 409), which is exactly what a no-downtime rotation needs: the token the IdP uses now
 * and its successor, alive together until the IdP has switched.
 */
import { relativeTime } from './duration';

export const MAX_LIVE_TOKENS = 2;
/** Auth0 rejects token_lifetime <= 900 seconds. */
export const MIN_LIFETIME_SECONDS = 901;

export interface TokenInfo {
  token_id: string;
  scopes?: string[];
  created_at?: string;
  valid_until?: string;
  last_used_at?: string;
}

export type ScimAction =
  | { kind: 'list' }
  | { kind: 'create'; lifetimeSeconds: number | null }
  | { kind: 'rotate'; lifetimeSeconds: number | null }
  | { kind: 'revoke'; tokenId: string };

export interface ScimFlags {
  list?: boolean;
  create?: boolean;
  rotate?: boolean;
  revoke?: string;
  expiresInMs?: number;
}

/** One action per run; --expires-in only where a token is made. */
export function scimAction(flags: ScimFlags): { action: ScimAction } | { problem: string } {
  const chosen = [
    flags.list && '--list',
    flags.create && '--create',
    flags.rotate && '--rotate',
    flags.revoke !== undefined && '--revoke',
  ].filter(Boolean) as string[];
  if (chosen.length > 1) return { problem: `${chosen.join(' and ')} cannot be combined: pick one` };
  const lifetime = flags.expiresInMs === undefined ? null : Math.floor(flags.expiresInMs / 1000);
  if (lifetime !== null && lifetime < MIN_LIFETIME_SECONDS) {
    return { problem: '--expires-in: Auth0 needs a SCIM token lifetime longer than 15 minutes (900 s)' };
  }
  if (flags.expiresInMs !== undefined && !flags.create && !flags.rotate) {
    return { problem: '--expires-in applies to --create or --rotate only' };
  }
  if (flags.revoke !== undefined) {
    if (!flags.revoke.trim()) return { problem: '--revoke needs a token id (see --list)' };
    return { action: { kind: 'revoke', tokenId: flags.revoke.trim() } };
  }
  if (flags.create) return { action: { kind: 'create', lifetimeSeconds: lifetime } };
  if (flags.rotate) return { action: { kind: 'rotate', lifetimeSeconds: lifetime } };
  return { action: { kind: 'list' } };
}

export function oldestFirst(tokens: TokenInfo[]): TokenInfo[] {
  return [...tokens].sort(
    (a, b) => (a.created_at ?? '').localeCompare(b.created_at ?? '') || a.token_id.localeCompare(b.token_id),
  );
}

/**
 * The tokens to revoke so that at most `keep` stay alive, oldest first. `protect` (the token just
 * created) is never chosen, whatever the clocks say.
 */
export function tokensToRevoke(tokens: TokenInfo[], keep: number, protect?: string): TokenInfo[] {
  const candidates = oldestFirst(tokens).filter((t) => t.token_id !== protect);
  const alive = tokens.length;
  const excess = Math.max(0, alive - keep);
  return candidates.slice(0, Math.min(excess, candidates.length));
}

export function renderTokens(connection: string, tokens: TokenInfo[], now: Date): string {
  const out = [
    `SCIM tokens of connection "${connection}": ${tokens.length} (Auth0 keeps at most ${MAX_LIVE_TOKENS})`,
  ];
  if (!tokens.length) return out.join('\n');
  const rows = oldestFirst(tokens).map((t) => [
    t.token_id,
    t.created_at ?? '-',
    t.valid_until ? `${t.valid_until} (${expiryWord(t.valid_until, now)})` : 'never expires',
    t.last_used_at ?? 'never used',
    (t.scopes ?? []).join(' ') || '-',
  ]);
  const header = ['TOKEN ID', 'CREATED', 'VALID UNTIL', 'LAST USED', 'SCOPES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  out.push('', line(header), ...rows.map(line));
  return out.join('\n');
}

function expiryWord(validUntil: string, now: Date): string {
  const at = new Date(validUntil);
  if (Number.isNaN(at.getTime())) return 'unknown';
  return at.getTime() <= now.getTime()
    ? `expired ${relativeTime(at, now)}`
    : `expires ${relativeTime(at, now)}`;
}

/** The line written to stderr next to a new token: everything but the token. */
export function describeNewToken(connection: string, t: TokenInfo, now: Date): string {
  const expiry = t.valid_until
    ? `valid until ${t.valid_until} (${expiryWord(t.valid_until, now)})`
    : 'never expires';
  return `created SCIM token ${t.token_id} for connection "${connection}", ${expiry}, scopes: ${(t.scopes ?? []).join(' ') || 'default'}`;
}

/** The three token calls rotation needs; the CLI binds them to the Management API, tests to a fake. */
export interface TokenPort {
  list(): Promise<TokenInfo[]>;
  create(lifetimeSeconds: number | null): Promise<TokenInfo & { token?: string }>;
  revoke(token: TokenInfo, why: string): Promise<void>;
}

export interface RotationResult {
  created: TokenInfo & { token?: string };
  revoked: TokenInfo[];
  /** The token the IdP most likely still uses: alive until it is revoked by hand or next rotation. */
  previous?: TokenInfo;
}

const isConflict = (err: unknown) => (err as { statusCode?: number })?.statusCode === 409;

/**
 * Create first, so a failed create leaves every working token alive. Auth0 refuses a third token
 * (409): then the oldest tokens go first and the newest (the one the IdP uses) always stays.
 * Afterwards at most MAX_LIVE_TOKENS remain: the new one and its predecessor.
 */
export async function rotateTokens(port: TokenPort, lifetimeSeconds: number | null): Promise<RotationResult> {
  const before = await port.list();
  const revoked: TokenInfo[] = [];
  let created: TokenInfo & { token?: string };
  try {
    created = await port.create(lifetimeSeconds);
  } catch (err) {
    if (!isConflict(err) || before.length === 0) throw err;
    for (const t of tokensToRevoke(before, MAX_LIVE_TOKENS - 1)) {
      await port.revoke(t, 'making room for the new token');
      revoked.push(t);
    }
    created = await port.create(lifetimeSeconds);
  }
  const after = await port.list();
  for (const t of tokensToRevoke(after, MAX_LIVE_TOKENS, created.token_id)) {
    await port.revoke(t, `rotation keeps at most ${MAX_LIVE_TOKENS} tokens`);
    revoked.push(t);
  }
  const gone = new Set(revoked.map((t) => t.token_id));
  const previous = oldestFirst(
    after.filter((t) => t.token_id !== created.token_id && !gone.has(t.token_id)),
  ).pop();
  return { created, revoked, previous };
}
