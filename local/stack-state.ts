/**
 * The local stack's state file (.local/stack.json, or LOCAL_STACK_FILE): how out-of-process tools
 * find a running stack. Kept apart from local/stack.ts so that reading it loads no server code.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DestinationConnections } from './destinations';

export interface LocalStackState {
  pid: number;
  launchId?: string;
  startedAt: string;
  stateFile: string;
  auth0: {
    domain: string;
    baseUrl: string;
    /** Management API audience for client_credentials. */
    audience: string;
    clientId: string;
    clientSecret: string;
    /** CA certificate file: set NODE_EXTRA_CA_CERTS to it for Node child processes. */
    caFile: string;
    /** The /__local control surface (not part of Auth0). */
    controlUrl: string;
    scim?: { connection: string; connectionId: string; usersUrl: string; token: string; tokenId: string };
  };
  hubspot?: { url: string; token: string };
  slack?: { url: string; webhookUrl: string };
  destinations: DestinationConnections;
}

export function defaultStateFile(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_STACK_FILE
    ? path.resolve(root, env.LOCAL_STACK_FILE)
    : path.join(root, '.local', 'stack.json');
}

export function readStackState(stateFile: string): LocalStackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8')) as LocalStackState;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): boolean {
  if (!pid || !Number.isInteger(pid)) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function writeState(file: string, state: LocalStackState): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
}
