/**
 * The seeded generators behind the bench and the chaos runs: what they call valid matches the
 * official event schemas, malformed events do not parse as user events, and a seed always gives
 * the same scenario.
 */
import { parseMessage } from '../../event-streams/onboarding-workflow/events';
import { EVENT_SCHEMA, malformedEvent, randomEvent, type UserEventType } from '../../bench/lib/events';
import { createRandom } from '../../bench/lib/random';
import { fromPattern, parsePattern } from '../../bench/lib/schema-gen';
import { withoutPreviousObject } from '../support/cloud-events';
import { check, schemaValidator, type SchemaCheck } from '../support/openapi';
import { buildScenario } from './scenario';

const validators = new Map<string, SchemaCheck>();
function errorsFor(message: Record<string, unknown>): string[] {
  const name = EVENT_SCHEMA[message.type as UserEventType];
  if (!validators.has(name)) validators.set(name, schemaValidator(name));
  return check(validators.get(name)!, withoutPreviousObject(message));
}

test('pattern generator honours the patterns the event schemas use', () => {
  const random = createRandom(3);
  for (const pattern of [
    'evt_[a-zA-Z0-9]{16}',
    '^[a-zA-Z0-9](-[a-zA-Z0-9]|[a-zA-Z0-9])*$',
    '^\\+[0-9]{1,15}$',
    "^[a-zA-Z0-9_+\\-.!#\\$\\^`~@']*$",
  ]) {
    const re = new RegExp(pattern.startsWith('^') ? pattern : `^${pattern}$`);
    for (let i = 0; i < 200; i++) expect(fromPattern(pattern, random)).toMatch(re);
  }
  expect(parsePattern('a|b')).toHaveLength(2);
});

test('2,000 generated events: every "valid" one matches its official schema; the rest are not user events', () => {
  const random = createRandom(11);
  const shapes = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const event = randomEvent(random);
    shapes.add(event.shape.split('+')[0]!);
    const parsed = parseMessage(event.message);
    if (event.valid) {
      expect(errorsFor(event.message as Record<string, unknown>)).toEqual([]);
      if (event.shape !== 'test-event') expect(parsed.kind).toBe('user-event');
    } else {
      expect(parsed.kind).not.toBe('user-event');
    }
  }
  expect([...shapes]).toEqual(
    expect.arrayContaining(['user.created', 'user.updated', 'user.deleted', 'test-event']),
  );
});

test('malformed events break the official schema (or are not events at all), and the Action calls them malformed', () => {
  const random = createRandom(5);
  for (let i = 0; i < 300; i++) {
    const { message, valid, shape } = malformedEvent(random);
    expect(valid).toBe(false);
    expect(parseMessage(message).kind).toBe('malformed');
    if (
      shape.startsWith('malformed:') &&
      message &&
      typeof message === 'object' &&
      !Array.isArray(message) &&
      (message as { type?: string }).type
    ) {
      expect(errorsFor(message as Record<string, unknown>).length).toBeGreaterThan(0);
    }
  }
});

test('scenario events are schema-valid except the planted noise, and a seed always builds the same scenario', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const scenario = buildScenario(seed, { requestTimeoutMs: 150 });
    expect(JSON.stringify(buildScenario(seed, { requestTimeoutMs: 150 }))).toBe(JSON.stringify(scenario));
    for (const event of scenario.events) {
      if (!event.userId) continue; // noise: malformed, test and other-type events
      expect(errorsFor(event.message as Record<string, unknown>)).toEqual([]);
    }
    expect(new Set(scenario.deliveries)).toEqual(new Set(scenario.events.map((e) => e.order)));
  }
});
