/**
 * The ops commands against the local Auth0 tenant: started in this process with startLocalStack,
 * tenant.yaml deployed with the real auth0-deploy-cli, every command run as a child process (as
 * `npm run <command>` would) with LOCAL_STACK_FILE pointing at this test's own stack.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { fetchTrusting } from '../support/local-auth0';
import { ROOT, runCli, type CliResult } from './support/cli';

jest.setTimeout(300_000);

let stack: LocalStack;
let dir: string;
let env: Record<string, string>;
let httpFetch: typeof fetch;
let mgmtToken: string;

const USERS = 55; // more than one page of the deliveries endpoint (the SDK asks for 50)

const cli = (command: string, ...args: string[]): Promise<CliResult> =>
  runCli(`tenant/ops/${command}.ts`, args, env);
// The committed bundle is deployed as is: no rebuild in a shared working tree.
const deploy = () =>
  runCli('tenant/cli/deploy.ts', ['--env', 'local', '--skip-build', '--skip-validate'], env);
const json = (r: CliResult) =>
  JSON.parse(r.stdout) as { count: number; pages: number; deliveries: Array<Record<string, unknown>> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary Management API JSON
async function mgmt(method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await httpFetch(`${stack.auth0.baseUrl}/api/v2${p}`, {
    method,
    headers: {
      authorization: `Bearer ${mgmtToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function scimUser(usersUrl: string, bearer: string, externalId: string): Promise<number> {
  const res = await httpFetch(usersUrl, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/scim+json' },
    body: JSON.stringify({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      externalId,
      userName: `${externalId}@example.com`,
      active: true,
      name: { givenName: 'Test', familyName: externalId },
      displayName: `Test ${externalId}`,
      emails: [{ type: 'work', primary: true, value: `${externalId}@example.com` }],
    }),
  });
  await res.text();
  return res.status;
}

/** One clear message: a non-zero exit, nothing on stdout, and the cause on stderr's first line. */
function expectOneMessage(r: CliResult, pattern: RegExp): void {
  expect({ code: r.code === 0 ? 0 : 'non-zero', stdout: r.stdout }).toEqual({ code: 'non-zero', stdout: '' });
  const first = r.stderr.trim().split('\n')[0] ?? '';
  expect(first).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ops-test-'));
  const stateFile = path.join(dir, 'stack.json');
  stack = await startLocalStack({
    root: ROOT,
    stateFile,
    writeState: true,
    auth0: { delivery: { timeScale: 0 } },
  });
  // Rate limits are the Action's concern (tests/action); here every redelivery should get through.
  for (const standin of Object.values(stack.destinations ?? {})) {
    const limits = standin as { setRateLimit?: (l: false) => void; setSearchRateLimit?: (l: false) => void };
    if (typeof limits.setRateLimit === 'function') limits.setRateLimit(false);
    if (typeof limits.setSearchRateLimit === 'function') limits.setSearchRateLimit(false);
  }
  env = { LOCAL_STACK_FILE: stateFile };
  httpFetch = fetchTrusting(stack.auth0.caCert);
  const tokenRes = await httpFetch(`${stack.auth0.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'client_credentials',
      client_id: stack.auth0.clientId,
      client_secret: stack.auth0.clientSecret,
      audience: `https://${stack.auth0.domain}/api/v2/`,
    }),
  });
  mgmtToken = ((await tokenRes.json()) as { access_token: string }).access_token;
  const d = await deploy();
  if (d.code !== 0) throw new Error(`deploy to the local stack failed:\n${d.stderr}`);
});

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let failedAt = 0;

