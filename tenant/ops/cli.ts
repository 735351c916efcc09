/**
 * The ops entry points' argument checks, on top of the shared CLI edge (tenant/lib/cli-edge.ts). Kept free of
 * the deploy pipeline (tenant/lib/run.ts loads all of auth0-deploy-cli), so a command answers fast.
 */
import type { Command } from 'commander';
import { redactEnv, UserError } from '../lib/cli-edge';
import { parseDuration } from './duration';

export { REPO_ROOT, UserError, fail, redactEnv } from '../lib/cli-edge';

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
