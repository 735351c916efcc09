/**
 * Action secrets are write-only: the Management API returns their names, never their values. To
 * know whether a deploy would change a secret value without re-sending it (which creates a new
 * Action version), the deploy appends one comment line to the code it uploads:
 *
 *   //# auth0-iac {"v":1,"salt":"<random>","secrets":{"HUBSPOT_TOKEN":"<hmac>",...}}
 *
 * Each digest is HMAC-SHA256(salt, name + "\0" + value), cut to 64 bits: enough to notice a change,
 * too short and salted to confirm a guess of a high-entropy token. The plan strips this line before
 * comparing code, so the committed bundle and the deployed code stay comparable byte for byte.
 */
import { createHmac, randomBytes } from 'node:crypto';

const PREFIX = '//# auth0-iac ';

export interface SecretsMarker {
  v: 1;
  salt: string;
  secrets: Record<string, string>;
}

export function secretDigest(salt: string, name: string, value: string): string {
  return createHmac('sha256', salt).update(`${name}\0${value}`).digest('hex').slice(0, 16);
}

export function makeMarker(
  values: Record<string, string>,
  names: readonly string[],
  salt = randomBytes(12).toString('base64url'),
): SecretsMarker {
  const secrets: Record<string, string> = {};
  for (const n of [...names].sort()) secrets[n] = secretDigest(salt, n, values[n] ?? '');
  return { v: 1, salt, secrets };
}

/** Code as uploaded: the bundle plus the marker line. */
export function withMarker(code: string, marker: SecretsMarker): string {
  const base = code.endsWith('\n') ? code : `${code}\n`;
  return `${base}${PREFIX}${JSON.stringify(marker)}\n`;
}

/** Splits deployed code into the bundle and its marker (null when deployed by other means). */
export function splitMarker(deployed: string): { code: string; marker: SecretsMarker | null } {
  const idx = deployed.lastIndexOf(`\n${PREFIX}`);
  if (idx === -1) return { code: deployed, marker: null };
  const line = deployed.slice(idx + 1 + PREFIX.length).replace(/\n$/, '');
  try {
    const parsed = JSON.parse(line) as SecretsMarker;
    if (parsed.v !== 1 || typeof parsed.salt !== 'string' || typeof parsed.secrets !== 'object')
      return { code: deployed, marker: null };
    return { code: deployed.slice(0, idx + 1), marker: parsed };
  } catch {
    return { code: deployed, marker: null };
  }
}

export type SecretValueState = 'unchanged' | 'changed' | 'unknown';

/** Per secret name: does the value we would send equal the one deployed? Names only, never values. */
export function compareSecretValues(
  marker: SecretsMarker | null,
  values: Record<string, string>,
  names: readonly string[],
): Record<string, SecretValueState> {
  const out: Record<string, SecretValueState> = {};
  for (const n of names) {
    const recorded = marker?.secrets[n];
    if (!marker || recorded === undefined || values[n] === undefined) out[n] = 'unknown';
    else out[n] = secretDigest(marker.salt, n, values[n] as string) === recorded ? 'unchanged' : 'changed';
  }
  return out;
}
