/**
 * Runs the Action handler (from source, or the built code.js through local/action-runtime) with a
 * shared api.cache and captured log lines, so tests can assert on behaviour and on what was logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { createActionCache, loadEventStreamHandler, type ActionDependency } from '../../local/action-runtime';
import {
  createHandler,
  DEFAULT_OPTIONS,
  type HandlerOptions,
} from '../../event-streams/onboarding-workflow/handler';

export const HUBSPOT = 'https://hubspot.test';
export const SLACK_WEBHOOK = 'https://hooks.slack.test/services/T000/B000/fake-webhook-secret-value';
export const SECRETS = {
  HUBSPOT_TOKEN: 'pat-test-0000-secret-token-value',
  HUBSPOT_BASE_URL: HUBSPOT,
  SLACK_WEBHOOK_URL: SLACK_WEBHOOK,
};

/** Small budgets so fault tests finish fast; the structure is the production one. */
export const FAST_OPTIONS: HandlerOptions = {
  ...DEFAULT_OPTIONS,
  deadlineMs: 5_000,
  requestTimeoutMs: 1_000,
  maxInlineWaitMs: 300,
};

export interface Harness {
  run(message: unknown, secrets?: Record<string, string>): Promise<void>;
  lines: Array<Record<string, unknown>>;
  raw: string[];
  cache: ReturnType<typeof createActionCache>;
}

function capture() {
  const raw: string[] = [];
  const sink = { log: (s: string) => raw.push(s), error: (s: string) => raw.push(s) };
  return { raw, sink };
}

export function sourceHarness(options: HandlerOptions = FAST_OPTIONS): Harness {
  const { raw, sink } = capture();
  const cache = createActionCache();
  const handler = createHandler(options);
  const lines: Array<Record<string, unknown>> = [];
  return {
    raw,
    lines,
    cache,
    async run(message, secrets = SECRETS) {
      const originalLog = console.log;
      const originalError = console.error;
      console.log = sink.log as typeof console.log;
      console.error = sink.error as typeof console.error;
      try {
        await handler({ message, secrets }, { cache });
      } finally {
        console.log = originalLog;
        console.error = originalError;
        lines.splice(0, lines.length, ...raw.map((s) => JSON.parse(s) as Record<string, unknown>));
      }
    },
  };
}

const ROOT = path.resolve(__dirname, '../..');

export function declaredDependencies(): ActionDependency[] {
  const tenant = parse(fs.readFileSync(path.join(ROOT, 'tenant.yaml'), 'utf8')) as {
    actions: Array<{ dependencies?: ActionDependency[] }>;
  };
  return tenant.actions[0]!.dependencies ?? [];
}

/** The committed bundle, loaded the way Auth0 loads it. */
export function bundleHarness(): Harness {
  const { raw, sink } = capture();
  const code = fs.readFileSync(path.join(ROOT, 'actions/Onboarding Workflow/code.js'), 'utf8');
  const handler = loadEventStreamHandler(code, {
    dependencies: declaredDependencies(),
    resolveFrom: ROOT,
    console: { ...console, log: sink.log, info: sink.log, error: sink.error, warn: sink.error },
  });
  const cache = createActionCache();
  const lines: Array<Record<string, unknown>> = [];
  return {
    raw,
    lines,
    cache,
    async run(message, secrets = SECRETS) {
      try {
        await handler({ message, secrets }, { cache });
      } finally {
        lines.splice(0, lines.length, ...raw.map((s) => JSON.parse(s) as Record<string, unknown>));
      }
    },
  };
}

export const destinationLine = (lines: Array<Record<string, unknown>>, destination: string) =>
  lines.filter((l) => l.msg === 'destination' && l.destination === destination).at(-1);
