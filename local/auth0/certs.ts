/**
 * TLS material for the local tenant: a CA plus a leaf for 127.0.0.1 / localhost.
 *
 * The Auth0 SDK (and so a0deploy) speaks HTTPS only, and Node reads NODE_EXTRA_CA_CERTS once at
 * process start. So the CA is written to a file that callers pass to child processes, and, given a
 * state directory, it is created once and reused: a long-running `npm run local` and later commands
 * (deploy, verify) then trust the same CA.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate } from 'selfsigned';

export interface TlsMaterial {
  caCertPath: string;
  caCert: string;
  cert: string;
  key: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

async function createCa(): Promise<{ cert: string; key: string }> {
  const now = new Date();
  const ca = await generate([{ name: 'commonName', value: 'auth0-identity-lifecycle local CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  return { cert: ca.cert, key: ca.private };
}

async function createLeaf(ca: { cert: string; key: string }): Promise<{ cert: string; key: string }> {
  const now = new Date();
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + TEN_YEARS_MS),
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 2, value: 'localhost' },
        ],
      },
    ],
  });
  return { cert: leaf.cert, key: leaf.private };
}

async function acquireLock(lockFile: string): Promise<() => void> {
  for (let i = 0; ; i++) {
    try {
      fs.closeSync(fs.openSync(lockFile, 'wx'));
      return () => fs.rmSync(lockFile, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock older than 30 s belongs to a process that died while generating: take it over.
      const age = Date.now() - (fs.statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 30_000 || i > 600) fs.rmSync(lockFile, { force: true });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Returns the CA and a leaf certificate. With `stateDir`, reuses (or creates) `auth0-ca.pem`,
 * `auth0-ca-key.pem`, `auth0-tls.pem`, `auth0-tls-key.pem` there; without it, writes a fresh CA to a
 * temporary directory.
 */
let ephemeral: Promise<TlsMaterial> | undefined;

export async function ensureTlsMaterial(stateDir?: string): Promise<TlsMaterial> {
  // Without a state dir, one temporary CA per process is enough (key generation costs ~1 s).
  if (!stateDir) return (ephemeral ??= createTlsMaterial());
  return createTlsMaterial(stateDir);
}

async function createTlsMaterial(stateDir?: string): Promise<TlsMaterial> {
  const dir = stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'local-auth0-'));
  fs.mkdirSync(dir, { recursive: true });
  const files = {
    caCert: path.join(dir, 'auth0-ca.pem'),
    caKey: path.join(dir, 'auth0-ca-key.pem'),
    cert: path.join(dir, 'auth0-tls.pem'),
    key: path.join(dir, 'auth0-tls-key.pem'),
  };
  // Several processes (jest workers, the daemon, deploy) may start on a fresh clone at once: generate
  // under a lock file so none of them pairs one process's CA with another's key.
  const release = await acquireLock(path.join(dir, 'auth0-tls.lock'));
  let ca: { cert: string; key: string };
  let leaf: { cert: string; key: string };
  try {
    ca = { cert: readIfExists(files.caCert) ?? '', key: readIfExists(files.caKey) ?? '' };
    leaf = { cert: readIfExists(files.cert) ?? '', key: readIfExists(files.key) ?? '' };
    if (!ca.cert || !ca.key) {
      ca = await createCa();
      fs.writeFileSync(files.caKey, ca.key, { mode: 0o600 });
      fs.writeFileSync(files.caCert, ca.cert);
      leaf = { cert: '', key: '' };
    }
    if (!leaf.cert || !leaf.key) {
      leaf = await createLeaf(ca);
      fs.writeFileSync(files.key, leaf.key, { mode: 0o600 });
      fs.writeFileSync(files.cert, leaf.cert);
    }
  } finally {
    release();
  }
  return { caCertPath: files.caCert, caCert: ca.cert, cert: leaf.cert, key: leaf.key };
}
