/**
 * The CI share of the chaos runs through the local Auth0 tenant's own delivery (duplicate and
 * reorder knobs, retries, dead-letter queue, redeliver): seeds 1..CHAOS_AUTH0_RUNS (default 5).
 * `npm run chaos -- --via auth0 --runs 200` runs more on demand.
 */
import { describeFailure } from './harness';
import { classify } from './known-issues';
import { runChaosViaAuth0 } from './via-auth0';

const RUNS = Number(process.env.CHAOS_AUTH0_RUNS ?? 5);
const seeds = Array.from({ length: RUNS }, (_, i) => i + 1);

describe('chaos via the local Auth0 tenant: final state equals a clean delivery of the same operations', () => {
  test.each(seeds)(
    'seed %i',
    async (seed) => {
      const result = await runChaosViaAuth0(seed);
      const { unknown } = classify(result);
      if (unknown.length > 0) {
        throw new Error(
          describeFailure(
            { ...result, problems: unknown },
            { handler: 'source', timeScale: 0.01, via: 'auth0' },
          ),
        );
      }
      expect(unknown).toEqual([]);
      // The tenant really delivered: at least one execution per operation.
      expect(result.chaos.stats.executions).toBeGreaterThanOrEqual(result.scenario.events.length);
    },
    60_000,
  );
});