describe('deliveries and redeliver', () => {
  it('lists no failed delivery on a healthy tenant', async () => {
    const r = await cli('deliveries', '--env', 'local');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Stream "Onboarding Workflow" \(est_\w+\) on local \(127\.0\.0\.1:\d+\): enabled\n0 failed deliveries \(1 page read\)/,
    );
  });

  it('lists every failed delivery across pages, with event id, type, user, attempts and last error', async () => {
    const scim = stack.ensureScimToken();
    expect(scim).toBeDefined();
    stack.destinations!.hubspot!.faults.add({ kind: 'error', status: 503 });
    for (let i = 0; i < USERS; i++)
      expect(await scimUser(scim!.usersUrl, scim!.token, `00uops${String(i).padStart(3, '0')}`)).toBe(201);
    await stack.drain();
    failedAt = Date.now();

    const r = await cli('deliveries', '--env', 'local', '--json');
    expect(r.code).toBe(0);
    const listing = json(r);
    expect(listing).toMatchObject({ count: USERS, pages: 2 });
    const users = listing.deliveries.map((d) => d.user_id).sort();
    expect(users[0]).toBe('samlp|corporate-idp|00uops000');
    expect(new Set(users).size).toBe(USERS);
    for (const d of listing.deliveries) {
      expect(d).toMatchObject({ event_type: 'user.created', status: 'failed', attempts: 4 });
      expect(d.event_id).toMatch(/^evt_\w+$/);
      expect(String(d.last_error)).toMatch(/hubspot/i);
    }
    // Smaller pages: same deliveries, more pages.
    const small = json(await cli('deliveries', '--env', 'local', '--json', '--page-size', '20'));
    expect(small).toMatchObject({ count: USERS, pages: 3 });
    expect(small.deliveries.map((d) => d.event_id).sort()).toEqual(
      listing.deliveries.map((d) => d.event_id).sort(),
    );

    const table = await cli('deliveries', '--env', 'local', '--status', 'failed');
    expect(table.code).toBe(0);
    const lines = table.stdout.split('\n');
    expect(lines[1]).toBe(`${USERS} failed deliveries (2 pages read)`);
    expect(lines.filter((l) => l.startsWith('evt_'))).toHaveLength(USERS);
    expect(table.stdout).toContain(`By type: user.created ${USERS}`);
  });

  it('filters by --since', async () => {
    expect(json(await cli('deliveries', '--env', 'local', '--json', '--since', '1h')).count).toBe(USERS);
    await new Promise((r) => setTimeout(r, Math.max(0, failedAt + 2100 - Date.now())));
    expect(json(await cli('deliveries', '--env', 'local', '--json', '--since', '1s')).count).toBe(0);
  });

  it('redelivers one event (still failing while HubSpot is down: four more attempts)', async () => {
    const before = json(await cli('deliveries', '--env', 'local', '--json'));
    const target = before.deliveries[0]!;
    const r = await cli('redeliver', '--env', 'local', '--event', String(target.event_id));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('redelivery requested for 1 failed delivery of stream "Onboarding Workflow"');
    expect(r.stdout).toContain(`- ${target.event_id}  user.created  ${target.user_id}  (4 failed attempts)`);
    await stack.drain();
    failedAt = Date.now();
    const after = json(await cli('deliveries', '--env', 'local', '--json'));
    expect(after.deliveries.find((d) => d.event_id === target.event_id)).toMatchObject({ attempts: 8 });
    expect(after.count).toBe(USERS);
  });

  it('--dry-run lists what --all-failed would resend and changes nothing', async () => {
    const r = await cli('redeliver', '--env', 'local', '--all-failed', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`would redeliver ${USERS} failed deliveries`);
    expect(r.stdout).toContain(`by type: user.created ${USERS}`);
    expect(r.stdout).toContain(`… and ${USERS - 20} more`);
    await stack.drain();
    const attempts = json(await cli('deliveries', '--env', 'local', '--json')).deliveries.map(
      (d) => d.attempts,
    );
    expect(attempts.filter((a) => a === 8)).toHaveLength(1);
  });
});

