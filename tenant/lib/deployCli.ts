/**
 * The auth0-deploy-cli edge. a0deploy re-sends every resource of every included type on each
 * import (and deploys a new Action version each time). So the deploy hands it a copy of
 * tenant.yaml holding only what the plan found changed, and runs nothing when nothing changed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Plan, ResourceType } from './plan';
import type { SecretsMarker } from './marker';
import { withMarker } from './marker';

export type DeployCliType = Exclude<ResourceType, 'hubspotProperties'>;
const ARRAY_TYPES = ['connections', 'actions', 'eventStreams'] as const;

export interface Selection {
  /** tenant.yaml content to import (keywords still as placeholders: a0deploy replaces them). */
  document: Record<string, unknown>;
  types: DeployCliType[];
}

/**
 * Pure: the part of tenant.yaml a0deploy must see. With deletes allowed, a changed type keeps all
 * its items (a missing item would be deleted); otherwise only the changed items go.
 */
export function selectForImport(
  tenantYaml: Record<string, unknown>,
  plan: Plan,
  allowDelete: boolean,
  includedOnly: readonly string[],
): Selection {
  const document: Record<string, unknown> = {};
  const types: DeployCliType[] = [];
  const changed = plan.resources.filter((r) => r.action !== 'unchanged' && r.type !== 'hubspotProperties');
  if (changed.some((r) => r.type === 'tenant') && includedOnly.includes('tenant') && tenantYaml.tenant) {
    document.tenant = tenantYaml.tenant;
    types.push('tenant');
  }
  for (const type of ARRAY_TYPES) {
    if (!includedOnly.includes(type)) continue;
    const forType = changed.filter((r) => r.type === type);
    if (!forType.length) continue;
    const items = (tenantYaml[type] as Array<{ name: string }> | undefined) ?? [];
    const names = new Set(forType.map((r) => r.name));
    document[type] = allowDelete ? items : items.filter((i) => names.has(i.name));
    types.push(type);
  }
  return { document, types };
}

/**
 * Writes the import directory: the selected tenant.yaml, and each selected Action's code file
 * with the secrets marker appended (see marker.ts). Returns the path of the YAML file.
 */
export function writeImportDir(
  repoRoot: string,
  tenantFile: string,
  selection: Selection,
  marker: SecretsMarker,
): { dir: string; inputFile: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'a0deploy-'));
  const baseDir = path.dirname(path.resolve(repoRoot, tenantFile));
  for (const action of (selection.document.actions as Array<{ code?: string }> | undefined) ?? []) {
    if (typeof action.code !== 'string') continue;
    const rel = path.normalize(action.code);
    if (path.isAbsolute(rel) || rel.startsWith('..'))
      throw new Error(`${tenantFile}: actions code path ${action.code} must stay inside the repository`);
    const target = path.join(dir, rel);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, withMarker(readFileSync(path.join(baseDir, rel), 'utf8'), marker));
  }
  const inputFile = path.join(dir, 'tenant.yaml');
  writeFileSync(inputFile, stringifyYaml(selection.document, { lineWidth: 0 }), { mode: 0o600 });
  return { dir, inputFile };
}

export function readTenantYaml(repoRoot: string, tenantFile: string): Record<string, unknown> {
  const parsed = parseYaml(readFileSync(path.resolve(repoRoot, tenantFile), 'utf8')) as unknown;
  if (!parsed || typeof parsed !== 'object') throw new Error(`${tenantFile}: must be a YAML mapping`);
  return parsed as Record<string, unknown>;
}

export interface A0deployConfig {
  AUTH0_DOMAIN: string;
  AUTH0_ACCESS_TOKEN: string;
  AUTH0_KEYWORD_REPLACE_MAPPINGS: Record<string, string>;
  AUTH0_INCLUDED_ONLY: string[];
  /** Limits a0deploy to the connections tenant.yaml names: other connections are never touched. */
  AUTH0_INCLUDED_CONNECTIONS?: string[];
  /** Always a real boolean (deploy-cli reads the string "false" as true in places). */
  AUTH0_ALLOW_DELETE: boolean;
  AUTH0_DRY_RUN?: 'preview';
}

export type Summary = Record<string, { created: number; updated: number; deleted: number }>;

const CHILD = path.join(__dirname, 'a0deploy-child.js');
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Runs the real a0deploy; every output line passes through `onLine` (already redacted by caller). */
export async function runA0deploy(opts: {
  inputFile: string;
  config: A0deployConfig;
  caFile?: string;
  onLine: (line: string) => void;
}): Promise<Summary> {
  const summaryFile = path.join(path.dirname(opts.inputFile), 'summary.json');
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
  if (opts.caFile) env.NODE_EXTRA_CA_CERTS = opts.caFile;
  const child = spawn(process.execPath, [CHILD], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let lastError = '';
  const pump = (stream: NodeJS.ReadableStream, isErr: boolean) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf('\n')) !== -1) {
        const line = buf.slice(0, i).replace(ANSI, '').trimEnd();
        buf = buf.slice(i + 1);
        if (isErr && line.startsWith('a0deploy failed')) lastError = line;
        if (line) opts.onLine(line);
      }
    });
    stream.on('end', () => {
      const line = buf.replace(ANSI, '').trimEnd();
      if (isErr && line.startsWith('a0deploy failed')) lastError = line;
      if (line) opts.onLine(line);
    });
  };
  pump(child.stdout, false);
  pump(child.stderr, true);
  child.stdin.end(JSON.stringify({ inputFile: opts.inputFile, config: opts.config, summaryFile }));
  const code: number = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? 1));
  });
  if (code !== 0) throw new Error(lastError || `a0deploy exited with code ${code}`);
  try {
    return JSON.parse(readFileSync(summaryFile, 'utf8')) as Summary;
  } catch {
    return {};
  }
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
