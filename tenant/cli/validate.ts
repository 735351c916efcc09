/** npm run validate: offline checks, no credentials. Exit 0 clean, 1 listing every problem. */
import { Command } from 'commander';
import { runValidate } from '../lib/validate';
import { REPO_ROOT, fail } from '../lib/cli-edge';

const program = new Command('validate')
  .description('Check tenant.yaml, the environments, the Action source and bundle, offline (no credentials)')
  .option('--tenant-file <path>', 'tenant.yaml to check, relative to the repository root', 'tenant.yaml')
  .action(async (opts: { tenantFile: string }) => {
    const { problems, checked } = await runValidate({ root: REPO_ROOT, tenantFile: opts.tenantFile });
    if (problems.length) {
      console.error(`validate failed: ${problems.length} problem(s)`);
      for (const p of problems) console.error(`  - ${p}`);
      process.exit(1);
    }
    console.log(`validate: ok (${checked.length} checks)`);
    for (const c of checked) console.log(`  ✓ ${c}`);
  });

program.parseAsync(process.argv).catch((err: unknown) => fail('validate', err));
