/**
 * Shared edges of the ops entry points: repo root, argument checks, one-line failures. Kept free of
 * the deploy pipeline (tenant/lib/run.ts loads all of auth0-deploy-cli), so a command answers fast.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { redact } from '../lib/keywords';
import { parseDuration } from './duration';

/** A failure the user can act on: its message is the one-line cause. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

/** The repository whose tenant.yaml and tenant/environments/ the commands use. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

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

/** A duration option's value in ms; a bad one is a UserError with one clear message. */
export function durationArg(option: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const parsed = parseDuration(option, raw);
  if (!parsed.ok) throw new UserError(parsed.problem);
  return parsed.value;
}

export function intArg(
  option: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min || n > max) {
    throw new UserError(`${option}: "${raw}" must be a whole number from ${min} to ${max}`);
  }
  return n;
}

/** commander's own errors (unknown option, missing --env) stay one line, with a short hint. */
export function configure(program: Command): Command {
  return program
    .showHelpAfterError('(add --help for usage)')
    .configureOutput({ outputError: (str, write) => write(redactEnv(str)) })
    .allowExcessArguments(false);
}
