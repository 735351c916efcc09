/**
 * The whole local stack: the Auth0 tenant (local/auth0) plus the destination stand-ins
 * (local/destinations.ts: HubSpot, Slack, ...), in this process or as a background daemon.
 *
 *   const stack = await startLocalStack();                       // in-process (tests)
 *   const daemon = await startLocalStack({ detached: true });    // `npm run local`: background process
 *
 * A running stack describes itself in a state file (.local/stack.json, or LOCAL_STACK_FILE) that
 * out-of-process tools read: URLs, the Management API client, the CA file for NODE_EXTRA_CA_CERTS,
 * stand-in URLs and credentials (all fake, local-only), and — once tenant.yaml has been deployed to
 * it — a SCIM token for the corporate-idp connection. The tenant's state lives in memory: a restarted
 * stack is an empty tenant until the next deploy. The CA is kept in .local/ and reused, so the
 * NODE_EXTRA_CA_CERTS path stays valid across restarts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalAuth0, type LocalAuth0, type LocalAuth0Options } from './auth0';
import {
  startLocalDestinations,
  type LocalDestinations,
  type LocalDestinationsOptions,
} from './destinations';

import { defaultStateFile, isAlive, readStackState, writeState, type LocalStackState } from './stack-state';

export { defaultStateFile, isAlive, readStackState, type LocalStackState } from './stack-state';

export const DEFAULT_SCIM_CONNECTION = 'corporate-idp';

export interface LocalStackOptions {
  /** Repository root; state goes to <root>/.local. Default: process.cwd(). */
  root?: string;
  /** State file path. Default: $LOCAL_STACK_FILE or <root>/.local/stack.json. */
  stateFile?: string;
  /** Start a background daemon (what `npm run local` does) and return once it is up. */
  detached?: boolean;
  /** Write the state file from this process (the daemon does; in-process tests usually do not). */
  writeState?: boolean;
  auth0?: LocalAuth0Options;
  /** Options for the destination stand-ins, or false to start none. */
  destinations?: LocalDestinationsOptions | false;
  /** Connection a SCIM token is minted for once it is deployed with a scim_configuration. */
  scimConnection?: string;
  /** Set by startLocalStack({ detached }) so it recognises the daemon it launched. */
  launchId?: string;
}

