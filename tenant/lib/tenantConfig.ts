/**
 * The desired state: tenant.yaml as auth0-deploy-cli itself loads it (its YAML context: keyword
 * replacement, code files read, schema validation), so the plan compares exactly what a0deploy
 * would send. No Management API call is made while loading.
 */
import path from 'node:path';
import type { DesiredAssets } from './plan';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAMLContext = require('auth0-deploy-cli/lib/context/yaml').default as new (
  config: Record<string, unknown>,
  mgmtClient: unknown,
) => {
  loadAssetsFromLocal(opts?: { disableKeywordReplacement: boolean }): Promise<void>;
  assets: Record<string, unknown>;
};

export const TENANT_FILE = 'tenant.yaml';

export async function loadDesired(
  inputFile: string,
  keywordValues: Record<string, string>,
  includedOnly: readonly string[],
): Promise<DesiredAssets> {
  // deploy-cli replaces only keywords with a mapping; empty values are left out on purpose so that
  // what is unresolved stays visible as '##NAME##' (the keyword guard reports those first).
  const mappings = Object.fromEntries(Object.entries(keywordValues).filter(([, v]) => v !== ''));
  const ctx = new YAMLContext(
    {
      AUTH0_INPUT_FILE: path.resolve(inputFile),
      AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings,
      AUTH0_INCLUDED_ONLY: [...includedOnly],
    },
    // Loading tenant.yaml never calls the Management API, so no client is needed.
    {},
  );
  try {
    await ctx.loadAssetsFromLocal();
  } catch (err) {
    throw new Error(
      `${path.relative(process.cwd(), inputFile) || inputFile}: ${firstLine((err as Error).message)}`,
    );
  }
  const a = ctx.assets;
  const pick = <T>(k: string): T | undefined =>
    a[k] === null || a[k] === undefined ? undefined : (a[k] as T);
  return {
    tenant: pick('tenant'),
    connections: pick('connections'),
    actions: pick('actions'),
    eventStreams: pick('eventStreams'),
  };
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? s
  );
}
