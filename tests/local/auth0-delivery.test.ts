/**
 * Event Stream delivery on the local tenant: the deployed Action code runs with its deployed
 * secrets; failures are retried with 1 s / 2 s / 4 s backoff (scaled down here), dead-lettered after
 * 4 attempts, listed and redelivered through the API; plus the duplicate/reorder test knobs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expectValid, responseValidator, requestValidator } from '../support/openapi';
import { createCorporateIdp, startTestTenant, type TestTenant } from '../support/local-auth0';
import type { DeliveryOptions } from '../../local/auth0';

const MAPPING = [
  { auth0: 'preferred_username', scim: 'userName' },
  { auth0: 'email', scim: 'emails[type eq "work"].value' },
  { auth0: 'blocked', scim: 'active' },
];

/** The Action under test: posts each event to a sink, authenticating with a deployed secret. */
const SINK_ACTION = `
let executions = 0; // module state: survives while the deployed version's module is reused
exports.onExecuteEventStream = async (event, api) => {
  executions += 1;
  const seen = Number(api.cache.get('seen')?.value ?? '0') + 1;
  api.cache.set('seen', String(seen));
  const res = await fetch(event.secrets.SINK_URL, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer ' + event.secrets.SINK_TOKEN },
    body: JSON.stringify({ id: event.message.id, type: event.message.type, user_id: event.message.data.object.user_id, executions, seen }),
  });
  if (!res.ok) throw new Error('sink answered ' + res.status);
  console.log('delivered ' + event.message.id);
};
`;

interface Sink {
  url: string;
  received: Array<{
    id: string;
    type: string;
    user_id: string;
    executions: number;
    seen: number;
    auth: string;
  }>;
  /** Status to answer with (200 by default); `failNext` answers 503 that many times first. */
  status: number;
  failNext: number;
  close(): Promise<void>;
}

