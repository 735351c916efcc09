/**
 * `npm run verify -- --env <name>`: the source guide's verification, end to end, as a person would
 * do it: SCIM requests as Okta and Entra ID send them, then the Auth0 user, the HubSpot contact
 * and the Slack message. Exit 0 when every check passes, 1 otherwise.
 *
 * --env local  uses the local stack (.local/stack.json) and its SCIM token; the tenant must have
 *              been deployed (`npm run deploy -- --env local`).
 * --env <real> needs SCIM_USERS_URL and SCIM_TOKEN (a token from `npm run scim-token`), Management
 *              API credentials (AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET or AUTH0_ACCESS_TOKEN) and
 *              HUBSPOT_TOKEN; Slack messages are listed for a person to check in the channel.
 */
import { Command } from 'commander';
import { fail, REPO_ROOT, UserError } from '../lib/cli-edge';
import { loadEnvironment, readLocalStackField, resolveEnvironment } from '../lib/environment';
import { fetchWithCa, getAccessToken } from '../lib/live';
import { ensureLocalStack } from '../lib/localStack';
import { renderChecklist, runVerification, type VerifyTarget } from './run';
import { runTag } from './scenario';

export async function resolveTarget(
  root: string,
  envName: string,
  processEnv: Record<string, string | undefined>,
): Promise<VerifyTarget> {
  const loaded = loadEnvironment(root, envName);
  if (!loaded.ok) throw new UserError(loaded.problems[0] ?? 'invalid environment', loaded.problems);
  const env = loaded.value;
  const stack = env.localStack ? await ensureLocalStack(root, false) : undefined;
  if (env.localStack && !stack) {
    throw new UserError('the local stack is not running: run `npm run deploy -- --env local` first');
  }
  const resolved = resolveEnvironment(env, processEnv, stack);
  if (!resolved.ok) throw new UserError(resolved.problems[0] ?? 'incomplete environment', resolved.problems);
  const { domain, credentials, caFile, hubspotBasePath, keywordValues } = resolved.value;
  const fetchImpl = fetchWithCa(caFile);

  const scim = stack
    ? {
        usersUrl: readLocalStackField(stack, 'auth0.scim.usersUrl'),
        token: readLocalStackField(stack, 'auth0.scim.token'),
      }
    : { usersUrl: processEnv.SCIM_USERS_URL, token: processEnv.SCIM_TOKEN };
  if (typeof scim.usersUrl !== 'string' || typeof scim.token !== 'string' || !scim.usersUrl || !scim.token) {
    throw new UserError(
      stack
        ? 'the local tenant has no SCIM-enabled connection yet: run `npm run deploy -- --env local` first'
        : 'set SCIM_USERS_URL (…/scim/v2/connections/<id>/Users) and SCIM_TOKEN (see `npm run scim-token`)',
    );
  }
  const hubspotToken = keywordValues[env.hubspot.tokenSecret];
  if (!hubspotToken) throw new UserError(`set ${env.hubspot.tokenSecret} to read HubSpot contacts`);
  const accessToken = await getAccessToken(domain, credentials, fetchImpl);
  // HubSpot and Slack are checked directly; the other enabled destinations through their stand-ins.
  const others = (keywordValues.DESTINATIONS ?? 'hubspot,slack')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d && d !== 'hubspot' && d !== 'slack');
  const standins = Object.fromEntries(
    others.flatMap((name) => {
      const url = stack ? readLocalStackField(stack, `destinations.${name}.baseUrl`) : undefined;
      return typeof url === 'string' ? [[name, url]] : [];
    }),
  );
  return {
    environment: envName,
    fetch: fetchImpl,
    scim: { usersUrl: scim.usersUrl, token: scim.token },
    auth0: { domain, accessToken },
    hubspot: { baseUrl: hubspotBasePath.replace(/\/+$/, ''), token: hubspotToken },
    slackControlUrl: stack ? (readLocalStackField(stack, 'slack.url') as string | undefined) : undefined,
    slackChannel: env.settings?.slackChannel as string | undefined,
    standins,
    manualDestinations: others.filter((name) => !(name in standins)),
  };
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('verify')
    .description(
      'Provision, rename, deactivate and delete test users through SCIM and check Auth0, HubSpot and Slack',
    )
    .requiredOption('--env <name>', 'environment (tenant/environments/<name>.yaml)')
    .option('--timeout <seconds>', 'how long to wait for each downstream effect', '20')
    .option('--json', 'print the results as JSON')
    .exitOverride();
  program.parse(argv);
  const opts = program.opts<{ env: string; timeout: string; json?: boolean }>();
  const timeoutMs = Number(opts.timeout) * 1000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0)
    throw new UserError(`--timeout must be a positive number of seconds`);

  const target = await resolveTarget(REPO_ROOT, opts.env, process.env);
  const results = await runVerification(target, {
    timeoutMs,
    tag: runTag(),
    onStep: opts.json
      ? undefined
      : (step) =>
          process.stdout.write(
            `${step.checks.every((c) => c.status !== 'fail') ? '✓' : '✗'} ${step.flow}: ${step.title}\n`,
          ),
  });
  const failed = results.some((r) => r.checks.some((c) => c.status === 'fail'));
  process.stdout.write(
    opts.json ? `${JSON.stringify(results, null, 2)}\n` : `\n${renderChecklist(results, opts.env)}\n`,
  );
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv).then(
    (code) => process.exit(code),
    (error: Error & { code?: string; exitCode?: number }) => {
      if (error.code?.startsWith('commander.')) process.exit(error.exitCode ?? 1);
      fail('verify', error);
    },
  );
}
