/**
 * The bench's runs against the local Auth0 tenant (local/stack.ts): deploy tenant.yaml with the
 * repository's deploy command (real a0deploy) — first and no-op — and provision users through
 * Inbound SCIM so Auth0's own delivery runs the deployed Action.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Agent, fetch as undiciFetch } from 'undici';
import type { PrivateStack } from '../../local/stack';
import { ROOT } from './pipeline';

const TSX = path.join(ROOT, 'node_modules/.bin/tsx');

export type TenantBench = PrivateStack;

/** Starts a private stack (its own state file, so a running `npm run local` is left alone). */
export async function startTenant(): Promise<TenantBench> {
  const { startPrivateStack } = await import('../../local/stack');
  // Every stand-in: the local environment's keywords name each of them.
  return startPrivateStack({ root: ROOT, destinations: { slack: { rateLimit: false } } });
}

/** `npm run deploy -- --env local` as a child process (the stack serves it from this process). */
export function deploy(
  t: TenantBench,
): Promise<{ status: number; ms: number; stdout: string; stderr: string }> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(
      TSX,
      ['tenant/cli/deploy.ts', '--env', 'local'],
      { cwd: ROOT, env: t.env, encoding: 'utf8', timeout: 240_000 },
      (error, stdout, stderr) =>
        resolve({
          status: error ? Number((error as { code?: number }).code ?? 1) : 0,
          ms: performance.now() - started,
          stdout,
          stderr,
        }),
    );
  });
}

/** A SCIM client for the deployed corporate-idp connection, trusting the stack's CA. */
export function scimClient(t: TenantBench) {
  const scim = t.stack.ensureScimToken();
  if (!scim) throw new Error('the deploy did not create the SCIM configuration of corporate-idp');
  const dispatcher = new Agent({ connect: { ca: t.stack.auth0.caCert }, connections: 16 });
  return async (body: unknown) => {
    const response = await undiciFetch(scim.usersUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify(body),
      dispatcher,
    });
    const text = await response.text();
    return { status: response.status, body: text };
  };
}

/** An Okta-style SCIM create (connections/okta/requests/02-create-user.json), for user `index`. */
export function oktaCreateUser(index: number, tag: string): Record<string, unknown> {
  const email = `burst.${index}.${tag}@example.com`;
  return {
    schemas: [
      'urn:ietf:params:scim:schemas:core:2.0:User',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    ],
    userName: email,
    name: { givenName: 'Burst', familyName: `User ${index}` },
    emails: [{ primary: true, value: email, type: 'work' }],
    displayName: `Burst User ${index}`,
    title: 'Engineer',
    externalId: `00ub${tag}${String(index).padStart(6, '0')}`,
    active: true,
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': {
      employeeNumber: `E-${10000 + index}`,
      department: 'Platform Engineering',
    },
  };
}
