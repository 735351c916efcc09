/**
 * An offline model of what Auth0 Inbound SCIM does with a recorded lifecycle: it keeps the SCIM
 * resource, applies each request, derives the Auth0 user through tenant.yaml's mapping, and says
 * which user event the change causes. Tests compare it with each fixture's `expect`, so fixture
 * expectations and the mapping cannot disagree; the replay test then checks the local Auth0 stack.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import type { UserEventType } from '../event-streams/onboarding-workflow/events';
import type { LoadedFixture } from './request-fixture';
import { applyMapping, applyPatch, readAttribute, type MappingItem } from './scim-attributes';

export const TENANT_YAML = path.resolve(__dirname, '..', 'tenant.yaml');

export interface ScimConnection {
  name: string;
  strategy: string;
  userIdAttribute: string;
  mapping: MappingItem[];
}

interface TenantYaml {
  connections?: Array<{
    name?: string;
    strategy?: string;
    scim_configuration?: { user_id_attribute?: string; mapping?: MappingItem[] };
  }>;
}

/** The (single) connection in tenant.yaml that has a scim_configuration. */
export function loadScimConnection(file = TENANT_YAML): ScimConnection {
  const doc = parse(fs.readFileSync(file, 'utf8')) as TenantYaml;
  const withScim = (doc.connections ?? []).filter((c) => c.scim_configuration);
  if (withScim.length !== 1)
    throw new Error(`expected one connection with scim_configuration, found ${withScim.length}`);
  const c = withScim[0]!;
  const scim = c.scim_configuration!;
  if (!c.name || !c.strategy || !scim.user_id_attribute || !scim.mapping) {
    throw new Error('the SCIM connection needs name, strategy, user_id_attribute and mapping');
  }
  return {
    name: c.name,
    strategy: c.strategy,
    userIdAttribute: scim.user_id_attribute,
    mapping: scim.mapping,
  };
}

export interface ModelStep {
  step: LoadedFixture;
  /** The SCIM resource after the request (null: none exists). */
  resource: Record<string, unknown> | null;
  /** The Auth0 user after the request (null: none exists). */
  user: Record<string, unknown> | null;
  event: UserEventType | null;
}

/** Auth0 builds an Inbound SCIM user's id from the connection and the user_id_attribute's value. */
export function auth0UserId(connection: ScimConnection, resource: Record<string, unknown>): string {
  const value = readAttribute(resource, connection.userIdAttribute);
  if (typeof value !== 'string' || value === '') {
    throw new Error(`the create request has no ${connection.userIdAttribute}; Auth0 cannot build a user_id`);
  }
  return `${connection.strategy}|${connection.name}|${value}`;
}

export function modelLifecycle(connection: ScimConnection, steps: readonly LoadedFixture[]): ModelStep[] {
  let resource: Record<string, unknown> | null = null;
  let userId: string | undefined;
  let user: Record<string, unknown> | null = null;
  const out: ModelStep[] = [];
  for (const step of steps) {
    const { method, body } = step.fixture;
    let event: UserEventType | null = null;
    if (method === 'POST') {
      if (resource) throw new Error(`${step.file}: the user already exists`);
      resource = structuredClone(body!);
      userId = auth0UserId(connection, resource);
    } else if (method !== 'GET') {
      if (!resource) throw new Error(`${step.file}: no user to ${method}`);
      if (method === 'PUT') resource = structuredClone(body!);
      else if (method === 'PATCH') resource = applyPatch(resource, body!);
      else resource = null;
    }
    const next = resource ? { user_id: userId, ...applyMapping(resource, connection.mapping) } : null;
    if (method === 'POST') event = 'user.created';
    else if (method === 'DELETE') event = 'user.deleted';
    else if (method !== 'GET' && !isDeepStrictEqual(next, user)) event = 'user.updated';
    user = next;
    out.push({ step, resource, user, event });
  }
  return out;
}
