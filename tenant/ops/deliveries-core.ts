/**
 * Pure: the Event Stream's deliveries as rows people can act on. The Management API lists
 * dead-lettered (failed) deliveries only: an event appears here once every retry failed.
 */

/** The fields of an EventStreamDelivery (auth0 SDK 7.1) this module reads. */
export interface ApiDelivery {
  id: string;
  event_stream_id?: string;
  status?: string;
  event_type?: string;
  attempts?: Array<{ status?: string; timestamp?: string; error_message?: string }>;
  event?: { id?: string; type?: string; time?: string; data?: unknown };
}

export interface DeliveryRow {
  event_id: string;
  event_type: string;
  /** The Auth0 user the event is about (data.object.user_id), when the event carries it. */
  user_id: string | null;
  status: string;
  attempts: number;
  event_time: string | null;
  last_attempt_at: string | null;
  last_error: string | null;
}

/** The event's data arrives as a JSON string on the deliveries endpoint and as an object elsewhere. */
function eventData(data: unknown): Record<string, unknown> | null {
  if (typeof data === 'string') {
    try {
      const parsed = JSON.parse(data) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
    } catch {
      return null;
    }
  }
  return data && typeof data === 'object' ? (data as Record<string, unknown>) : null;
}

export function userOf(delivery: ApiDelivery): string | null {
  const object = eventData(delivery.event?.data)?.object;
  const id = object && typeof object === 'object' ? (object as Record<string, unknown>).user_id : undefined;
  return typeof id === 'string' && id ? id : null;
}

export function toRow(d: ApiDelivery): DeliveryRow {
  const attempts = [...(d.attempts ?? [])].sort((a, b) =>
    (a.timestamp ?? '').localeCompare(b.timestamp ?? ''),
  );
  const last = attempts[attempts.length - 1];
  const lastError = [...attempts].reverse().find((a) => a.error_message)?.error_message ?? null;
  return {
    event_id: d.event?.id ?? d.id,
    event_type: d.event_type ?? d.event?.type ?? 'unknown',
    user_id: userOf(d),
    status: d.status ?? 'failed',
    attempts: attempts.length,
    event_time: d.event?.time ?? null,
    last_attempt_at: last?.timestamp ?? null,
    last_error: lastError,
  };
}

/** Newest first, like the API; ties broken by id so output is stable. */
export function sortRows(rows: DeliveryRow[]): DeliveryRow[] {
  const key = (r: DeliveryRow) => r.last_attempt_at ?? r.event_time ?? '';
  return [...rows].sort((a, b) => key(b).localeCompare(key(a)) || a.event_id.localeCompare(b.event_id));
}

/** One line per problem, cut to fit a terminal; JSON output keeps the full text. */
function oneLine(text: string | null, max: number): string {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface StreamInfo {
  id: string;
  name: string;
  status?: string;
}

export interface ListingContext {
  environment: string;
  domain: string;
  stream: StreamInfo;
  since?: string;
  pages: number;
}

export function renderTable(rows: DeliveryRow[], ctx: ListingContext, errorWidth = 80): string {
  const out: string[] = [];
  const window = ctx.since ? ` since ${ctx.since}` : '';
  out.push(
    `Stream "${ctx.stream.name}" (${ctx.stream.id}) on ${ctx.environment} (${ctx.domain}): ${ctx.stream.status ?? 'unknown status'}`,
  );
  if (ctx.stream.status === 'disabled') {
    out.push(
      '  The stream is DISABLED: no event is delivered until it is enabled again (see tenant/ops/RUNBOOK.md).',
    );
  }
  out.push(
    `${rows.length} failed deliver${rows.length === 1 ? 'y' : 'ies'}${window} (${ctx.pages} page${ctx.pages === 1 ? '' : 's'} read)`,
  );
  if (!rows.length) return out.join('\n');
  const header = ['EVENT ID', 'TYPE', 'USER', 'ATTEMPTS', 'LAST ATTEMPT', 'LAST ERROR'];
  const cells = rows.map((r) => [
    r.event_id,
    r.event_type,
    r.user_id ?? '-',
    String(r.attempts),
    r.last_attempt_at ? r.last_attempt_at.replace(/\.\d+Z$/, 'Z') : '-',
    oneLine(r.last_error, errorWidth),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  out.push('', line(header), ...cells.map(line));
  const byType = countBy(rows.map((r) => r.event_type));
  out.push(
    '',
    `By type: ${Object.entries(byType)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  );
  return out.join('\n');
}

export function renderJson(rows: DeliveryRow[], ctx: ListingContext): string {
  return JSON.stringify(
    {
      environment: ctx.environment,
      domain: ctx.domain,
      stream: ctx.stream,
      since: ctx.since ?? null,
      pages: ctx.pages,
      count: rows.length,
      deliveries: rows,
    },
    null,
    2,
  );
}

export function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of [...values].sort()) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** The only status the deliveries endpoint knows (its enum has one value). */
export const DELIVERY_STATUSES = ['failed'] as const;

export function checkStatus(raw: string | undefined): string | null {
  if (raw === undefined || (DELIVERY_STATUSES as readonly string[]).includes(raw)) return null;
  return `--status: "${raw}" is not a status the Management API lists; it keeps failed (dead-lettered) deliveries only: use --status failed or leave it out`;
}

/**
 * Which stream the ops commands work on: the one tenant.yaml declares (by name), or the one the
 * user names. Returns the name, or a problem naming what tenant.yaml has.
 */
export function streamName(
  tenantDoc: Record<string, unknown>,
  requested: string | undefined,
): { name: string } | { problem: string } {
  const streams = ((tenantDoc.eventStreams as Array<{ name?: unknown }> | undefined) ?? [])
    .map((s) => s.name)
    .filter((n): n is string => typeof n === 'string');
  if (requested !== undefined) {
    if (streams.includes(requested)) return { name: requested };
    return {
      problem: `--stream: "${requested}" is not an event stream in tenant.yaml (it declares: ${streams.join(', ') || 'none'})`,
    };
  }
  if (streams.length === 1) return { name: streams[0] as string };
  if (!streams.length) return { problem: 'tenant.yaml declares no event stream' };
  return {
    problem: `tenant.yaml declares ${streams.length} event streams (${streams.join(', ')}): pick one with --stream`,
  };
}

/** Finds the live stream by name; the problem lists what the tenant has. */
export function pickStream<T extends { id?: string; name?: string }>(
  live: T[],
  name: string,
  domain: string,
): { stream: T } | { problem: string } {
  const found = live.filter((s) => s.name === name);
  if (found.length === 1) return { stream: found[0] as T };
  if (found.length > 1) {
    return {
      problem: `${domain} has ${found.length} event streams named "${name}"; remove the extra one (see drift)`,
    };
  }
  const names = live.map((s) => `"${s.name}"`).join(', ') || 'none';
  return {
    problem: `event stream "${name}" not found in ${domain} (it has: ${names}); deploy tenant.yaml first: npm run deploy -- --env <name>`,
  };
}
