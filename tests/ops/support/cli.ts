/** Runs an ops command (or a support script) as a child process, the way `npm run <command>` does. */
import path from 'node:path';
import { run } from '../../support/local-auth0';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
const TSX = require.resolve('tsx/cli', { paths: [ROOT] });

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Everything that could point a command at a real tenant or leak into it is removed. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(AUTH0_|HUBSPOT_|SLACK_|LOCAL_STACK_FILE$|CI$|GITHUB_)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, FORCE_COLOR: '0', NO_COLOR: '1', ...extra };
}

export async function runCli(
  script: string,
  args: string[],
  extraEnv: Record<string, string>,
  timeoutMs = 120_000,
): Promise<CliResult> {
  const r = await run(process.execPath, [TSX, path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: cleanEnv(extraEnv),
    timeoutMs,
  });
  return { ...r, code: r.code ?? 1 };
}
