/**
 * npm run redeliver -- --env <name> (--event evt_… | --all-failed) [--since 24h] [--dry-run]
 * Redelivers failed events through the Management API and says what was resent.
 */
import { Command } from 'commander';
import { type DeliveryRow, sortRows, toRow, type ApiDelivery } from './deliveries-core';
import { sinceDate, toApiTime } from './duration';
import { api, describeApiError, openTenant, UserError } from './context';
import { redeliverMode, renderRedeliverSummary } from './redeliver-core';
import { findStream, listFailed } from './streams';
import { REPO_ROOT, configure, durationArg, fail, redactEnv } from './cli';

interface Options {
  env: string;
  event?: string;
  allFailed?: boolean;
  since?: string;
  dryRun?: boolean;
  stream?: string;
}

const program = configure(new Command('redeliver'))
  .description('Redeliver failed events of the Onboarding Workflow stream (one event, or every failed one)')
  .requiredOption('--env <name>', 'environment: a file in tenant/environments/')
  .option('--event <id>', 'the event id to redeliver (see npm run deliveries)')
  .option('--all-failed', 'redeliver every failed delivery (optionally only those of --since)')
  .option('--since <duration>', 'with --all-failed: only failures of the last duration, like 2h, 1d')
  .option('--dry-run', 'list what would be redelivered, change nothing')
  .option('--stream <name>', 'event stream name (default: the one tenant.yaml declares)')
  .action(async (opts: Options) => {
    const sinceMs = durationArg('--since', opts.since);
    const picked = redeliverMode({ event: opts.event, allFailed: opts.allFailed, sinceMs });
    if ('problem' in picked) throw new UserError(picked.problem);
    const mode = picked.mode;

    const ctx = await openTenant({ root: REPO_ROOT, envName: opts.env, processEnv: process.env });
    const stream = await findStream(ctx, opts.stream);
    let rows: DeliveryRow[];
    let window: { from?: string; to: string } | undefined;

    if (mode.kind === 'event') {
      // The delivery's history first: it says whether the event failed, and what it was about.
      let delivery: ApiDelivery;
      try {
        delivery = (await ctx.client.eventStreams.deliveries.getHistory(
          stream.id,
          mode.eventId,
        )) as ApiDelivery;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) {
          throw new UserError(
            `event ${mode.eventId} has no failed delivery on stream "${stream.name}" in ${ctx.domain}: check the id with npm run deliveries -- --env ${opts.env}`,
          );
        }
        throw new UserError(
          ctx.redact(`reading the delivery of ${mode.eventId} failed: ${describeApiError(err, ctx.domain)}`),
        );
      }
      rows = [toRow(delivery)];
      if (!opts.dryRun) {
        try {
          await ctx.client.eventStreams.redeliveries.createById(stream.id, mode.eventId);
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode === 409) {
            throw new UserError(
              `event ${mode.eventId} is not in a failed state any more (already redelivered or being retried)`,
            );
          }
          throw new UserError(
            ctx.redact(`redelivering ${mode.eventId} failed: ${describeApiError(err, ctx.domain)}`),
          );
        }
      }
    } else {
      const now = new Date();
      const from = mode.sinceMs !== undefined ? toApiTime(sinceDate(now, mode.sinceMs)) : undefined;
      // date_to is exclusive and whole seconds: the next second covers everything listed below.
      const to = toApiTime(new Date(Math.floor(now.getTime() / 1000) * 1000 + 1000));
      window = { from, to };
      const listed = await listFailed(ctx, stream.id, { dateFrom: from });
      rows = sortRows(listed.deliveries.map(toRow));
      if (rows.length && !opts.dryRun) {
        await api(ctx, 'requesting the redelivery', () =>
          ctx.client.eventStreams.redeliveries.create(stream.id, {
            statuses: ['failed'],
            ...(from ? { date_from: from } : {}),
            date_to: to,
          }),
        );
      }
    }
    const text = renderRedeliverSummary({
      environment: opts.env,
      stream,
      rows,
      dryRun: !!opts.dryRun,
      window,
    });
    console.log(redactEnv(ctx.redact(text)));
  });

program.parseAsync(process.argv).catch((err: unknown) => fail('redeliver', err));
