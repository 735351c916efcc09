/**
 * Recorded SCIM requests an IdP sends to Auth0 Inbound SCIM, one JSON file per request, replayed in
 * file-name order as one user's lifecycle (connections/<idp>/requests/NN-name.json).
 *
 * A fixture says what goes over the wire (method, path relative to the connection's SCIM base,
 * headers without secrets, body) and what Auth0 must do with it (status, the user event it emits,
 * and the fields of the resulting Auth0 user). `{id}` in a path stands for the SCIM `id` the create
 * request returned (the Auth0 user_id), URL-encoded when substituted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const IDPS = ['okta', 'entra-id'] as const;
export type Idp = (typeof IDPS)[number];

export const SCIM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** Placeholder every fixture uses instead of a real SCIM bearer token. */
export const TOKEN_PLACEHOLDER = 'Bearer {token}';

/**
 * Known departures of an IdP's requests from RFC 7643/7644. A fixture lists the ones its body
 * shows, so a reader sees them and a test can check the list against the body.
 */
export const QUIRKS = [
  /** PATCH `op` written "Add" / "Replace" / "Remove" (Entra ID). RFC 7644 uses lower case. */
  'op-capitalized',
  /** A boolean sent as the string "True" / "False" (Entra ID `active` without the aadOptscim062020 flag). */
  'boolean-as-string',
  /** The enterprise `manager` (a complex attribute) sent as a bare id string (Entra ID). */
  'manager-bare-string',
  /** A path-less PATCH value object whose keys are attribute paths such as "name.givenName" (Entra ID). */
  'pathless-attribute-path-keys',
] as const;
export type Quirk = (typeof QUIRKS)[number];

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.string(),
    z.number(),
    z.boolean(),
    z.null(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ]),
);

/** The subset of an Auth0 user (Management API GET /users/{id}) a step asserts; omitted keys are not checked. */
export const expectedAuth0User = z
  .object({
    user_id: z.string().min(1),
    email: z.email(),
    username: z.string().min(1),
    name: z.string().min(1),
    given_name: z.string().min(1),
    family_name: z.string().min(1),
    blocked: z.boolean(),
    app_metadata: z.record(z.string(), jsonValue),
  })
  .partial()
  .strict();

export const requestFixture = z
  .object({
    description: z.string().min(10),
    /** Where the request shape comes from (the IdP's published docs). */
    source: z.url(),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']),
    path: z
      .string()
      .regex(/^\/Users(\/\{id\})?(\?.+)?$/, 'path is /Users, /Users/{id}, optionally with a query string'),
    headers: z.record(z.string(), z.string()).refine((h) => h.Authorization === TOKEN_PLACEHOLDER, {
      message: `headers.Authorization must be the placeholder "${TOKEN_PLACEHOLDER}", never a real token`,
    }),
    body: z.record(z.string(), jsonValue).nullable(),
    quirks: z.array(z.enum(QUIRKS)).default([]),
    expect: z
      .object({
        status: z.number().int().min(200).max(599),
        /** The Auth0 user event the request must cause, or null for none (reads, no-op writes). */
        event: z.enum(['user.created', 'user.updated', 'user.deleted']).nullable(),
        /** For list queries (GET /Users?filter=...): the ListResponse totalResults. */
        totalResults: z.number().int().min(0).optional(),
        /** The Auth0 user after the request; null when it must not exist (never created, or deleted). */
        auth0User: expectedAuth0User.nullable().optional(),
      })
      .strict(),
  })
  .strict()
  .superRefine((f, ctx) => {
    const hasBody = f.method === 'POST' || f.method === 'PUT' || f.method === 'PATCH';
    if (hasBody !== (f.body !== null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['body'],
        message: `${f.method} ${hasBody ? 'needs' : 'has no'} body`,
      });
    }
    // POST creates on the collection; PUT, PATCH and DELETE address one resource; GET may do either.
    const wantedPath = { POST: '/Users', PUT: '/Users/{id}', PATCH: '/Users/{id}', DELETE: '/Users/{id}' }[
      f.method as 'POST' | 'PUT' | 'PATCH' | 'DELETE'
    ];
    if (wantedPath !== undefined && f.path !== wantedPath) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: `${f.method} must target ${wantedPath}` });
    }
    if (f.expect.totalResults !== undefined && !(f.method === 'GET' && f.path.includes('?'))) {
      ctx.addIssue({
        code: 'custom',
        path: ['expect', 'totalResults'],
        message: 'totalResults is for list queries',
      });
    }
  });

export type RequestFixture = z.infer<typeof requestFixture>;
export type ExpectedAuth0User = z.infer<typeof expectedAuth0User>;

export interface LoadedFixture {
  idp: Idp;
  file: string;
  step: number;
  fixture: RequestFixture;
}

export const CONNECTIONS_DIR = __dirname;

export function requestsDir(idp: Idp): string {
  return path.join(CONNECTIONS_DIR, idp, 'requests');
}

const FILE_NAME = /^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.json$/;

/** Reads and validates one IdP's lifecycle, ordered by file name. Throws on the first invalid file. */
export function loadLifecycle(idp: Idp): LoadedFixture[] {
  const dir = requestsDir(idp);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`${idp}/requests/${file}: name must be NN-kebab-case.json`);
      const raw: unknown = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      const parsed = requestFixture.safeParse(raw);
      if (!parsed.success) {
        throw new Error(`${idp}/requests/${file}: ${z.prettifyError(parsed.error)}`);
      }
      return { idp, file, step: Number(match[1]), fixture: parsed.data };
    });
}

/** Fills `{id}` with the SCIM id the create request returned. */
export function resolvePath(fixturePath: string, id: string | undefined): string {
  if (!fixturePath.includes('{id}')) return fixturePath;
  if (id === undefined)
    throw new Error(`${fixturePath} needs the id of a created user, and none was created yet`);
  return fixturePath.replace('{id}', encodeURIComponent(id));
}
