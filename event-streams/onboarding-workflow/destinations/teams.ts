/**
 * Microsoft Teams: an Adaptive Card posted to a Teams Workflows webhook ("Post to a channel when a
 * webhook request is received") for onboard and offboard. Notification-only, like Slack: it never
 * fails the delivery, and a card already posted for an event is not posted again (api.cache).
 */
import type { TeamsSettings } from '../settings';
import { HEADLINES, webhookAnnouncer, type AnnouncedEvent } from './announce';
import { neutraliseTeamsText } from './teams-text';
import { personName, truncate } from './text';
import type { Destination } from './types';

const safe = (value: string, max: number) => neutraliseTeamsText(truncate(value, max));

/** A label (fixed text) and a user-controlled value, both as plain TextRuns. */
const field = (label: string, value: string | undefined) => ({
  type: 'RichTextBlock',
  inlines: [
    { type: 'TextRun', text: `${label}: `, weight: 'Bolder' },
    value
      ? { type: 'TextRun', text: safe(value, 300) }
      : { type: 'TextRun', text: 'not set', italic: true, isSubtle: true },
  ],
});

/** Pure: the webhook payload for an event. */
export function teamsMessage(event: AnnouncedEvent): Record<string, unknown> {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = safe(personName(profile), 150);
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          fallbackText: `${headline}: ${name}`,
          body: [
            { type: 'TextBlock', text: headline, weight: 'Bolder', size: 'Medium', wrap: true },
            {
              type: 'RichTextBlock',
              inlines: [{ type: 'TextRun', text: name, weight: 'Bolder', size: 'Large' }],
            },
            field('Email', profile.email),
            field('Title', profile.title),
            field('Department', profile.department),
            field('Auth0 user', profile.userId),
            {
              type: 'RichTextBlock',
              inlines: [
                {
                  type: 'TextRun',
                  text: safe(`${event.eventType} · event ${event.eventId} · ${event.occurredAt}`, 300),
                  isSubtle: true,
                  size: 'Small',
                },
              ],
            },
          ],
        },
      },
    ],
  };
}

export function teamsDestination(settings: TeamsSettings): Destination {
  return webhookAnnouncer({
    name: 'teams',
    system: 'Teams',
    webhookUrl: settings.TEAMS_WEBHOOK_URL,
    message: teamsMessage,
    // Workflows answers 202 Accepted; the retired Office 365 connectors answered 200.
    acceptedStatuses: [202, 200],
  });
}