describe('scim-token', () => {
  const CONNECTION = 'ops-test-idp';
  let usersUrl: string;
  const scimStatus = async (bearer: string) => {
    const res = await httpFetch(`${usersUrl}?count=1`, { headers: { authorization: `Bearer ${bearer}` } });
    await res.text();
    return res.status;
  };
  const tokenIds = async () => {
    const r = await cli('scim-token', '--env', 'local', '--connection', CONNECTION, '--list');
    expect(r.code).toBe(0);
    return r.stdout
      .split('\n')
      .filter((l) => l.startsWith('tok_'))
      .map((l) => l.split(/\s+/)[0]!);
  };

  beforeAll(async () => {
    // A connection of its own: the stack keeps a token of its own alive on corporate-idp.
    const created = await mgmt('POST', '/connections', {
      name: CONNECTION,
      strategy: 'samlp',
      options: { signInEndpoint: 'https://idp.ops-test.example/sso', signingCert: 'ops-test-cert' },
    });
    expect(created.status).toBe(201);
    expect((await mgmt('POST', `/connections/${created.body.id}/scim-configuration`, {})).status).toBe(201);
    usersUrl = `${stack.auth0.baseUrl}/scim/v2/connections/${created.body.id}/Users`;
  });

  it('creates a token, printed once on stdout only, and it works', async () => {
    expect(await tokenIds()).toEqual([]);
    const r = await cli(
      'scim-token',
      '--env',
      'local',
      '--connection',
      CONNECTION,
      '--create',
      '--expires-in',
      '90d',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const token = lines[0]!;
    expect(r.stderr).not.toContain(token);
    expect(r.stderr).toMatch(
      /created SCIM token tok_\w+ for connection "ops-test-idp", valid until \S+ \(expires in (89|90) days\)/,
    );
    expect(await scimStatus(token)).toBe(200);
    expect(await tokenIds()).toHaveLength(1);
  });

  it('rotates: the new token works, the previous stays until revoked, never more than two', async () => {
    const [first] = await tokenIds();
    const r1 = await cli('scim-token', '--env', 'local', '--connection', CONNECTION, '--rotate');
    expect(r1.code).toBe(0);
    const second = r1.stdout.trim();
    expect(await scimStatus(second)).toBe(200);
    expect(r1.stderr).toContain(`The previous token ${first} stays valid`);
    const afterFirst = await tokenIds();
    expect(afterFirst).toHaveLength(2);
    expect(afterFirst).toContain(first);

    const r2 = await cli('scim-token', '--env', 'local', '--connection', CONNECTION, '--rotate');
    expect(r2.code).toBe(0);
    const third = r2.stdout.trim();
    expect(r2.stderr).toContain(`revoked SCIM token ${first}`);
    const ids = await tokenIds();
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(first);
    expect(await scimStatus(second)).toBe(200);
    expect(await scimStatus(third)).toBe(200);
    expect(r2.stdout + r2.stderr).not.toContain(second);
  });

  it('refuses a third token with --create, and revokes by id', async () => {
    const refused = await cli('scim-token', '--env', 'local', '--connection', CONNECTION, '--create');
    expectOneMessage(refused, /already has 2 SCIM tokens .*use --rotate, or --revoke one first/);

    const [oldest, newest] = await tokenIds();
    const r = await cli('scim-token', '--env', 'local', '--connection', CONNECTION, '--revoke', oldest!);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`revoked SCIM token ${oldest}`);
    expect(await tokenIds()).toEqual([newest]);

    const unknown = await cli(
      'scim-token',
      '--env',
      'local',
      '--connection',
      CONNECTION,
      '--revoke',
      'tok_nope',
    );
    expectOneMessage(
      unknown,
      new RegExp(`no SCIM token tok_nope on connection "ops-test-idp" \\(it has: ${newest}\\)`),
    );
  });
});

describe('drift', () => {
  it('finds none right after a deploy', async () => {
    const r = await cli('drift', '--env', 'local');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^Drift for local \(127\.0\.0\.1:\d+\): no drift/);
  });

  it('reports manual changes made through the Management API (exit 2), without secret values', async () => {
    const streams = await mgmt('GET', '/event-streams');
    const stream = (streams.body.eventStreams ?? streams.body).find(
      (s: { name: string }) => s.name === 'Onboarding Workflow',
    );
    expect((await mgmt('PATCH', `/event-streams/${stream.id}`, { status: 'disabled' })).status).toBe(200);
    const conns = await mgmt('GET', '/connections?name=corporate-idp');
    const conn = (conns.body.connections ?? conns.body)[0];
    const options = { ...conn.options, signInEndpoint: 'https://attacker.example/sso' };
    expect((await mgmt('PATCH', `/connections/${conn.id}`, { options })).status).toBe(200);
    const scim = await mgmt('GET', `/connections/${conn.id}/scim-configuration`);
    const mapping = [...scim.body.mapping, { auth0: 'nickname', scim: 'nickName' }];
    expect(
      (
        await mgmt('PATCH', `/connections/${conn.id}/scim-configuration`, {
          user_id_attribute: scim.body.user_id_attribute,
          mapping,
        })
      ).status,
    ).toBe(200);

    const r = await cli('drift', '--env', 'local');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('~ connection "corporate-idp" (update)');
    expect(r.stdout).toContain(
      'options.signInEndpoint: "https://attacker.example/sso" -> "https://idp.local.test/sso/saml" (tenant.yaml: ##IDP_SIGN_IN_URL##)',
    );
    expect(r.stdout).toMatch(/scim_configuration\.mapping:\s+- nickname <- nickName/);
    expect(r.stdout).toContain('~ event stream "Onboarding Workflow" (update)');
    expect(r.stdout).toContain('status: "disabled" -> "enabled"');
    const state = stack.state();
    for (const secret of [
      state.hubspot!.token,
      state.slack!.webhookUrl,
      stack.auth0.clientSecret,
      mgmtToken,
    ]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
    }

    const md = await cli('drift', '--env', 'local', '--format', 'markdown');
    expect(md.code).toBe(2);
    expect(md.stdout).toContain('### Auth0 tenant drift: `local`');
  });
});

