/**
 * npm run plan -- --env <name>: what a deploy would change, changing nothing.
 * Exit 0: no changes; 2: changes; 1: error (including a plan a deploy would refuse).
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { hasChanges } from '../lib/plan';
import { renderMarkdown, renderText } from '../lib/render';
import { runPlan } from '../lib/run';
import { REPO_ROOT, fail, redactEnv } from '../lib/cli-edge';

const program = new Command('plan')
  .description('Show the field-level changes a deploy would make to an environment (read-only)')
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .option('--format <format>', 'text or markdown (for a pull-request comment)', 'text')
  .option('--out <file>', 'also write the rendered plan to this file')
  .option(
    '--allow-delete',
    'plan as a deploy with deletes allowed would run (default: AUTH0_ALLOW_DELETE, else false)',
  )
  .option('--a0deploy-dry-run', "also show auth0-deploy-cli's own dry run of what a deploy would import")
  .option('--tenant-file <path>', 'tenant.yaml to plan, relative to the repository root', 'tenant.yaml')
  .action(
    async (opts: {
      env: string;
      format: string;
      out?: string;
      allowDelete?: boolean;
      tenantFile: string;
      a0deployDryRun?: boolean;
    }) => {
      if (!['text', 'markdown'].includes(opts.format))
        throw new Error(`--format must be text or markdown, not "${opts.format}"`);
      const result = await runPlan({
        root: REPO_ROOT,
        envName: opts.env,
        processEnv: process.env,
        tenantFile: opts.tenantFile,
        allowDelete: opts.allowDelete,
        deployCliDryRun: opts.a0deployDryRun,
        log: (l) => console.error(l),
      });
      const ctx = {
        environment: opts.env,
        domain: result.ctx.resolved.domain,
        deployCliDryRun: result.deployCliDryRun,
      };
      const text = result.ctx.redact(
        opts.format === 'markdown' ? renderMarkdown(result.plan, ctx) : renderText(result.plan, ctx),
      );
      console.log(redactEnv(text));
      if (opts.out) writeFileSync(opts.out, `${redactEnv(text)}\n`);
      process.exit(result.plan.errors.length ? 1 : hasChanges(result.plan) ? 2 : 0);
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => fail('plan', err));
