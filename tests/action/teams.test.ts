/**
 * Microsoft Teams destination (notification-only): Adaptive Card payload, neutralised user text,
 * dedupe of redeliveries through api.cache, and faults that never fail the delivery.
 */
import nock from 'nock';
import { cloudEvent, employee, type UserShape } from '../support/cloud-events';
import { destinationLine, sourceHarness } from '../support/action-harness';
import { teamsMessage } from '../../event-streams/onboarding-workflow/destinations/teams';
import { neutraliseTeamsText } from '../../event-streams/onboarding-workflow/destinations/teams-text';
import { toLifecycleEvent } from '../../event-streams/onboarding-workflow/lifecycle';
import { COMMON_FAULTS, only, TEAMS_WEBHOOK } from './destinations-support';

const SECRETS = only('teams');
const ORIGIN = new URL(TEAMS_WEBHOOK).origin;
const PATH = new URL(TEAMS_WEBHOOK).pathname;

const onboardEvent = (user: UserShape) =>
  toLifecycleEvent({
    id: 'evt_00000000000000t1',
    type: 'user.created',
    time: '2026-12-01T10:00:00.000Z',
    user: user as never,
  }) as ReturnType<typeof toLifecycleEvent> & { step: 'onboard' };

type Node = Record<string, unknown>;
const card = (message: Record<string, unknown>) =>
  (message.attachments as Array<{ content: { body: Node[]; fallbackText: string } }>)[0]!.content;
/** Every element of the card that renders text, with its type. */
function textElements(message: Record<string, unknown>): Array<{ type: string; text: string }> {
  const out: Array<{ type: string; text: string }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const n = node as Node;
      if (typeof n.text === 'string') out.push({ type: String(n.type), text: n.text });
      Object.values(n).forEach(walk);
    }
  };
  walk(card(message).body);
  out.push({ type: 'fallbackText', text: card(message).fallbackText });
  return out;
}

describe('neutralising user text', () => {
  it.each([
    ['[click](https://evil.example)', '[click]\u200b(https:\u200b//evil.example)'],
    ['<at>General</at>', '<\u200bat>General<\u200b/at>'],
    ['{{DATE(2017-02-14T06:00:00Z, SHORT)}}', '{\u200b{DATE(2017-02-14T06:00:00Z, SHORT)}}'],
    ['line\nbreak\r\n- item', 'line break - item'],
    ['Zoë 👩🏽‍💻 **bold**', 'Zoë 👩🏽‍💻 **bold**'],
  ])('%j', (input, expected) => expect(neutraliseTeamsText(input)).toBe(expected));
});