export interface LocalStack {
  detached: false;
  auth0: LocalAuth0;
  destinations?: LocalDestinations;
  state(): LocalStackState;
  /** Mints (once) and returns the SCIM token for `scimConnection`, if that connection is deployed. */
  ensureScimToken(): LocalStackState['auth0']['scim'] | undefined;
  /** Waits until every emitted event is delivered or dead-lettered. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface DetachedLocalStack {
  detached: true;
  pid: number;
  state: LocalStackState;
  stop(): Promise<void>;
}

export function startLocalStack(opts: LocalStackOptions & { detached: true }): Promise<DetachedLocalStack>;
export function startLocalStack(opts?: LocalStackOptions & { detached?: false }): Promise<LocalStack>;
export function startLocalStack(opts?: LocalStackOptions): Promise<LocalStack | DetachedLocalStack>;
export async function startLocalStack(
  opts: LocalStackOptions = {},
): Promise<LocalStack | DetachedLocalStack> {
  const root = path.resolve(opts.root ?? process.cwd());
  const stateFile = path.resolve(opts.stateFile ?? defaultStateFile(root));
  if (opts.detached) return startDaemon(root, stateFile, opts);

  const auth0 = await startLocalAuth0({ stateDir: path.join(root, '.local'), ...opts.auth0 });
  let destinations: LocalDestinations | undefined;
  try {
    if (opts.destinations !== false) destinations = await startLocalDestinations(opts.destinations || {});
  } catch (err) {
    await auth0.stop();
    throw err;
  }
  const scimConnection = opts.scimConnection ?? DEFAULT_SCIM_CONNECTION;
  let scim: LocalStackState['auth0']['scim'];
  const startedAt = new Date().toISOString();

  const state = (): LocalStackState => {
    const d = destinations?.connection() ?? {};
    return {
      pid: process.pid,
      ...(opts.launchId ? { launchId: opts.launchId } : {}),
      startedAt,
      stateFile,
      auth0: {
        domain: auth0.domain,
        baseUrl: auth0.baseUrl,
        audience: `https://${auth0.domain}/api/v2/`,
        clientId: auth0.clientId,
        clientSecret: auth0.clientSecret,
        caFile: auth0.caCertPath,
        controlUrl: `${auth0.baseUrl}/__local`,
        ...(scim ? { scim } : {}),
      },
      ...(d.hubspot ? { hubspot: { url: d.hubspot.baseUrl, token: d.hubspot.accessToken } } : {}),
      ...(d.slack ? { slack: { url: d.slack.baseUrl, webhookUrl: d.slack.webhookUrl } } : {}),
      destinations: d,
    };
  };

  const ensureScimToken = () => {
    const connection = auth0.tenant.connectionByName(scimConnection);
    if (!connection || !auth0.tenant.scimConfigs.has(connection.id)) return undefined;
    // A redeploy that re-created the connection invalidates the old token: mint again.
    if (scim?.connectionId === connection.id && auth0.tenant.scimTokens.has(scim.tokenId)) return scim;
    const token = auth0.tenant.createScimToken(connection.id);
    scim = {
      connection: scimConnection,
      connectionId: connection.id,
      usersUrl: `${auth0.baseUrl}/scim/v2/connections/${connection.id}/Users`,
      token: token.token,
      tokenId: token.token_id,
    };
    if (opts.writeState) writeState(stateFile, state());
    return scim;
  };

  let watcher: NodeJS.Timeout | undefined;
  if (opts.writeState) {
    writeState(stateFile, state());
    // Mint the SCIM token as soon as a deploy creates the connection's SCIM configuration.
    watcher = setInterval(() => ensureScimToken(), 250);
    watcher.unref();
  }

  return {
    detached: false,
    auth0,
    ...(destinations ? { destinations } : {}),
    state,
    ensureScimToken,
    drain: () => auth0.drain(),
    async stop() {
      if (watcher) clearInterval(watcher);
      if (opts.writeState && readStackState(stateFile)?.pid === process.pid)
        fs.rmSync(stateFile, { force: true });
      await Promise.all([auth0.stop(), destinations?.stop()]);
    },
  };
}

/** CLI arguments that reproduce `opts` in the daemon. */
function daemonArgs(stateFile: string, launchId: string, opts: LocalStackOptions): string[] {
  const args = ['--foreground', '--state-file', stateFile, '--launch-id', launchId];
  if (opts.auth0?.port) args.push('--port', String(opts.auth0.port));
  if (opts.auth0?.delivery?.timeScale !== undefined)
    args.push('--time-scale', String(opts.auth0.delivery.timeScale));
  if (opts.destinations === false) args.push('--no-destinations');
  return args;
}

async function startDaemon(
  root: string,
  stateFile: string,
  opts: LocalStackOptions,
): Promise<DetachedLocalStack> {
  const existing = readStackState(stateFile);
  if (existing && isAlive(existing.pid)) {
    return {
      detached: true,
      pid: existing.pid,
      state: existing,
      stop: async () => void (await stopDaemon(stateFile)),
    };
  }
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  const logFile = stateFile.replace(/\.json$/, '') + '.log';
  const log = fs.openSync(logFile, 'a');
  const tsxCli = require.resolve('tsx/cli', { paths: [root, __dirname] });
  // tsx runs the script in a child process of its own: recognise the daemon by launch id, not pid.
  const launchId = `${process.pid}-${Date.now()}`;
  const child = spawn(
    process.execPath,
    [tsxCli, path.join(__dirname, 'cli.ts'), ...daemonArgs(stateFile, launchId, opts)],
    {
      cwd: root,
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    },
  );
  child.unref();
  fs.closeSync(log);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const state = readStackState(stateFile);
    if (state && state.launchId === launchId && isAlive(state.pid)) {
      return { detached: true, pid: state.pid, state, stop: async () => void (await stopDaemon(stateFile)) };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the local stack did not start; see ${logFile}`);
}

/** Stops the daemon recorded in the state file (SIGTERM, then waits for it to exit). */
export async function stopDaemon(stateFile: string, timeoutMs = 10_000): Promise<boolean> {
  const state = readStackState(stateFile);
  if (!state || !isAlive(state.pid)) {
    fs.rmSync(stateFile, { force: true });
    return false;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(state.pid)) process.kill(state.pid, 'SIGKILL');
  fs.rmSync(stateFile, { force: true });
  return true;
}

export interface PrivateStack {
  stack: LocalStack;
  /** Environment for the repository's CLIs run as child processes against this stack. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * An in-process stack with a state file of its own (so a running `npm run local` is left alone),
 * and the environment a child-process CLI (deploy, verify, ops) needs to use it: LOCAL_STACK_FILE,
 * CI, and none of the caller's Auth0 or destination credentials, so the stack's fake ones win.
 */
export async function startPrivateStack(
  opts: Omit<LocalStackOptions, 'stateFile' | 'writeState' | 'detached'> = {},
): Promise<PrivateStack> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-stack-'));
  const stateFile = path.join(dir, 'stack.json');
  const stack = await startLocalStack({ ...opts, stateFile, writeState: true });
  const env: NodeJS.ProcessEnv = { ...process.env, LOCAL_STACK_FILE: stateFile, CI: 'true' };
  for (const key of [
    'AUTH0_CLIENT_ID',
    'AUTH0_CLIENT_SECRET',
    'AUTH0_ACCESS_TOKEN',
    'HUBSPOT_TOKEN',
    'SLACK_WEBHOOK_URL',
  ]) {
    delete env[key];
  }
  return {
    stack,
    env,
    async stop() {
      await stack.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
