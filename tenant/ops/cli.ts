/** Shared edges of the ops entry points: repo root, argument checks, one-line failures. */
import path from 'node:path';
import type { Command } from 'commander';
import { REPO_ROOT as THIS_REPO, fail, redactEnv } from '../cli/common';
import { UserError } from './context';
import { parseDuration } from './duration';

export { fail, redactEnv };

/**
 * The repository whose tenant.yaml, tenant/environments/ and .local/stack.json are used. Tests
 * point TENANT_REPO_ROOT at a scratch copy so they never share a developer's running stack.
 */
export const REPO_ROOT = process.env.TENANT_REPO_ROOT
  ? path.resolve(process.env.TENANT_REPO_ROOT)
  : THIS_REPO;

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
