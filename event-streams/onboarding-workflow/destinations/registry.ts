/**
 * Which destinations run is configuration alone: `DESTINATIONS` names them (see settings.ts), and
 * this registry turns each enabled, correctly configured one into a Destination. A destination that
 * is enabled but misconfigured comes back as a problem, so the handler can fail the delivery until
 * its settings are fixed; a disabled destination is never built.
 */
import type { DestinationName, Settings } from '../settings';
import { hubspotDestination } from './hubspot';
import { jiraDestination } from './jira';
import { provisioningDestination } from './provisioning';
import { salesforceDestination } from './salesforce';
import { segmentDestination } from './segment';
import { slackDestination } from './slack';
import { teamsDestination } from './teams';
import type { Destination } from './types';

type Factories = { [N in DestinationName]: (settings: NonNullable<Settings[N]>) => Destination };

const FACTORIES: Factories = {
  hubspot: hubspotDestination,
  slack: slackDestination,
  salesforce: salesforceDestination,
  jira: jiraDestination,
  segment: segmentDestination,
  teams: teamsDestination,
  provisioning: provisioningDestination,
};

/**
 * Notification-only destinations: even misconfigured they never fail a delivery (retrying the
 * event would only repeat the record destinations' work; the error log is the alarm).
 */
export const NOTIFICATION_DESTINATIONS: ReadonlySet<string> = new Set<DestinationName>(['slack', 'teams']);

/** Destinations for this configuration, plus one entry per problem (a failure, not a skip). */
export function buildDestinations(
  settings: Settings,
): Array<Destination | { name: string; missing: string }> {
  const built = settings.enabled.map((name) => {
    const factory = FACTORIES[name] as (s: unknown) => Destination;
    return factory(settings[name]);
  });
  return [...built, ...settings.problems];
}
