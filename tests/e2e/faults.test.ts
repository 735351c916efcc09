/**
 * The whole pipeline under injected faults, deterministically: SCIM (as Okta sends it) → the local
 * Auth0 tenant → its Event Stream delivery (Auth0's retries, dead-letter queue, redeliver) → the
 * deployed Action → HubSpot and Slack stand-ins. (tests/chaos does the same at random, with seeds.)
 */
import path from 'node:path';
import { startPrivateStack, type LocalStack, type PrivateStack } from '../../local/stack';
import { fetchTrusting, run } from '../support/local-auth0';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

jest.setTimeout(300_000);

let privateStack: PrivateStack;
let stack: LocalStack;
let env: NodeJS.ProcessEnv;
let httpFetch: typeof fetch;
let scim: { usersUrl: string; token: string };

/** A repository CLI as a child process; asynchronous, because the stack serves it from this process. */
const cli = async (script: string, args: string[]) => {
  const r = await run(TSX, [script, ...args], { cwd: ROOT, env, timeoutMs: 240_000 });
  return { ...r, status: r.code ?? 1 };
};

beforeAll(async () => {
  // Auth0's 1/2/4 s retry schedule, scaled down 100×; the destinations keep their real behaviour.
  privateStack = await startPrivateStack({ root: ROOT, auth0: { delivery: { timeScale: 0.01 } } });
  ({ stack, env } = privateStack);
  stack.destinations!.hubspot!.setRateLimit(false);
  stack.destinations!.slack!.setRateLimit(false);
  const deployed = await cli('tenant/cli/deploy.ts', ['--env', 'local', '--skip-build']);
  if (deployed.status !== 0) throw new Error(`deploy failed:\n${deployed.stdout}\n${deployed.stderr}`);
  httpFetch = fetchTrusting(stack.auth0.caCert);
  const token = stack.ensureScimToken();
  if (!token) throw new Error('no SCIM token: the connection was not deployed');
  scim = token;
});

afterAll(async () => {
  await privateStack?.stop();
});

let serial = 0;
/** Provisions a user the way Okta does (POST /Users) and returns the Auth0 user id. */
async function provision(name: string): Promise<string> {
  const n = ++serial;
  const email = `${name.toLowerCase()}.${n}@example.com`;
  const response = await httpFetch(scim.usersUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: email,
      externalId: `00uE2E${n}`,
      name: { givenName: name, familyName: `Tester${n}` },
      displayName: `${name} Tester${n}`,
      emails: [{ primary: true, value: email, type: 'work' }],
      active: true,
    }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

async function patchUser(id: string, operations: unknown[]): Promise<void> {
  const response = await httpFetch(`${scim.usersUrl}/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: operations,
    }),
  });
  expect(response.status).toBe(200);
}

const liveContacts = (userIds: string[]) =>
  stack.destinations!.hubspot!.contacts().filter((c) => userIds.includes(c.properties.auth0_user_id ?? ''));
const deadLetters = () => stack.auth0.tenant.deliveries().filter((d) => d.status === 'failed');

it('HubSpot down for a while, then back: events dead-letter, and after redelivery nothing is lost', async () => {
  const hubspot = stack.destinations!.hubspot!;
  const outage = hubspot.faults.add({ kind: 'error', status: 503 });
  const users = [await provision('Amara'), await provision('Bjørn'), await provision('Chidi')];
  await stack.drain();
  expect(liveContacts(users)).toHaveLength(0);
  expect(deadLetters().length).toBeGreaterThanOrEqual(3);
  expect(deadLetters().every((d) => d.attempts.length === 4)).toBe(true); // Auth0's 4 attempts

  hubspot.faults.remove(outage.id);
  await new Promise((resolve) => setTimeout(resolve, 31_000)); // the Action's breaker cool-off
  const redelivered = await cli('tenant/ops/redeliver.ts', ['--env', 'local', '--all-failed']);
  expect(redelivered.status).toBe(0);
  await stack.drain();
  expect(deadLetters()).toHaveLength(0);
  expect(liveContacts(users)).toHaveLength(3);
});

it('Slack down: no failed event, no duplicate contact, and Slack never blocks HubSpot', async () => {
  const slack = stack.destinations!.slack!;
  const outage = slack.faults.add({ kind: 'error', status: 500 });
  const before = stack.auth0.tenant.deliveries().length;
  const users = [await provision('Dana'), await provision('Émile')];
  await stack.drain();
  slack.faults.remove(outage.id);
  const mine = stack.auth0.tenant.deliveries().slice(before);
  expect(mine.map((d) => d.status)).toEqual(mine.map(() => 'delivered'));
  expect(liveContacts(users)).toHaveLength(2);
  expect(new Set(liveContacts(users).map((c) => c.properties.auth0_user_id)).size).toBe(2);
});

it('duplicated and reordered deliveries end in the same state as a clean run', async () => {
  const tenant = stack.auth0.tenant;
  tenant.delivery.configure({ duplicate: 3, reorder: { window: 6, seed: 7, flushAfterMs: 200 } });
  const before = tenant.deliveries().length;
  try {
    const kept = await provision('Farah');
    const renamed = await provision('Gustav');
    const deactivated = await provision('Hana');
    await patchUser(renamed, [
      { op: 'replace', value: { name: { givenName: 'Gus', familyName: 'Renamed' } } },
    ]);
    await patchUser(deactivated, [{ op: 'replace', value: { active: false } }]);
    await stack.drain();

    const live = liveContacts([kept, renamed, deactivated]);
    expect(live.map((c) => c.properties.auth0_user_id).sort()).toEqual([kept, renamed].sort());
    expect(live.find((c) => c.properties.auth0_user_id === renamed)?.properties).toMatchObject({
      firstname: 'Gus',
      lastname: 'Renamed',
    });
    expect(deadLetters()).toHaveLength(0);
    const mine = tenant.deliveries().slice(before);
    expect(mine.length).toBeGreaterThanOrEqual(5); // 3 creates, a rename, a deactivation
    expect(mine.every((d) => d.executions >= 3)).toBe(true); // each event really ran three times
  } finally {
    tenant.delivery.configure({ duplicate: 1, reorder: undefined });
  }
});
