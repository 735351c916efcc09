/**
 * npm run chaos [-- --runs 500] [--from 1] [--handler source|bundle] [--jobs 2]
 * CHAOS_SEED=123 npm run chaos        replays one seed and prints what differed.
 *
 * Runs seeded chaos scenarios (tests/chaos/scenario.ts) against the stand-ins and compares each
 * with its clean, in-order, exactly-once delivery (tests/chaos/harness.ts). Exit 1 on any failure;
 * every failure prints its seed and the one-line command that reproduces it.
 */
import { Command } from 'commander';
import { describeFailure, runChaos, type ChaosResult, type HandlerKind, type RunOptions } from './harness';
import { classify, KNOWN_ISSUES } from './known-issues';
import { runChaosViaAuth0 } from './via-auth0';

const program = new Command('chaos')
  .option('--runs <n>', 'number of seeds', '100')
  .option('--from <seed>', 'first seed', '1')
  .option('--seed <seed>', 'run exactly this seed (same as CHAOS_SEED)')
  .option(
    '--handler <kind>',
    'source (small budgets), bundle (committed code.js, production budgets), naive',
    'source',
  )
  .option('--jobs <n>', 'scenarios run at once', '2')
  .option('--time-scale <x>', "scale of Auth0's 1/2/4 s retry delays", '0.01')
  .option(
    '--via <path>',
    'delivery: simulated (in-process Auth0 semantics) or auth0 (the local tenant)',
    'simulated',
  )
  .option('--verbose', 'print every run');

async function main() {
  program.parse(process.argv);
  const opts = program.opts<{
    runs: string;
    from: string;
    seed?: string;
    handler: string;
    jobs: string;
    timeScale: string;
    via: string;
    verbose?: boolean;
  }>();
  const handler = opts.handler as HandlerKind;
  if (!['source', 'bundle', 'naive'].includes(handler))
    throw new Error(`--handler must be source, bundle or naive`);
  const run: RunOptions = {
    handler,
    timeScale: Number(opts.timeScale),
    via: opts.via === 'auth0' ? 'auth0' : 'simulated',
  };
  const single = opts.seed ?? process.env.CHAOS_SEED;
  const seeds = single
    ? [Number(single)]
    : Array.from({ length: Number(opts.runs) }, (_, i) => Number(opts.from) + i);

  const started = Date.now();
  const failures: ChaosResult[] = [];
  const knownOnly = new Map<string, number[]>();
  let ambiguous = 0;
  let executions = 0;
  let done = 0;
  const queue = [...seeds];
  const worker = async () => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const result = opts.via === 'auth0' ? await runChaosViaAuth0(seed) : await runChaos(seed, run);
      done++;
      executions += result.chaos.stats.executions;
      ambiguous += result.ambiguousSlack.length;
      const { unknown, known } = classify(result);
      if (!result.ok) {
        if (unknown.length === 0) {
          for (const issue of new Set(known.map((k) => k.issue)))
            knownOnly.set(issue, [...(knownOnly.get(issue) ?? []), seed]);
        } else failures.push(result);
        if (unknown.length > 0 || opts.verbose || single) {
          const report = describeFailure(
            { ...result, problems: unknown.length ? unknown : result.problems },
            run,
          );
          console.log(unknown.length ? report : report.replace(' failed — ', ' shows known issues only — '));
          for (const k of known) console.log(`    (known issue ${k.issue}: ${k.problem})`);
        }
      } else if (opts.verbose || single) {
        console.log(`seed ${seed} ok — ${result.summary}`);
      }
      if (!single && done % 25 === 0)
        console.log(`… ${done}/${seeds.length} seeds, ${failures.length} failed`);
    }
  };
  await Promise.all(Array.from({ length: single ? 1 : Math.max(1, Number(opts.jobs)) }, worker));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `chaos: ${seeds.length} seed(s) [${seeds[0]}..${seeds.at(-1)}], handler ${handler}, ${executions} Action executions, ` +
      `${failures.length} failed, ${[...knownOnly.values()].flat().length} showing only known issues, ${ambiguous} ambiguous Slack repeat(s) (posted after a timeout, or by overlapping executions), ${seconds} s`,
  );
  for (const [issue, seedsHit] of knownOnly) {
    const summary = KNOWN_ISSUES.find((k) => k.id === issue)?.summary ?? '';
    console.log(
      `known issue ${issue} (${seedsHit.length} seed(s): ${seedsHit.sort((a, b) => a - b).join(' ')}): ${summary}`,
    );
  }
  if (failures.length) {
    console.log(
      `failed seeds: ${failures
        .map((f) => f.seed)
        .sort((a, b) => a - b)
        .join(' ')}`,
    );
    process.exit(1);
  }
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(2);
});
