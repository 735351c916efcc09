/**
 * The chaos checker must be able to fail: compare() on hand-made snapshots, and a whole run of the
 * guide's naive handler (bench/baseline), which redelivery breaks.
 */
import { compare, runChaos, reproduceCommand, type Snapshot } from './harness';

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    records: {},
    duplicateLive: [],
    slackByEvent: {},
    slackUnacknowledged: [],
    deadLetters: 0,
    stats: { executions: 1, failedExecutions: 0, delivered: 1, deadLettered: 0, redelivered: 0 },
    logs: [],
    ...overrides,
  };
}

const live = (properties: Record<string, string>) => ({ live: true, properties });

describe('compare()', () => {
  test('equal states give no problems; archived records match on being archived only', () => {
    const a = snapshot({
      records: { u1: live({ email: 'a@example.com' }), u2: { live: false } },
      slackByEvent: { evt_A: 1 },
    });
    const b = snapshot({
      records: { u1: live({ email: 'a@example.com' }), u2: { live: false } },
      slackByEvent: { evt_A: 1 },
    });
    expect(compare(a, b).problems).toEqual([]);
  });

  test('a live contact that should be archived, a missing user, a changed property', () => {
    const chaos = snapshot({ records: { u1: live({ department: 'Sales' }), u2: live({}) } });
    const clean = snapshot({ records: { u1: live({}), u2: { live: false }, u3: live({}) } });
    expect(compare(chaos, clean).problems).toEqual([
      'hubspot: u1 department = "Sales" after chaos, undefined after clean delivery',
      'hubspot: u2 is live after chaos but archived after clean delivery',
      'hubspot: u3 absent after chaos, live after clean delivery',
    ]);
  });

  test('duplicate live contacts and dead letters fail', () => {
    const problems = compare(snapshot({ duplicateLive: ['u1'], deadLetters: 2 }), snapshot()).problems;
    expect(problems).toEqual([
      'hubspot: u1 has more than one live contact',
      'delivery: 2 event(s) still dead-lettered after redelivery',
    ]);
  });

  test('Slack: a repeat fails unless a post of that event was accepted after a timeout; no unannounced events', () => {
    const clean = snapshot({ slackByEvent: { evt_A: 1, evt_B: 1 } });
    const chaos = snapshot({
      slackByEvent: { evt_A: 2, evt_B: 2, evt_C: 1 },
      slackUnacknowledged: ['evt_B'],
    });
    const { problems, ambiguousSlack } = compare(chaos, clean);
    expect(problems).toEqual([
      'slack: 2 messages for evt_A (at most one expected)',
      'slack: 1 message(s) for evt_C, which the clean run does not announce',
    ]);
    expect(ambiguousSlack).toEqual(['evt_B']);
  });

  test('the reproduce command names the seed', () => {
    expect(reproduceCommand(42, { handler: 'source', timeScale: 0.01 })).toBe('CHAOS_SEED=42 npm run chaos');
    expect(reproduceCommand(7, { handler: 'bundle', timeScale: 0.01 })).toBe(
      'CHAOS_SEED=7 npm run chaos -- --handler bundle',
    );
  });
});

test('the naive handler from the guide fails a chaos run with redelivery (the checker is not vacuous)', async () => {
  // Seed 12: every event delivered 2-4 times, no hung sockets (the naive handler has no timeouts).
  const result = await runChaos(12, { handler: 'naive', timeScale: 0.01 });
  expect(result.ok).toBe(false);
  expect(result.problems.join('\n')).toMatch(/dead-lettered|hubspot:/);
}, 60_000);