describe('bad arguments', () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ['deliveries', '--env', 'nope'],
      /^deliveries failed: tenant\/environments\/nope\.yaml: not found \(known environments: local, production, staging\)/,
    ],
    [
      ['deliveries', '--env', 'local', '--since', 'yesterday'],
      /^deliveries failed: --since: "yesterday" is not a duration/,
    ],
    [
      ['deliveries', '--env', 'local', '--status', 'delivered'],
      /^deliveries failed: --status: "delivered" .* failed/,
    ],
    [
      ['deliveries', '--env', 'local', '--page-size', '500'],
      /^deliveries failed: --page-size: "500" must be a whole number from 1 to 100/,
    ],
    [['deliveries'], /^error: required option '--env <name>' not specified/],
    [['deliveries', '--env', 'local', '--bogus'], /^error: unknown option '--bogus'/],
    [
      ['redeliver', '--env', 'local', '--event', 'evt_x', '--all-failed'],
      /^redeliver failed: --event and --all-failed cannot be combined/,
    ],
    [
      ['redeliver', '--env', 'local'],
      /^redeliver failed: say what to redeliver: --event <event id> .* or --all-failed/,
    ],
    [
      ['redeliver', '--env', 'local', '--all-failed', '--since', '2 days'],
      /^redeliver failed: --since: "2 days" is not a duration/,
    ],
    [
      ['redeliver', '--env', 'local', '--event', 'evt_00000000000000000000000'],
      /^redeliver failed: event evt_00000000000000000000000 has no failed delivery on stream "Onboarding Workflow"/,
    ],
    [
      ['scim-token', '--env', 'local', '--connection', 'no-such-idp'],
      /^scim-token failed: connection "no-such-idp" not found in 127\.0\.0\.1:\d+ \(it has: .*corporate-idp/,
    ],
    [
      ['scim-token', '--env', 'local', '--connection', 'corporate-idp', '--create', '--rotate'],
      /^scim-token failed: --create and --rotate cannot be combined/,
    ],
    [
      [
        'scim-token',
        '--env',
        'local',
        '--connection',
        'corporate-idp',
        '--create',
        '--expires-in',
        '90 days',
      ],
      /^scim-token failed: --expires-in: "90 days" is not a duration/,
    ],
    [
      ['scim-token', '--env', 'local', '--connection', 'corporate-idp', '--create', '--expires-in', '10m'],
      /^scim-token failed: --expires-in: Auth0 needs a SCIM token lifetime longer than 15 minutes/,
    ],
    [
      ['drift', '--env', 'local', '--format', 'html'],
      /^drift failed: --format: "html" must be text or markdown/,
    ],
    [
      ['drift', '--env', 'staging'],
      /^drift failed: no Auth0 credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET \(or AUTH0_ACCESS_TOKEN\)/,
    ],
  ];

  it('each gets one clear message and a non-zero exit', async () => {
    // Independent runs: in parallel, each reported with its arguments when it fails.
    const results = await Promise.all(cases.map(([[command, ...rest]]) => cli(command!, ...rest)));
    results.forEach((r, i) => {
      const [args, pattern] = cases[i]!;
      const first = r.stderr.trim().split('\n')[0] ?? '';
      expect({
        args,
        failed: r.code !== 0,
        stdout: r.stdout,
        first,
        trace: /\n\s+at /.test(r.stderr),
      }).toEqual({
        args,
        failed: true,
        stdout: '',
        first: expect.stringMatching(pattern),
        trace: false,
      });
    });
  });
});

describe('when HubSpot is back', () => {
  it('npm run deploy re-enables the stream and the drift is gone (a deploy needs HubSpot: it checks the properties)', async () => {
    stack.destinations!.hubspot!.faults.clear();
    const d = await deploy();
    expect(d.stderr).not.toMatch(/deploy failed/);
    expect(d.code).toBe(0);
    const r = await cli('drift', '--env', 'local');
    expect(r.code).toBe(0);
    const listing = await cli('deliveries', '--env', 'local');
    expect(listing.stdout.split('\n')[0]).toMatch(/: enabled$/);
  });

  it('redeliver --all-failed resends every failed delivery and they go through', async () => {
    // The Action's HubSpot circuit breaker (api.cache) stays open 30 s after the last failure.
    await new Promise((r) => setTimeout(r, Math.max(0, failedAt + 31_000 - Date.now())));
    const r = await cli('redeliver', '--env', 'local', '--all-failed');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`redelivery requested for ${USERS} failed deliveries`);
    await stack.drain();
    const after = await cli('deliveries', '--env', 'local', '--json');
    expect(json(after).count).toBe(0);
    const contacts = stack.destinations!.hubspot!.contacts();
    expect(contacts.length).toBe(USERS);
    const nothing = await cli('redeliver', '--env', 'local', '--all-failed');
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(
      /^Nothing to redeliver: stream "Onboarding Workflow" on local has no failed delivery/,
    );
  });
});
