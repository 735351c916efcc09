/**
 * Child process for the cold-load figure: in a fresh Node process, time loading the committed
 * code.js in a fresh module wrapper the way Auth0 does (its declared dependencies are required by
 * the bundle itself, so their first load is part of the figure), then print JSON on stdout.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadActionModule, type ActionDependency } from '../../local/action-runtime';

// Only node built-ins, yaml and the runtime are loaded before timing: importing ./pipeline would
// pull in the Action's source and with it zod and cockatiel, hiding their first-load cost.
declare const __BENCH_ROOT__: string | undefined;
const ROOT = typeof __BENCH_ROOT__ === 'string' ? __BENCH_ROOT__ : path.resolve(__dirname, '../..');
const code = fs.readFileSync(path.join(ROOT, 'actions/Onboarding Workflow/code.js'), 'utf8');
const tenant = parse(fs.readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8')) as {
  actions?: Array<{ dependencies?: ActionDependency[] }>;
};
const dependencies = tenant.actions?.[0]?.dependencies ?? [];
const preloaded = ['zod', 'cockatiel'].filter((name) =>
  Object.keys(require.cache).some((file) => file.includes(`/node_modules/${name}/`)),
);
if (preloaded.length) throw new Error(`already loaded before timing: ${preloaded.join(', ')}`);
const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {} };

const started = process.hrtime.bigint();
const exported = loadActionModule(code, { dependencies, resolveFrom: ROOT, console: quiet });
const coldMs = Number(process.hrtime.bigint() - started) / 1e6;
if (typeof exported.onExecuteEventStream !== 'function') throw new Error('no onExecuteEventStream');

// A second load in the same process: dependencies are now in require's cache, so this is the
// wrapper evaluation alone (what a new Action version costs in a warm container).
const again = process.hrtime.bigint();
loadActionModule(code, { dependencies, resolveFrom: ROOT, console: quiet });
const warmMs = Number(process.hrtime.bigint() - again) / 1e6;

process.stdout.write(`${JSON.stringify({ coldMs, warmMs })}\n`);
