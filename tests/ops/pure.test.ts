import { parseDuration, relativeTime, sinceDate, toApiTime } from '../../tenant/ops/duration';
import {
  checkStatus,
  pickStream,
  renderJson,
  renderTable,
  sortRows,
  streamName,
  toRow,
  userOf,
  type ApiDelivery,
} from '../../tenant/ops/deliveries-core';
import { redeliverMode, renderRedeliverSummary } from '../../tenant/ops/redeliver-core';
import {
  describeNewToken,
  renderTokens,
  scimAction,
  tokensToRevoke,
  type TokenInfo,
} from '../../tenant/ops/scim-core';
import { describeApiError } from '../../tenant/ops/api-errors';

describe('parseDuration', () => {
  it.each([
    ['15s', 15_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['90d', 90 * 86_400_000],
    ['2w', 14 * 86_400_000],
    [' 7D ', 7 * 86_400_000],
  ])('%s', (raw, ms) => {
    expect(parseDuration('--since', raw)).toEqual({ ok: true, value: ms });
  });

  it.each(['', '24', 'h', '1.5h', '-2h', '24 hours', '3y', '0h', '1e3s'])(
    'rejects %j with one message naming the option',
    (raw) => {
      const r = parseDuration('--since', raw);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/^--since: /);
    },
  );
});

describe('API times', () => {
  it('drops sub-second precision (the deliveries endpoints reject it)', () => {
    expect(toApiTime(new Date('2026-12-04T10:11:12.987Z'))).toBe('2026-12-04T10:11:12Z');
  });
  it('rounds the window start down, never narrowing it', () => {
    const now = new Date('2026-12-04T10:00:00.900Z');
    expect(sinceDate(now, 3_600_000).toISOString()).toBe('2026-12-04T09:00:00.000Z');
  });
  it('reads relative expiry', () => {
    const now = new Date('2026-12-04T00:00:00Z');
    expect(relativeTime(new Date('2027-03-04T00:00:00Z'), now)).toBe('in 90 days');
    expect(relativeTime(new Date('2026-12-04T05:00:00Z'), now)).toBe('in 5 h');
    expect(relativeTime(new Date('2026-12-02T00:00:00Z'), now)).toBe('2 days ago');
  });
});

const delivery = (over: Partial<ApiDelivery> = {}): ApiDelivery => ({
  id: 'evt_aaaaaaaaaaaaaaaaaaaaaa',
  event_stream_id: 'est_1',
  status: 'failed',
  event_type: 'user.created',
  attempts: [
    {
      status: 'failed',
      timestamp: '2026-12-04T10:00:07.000Z',
      error_message: 'Error: HubSpot 503: upstream unavailable',
    },
    { status: 'failed', timestamp: '2026-12-04T10:00:00.000Z', error_message: 'Error: HubSpot 502' },
    { status: 'failed', timestamp: '2026-12-04T10:00:01.000Z' },
    { status: 'failed', timestamp: '2026-12-04T10:00:03.000Z', error_message: 'Error: HubSpot 500' },
  ],
  event: {
    id: 'evt_aaaaaaaaaaaaaaaaaaaaaa',
    type: 'user.created',
    time: '2026-12-04T09:59:59.000Z',
    data: JSON.stringify({ object: { user_id: 'samlp|corporate-idp|00u1', email: 'ada@example.com' } }),
  },
  ...over,
});

