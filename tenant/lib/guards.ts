/** Pure deploy guards. Each returns a problem message (how to fix it) or null. */

/**
 * AUTH0_ALLOW_DELETE as a real boolean. deploy-cli tests it with `!!value` in places (SCIM
 * configuration, object fields), where the string "false" counts as true; we only ever pass it a
 * boolean, and refuse anything that is not clearly one.
 */
export function parseAllowDelete(
  raw: string | undefined,
  flag: boolean | undefined,
): { value: boolean } | { problem: string } {
  if (flag !== undefined) return { value: flag };
  if (raw === undefined || raw.trim() === '') return { value: false };
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return { value: true };
  if (['false', '0', 'no'].includes(v)) return { value: false };
  return { problem: `AUTH0_ALLOW_DELETE is "${raw}": use true or false (or the --allow-delete flag)` };
}

/** CI runners (GitHub Actions and most others) set CI=true. */
export function isCi(env: Record<string, string | undefined>): boolean {
  const ci = (env.CI ?? '').toLowerCase();
  return ci === 'true' || ci === '1' || env.GITHUB_ACTIONS === 'true';
}

export function productionGuard(
  envName: string,
  env: Record<string, string | undefined>,
  allowLocalProduction: boolean,
): string | null {
  if (envName !== 'production' || isCi(env) || allowLocalProduction) return null;
  return 'production deploys run in CI (push to main, approved in the "production" GitHub environment); to deploy from this machine anyway, add --allow-local-production';
}
