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

type Invoke = (
  event: { message: unknown; secrets: Record<string, string> },
  api: { cache: ReturnType<typeof createActionCache> },
) => Promise<void>;

/** A harness whose `invoke` writes its log lines through `sink`; `lines` holds them parsed after each run. */
function harness(make: (sink: Pick<Console, 'log' | 'error'>) => Invoke): Harness {
  const raw: string[] = [];
  const invoke = make({ log: (s: string) => raw.push(s), error: (s: string) => raw.push(s) });
  const cache = createActionCache();
  const lines: Array<Record<string, unknown>> = [];
  return {
    raw,
    lines,
    cache,
    async run(message, secrets = SECRETS) {
      try {
        await invoke({ message, secrets }, { cache });
      } finally {
        lines.splice(0, lines.length, ...raw.map((s) => JSON.parse(s) as Record<string, unknown>));
      }
    },
  };
}

export function sourceHarness(options: HandlerOptions = FAST_OPTIONS): Harness {
  const handler = createHandler(options);
  return harness((sink) => async (event, api) => {
    // The source handler logs through the global console, as the bundle does inside Auth0.
    const originalLog = console.log;
    const originalError = console.error;
    console.log = sink.log;
    console.error = sink.error;
    try {
      await handler(event, api);
    } finally {
      console.log = originalLog;
      console.error = originalError;
    }
  });
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
  const code = fs.readFileSync(path.join(ROOT, 'actions/Onboarding Workflow/code.js'), 'utf8');
  return harness((sink) =>
    loadEventStreamHandler(code, {
      dependencies: declaredDependencies(),
      resolveFrom: ROOT,
      console: { ...console, log: sink.log, info: sink.log, error: sink.error, warn: sink.error },
    }),
  );
}

export const destinationLine = (lines: Array<Record<string, unknown>>, destination: string) =>
  lines.filter((l) => l.msg === 'destination' && l.destination === destination).at(-1);
