/**
 * The desired state: tenant.yaml as auth0-deploy-cli itself loads it (its YAML context: keyword
 * replacement, code files read, schema validation), so the plan compares exactly what a0deploy
 * would send. No Management API call is made while loading.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import type { DesiredAssets } from './plan';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { patchDeployCliValidate } = require('./deploy-cli-schema') as { patchDeployCliValidate: () => void };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const YAMLContext = require('auth0-deploy-cli/lib/context/yaml').default as new (
  config: Record<string, unknown>,
  mgmtClient: unknown,
) => {
  loadAssetsFromLocal(opts?: { disableKeywordReplacement: boolean }): Promise<void>;
  assets: Record<string, unknown>;
};

/** Pure: tenant.yaml for one environment, without the Action secrets that environment omits. */
export function effectiveTenantDoc(
  doc: Record<string, unknown>,
  omitted: (name: string) => boolean,
): Record<string, unknown> {
  const actions = doc.actions as Array<{ secrets?: Array<{ name?: string }> }> | undefined;
  if (!Array.isArray(actions)) return doc;
  return {
    ...doc,
    actions: actions.map((a) =>
      Array.isArray(a.secrets) ? { ...a, secrets: a.secrets.filter((s) => !omitted(s.name ?? '')) } : a,
    ),
  };
}

/**
 * Loads `doc` (tenant.yaml content) the way a0deploy loads a file: code paths resolve against
 * `baseDir` (the folder of tenant.yaml), keywords are replaced with `keywordValues`.
 */
export async function loadDesired(
  doc: Record<string, unknown>,
  baseDir: string,
  keywordValues: Record<string, string>,
  includedOnly: readonly string[],
  label = 'tenant.yaml',
): Promise<DesiredAssets> {
  // deploy-cli replaces only keywords with a mapping; empty values are left out on purpose so that
  // what is unresolved stays visible as '##NAME##' (the keyword guard reports those first).
  patchDeployCliValidate();
  const mappings = Object.fromEntries(Object.entries(keywordValues).filter(([, v]) => v !== ''));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tenant-desired-'));
  const file = path.join(dir, 'tenant.yaml');
  writeFileSync(file, stringifyYaml(doc, { lineWidth: 0 }), { mode: 0o600 });
  const ctx = new YAMLContext(
    {
      AUTH0_INPUT_FILE: file,
      AUTH0_BASE_PATH: baseDir,
      AUTH0_KEYWORD_REPLACE_MAPPINGS: mappings,
      AUTH0_INCLUDED_ONLY: [...includedOnly],
    },
    // Loading tenant.yaml never calls the Management API, so no client is needed.
    {},
  );
  try {
    await ctx.loadAssetsFromLocal();
  } catch (err) {
    throw new Error(`${label}: ${firstLine((err as Error).message)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
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
      .find((l) => l.trim() !== '' && !l.startsWith('Problem loading'))
      ?.trim() ?? s
  );
}
