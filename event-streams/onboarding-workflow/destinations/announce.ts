/**
 * What the notification destinations (Slack, Teams) share: which steps they announce, with which
 * headline, and the webhook call itself. Each builds its own message format around these.
 */
import { request, responseError } from '../http';
import { changesStatus, type LifecycleEvent } from '../lifecycle';
import type { CallContext, Destination } from './types';

export const HEADLINES = {
  onboard: 'New employee provisioned',
  offboard: 'Employee deprovisioned',
} as const;
/** The steps announced; `changesStatus` lets only these through. */
type Announced = keyof typeof HEADLINES;
export type AnnouncedEvent = LifecycleEvent & { step: Announced };

/** A notification destination that POSTs `message(event)` to a webhook on every status change. */
export function webhookAnnouncer(options: {
  name: string;
  system: string;
  webhookUrl: string;
  message: (event: AnnouncedEvent) => unknown;
  acceptedStatuses: readonly number[];
}): Destination {
  return {
    name: options.name,
    kind: 'notification',
    wants: changesStatus,
    async apply(event: LifecycleEvent, context: CallContext) {
      const response = await request(options.system, options.webhookUrl, {
        method: 'POST',
        json: options.message(event as AnnouncedEvent),
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
      if (!options.acceptedStatuses.includes(response.status)) throw responseError(options.system, response);
      return 'sent';
    },
  };
}
