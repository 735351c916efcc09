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
