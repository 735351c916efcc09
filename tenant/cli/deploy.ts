/**
 * npm run deploy -- --env <name>: validate, build, plan, then import only what changed with the
 * real auth0-deploy-cli, and print what changed. Non-interactive; exit 1 with a one-line cause.
 */
import { Command } from 'commander';
import { renderDeploySummary } from '../lib/render';
import { runDeploy } from '../lib/run';
import { REPO_ROOT, fail, redactEnv } from '../lib/cli-edge';

const program = new Command('deploy')
  .description(
    'Deploy tenant.yaml (connections, the Action, the Event Stream) and the HubSpot properties to an environment',
  )
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .option(
    '--allow-delete',
    'let a0deploy delete owned resources missing from tenant.yaml (default: AUTH0_ALLOW_DELETE, else false)',
  )
  .option('--allow-local-production', 'deploy to production from outside CI (normally refused)')
  .option('--tenant-file <path>', 'tenant.yaml to deploy, relative to the repository root', 'tenant.yaml')
  .option('--skip-validate', 'skip the offline checks (tests of single guards; CI never skips them)')
  .option('--skip-build', 'skip npm run build (the committed bundle is deployed as is)')
  .action(
    async (opts: {
      env: string;
      allowDelete?: boolean;
      allowLocalProduction?: boolean;
      tenantFile: string;
      skipValidate?: boolean;
      skipBuild?: boolean;
    }) => {
      const started = Date.now();
      const result = await runDeploy({
        root: REPO_ROOT,
        envName: opts.env,
        processEnv: process.env,
        tenantFile: opts.tenantFile,
        allowDelete: opts.allowDelete,
        allowLocalProduction: opts.allowLocalProduction,
        skipValidate: opts.skipValidate,
        skipBuild: opts.skipBuild,
        log: (l) => console.log(redactEnv(l)),
      });
      console.log(redactEnv(renderDeploySummary(result, opts.env, Date.now() - started)));
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => fail('deploy', err));
