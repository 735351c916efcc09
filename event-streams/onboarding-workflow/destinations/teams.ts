/**
 * Microsoft Teams: an Adaptive Card posted to a Teams Workflows webhook ("Post to a channel when a
 * webhook request is received") for onboard and offboard. Notification-only, like Slack: it never
 * fails the delivery, and a card already posted for an event is not posted again (api.cache).
 */
import { request, responseError } from '../http';
import { changesStatus, type LifecycleEvent, type Profile } from '../lifecycle';
import type { TeamsSettings } from '../settings';
import { truncate } from './slack-text';
import { neutraliseTeamsText } from './teams-text';
import type { CallContext, Destination } from './types';

const HEADLINES = {
  onboard: 'New employee provisioned',
  offboard: 'Employee deprovisioned',
} as const;
type Announced = keyof typeof HEADLINES;

const safe = (value: string, max: number) => neutraliseTeamsText(truncate(value, max));

function who(profile: Profile): string {
  const fullName = [profile.givenName, profile.familyName].filter(Boolean).join(' ');
  return profile.displayName ?? (fullName || profile.email || profile.userId);
}

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
export function teamsMessage(event: LifecycleEvent & { step: Announced }): Record<string, unknown> {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = safe(who(profile), 150);
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
  return {
    name: 'teams',
    kind: 'notification',
    wants: changesStatus,
    async apply(event: LifecycleEvent, context: CallContext) {
      const response = await request('Teams', settings.TEAMS_WEBHOOK_URL, {
        method: 'POST',
        json: teamsMessage(event as LifecycleEvent & { step: Announced }),
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
      // Workflows answers 202 Accepted; the retired Office 365 connectors answered 200.
      if (response.status !== 202 && response.status !== 200) throw responseError('Teams', response);
      return 'sent';
    },
  };
}
