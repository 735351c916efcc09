/**
 * local/stack.ts and `npm run local`: the tenant plus destination stand-ins, the state file other
 * tools read, and the SCIM token minted once the corporate-idp connection is deployed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack, readStackState, isAlive, type LocalStack } from '../../local/stack';
import { fetchTrusting, run } from '../support/local-auth0';

const ROOT = path.join(__dirname, '../..');

describe('local stack', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-stack-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('starts the tenant and the stand-ins in-process, writes the state file and mints a SCIM token after a deploy', async () => {
    const stateFile = path.join(dir, 'stack.json');
    const stack: LocalStack = await startLocalStack({
      root: ROOT,
      stateFile,
      writeState: true,
      destinations: { only: ['hubspot', 'slack'] },
    });
    try {
      const state = readStackState(stateFile)!;
      expect(state.pid).toBe(process.pid);
      expect(state.auth0).toMatchObject({
        domain: stack.auth0.domain,
        baseUrl: `https://${stack.auth0.domain}`,
        clientId: stack.auth0.clientId,
        clientSecret: stack.auth0.clientSecret,
        caFile: path.join(ROOT, '.local', 'auth0-ca.pem'),
      });
      expect(fs.readFileSync(state.auth0.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(state.hubspot?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(state.slack?.webhookUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
      expect(state.auth0.scim).toBeUndefined();
      expect(stack.ensureScimToken()).toBeUndefined();

      // What a deploy of tenant.yaml does for the connection: create it, then its SCIM configuration.
      const tenant = stack.auth0.tenant;
      const f = fetchTrusting(stack.auth0.caCert);
      const token = tenant.issueToken(
        tenant.clientId,
        tenant.clientSecret,
        state.auth0.audience,
      ).access_token;
      const api = (method: string, p: string, body: unknown) =>
        f(`${state.auth0.baseUrl}/api/v2${p}`, {
          method,
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then((r) => r.json() as Promise<{ id: string }>);
      const connection = await api('POST', '/connections', {
        name: 'corporate-idp',
        strategy: 'samlp',
        options: {},
      });
      await api('POST', `/connections/${connection.id}/scim-configuration`, {
        user_id_attribute: 'userName',
        mapping: [{ auth0: 'email', scim: 'userName' }],
      });

      let scim = readStackState(stateFile)?.auth0.scim;
      for (let i = 0; !scim && i < 40; i++) {
        await new Promise((r) => setTimeout(r, 50));
        scim = readStackState(stateFile)?.auth0.scim;
      }
      expect(scim).toMatchObject({
        connection: 'corporate-idp',
        connectionId: connection.id,
        usersUrl: `${state.auth0.baseUrl}/scim/v2/connections/${connection.id}/Users`,
      });
      const list = await f(scim!.usersUrl, { headers: { authorization: `Bearer ${scim!.token}` } });
      expect(list.status).toBe(200);
      expect(stack.ensureScimToken()).toEqual(scim);
    } finally {
      await stack.stop();
    }
    expect(fs.existsSync(stateFile)).toBe(false);
  });

  it('npm run local starts a background daemon; --status describes it; --stop ends it', async () => {
    const stateFile = path.join(dir, 'daemon.json');
    const env = { ...process.env, LOCAL_STACK_FILE: stateFile };
    const npm = (...args: string[]) =>
      run('npm', ['run', '-s', 'local', '--', ...args], { cwd: ROOT, env, timeoutMs: 60_000 });
    const started = await npm('--time-scale', '0.01');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/Auth0 tenant\s+https:\/\/127\.0\.0\.1:\d+/);
    expect(started.stdout).toMatch(/hubspot\s+http:\/\/127\.0\.0\.1:\d+/);
    expect(started.stdout).toContain('npm run local -- --stop');
    const state = readStackState(stateFile)!;
    expect(isAlive(state.pid)).toBe(true);
    try {
      const health = await fetchTrusting(fs.readFileSync(state.auth0.caFile, 'utf8'))(
        `${state.auth0.controlUrl}/health`,
      );
      expect(await health.json()).toMatchObject({ ok: true, domain: state.auth0.domain });
      const status = await npm('--status');
      expect(status.stdout).toContain(state.auth0.baseUrl);
    } finally {
      const stopped = await npm('--stop');
      expect(stopped.stdout).toContain('stopped');
    }
    expect(isAlive(state.pid)).toBe(false);
    expect(fs.existsSync(stateFile)).toBe(false);
    expect((await npm('--status')).code).toBe(1);
  }, 90_000);
});