describe('Adaptive Card', () => {
  it('is a Workflows message with one Adaptive Card, a headline and the event id', () => {
    const message = teamsMessage(onboardEvent(employee()));
    expect(message).toMatchObject({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          content: {
            type: 'AdaptiveCard',
            version: '1.4',
            fallbackText: 'New employee provisioned: Ada Lovelace',
          },
        },
      ],
    });
    expect(JSON.stringify(message)).toContain('evt_00000000000000t1');
  });

  it('puts every user-controlled value in a TextRun (rendered without markdown), neutralised', () => {
    const hostile = '[click me](https://evil.example) <at>General</at> {{DATE(2017-02-14T06:00:00Z)}}';
    const message = teamsMessage(
      onboardEvent(
        employee({
          name: hostile,
          email: 'x[y](https://e.example)@example.com',
          app_metadata: { title: hostile },
        }),
      ),
    );
    for (const { type, text } of textElements(message)) {
      expect(text).not.toMatch(/\]\s*\(|<at|\{\{|:\/\//);
      if (text.includes('click me') && type !== 'fallbackText') expect(type).toBe('TextRun');
    }
    // Only fixed headlines use the markdown-rendering TextBlock.
    const blocks = textElements(message).filter((t) => t.type === 'TextBlock');
    expect(blocks.map((b) => b.text)).toEqual(['New employee provisioned']);
  });

  it('bounds huge names and keeps unicode', () => {
    const message = teamsMessage(
      onboardEvent(employee({ name: 'Ж'.repeat(10_000), app_metadata: { title: '工程师' } })),
    );
    for (const { text } of textElements(message)) expect(Array.from(text).length).toBeLessThanOrEqual(400);
    expect(JSON.stringify(message)).toContain('工程师');
  });
});

describe('when Teams is called', () => {
  it('posts onboard and offboard cards, not plain updates; 202 is success', async () => {
    const posts: Array<Record<string, unknown>> = [];
    nock(ORIGIN)
      .persist()
      .post(PATH, (b) => (posts.push(b), true))
      .query(true)
      .reply(202);
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), SECRETS);
    expect(destinationLine(h.lines, 'teams')).toMatchObject({ outcome: 'sent' });
    await h.run(
      cloudEvent('user.updated', employee({ given_name: 'Augusta' }), { previous: employee() }),
      SECRETS,
    );
    expect(destinationLine(h.lines, 'teams')).toMatchObject({ outcome: 'skipped-no-relevant-change' });
    await h.run(cloudEvent('user.deleted', employee()), SECRETS);
    expect(posts.map((p) => card(p).fallbackText)).toEqual([
      'New employee provisioned: Ada Lovelace',
      'Employee deprovisioned: Ada Lovelace',
    ]);
  });

  it('a card already posted is not posted again when the event is redelivered', async () => {
    const teams = nock(ORIGIN).post(PATH).query(true).once().reply(202);
    const event = cloudEvent('user.created', employee(), { id: 'evt_00000000000000t2' });
    const h = sourceHarness();
    await h.run(event, SECRETS);
    await h.run(event, SECRETS);
    expect(teams.isDone()).toBe(true);
    expect(destinationLine(h.lines, 'teams')).toMatchObject({ outcome: 'skipped-already-sent', delivery: 2 });
  });
});

describe('faults never fail the delivery', () => {
  it.each<[string, (i: nock.Interceptor) => nock.Scope]>([
    ...COMMON_FAULTS.map((f): [string, (i: nock.Interceptor) => nock.Scope] => [f.label, f.reply]),
    ['400 bad card', (i: nock.Interceptor) => i.reply(400, { error: { code: 'InvalidRequestContent' } })],
    [
      '401 flow needs auth',
      (i: nock.Interceptor) => i.reply(401, { error: { code: 'DirectApiAuthorizationRequired' } }),
    ],
    ['404 flow deleted', (i: nock.Interceptor) => i.reply(404, { error: { code: 'WorkflowNotFound' } })],
  ])('%s: logged, the delivery still succeeds', async (_label, fault) => {
    fault(nock(ORIGIN).persist().post(PATH).query(true));
    const h = sourceHarness();
    await expect(h.run(cloudEvent('user.created', employee()), SECRETS)).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'teams')).toMatchObject({
      outcome: expect.stringMatching(/^failed-/),
      will_redeliver: false,
    });
  });

  it('a short Retry-After is honoured in line', async () => {
    nock(ORIGIN).post(PATH).query(true).reply(429, {}, { 'Retry-After': '0.1' });
    nock(ORIGIN).post(PATH).query(true).reply(202);
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), SECRETS);
    expect(destinationLine(h.lines, 'teams')).toMatchObject({ outcome: 'sent', attempt: 2 });
  });

  it('never logs the webhook URL (its sig= is the credential)', async () => {
    nock(ORIGIN)
      .post(PATH)
      .query(true)
      .replyWithError({ code: 'ECONNREFUSED', message: `connect failed to ${TEAMS_WEBHOOK}` });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), SECRETS);
    const output = h.raw.join('\n');
    expect(output).toContain('teams');
    expect(output).not.toContain('fake-teams-signature-value');
  });
});
