/**
 * The edge every tenant command shares: the repository root, the error a user can act on, and the
 * one-line failure. Deliberately light (no deploy pipeline, no auth0-deploy-cli), so that the
 * operations commands and verify start fast.
 */
import path from 'node:path';
import { redact } from './keywords';

/** The repository whose tenant.yaml and tenant/environments/ the commands use. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** A failure the user can act on: its message is the one-line cause. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** Last line of defence: hides the value of any secret-looking environment variable. */
export function redactEnv(text: string, env: Record<string, string | undefined> = process.env): string {
  const names = Object.keys(env).filter((k) => /TOKEN|SECRET|WEBHOOK|PASSWORD|PRIVATE|_KEY$|CERT/.test(k));
  return redact(text, env as Record<string, string>, names);
}

/** Prints `<command> failed: <cause>` (and any further problems) and exits 1. */
export function fail(command: string, err: unknown): never {
  if (err instanceof UserError) {
    console.error(`${command} failed: ${redactEnv(err.message)}`);
    for (const d of err.details.slice(1)) if (d) console.error(`  - ${redactEnv(d)}`);
  } else {
    const message = err instanceof Error ? err.message : String(err);
    console.error(`${command} failed: ${redactEnv(message.split('\n')[0] ?? message)}`);
    if (process.env.DEBUG_TENANT_TOOLS === '1' && err instanceof Error)
      console.error(redactEnv(err.stack ?? ''));
  }
  process.exit(1);
}
