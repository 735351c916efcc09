/**
 * Slack incoming webhook: a Block Kit message for onboard and offboard, with a plain-text fallback.
 * Notification-only: see types.ts.
 */
import { request, responseError } from '../http';
import { changesStatus, type LifecycleEvent, type Profile } from '../lifecycle';
import { escapeMrkdwn, truncate } from './slack-text';
import type { CallContext, Destination } from './types';

const HEADLINES = {
  onboard: { emoji: ':wave:', text: 'New employee provisioned' },
  offboard: { emoji: ':lock:', text: 'Employee deprovisioned' },
} as const;

type Announced = keyof typeof HEADLINES;

const fieldText = (label: string, value: string | undefined) =>
  `*${label}*\n${value ? escapeMrkdwn(truncate(value, 300)) : '_not set_'}`;

function who(profile: Profile): string {
  const fullName = [profile.givenName, profile.familyName].filter(Boolean).join(' ');
  return profile.displayName ?? (fullName || profile.email || profile.userId);
}

/** Pure: the webhook payload for an event. */
export function slackMessage(event: LifecycleEvent & { step: Announced }): Record<string, unknown> {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = escapeMrkdwn(truncate(who(profile), 150));
  return {
    text: `${headline.text}: ${name}`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `${headline.text}`, emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `${headline.emoji} *${name}*`, verbatim: true },
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

export function slackDestination(settings: { webhookUrl: string }): Destination {
  return {
    name: 'slack',
    kind: 'notification',
    wants: changesStatus,
    async apply(event: LifecycleEvent, context: CallContext) {
      const response = await request('Slack', settings.webhookUrl, {
        method: 'POST',
        json: slackMessage(event as LifecycleEvent & { step: Announced }),
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs,
      });
      if (response.status !== 200) throw responseError('Slack', response);
      return 'sent';
    },
  };
}