describe('deliveries rows', () => {
  it('takes the user from the event data (string or object) and the last error by time', () => {
    const row = toRow(delivery());
    expect(row).toEqual({
      event_id: 'evt_aaaaaaaaaaaaaaaaaaaaaa',
      event_type: 'user.created',
      user_id: 'samlp|corporate-idp|00u1',
      status: 'failed',
      attempts: 4,
      event_time: '2026-12-04T09:59:59.000Z',
      last_attempt_at: '2026-12-04T10:00:07.000Z',
      last_error: 'Error: HubSpot 503: upstream unavailable',
    });
    expect(userOf(delivery({ event: { data: { object: { user_id: 'auth0|x' } } } }))).toBe('auth0|x');
    expect(userOf(delivery({ event: { data: 'not json' } }))).toBeNull();
    expect(toRow(delivery({ event: undefined, attempts: [] }))).toMatchObject({
      user_id: null,
      attempts: 0,
      last_error: null,
      last_attempt_at: null,
    });
  });

  it('sorts newest first, stable by id', () => {
    const a = toRow(delivery({ event: { id: 'evt_a' }, attempts: [{ timestamp: '2026-12-04T10:00:00Z' }] }));
    const b = toRow(delivery({ event: { id: 'evt_b' }, attempts: [{ timestamp: '2026-12-04T11:00:00Z' }] }));
    const c = toRow(delivery({ event: { id: 'evt_c' }, attempts: [{ timestamp: '2026-12-04T10:00:00Z' }] }));
    expect(sortRows([a, c, b]).map((r) => r.event_id)).toEqual(['evt_b', 'evt_a', 'evt_c']);
  });

  it('renders a table with one line per delivery and a disabled-stream warning', () => {
    const rows = [
      toRow(delivery()),
      toRow(delivery({ event_type: 'user.deleted', event: { id: 'evt_b', data: '{}' } })),
    ];
    const text = renderTable(rows, {
      environment: 'local',
      domain: '127.0.0.1:1',
      stream: { id: 'est_1', name: 'Onboarding Workflow', status: 'disabled' },
      pages: 2,
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('Stream "Onboarding Workflow" (est_1) on local (127.0.0.1:1): disabled');
    expect(lines[1]).toMatch(/DISABLED/);
    expect(text).toContain('2 failed deliveries (2 pages read)');
    expect(lines.find((l) => l.startsWith('EVENT ID'))).toMatch(
      /EVENT ID\s+TYPE\s+USER\s+ATTEMPTS\s+LAST ATTEMPT\s+LAST ERROR/,
    );
    expect(lines.find((l) => l.startsWith('evt_b'))).toMatch(
      /user\.deleted\s+-\s+4\s+2026-12-04T10:00:07Z\s+Error: HubSpot 503/,
    );
    expect(text).toContain('By type: user.created 1, user.deleted 1');
  });

  it('cuts long errors in the table but keeps them whole in JSON', () => {
    const long = `Error: ${'x'.repeat(300)}`;
    const rows = [
      toRow(delivery({ attempts: [{ timestamp: '2026-12-04T10:00:00Z', error_message: long }] })),
    ];
    const ctx = {
      environment: 'local',
      domain: 'd',
      stream: { id: 's', name: 'n', status: 'enabled' },
      pages: 1,
    };
    expect(renderTable(rows, ctx)).not.toContain(long);
    const json = JSON.parse(renderJson(rows, ctx));
    expect(json).toMatchObject({ count: 1, pages: 1, stream: { id: 's' } });
    expect(json.deliveries[0].last_error).toBe(long);
  });

  it('knows the only status the API lists', () => {
    expect(checkStatus(undefined)).toBeNull();
    expect(checkStatus('failed')).toBeNull();
    expect(checkStatus('delivered')).toMatch(/^--status: "delivered" .*failed/);
  });

  it('finds the stream tenant.yaml declares', () => {
    const doc = { eventStreams: [{ name: 'Onboarding Workflow' }] };
    expect(streamName(doc, undefined)).toEqual({ name: 'Onboarding Workflow' });
    expect(streamName(doc, 'Other')).toEqual({
      problem: expect.stringContaining('it declares: Onboarding Workflow'),
    });
    expect(streamName({}, undefined)).toEqual({ problem: 'tenant.yaml declares no event stream' });
    expect(streamName({ eventStreams: [{ name: 'a' }, { name: 'b' }] }, undefined)).toEqual({
      problem: expect.stringContaining('--stream'),
    });
    const live = [
      { id: 'est_1', name: 'Onboarding Workflow' },
      { id: 'est_2', name: 'x' },
    ];
    expect(pickStream(live, 'Onboarding Workflow', 'd')).toEqual({ stream: live[0] });
    expect(pickStream(live, 'missing', 'd')).toEqual({
      problem: expect.stringContaining('"Onboarding Workflow", "x"'),
    });
  });
});

describe('redeliver arguments and summary', () => {
  it('wants exactly one of --event and --all-failed', () => {
    expect(redeliverMode({ event: 'evt_1', allFailed: true })).toEqual({
      problem: expect.stringContaining('cannot be combined'),
    });
    expect(redeliverMode({})).toEqual({ problem: expect.stringContaining('--all-failed') });
    expect(redeliverMode({ event: ' ' })).toEqual({ problem: expect.stringContaining('needs an event id') });
    expect(redeliverMode({ event: 'evt_1', sinceMs: 1 })).toEqual({
      problem: '--since applies to --all-failed only',
    });
    expect(redeliverMode({ event: 'evt_1' })).toEqual({ mode: { kind: 'event', eventId: 'evt_1' } });
    expect(redeliverMode({ allFailed: true, sinceMs: 5 })).toEqual({
      mode: { kind: 'all-failed', sinceMs: 5 },
    });
  });

  it('summarizes what was resent, by type and user', () => {
    const rows = [
      toRow(delivery()),
      toRow(
        delivery({
          event_type: 'user.updated',
          event: { id: 'evt_2', time: '2026-12-04T11:00:00Z', data: '{"object":{"user_id":"u2"}}' },
        }),
      ),
    ];
    const stream = { id: 'est_1', name: 'Onboarding Workflow', status: 'enabled' };
    const text = renderRedeliverSummary({ environment: 'local', stream, rows, dryRun: false });
    expect(text).toContain(
      'redelivery requested for 2 failed deliveries of stream "Onboarding Workflow" (est_1) on local:',
    );
    expect(text).toContain('by type: user.created 1, user.updated 1');
    expect(text).toContain('users: 2');
    expect(text).toContain('events from 2026-12-04T09:59:59.000Z to 2026-12-04T11:00:00Z');
    expect(renderRedeliverSummary({ environment: 'local', stream, rows, dryRun: true })).toMatch(
      /^would redeliver 2/,
    );
    expect(
      renderRedeliverSummary({
        environment: 'local',
        stream: { ...stream, status: 'disabled' },
        rows,
        dryRun: false,
      }),
    ).toContain('warning: the stream is disabled');
    const one = renderRedeliverSummary({
      environment: 'local',
      stream,
      rows: rows.slice(0, 1),
      dryRun: false,
    });
    expect(one).toContain('redelivery requested for 1 failed delivery of stream');
    expect(one).toContain('    last error: Error: HubSpot 503: upstream unavailable');
    expect(one).not.toContain('by type');
    expect(renderRedeliverSummary({ environment: 'local', stream, rows: [], dryRun: false })).toMatch(
      /^Nothing to redeliver/,
    );
  });
});

describe('SCIM tokens', () => {
  const t = (id: string, created: string): TokenInfo => ({
    token_id: id,
    created_at: created,
    scopes: ['get:users'],
  });

  it('takes one action; --expires-in only when a token is made, and longer than 15 minutes', () => {
    expect(scimAction({})).toEqual({ action: { kind: 'list' } });
    expect(scimAction({ create: true, expiresInMs: 90 * 86_400_000 })).toEqual({
      action: { kind: 'create', lifetimeSeconds: 7_776_000 },
    });
    expect(scimAction({ rotate: true })).toEqual({ action: { kind: 'rotate', lifetimeSeconds: null } });
    expect(scimAction({ revoke: 'tok_1' })).toEqual({ action: { kind: 'revoke', tokenId: 'tok_1' } });
    expect(scimAction({ create: true, rotate: true })).toEqual({
      problem: '--create and --rotate cannot be combined: pick one',
    });
    expect(scimAction({ list: true, revoke: 'x' })).toEqual({
      problem: '--list and --revoke cannot be combined: pick one',
    });
    expect(scimAction({ create: true, expiresInMs: 900_000 })).toEqual({
      problem: expect.stringContaining('longer than 15 minutes'),
    });
    expect(scimAction({ revoke: 'tok_1', expiresInMs: 86_400_000 })).toEqual({
      problem: '--expires-in applies to --create or --rotate only',
    });
  });

  it('revokes the oldest beyond the limit, never the protected (new) one', () => {
    const tokens = [
      t('tok_new', '2026-12-04T12:00:00Z'),
      t('tok_old', '2026-01-01T00:00:00Z'),
      t('tok_mid', '2026-06-01T00:00:00Z'),
    ];
    expect(tokensToRevoke(tokens, 2, 'tok_new').map((x) => x.token_id)).toEqual(['tok_old']);
    expect(tokensToRevoke(tokens, 1, 'tok_new').map((x) => x.token_id)).toEqual(['tok_old', 'tok_mid']);
    expect(tokensToRevoke(tokens.slice(0, 2), 2, 'tok_new')).toEqual([]);
    // A clock skew that makes the new token look oldest does not get it revoked.
    const skewed = [
      t('tok_new', '2020-01-01T00:00:00Z'),
      t('tok_a', '2026-01-01T00:00:00Z'),
      t('tok_b', '2026-02-01T00:00:00Z'),
    ];
    expect(tokensToRevoke(skewed, 2, 'tok_new').map((x) => x.token_id)).toEqual(['tok_a']);
  });

  it('lists tokens oldest first with expiry, and describes a new one without its value', () => {
    const now = new Date('2026-12-04T00:00:00Z');
    const text = renderTokens(
      'corporate-idp',
      [
        { ...t('tok_b', '2026-12-01T00:00:00Z'), valid_until: '2027-03-01T00:00:00Z' },
        t('tok_a', '2026-11-01T00:00:00Z'),
      ],
      now,
    );
    const lines = text.split('\n');
    expect(lines[0]).toBe('SCIM tokens of connection "corporate-idp": 2 (Auth0 keeps at most 2)');
    expect(lines[3]).toMatch(/^tok_a .*never expires\s+never used\s+get:users$/);
    expect(lines[4]).toMatch(/^tok_b .*2027-03-01T00:00:00Z \(expires in 87 days\)/);
    const created = {
      token_id: 'tok_c',
      token: 'scim_secretvalue',
      valid_until: '2027-03-04T00:00:00Z',
      scopes: ['get:users'],
    };
    expect(describeNewToken('corporate-idp', created, now)).not.toContain('scim_secretvalue');
  });
});

describe('Management API edge', () => {
  it('says what failed in one line, without request details', () => {
    expect(
      describeApiError(
        { statusCode: 403, body: { message: 'Insufficient scope', errorCode: 'insufficient_scope' } },
        'd',
      ),
    ).toBe('d answered 403: Insufficient scope (insufficient_scope)');
    expect(describeApiError(new Error('fetch failed'), 'd')).toBe('cannot reach d: fetch failed');
    expect(describeApiError(new Error('cursor repeated\nstack'), 'd')).toBe('cursor repeated');
  });
});
