/** Pure: the human durations the ops commands take (--since 24h, --expires-in 90d). */

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

/** "90d" -> milliseconds. One number and one unit (s, m, h, d, w); nothing else is guessed. */
export function parseDuration(option: string, raw: string): Parsed<number> {
  const m = /^\s*(\d{1,6})\s*([smhdw])\s*$/i.exec(raw);
  if (!m) {
    return {
      ok: false,
      problem: `${option}: "${raw}" is not a duration; use a whole number and a unit: s, m, h, d or w (like 30m, 24h, 90d)`,
    };
  }
  const ms = Number(m[1]) * (UNIT_MS[(m[2] as string).toLowerCase()] as number);
  if (ms <= 0) return { ok: false, problem: `${option}: "${raw}" must be longer than zero` };
  return { ok: true, value: ms };
}

/**
 * RFC 3339 without sub-second precision: the deliveries and redeliver endpoints reject
 * fractional seconds ("Does not allow sub-second precision").
 */
export function toApiTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** now - duration, rounded down to the second (so the window is never narrower than asked). */
export function sinceDate(now: Date, durationMs: number): Date {
  return new Date(Math.floor((now.getTime() - durationMs) / 1000) * 1000);
}

/** "in 89 days", "in 3 h", "expired 2 days ago": how a token's expiry reads in a table. */
export function relativeTime(target: Date, now: Date): string {
  const diff = target.getTime() - now.getTime();
  const abs = Math.abs(diff);
  const text =
    abs >= 2 * UNIT_MS.d!
      ? `${Math.round(abs / UNIT_MS.d!)} days`
      : abs >= 2 * UNIT_MS.h!
        ? `${Math.round(abs / UNIT_MS.h!)} h`
        : `${Math.max(1, Math.round(abs / UNIT_MS.m!))} min`;
  return diff >= 0 ? `in ${text}` : `${text} ago`;
}
