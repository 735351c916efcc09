/**
 * Slack incoming webhook: a Block Kit message for onboard and offboard, with a plain-text fallback.
 * Notification-only: see types.ts.
 */
import type { SlackSettings } from '../settings';
import { HEADLINES, webhookAnnouncer, type AnnouncedEvent } from './announce';
import { escapeMrkdwn } from './slack-text';
import { personName, truncate } from './text';
import type { Destination } from './types';

const EMOJI = { onboard: ':wave:', offboard: ':lock:' } as const;

const fieldText = (label: string, value: string | undefined) =>
  `*${label}*\n${value ? escapeMrkdwn(truncate(value, 300)) : '_not set_'}`;

/** Pure: the webhook payload for an event. */
export function slackMessage(event: AnnouncedEvent): Record<string, unknown> {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = escapeMrkdwn(truncate(personName(profile), 150));
  return {
    text: `${headline}: ${name}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline, emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${EMOJI[event.step]} *${name}*`, verbatim: true },
        fields: [
          { type: 'mrkdwn', text: fieldText('Email', profile.email), verbatim: true },
          { type: 'mrkdwn', text: fieldText('Title', profile.title), verbatim: true },
          { type: 'mrkdwn', text: fieldText('Department', profile.department), verbatim: true },
          { type: 'mrkdwn', text: fieldText('Auth0 user', profile.userId), verbatim: true },
        ],
      },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: `${escapeMrkdwn(event.eventType)} · event ${escapeMrkdwn(event.eventId)} · ${escapeMrkdwn(event.occurredAt)}`,
            verbatim: true,
          },
        ],
      },
    ],
  };
}

export function slackDestination(settings: SlackSettings): Destination {
  return webhookAnnouncer({
    name: 'slack',
    system: 'Slack',
    webhookUrl: settings.SLACK_WEBHOOK_URL,
    message: slackMessage,
    acceptedStatuses: [200],
  });
}
