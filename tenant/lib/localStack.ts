/**
 * The local stack's state file (.local/stack.json), written by `npm run local` (local/stack.ts).
 * The local environment takes its Auth0 domain, CA file and stand-in URLs from it.
 */
import path from 'node:path';
import { defaultStateFile, isAlive, readStackState as readStateFile } from '../../local/stack-state';

export function readStackState(root: string): Record<string, unknown> | undefined {
  return readStateFile(defaultStateFile(root)) as Record<string, unknown> | undefined;
}

/** True when the process that wrote the state file is still alive (a state without pid counts as running). */
export function stackIsRunning(state: Record<string, unknown> | undefined): boolean {
  if (state === undefined) return false;
  return state.pid === undefined ? true : isAlive(Number(state.pid));
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
  await mod.startLocalStack({ root, stateFile: defaultStateFile(root), detached: true });
  const started = readStackState(root);
  if (!stackIsRunning(started))
    throw new Error(`the local stack started but ${defaultStateFile(root)} is missing`);
  return started;
}
