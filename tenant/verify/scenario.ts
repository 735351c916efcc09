/**
 * The source guide's verification, as data: each IdP's recorded SCIM lifecycle
 * (connections/<idp>/requests), personalised for one run, with what must then be true in Auth0,
 * HubSpot and Slack. Pure: no I/O beyond reading the fixtures.
 */
import {
  loadLifecycle,
  type ExpectedAuth0User,
  type Idp,
  type LoadedFixture,
} from '../../connections/request-fixture';

export type Transition = 'onboard' | 'offboard' | 'update' | 'none';

export interface VerifyStep {
  idp: Idp;
  file: string;
  /** The guide's step this request stands for, e.g. "Provision a test user". */
  title: string;
  method: string;
  path: string;
  body: unknown;
  expectStatus: number;
  /** The Auth0 user as it must be after this request: null = must not exist; undefined = not checked. */
  auth0User: ExpectedAuth0User | null | undefined;
  /** The user's cumulative expected state after this step; undefined once deleted. */
  expectedUser?: ExpectedAuth0User;
  /** The user this step is about (after it, or just before a delete), for naming in checks. */
  subject?: ExpectedAuth0User;
  transition: Transition;
}

/** A short, unique tag per run so repeated runs (and staging) never collide with earlier users. */
export function runTag(random: () => number = Math.random): string {
  return Math.floor(random() * 36 ** 5)
    .toString(36)
    .padStart(5, '0');
}

/** Rewrites every identifier of the fixture user (emails, externalId, ids built from it) with the tag. */
export function personalise(fixtures: LoadedFixture[], tag: string): LoadedFixture[] {
  const create = fixtures.find((f) => f.fixture.method === 'POST');
  const externalId = (create?.fixture.body as { externalId?: string } | undefined)?.externalId;
  let text = JSON.stringify(fixtures);
  text = text.replace(
    /([A-Za-z0-9._%-]+)@example\.com/g,
    (_m, local: string) => `${local}+${tag}@example.com`,
  );
  if (externalId) text = text.split(externalId).join(`${externalId}-${tag}`);
  return JSON.parse(text) as LoadedFixture[];
}

function titleFor(method: string, transition: Transition, path: string): string {
  if (method === 'GET')
    return path.includes('filter') ? 'IdP looks the user up by userName' : 'IdP reads the user';
  if (method === 'DELETE') return 'Hard-delete the user in the IdP';
  if (method === 'POST') return 'Provision a test user';
  if (transition === 'offboard') return 'Unassign (deactivate) the user';
  if (transition === 'onboard') return 'Reactivate the user';
  return 'Change the user in the IdP';
}

/** Builds the steps of one IdP's lifecycle, tracking the expected user to classify each change. */
export function buildSteps(idp: Idp, tag: string, fixtures = loadLifecycle(idp)): VerifyStep[] {
  let expected: ExpectedAuth0User | undefined;
  return personalise(fixtures, tag).map(({ file, fixture }) => {
    const before = expected;
    if (fixture.expect.auth0User === null && fixture.method === 'DELETE') expected = undefined;
    else if (fixture.expect.auth0User) {
      expected = {
        ...expected,
        ...fixture.expect.auth0User,
        app_metadata: { ...expected?.app_metadata, ...fixture.expect.auth0User.app_metadata },
      };
    }
    const wasActive = before !== undefined && before.blocked !== true;
    const isActive = expected !== undefined && expected.blocked !== true;
    const transition: Transition =
      fixture.expect.event === null
        ? 'none'
        : wasActive === isActive
          ? 'update'
          : isActive
            ? 'onboard'
            : 'offboard';
    return {
      idp,
      file,
      title: titleFor(fixture.method, transition, fixture.path),
      method: fixture.method,
      path: fixture.path,
      body: fixture.body,
      expectStatus: fixture.expect.status,
      auth0User: fixture.expect.auth0User,
      expectedUser: expected,
      subject: expected ?? before,
      transition,
    };
  });
}

/** The HubSpot contact properties the Action must have written for a user in this state. */
export function expectedContact(user: ExpectedAuth0User): Record<string, string> {
  const meta = (user.app_metadata ?? {}) as Record<string, unknown>;
  const props: Record<string, string | undefined> = {
    auth0_user_id: user.user_id,
    email: user.email?.toLowerCase(),
    firstname: user.given_name,
    lastname: user.family_name,
    jobtitle: typeof meta.title === 'string' ? meta.title : undefined,
    department: typeof meta.department === 'string' ? meta.department : undefined,
  };
  return Object.fromEntries(Object.entries(props).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The fields of the Auth0 user that differ from what the step expects ([] = all match). */
export function auth0Mismatches(expected: ExpectedAuth0User, actual: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    if (key === 'app_metadata') {
      const got = (actual.app_metadata ?? {}) as Record<string, unknown>;
      for (const [k, v] of Object.entries(want as Record<string, unknown>)) {
        if (JSON.stringify(got[k]) !== JSON.stringify(v))
          problems.push(`app_metadata.${k}: want ${JSON.stringify(v)}, got ${JSON.stringify(got[k])}`);
      }
    } else if (key === 'blocked') {
      if ((actual.blocked === true) !== want)
        problems.push(`blocked: want ${String(want)}, got ${String(actual.blocked ?? false)}`);
    } else if (JSON.stringify(actual[key]) !== JSON.stringify(want)) {
      problems.push(`${key}: want ${JSON.stringify(want)}, got ${JSON.stringify(actual[key])}`);
    }
  }
  return problems;
}

/** The contact properties that differ from the expectation ([] = all match). */
export function contactMismatches(
  expected: Record<string, string>,
  actual: Record<string, unknown>,
): string[] {
  return Object.entries(expected)
    .filter(([k, v]) => String(actual[k] ?? '') !== v)
    .map(([k, v]) => `${k}: want ${JSON.stringify(v)}, got ${JSON.stringify(actual[k] ?? null)}`);
}
