/**
 * npm run local                 start the local stack in the background and print how to reach it
 * npm run local -- --status     print the running stack (and its SCIM token once deployed)
 * npm run local -- --stop       stop it
 * npm run local -- --foreground run in this terminal (Ctrl-C stops)
 */
import path from 'node:path';
import { Command, Option } from 'commander';
import {
  defaultStateFile,
  isAlive,
  readStackState,
  startLocalStack,
  stopDaemon,
  type LocalStackState,
} from './stack';

function describe(state: LocalStackState): string {
  const lines = [
    `Local stack (pid ${state.pid}), state in ${path.relative(process.cwd(), state.stateFile) || state.stateFile}`,
    '',
    `  Auth0 tenant       ${state.auth0.baseUrl}   (AUTH0_DOMAIN=${state.auth0.domain})`,
    `  Management API     ${state.auth0.baseUrl}/api/v2/   client ${state.auth0.clientId} (secret in the state file)`,
    `  CA certificate     ${state.auth0.caFile}`,
    `                     Node child processes need NODE_EXTRA_CA_CERTS=${state.auth0.caFile}`,
    `  Control surface    ${state.auth0.controlUrl}/{events,deliveries,mutations,users,health}`,
  ];
  for (const [name, conn] of Object.entries(state.destinations)) {
    const c = conn as Record<string, string>;
    lines.push(`  ${name.padEnd(18)} ${c.webhookUrl ?? c.eventsUrl ?? c.baseUrl}`);
  }
  lines.push('');
  if (state.auth0.scim) {
    lines.push(`  SCIM endpoint      ${state.auth0.scim.usersUrl}`);
    lines.push(`  SCIM token         ${state.auth0.scim.token}`);
  } else {
    lines.push('  SCIM token         minted once tenant.yaml is deployed: npm run deploy -- --env local,');
    lines.push('                     then npm run local -- --status');
  }
  lines.push('', 'Stop it with: npm run local -- --stop');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const program = new Command()
    .name('local')
    .description('Run the local Auth0 tenant and destination stand-ins on 127.0.0.1')
    .option('--foreground', 'run in this process until interrupted')
    .option('--stop', 'stop the background stack')
    .option('--status', 'print the running stack')
    .option('--state-file <file>', 'state file (default: $LOCAL_STACK_FILE or .local/stack.json)')
    .option('--port <port>', 'fixed port for the Auth0 tenant (default: a free one)', (v) => Number(v))
    .option('--time-scale <factor>', 'scale delivery retry delays (1 = Auth0 timing)', (v) => Number(v))
    .option('--no-destinations', 'start the Auth0 tenant only')
    .addOption(new Option('--launch-id <id>').hideHelp())
    .parse();
  const opts = program.opts<{
    foreground?: boolean;
    stop?: boolean;
    status?: boolean;
    stateFile?: string;
    port?: number;
    timeScale?: number;
    destinations: boolean;
    launchId?: string;
  }>();
  const root = process.cwd();
  const stateFile = path.resolve(opts.stateFile ?? defaultStateFile(root));

  if (opts.stop) {
    console.log((await stopDaemon(stateFile)) ? 'Local stack stopped.' : 'No local stack was running.');
    return;
  }
  if (opts.status) {
    const state = readStackState(stateFile);
    if (!state || !isAlive(state.pid)) {
      console.log('No local stack is running. Start it with: npm run local');
      process.exitCode = 1;
      return;
    }
    console.log(describe(state));
    return;
  }
  const auth0 = {
    ...(opts.port ? { port: opts.port } : {}),
    delivery: {
      printActionLogs: true,
      ...(opts.timeScale !== undefined ? { timeScale: opts.timeScale } : {}),
    },
  };
  if (opts.foreground) {
    const stack = await startLocalStack({
      root,
      stateFile,
      writeState: true,
      auth0,
      destinations: opts.destinations ? {} : false,
      ...(opts.launchId ? { launchId: opts.launchId } : {}),
    });
    console.log(describe(stack.state()));
    let stopping = false;
    const shutdown = () => {
      if (stopping) return;
      stopping = true;
      void stack.stop().then(() => process.exit(0));
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    return;
  }
  const daemon = await startLocalStack({
    root,
    stateFile,
    detached: true,
    auth0,
    destinations: opts.destinations ? {} : false,
  });
  console.log(describe(daemon.state));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
