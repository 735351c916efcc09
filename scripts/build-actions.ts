/**
 * Bundles each Event Stream's TypeScript source into the Action code a0deploy uploads.
 *
 * event-streams/<slug>/index.ts → actions/<Action name>/code.js, where <slug> is the kebab-cased
 * name of a stream in tenant.yaml and <Action name> is the action that stream delivers to. The
 * Action's declared npm dependencies stay external (Auth0 installs them); everything else is bundled.
 * Output is deterministic: same source, same bytes (no timestamps, no absolute paths, no minification,
 * so a pull request shows readable code).
 */
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const MAX_BUNDLE_BYTES = 100 * 1024;

interface TenantActions {
  actions?: Array<{ name: string; code: string; dependencies?: Array<{ name: string; version: string }> }>;
  eventStreams?: Array<{
    name: string;
    destination?: { type?: string; configuration?: { action_id?: string } };
  }>;
}

export interface ActionBundle {
  stream: string;
  action: string;
  /** Path of code.js relative to the repository root. */
  codePath: string;
  code: string;
}

export const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Builds every bundle in memory. */
export async function buildActionBundles(root = REPO_ROOT): Promise<ActionBundle[]> {
  const tenant = parse(fs.readFileSync(path.join(root, 'tenant.yaml'), 'utf8')) as TenantActions;
  const bundles: ActionBundle[] = [];
  for (const stream of tenant.eventStreams ?? []) {
    if (stream.destination?.type !== 'action') continue;
    const sourceDir = path.join('event-streams', slug(stream.name));
    const actionName = stream.destination.configuration?.action_id;
    const action = tenant.actions?.find((a) => a.name === actionName);
    if (!action)
      throw new Error(`tenant.yaml: stream "${stream.name}" delivers to unknown action "${actionName}"`);
    if (!fs.existsSync(path.join(root, sourceDir, 'index.ts'))) {
      throw new Error(`${sourceDir}/index.ts is missing: it is the source of action "${action.name}"`);
    }
    const result = await build({
      absWorkingDir: root,
      entryPoints: [path.join(sourceDir, 'index.ts')],
      bundle: true,
      platform: 'node',
      target: ['node22', 'node20'], // Auth0 runs node22; local tooling runs Node 20.19+
      format: 'cjs',
      write: false,
      minify: false,
      sourcemap: false,
      legalComments: 'none',
      charset: 'utf8',
      external: (action.dependencies ?? []).map((d) => d.name),
      banner: {
        js: `// Built by \`npm run build\` from ${sourceDir}/. Do not edit: change the source and rebuild.`,
      },
      logLevel: 'silent',
    });
    bundles.push({
      stream: stream.name,
      action: action.name,
      codePath: path.normalize(action.code),
      code: result.outputFiles[0]!.text,
    });
  }
  return bundles;
}

async function main() {
  for (const bundle of await buildActionBundles()) {
    const target = path.join(REPO_ROOT, bundle.codePath);
    const bytes = Buffer.byteLength(bundle.code);
    if (bytes > MAX_BUNDLE_BYTES) {
      throw new Error(
        `${bundle.codePath} is ${bytes} bytes; Auth0 Actions should stay under ${MAX_BUNDLE_BYTES}`,
      );
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, bundle.code);
    console.log(`${bundle.codePath}  ${(bytes / 1024).toFixed(1)} kB  (stream "${bundle.stream}")`);
  }
}

if (require.main === module) {
  main().catch((error: Error) => {
    console.error(`build failed: ${error.message}`);
    process.exit(1);
  });
}
