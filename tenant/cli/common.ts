/** Shared edges of the CLI entry points: repo root, one-line failures, exit codes. */
import path from 'node:path';
import { redact } from '../lib/keywords';
import { UserError } from '../lib/run';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Last line of defence: hides the value of any secret-looking environment variable. */
export function redactEnv(text: string, env: Record<string, string | undefined> = process.env): string {
  const names = Object.keys(env).filter((k) => /TOKEN|SECRET|WEBHOOK|PASSWORD|PRIVATE|_KEY$|CERT/.test(k));
  return redact(text, env as Record<string, string>, names);
}

/** Prints the one-line cause (and any further problems) and exits 1. */
export function fail(command: string, err: unknown): never {
  if (err instanceof UserError) {
    console.error(`${command} failed: ${redactEnv(err.message)}`);
    for (const d of err.details.slice(1)) console.error(`  - ${redactEnv(d)}`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${command} failed: ${redactEnv(message.split('\n')[0] ?? message)}`);
    if (process.env.DEBUG_TENANT_TOOLS === '1' && err instanceof Error)
      console.error(redactEnv(err.stack ?? ''));
  }
  process.exit(1);
}