async function startSink(): Promise<Sink> {
  const sink = { received: [], status: 200, failNext: 0 } as unknown as Sink;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (sink.failNext > 0) {
        sink.failNext--;
        res.writeHead(503).end();
        return;
      }
      if (sink.status === 200)
        sink.received.push({ ...JSON.parse(body), auth: req.headers.authorization ?? '' });
      res.writeHead(sink.status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  sink.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`;
  sink.close = () => new Promise<void>((r) => server.close(() => r()));
  return sink;
}

interface Setup {
  t: TestTenant;
  sink: Sink;
  streamId: string;
  actionId: string;
  createUser(name: string): string;
}

async function setup(delivery: DeliveryOptions): Promise<Setup> {
  const t = await startTestTenant({ actionBuildDelayMs: 0, delivery: { timeScale: 0.01, ...delivery } });
  const sink = await startSink();
  await createCorporateIdp(t, MAPPING);
  const action = await t.api('POST', '/actions/actions', {
    name: 'Sink Action',
    supported_triggers: [{ id: 'event-stream', version: 'v1' }],
    code: SINK_ACTION,
    runtime: 'node22',
    dependencies: [],
    secrets: [
      { name: 'SINK_URL', value: sink.url },
      { name: 'SINK_TOKEN', value: 'sink-test-token' },
    ],
  });
  await new Promise((r) => setTimeout(r, 10));
  const deployed = await t.api('POST', `/actions/actions/${action.body.id}/deploy`);
  if (deployed.status !== 202) throw new Error(`deploy failed: ${JSON.stringify(deployed.body)}`);
  const stream = await t.api('POST', '/event-streams', {
    name: 'Sink stream',
    subscriptions: [
      { event_type: 'user.created' },
      { event_type: 'user.updated' },
      { event_type: 'user.deleted' },
    ],
    destination: { type: 'action', configuration: { action_id: action.body.id } },
    status: 'enabled',
  });
  return {
    t,
    sink,
    streamId: stream.body.id,
    actionId: action.body.id,
    createUser: (name) =>
      t.auth0.tenant.createUser('corporate-idp', name, { email: `${name}@example.com` }).user_id,
  };
}

describe('local Auth0 tenant: Event Stream delivery', () => {
  const open: Setup[] = [];
  const start = async (delivery: DeliveryOptions = {}) => {
    const s = await setup(delivery);
    open.push(s);
    return s;
  };
  afterEach(async () => {
    for (const s of open.splice(0)) {
      await s.t.stop();
      await s.sink.close();
    }
  });

  it('runs the deployed version with its deployed secrets, not the undeployed draft', async () => {
    const { t, sink, actionId, createUser } = await start();
    // A draft edit (PATCH without deploy) must not change what runs, nor which secret values it sees.
    await t.api('PATCH', `/actions/actions/${actionId}`, {
      code: 'exports.onExecuteEventStream = async () => { throw new Error("draft ran"); };',
      secrets: [{ name: 'SINK_TOKEN', value: 'draft-token' }],
    });
    const userId = createUser('ada');
    await t.auth0.drain();
    expect(sink.received).toEqual([
      expect.objectContaining({ type: 'user.created', user_id: userId, auth: 'Bearer sink-test-token' }),
    ]);
    const [record] = t.auth0.tenant.deliveries();
    expect(record).toMatchObject({ status: 'delivered', executions: 1 });
    expect(record!.attempts).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  });

  it('reuses the module per deployed version; api.cache persists across executions', async () => {
    const { t, sink, createUser } = await start();
    createUser('one');
    createUser('two');
    await t.auth0.drain();
    expect(sink.received.map((r) => [r.executions, r.seen])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it("keeps each execution's Action log lines on its own delivery record", async () => {
    const { t, createUser } = await start();
    createUser('one');
    createUser('two');
    await t.auth0.drain();
    const records = t.auth0.tenant.deliveries();
    expect(records).toHaveLength(2);
    for (const record of records) expect(record.logs).toEqual([`[log] delivered ${record.id}`]);
  });

  it('freshModulePerExecution: module state resets, api.cache still carries over', async () => {
    const { t, sink, createUser } = await start({ freshModulePerExecution: true });
    createUser('one');
    createUser('two');
    await t.auth0.drain();
    expect(sink.received.map((r) => [r.executions, r.seen])).toEqual([
      [1, 1],
      [1, 2],
    ]);
  });

  it('retries failures after 1 s, 2 s (scaled) and succeeds on the third attempt', async () => {
    const { t, sink, createUser } = await start({ timeScale: 0.05 });
    sink.failNext = 2;
    createUser('retry');
    await t.auth0.drain();
    expect(sink.received).toHaveLength(1);
    const [record] = t.auth0.tenant.deliveries();
    expect(record!.status).toBe('delivered');
    expect(record!.attempts.map((a) => a.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(record!.attempts[0]!.error_message).toContain('sink answered 503');
    const times = record!.attempts.map((a) => Date.parse(a.timestamp));
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(45);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(95);
  });

  it('dead-letters after 4 attempts; the deliveries API lists it; redeliver by id and in bulk', async () => {
    const { t, sink, streamId, createUser } = await start();
    sink.status = 500;
    const first = createUser('down-1');
    createUser('down-2');
    await t.auth0.drain();
    const records = t.auth0.tenant.deliveries();
    expect(records.map((r) => [r.status, r.attempts.length])).toEqual([
      ['failed', 4],
      ['failed', 4],
    ]);

    const listed = await t.api('GET', `/event-streams/${streamId}/deliveries`);
    expectValid(responseValidator('get', '/event-streams/{id}/deliveries'), listed.body);
    expect(listed.body).toHaveLength(2);
    expect(listed.body[0]).toMatchObject({
      event_stream_id: streamId,
      status: 'failed',
      event_type: 'user.created',
    });
    expect(listed.body[0].attempts).toHaveLength(4);
    expect(JSON.parse(listed.body[0].event.data).object.user_id).toMatch(/^samlp\|corporate-idp\|down-/);
    expect(
      (await t.api('GET', `/event-streams/${streamId}/deliveries?event_types=user.deleted`)).body,
    ).toEqual([]);
    const paged = await t.api('GET', `/event-streams/${streamId}/deliveries?take=1`);
    expect(paged.body.deliveries).toHaveLength(1);
    expect(paged.body.next).toEqual(expect.any(String));

    const eventId = records.find((r) => r.event.data.object.user_id === first)!.id;
    const one = await t.api('GET', `/event-streams/${streamId}/deliveries/${eventId}`);
    expectValid(responseValidator('get', '/event-streams/{id}/deliveries/{event_id}'), one.body);

    sink.status = 200;
    expect((await t.api('POST', `/event-streams/${streamId}/redeliver/${eventId}`)).status).toBe(202);
    await t.auth0.drain();
    expect(sink.received.map((r) => r.user_id)).toEqual([first]);
    expect((await t.api('POST', `/event-streams/${streamId}/redeliver/${eventId}`)).status).toBe(409);

    const bulk = { event_types: ['user.created'], statuses: ['failed'] };
    expectValid(requestValidator('post', '/event-streams/{id}/redeliver'), bulk);
    const res = await t.api('POST', `/event-streams/${streamId}/redeliver`, bulk);
    expect(res.status).toBe(202);
    expectValid(responseValidator('post', '/event-streams/{id}/redeliver'), res.body);
    await t.auth0.drain();
    expect(sink.received).toHaveLength(2);
    expect((await t.api('GET', `/event-streams/${streamId}/deliveries`)).body).toEqual([]);
    expect(t.auth0.tenant.deliveries().every((r) => r.status === 'delivered' && r.redeliveries === 1)).toBe(
      true,
    );
  });

  it('disables the stream after the configured number of consecutive dead-lettered deliveries', async () => {
    const { t, sink, streamId, createUser } = await start({ autoDisableAfter: 2, maxAttempts: 1 });
    sink.status = 500;
    createUser('a');
    await t.auth0.drain();
    expect((await t.api('GET', `/event-streams/${streamId}`)).body.status).toBe('enabled');
    createUser('b');
    await t.auth0.drain();
    expect((await t.api('GET', `/event-streams/${streamId}`)).body.status).toBe('disabled');
    const before = t.auth0.tenant.events.length;
    createUser('c');
    expect(t.auth0.tenant.events.length).toBe(before);
  });

  it('counts an execution over the limit as a failed attempt', async () => {
    const { t, actionId, createUser } = await start({ executionLimitMs: 50, maxAttempts: 1 });
    await t.api('PATCH', `/actions/actions/${actionId}`, {
      code: 'exports.onExecuteEventStream = () => new Promise((r) => setTimeout(r, 1000));',
    });
    await new Promise((r) => setTimeout(r, 10));
    await t.api('POST', `/actions/actions/${actionId}/deploy`);
    createUser('slow');
    await t.auth0.drain();
    expect(t.auth0.tenant.deliveries()[0]!.attempts[0]!.error_message).toMatch(/exceeded 50 ms/);
  });

  it('duplicate: runs every event N times with the same event id', async () => {
    const { t, sink, createUser } = await start({ duplicate: 3 });
    createUser('dup');
    await t.auth0.drain();
    expect(sink.received).toHaveLength(3);
    expect(new Set(sink.received.map((r) => r.id)).size).toBe(1);
  });

  it('reorder: releases a window of events shuffled by a seeded PRNG, reproducibly', async () => {
    const order = async (seed: number) => {
      const { t, sink, createUser } = await start({ reorder: { window: 6, seed } });
      const ids = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map(createUser);
      await t.auth0.drain();
      return { ids, got: sink.received.map((r) => r.user_id) };
    };
    const a = await order(7);
    const b = await order(7);
    expect([...a.got].sort()).toEqual([...a.ids].sort());
    expect(a.got).not.toEqual(a.ids);
    expect(b.got.map((id) => id.split('|')[2])).toEqual(a.got.map((id) => id.split('|')[2]));
  });

  it('exposes events, deliveries and mutations on the /__local control surface', async () => {
    const { t, createUser } = await start();
    createUser('ctl');
    const drained = await t.fetch(`${t.auth0.baseUrl}/__local/drain`, { method: 'POST' });
    expect(drained.status).toBe(200);
    const events = (await (
      await t.fetch(`${t.auth0.baseUrl}/__local/events?type=user.created`)
    ).json()) as unknown[];
    expect(events).toHaveLength(1);
    const deliveries = (await (await t.fetch(`${t.auth0.baseUrl}/__local/deliveries`)).json()) as Array<{
      status: string;
    }>;
    expect(deliveries.map((d) => d.status)).toEqual(['delivered']);
    const mutations = (await (await t.fetch(`${t.auth0.baseUrl}/__local/mutations`)).json()) as {
      count: number;
    };
    expect(mutations.count).toBeGreaterThan(3);
    await t.fetch(`${t.auth0.baseUrl}/__local/mutations/reset`, { method: 'POST' });
    expect(
      ((await (await t.fetch(`${t.auth0.baseUrl}/__local/mutations`)).json()) as { count: number }).count,
    ).toBe(0);
    const cfg = await t.fetch(`${t.auth0.baseUrl}/__local/delivery`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duplicate: 2 }),
    });
    expect(((await cfg.json()) as { duplicate: number }).duplicate).toBe(2);
  });
});
