/**
 * npm run deliveries -- --env <name> [--status failed] [--since 24h] [--json]
 * The Event Stream's failed deliveries: event id, type, user, attempts, last error. Read-only.
 */
import { Command } from 'commander';
import { checkStatus, renderJson, renderTable, sortRows, toRow } from './deliveries-core';
import { sinceDate, toApiTime } from './duration';
import { openTenant, UserError } from './context';
import { findStream, listFailed } from './streams';
import { REPO_ROOT, configure, durationArg, fail, intArg, redactEnv } from './cli';

interface Options {
  env: string;
  status: string;
  since?: string;
  json?: boolean;
  stream?: string;
  pageSize?: string;
}

const program = configure(new Command('deliveries'))
  .description("List the Onboarding Workflow stream's failed deliveries (read-only)")
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .option('--status <status>', 'delivery status; the Management API lists failed deliveries only', 'failed')
  .option('--since <duration>', 'only deliveries of the last duration, like 30m, 24h, 7d')
  .option('--json', 'print JSON instead of a table')
  .option('--stream <name>', 'event stream name (default: the one tenant.yaml declares)')
  .option('--page-size <n>', 'deliveries per API page, 1-100 (default: the API default, 50)')
  .action(async (opts: Options) => {
    // Every argument is checked before any network call.
    const statusProblem = checkStatus(opts.status);
    if (statusProblem) throw new UserError(statusProblem);
    const sinceMs = durationArg('--since', opts.since);
    const pageSize = intArg('--page-size', opts.pageSize, 1, 100);

    const ctx = await openTenant({ root: REPO_ROOT, envName: opts.env, processEnv: process.env });
    const stream = await findStream(ctx, opts.stream);
    const dateFrom = sinceMs !== undefined ? toApiTime(sinceDate(new Date(), sinceMs)) : undefined;
    const { deliveries, pages } = await listFailed(ctx, stream.id, { dateFrom, pageSize });
    const rows = sortRows(deliveries.map(toRow));
    const listing = {
      environment: opts.env,
      domain: ctx.domain,
      stream,
      since: dateFrom ? `${opts.since} (${dateFrom})` : undefined,
      pages,
    };
    const text = opts.json ? renderJson(rows, listing) : renderTable(rows, listing);
    console.log(redactEnv(ctx.redact(text)));
  });

program.parseAsync(process.argv).catch((err: unknown) => fail('deliveries', err));
