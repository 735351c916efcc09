import nock from 'nock';
import { escapeMrkdwn } from '../../event-streams/onboarding-workflow/destinations/slack-text';
import { truncate } from '../../event-streams/onboarding-workflow/destinations/text';
import { slackMessage } from '../../event-streams/onboarding-workflow/destinations/slack';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { cloudEvent, employee, type UserShape } from '../support/cloud-events';
import { HUBSPOT, SLACK_WEBHOOK, sourceHarness } from '../support/action-harness';

const onboardEvent = (user: UserShape) =>
  toLifecycleEvent({
    id: 'evt_00000000000000s1',
    type: 'user.created',
    time: '2026-12-01T10:00:00.000Z',
    user: user as never,
  }) as ReturnType<typeof toLifecycleEvent> & { step: 'onboard' };

/** Every piece of text Slack would render from the payload. */
function renderedTexts(message: Record<string, unknown>): string[] {
  const texts: string[] = [String(message.text)];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.text === 'string') texts.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(message.blocks);
  return texts;
}

describe('mrkdwn escaping', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here|here>', '&lt;!here|here&gt;'],
    ['<https://example.com|click>', '&lt;https://example.com|click&gt;'],
    ['<@U12345>', '&lt;@U12345&gt;'],
    ['Tom & Jerry', 'Tom &amp; Jerry'],
    ['&lt;already&gt;', '&amp;lt;already&amp;gt;'],
  ])('%s → %s', (input, expected) => expect(escapeMrkdwn(input)).toBe(expected));

  it('truncates by code points, keeping emoji and accents whole', () => {
    expect(truncate('Zoë 👩🏽‍💻 Ångström', 5)).toBe('Zoë …');
    expect(truncate('short', 10)).toBe('short');
  });
});

describe('Block Kit message', () => {
  it('cannot ping a channel or make a link from any user-controlled field', () => {
    const hostile = '<!channel> <https://evil.example|click me> <@U1>';
    const message = slackMessage(
      onboardEvent(
        employee({
          name: hostile,
          email: 'x<!everyone>@example.com',
          app_metadata: { title: hostile, department: hostile },
        }),
      ),
    );
    for (const text of renderedTexts(message)) {
      expect(text).not.toMatch(/<[!@#]|<https?:/);
    }
    expect(JSON.stringify(message)).toContain('&lt;!channel&gt;');
  });

  it('has a plain-text fallback, a header, fields, and the event id in the context', () => {
    const message = slackMessage(onboardEvent(employee()));
    expect(message.text).toBe('New employee provisioned: Ada Lovelace');
    const blocks = message.blocks as Array<Record<string, unknown>>;
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'context']);
    expect(JSON.stringify(blocks[2])).toContain('evt_00000000000000s1');
  });

  it('keeps within Slack limits for huge names and renders unicode names', () => {
    const message = slackMessage(
      onboardEvent(employee({ name: 'Ж'.repeat(10_000), app_metadata: { title: '工程师' } })),
    );
    for (const text of renderedTexts(message)) expect(Array.from(text).length).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(message)).toContain('工程师');
  });
});

describe('when Slack is called', () => {
  afterEach(() => nock.cleanAll());

  it('announces onboard and offboard, but not a plain profile update', async () => {
    nock(HUBSPOT)
      .persist()
      .get(/.*/)
      .reply(200, {
        id: '1',
        properties: { auth0_last_event_at: '2026-01-01T00:00:00Z' },
      });
    nock(HUBSPOT).persist().patch(/.*/).reply(200, {});
    nock(HUBSPOT).persist().delete(/.*/).reply(204);
    const posts: Array<{ text: string }> = [];
    nock('https://hooks.slack.test')
      .persist()
      .post(new URL(SLACK_WEBHOOK).pathname, (body) => (posts.push(body), true))
      .reply(200, 'ok');
    const h = sourceHarness();
    await h.run(cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { previous: employee() }));
    await h.run(cloudEvent('user.updated', employee({ blocked: true }), { previous: employee() }));
    expect(posts.map((p) => p.text)).toEqual(['Employee deprovisioned: Ada Lovelace']);
  });
});
