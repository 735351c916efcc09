/**
 * The local stack's state file (.local/stack.json), written by `npm run local` (local/stack.ts).
 * The local environment takes its Auth0 domain, CA file and stand-in URLs from it.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const STACK_STATE_FILE = path.join('.local', 'stack.json');

/** LOCAL_STACK_FILE points at another state file (tests run a stack of their own). */
export function stackStateFile(root: string, env: Record<string, string | undefined> = process.env): string {
  return env.LOCAL_STACK_FILE ? path.resolve(root, env.LOCAL_STACK_FILE) : path.join(root, STACK_STATE_FILE);
}

export function readStackState(root: string): Record<string, unknown> | undefined {
  const file = stackStateFile(root);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** True when the process that wrote the state file is still alive. */
export function stackIsRunning(state: Record<string, unknown> | undefined): boolean {
  const pid = Number(state?.pid);
  if (!Number.isInteger(pid) || pid <= 0) return state !== undefined;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface StackModule {
  startLocalStack: (opts: { root: string; stateFile: string; detached: true }) => Promise<{ state: unknown }>;
}

/**
 * Returns the running stack's state, starting it (as the background daemon `npm run local`
 * starts) when asked and needed. local/stack.ts is loaded only then: deploys to a real tenant never
 * load the local stand-ins.
 */
export async function ensureLocalStack(
  root: string,
  start: boolean,
): Promise<Record<string, unknown> | undefined> {
  const state = readStackState(root);
  if (stackIsRunning(state)) return state;
  if (!start) return undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(root, 'local', 'stack')) as StackModule;
  await mod.startLocalStack({ root, stateFile: stackStateFile(root), detached: true });
  const started = readStackState(root);
  if (!stackIsRunning(started))
    throw new Error(`the local stack started but ${stackStateFile(root)} is missing`);
  return started;
}
