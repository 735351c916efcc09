/**
 * The README's "run it" flow, end to end, with the real a0deploy: deploy tenant.yaml to the local
 * tenant, then `npm run verify -- --env local` (SCIM as Okta and Entra ID send it → Auth0 → Event
 * Stream → the deployed Action → HubSpot and Slack stand-ins) must pass every check.
 */
import path from 'node:path';
import { startPrivateStack, type LocalStack, type PrivateStack } from '../../local/stack';
import { run } from '../support/local-auth0';

const ROOT = path.resolve(__dirname, '../..');
const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

jest.setTimeout(300_000);

let privateStack: PrivateStack;
let stack: LocalStack;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  privateStack = await startPrivateStack({ root: ROOT });
  ({ stack, env } = privateStack);
});

afterAll(async () => {
  await privateStack?.stop();
});

/** A repository CLI as a child process; asynchronous, because the stack serves it from this process. */
const runCli = async (script: string, args: string[]) => {
  const r = await run(TSX, [script, ...args], { cwd: ROOT, env, timeoutMs: 240_000 });
  return { ...r, status: r.code ?? 1 };
};

it('deploys with the real a0deploy and passes the guide’s verification for Okta and Entra ID', async () => {
  const deploy = await runCli('tenant/cli/deploy.ts', ['--env', 'local']);
  if (deploy.status !== 0) console.error(deploy.stdout, deploy.stderr);
  expect(deploy.status).toBe(0);

  const verify = await runCli('tenant/verify/cli.ts', ['--env', 'local', '--timeout', '15']);
  if (verify.status !== 0) console.error(verify.stdout, verify.stderr);
  expect(verify.status).toBe(0);
  expect(verify.stdout).toMatch(/^\d+ passed, 0 failed$/m);
  for (const flow of [
    'Okta (SCIM 2.0)',
    'Entra ID (its PATCH dialect)',
    'Entra ID, hard DELETE of an active user',
  ]) {
    expect(verify.stdout).toContain(flow);
  }
  expect(verify.stdout).toContain('Slack notified (offboard)');
  expect(verify.stdout).toContain('HubSpot contact is removed (archived)');
  // tenant/environments/local.yaml switches every destination on, by configuration alone.
  for (const label of [
    'Salesforce contact',
    'Jira ticket',
    'Segment identify',
    'Teams message',
    'Provisioning service',
  ]) {
    expect(verify.stdout).toContain(`✓ ${label}`);
  }
});

it('verify fails, with a non-zero exit, when a destination is broken', async () => {
  // HubSpot rejects every write: the contact never appears, so the checklist must say so.
  stack.destinations!.hubspot!.faults.add({ kind: 'error', status: 400, method: 'POST' });
  stack.destinations!.hubspot!.faults.add({ kind: 'error', status: 400, method: 'PATCH' });
  const verify = await runCli('tenant/verify/cli.ts', ['--env', 'local', '--timeout', '2']);
  expect(verify.status).toBe(1);
  expect(verify.stdout).toMatch(/✗ HubSpot contact is up to date/);
  expect(verify.stdout).toMatch(/^\d+ passed, [1-9]\d* failed$/m);
});
