/** I/O: the stream this repo owns and its failed deliveries, read page by page with the auth0 SDK. */
import { type ApiDelivery, type StreamInfo, pickStream, streamName } from './deliveries-core';
import { type OpsContext, UserError, api, collect } from './context';

export async function findStream(ctx: OpsContext, requested: string | undefined): Promise<StreamInfo> {
  const wanted = streamName(ctx.tenantDoc, requested);
  if ('problem' in wanted) throw new UserError(wanted.problem);
  const live = await api(ctx, 'listing event streams', async () =>
    collect(await ctx.client.eventStreams.list({ take: 100 })),
  );
  const picked = pickStream(
    live.map((s) => s as { id?: string; name?: string; status?: string }),
    wanted.name,
    ctx.domain,
  );
  if ('problem' in picked) throw new UserError(picked.problem);
  return { id: picked.stream.id as string, name: picked.stream.name as string, status: picked.stream.status };
}

export interface FailedListing {
  deliveries: ApiDelivery[];
  pages: number;
}

/**
 * Every failed delivery, following the `next` cursor until the API says there is no more. A cursor
 * that repeats would loop forever on a misbehaving server: that is an error, not the end.
 */
export async function listFailed(
  ctx: OpsContext,
  streamId: string,
  filters: { dateFrom?: string; pageSize?: number },
): Promise<FailedListing> {
  const request = {
    statuses: 'failed',
    ...(filters.dateFrom ? { date_from: filters.dateFrom } : {}),
    ...(filters.pageSize ? { take: filters.pageSize } : {}),
  };
  return api(ctx, 'listing deliveries', async () => {
    let page = await ctx.client.eventStreams.deliveries.list(streamId, request);
    const deliveries: ApiDelivery[] = [...(page.data as ApiDelivery[])];
    let pages = 1;
    const seen = new Set<string>();
    while (page.hasNextPage()) {
      const cursor = String((page.response as { next?: unknown }).next);
      if (seen.has(cursor)) throw new Error(`the deliveries endpoint returned cursor ${cursor} twice`);
      seen.add(cursor);
      page = await page.getNextPage();
      deliveries.push(...(page.data as ApiDelivery[]));
      pages++;
    }
    return { deliveries, pages };
  });
}
