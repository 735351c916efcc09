/**
 * Applies a connection's `scim_configuration.mapping` in both directions:
 * SCIM resource -> Auth0 profile attributes (on POST/PUT/PATCH) and Auth0 profile -> SCIM resource
 * (in responses, and as the base a PATCH is applied to).
 *
 * SCIM paths supported: `attr`, `attr.sub`, `attr[type eq "work"].sub` (a value filter on a
 * multi-valued attribute) and extension URNs (`urn:...:User:department`, `urn:...:User:manager.value`).
 * Attribute names compare case-insensitively (RFC 7643 §2.1). Auth0 targets are root attributes or
 * dotted paths under app_metadata / user_metadata.
 *
 * `{ auth0: blocked, scim: active }` is inverted, as Auth0 does: SCIM active=false arrives as
 * blocked=true.
 */
import type { ScimMappingItem } from './state';
import type { UserAttributes, UserProfile } from './users';

interface Segment {
  name: string;
  filter?: { attr: string; value: string };
}

export interface ScimPath {
  urn?: string;
  segments: Segment[];
}

export const CORE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

export function parseScimPath(path: string): ScimPath {
  let rest = path.trim();
  let urn: string | undefined;
  if (rest.toLowerCase().startsWith('urn:')) {
    // The attribute path follows the last ':' (sub-attributes use '.', never ':').
    const idx = rest.lastIndexOf(':');
    urn = rest.slice(0, idx);
    rest = rest.slice(idx + 1);
    if (urn.toLowerCase() === CORE_USER_SCHEMA.toLowerCase()) urn = undefined;
  }
  const segments: Segment[] = [];
  const re = /([A-Za-z0-9_$-]+)(?:\[\s*([A-Za-z0-9_$-]+)\s+eq\s+"([^"]*)"\s*\])?\.?/gy;
  let m: RegExpExecArray | null;
  while (rest.length && (m = re.exec(rest))) {
    segments.push({ name: m[1]!, ...(m[2] ? { filter: { attr: m[2], value: m[3] ?? '' } } : {}) });
    if (re.lastIndex >= rest.length) break;
  }
  if (!segments.length) throw new Error(`Unsupported SCIM path: ${path}`);
  return { ...(urn ? { urn } : {}), segments };
}

const lc = (s: string) => s.toLowerCase();

function getKey(obj: Record<string, unknown>, name: string): string | undefined {
  return Object.keys(obj).find((k) => lc(k) === lc(name));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function matches(elem: unknown, filter: { attr: string; value: string }): boolean {
  if (!isRecord(elem)) return false;
  const key = getKey(elem, filter.attr);
  return key !== undefined && lc(String(elem[key])) === lc(filter.value);
}

export function getScimValue(resource: Record<string, unknown>, path: string): unknown {
  const { urn, segments } = parseScimPath(path);
  let node: unknown = resource;
  if (urn) {
    const key = getKey(resource, urn);
    node = key ? resource[key] : undefined;
  }
  for (const seg of segments) {
    if (!isRecord(node)) return undefined;
    const key = getKey(node, seg.name);
    node = key ? node[key] : undefined;
    if (seg.filter) node = Array.isArray(node) ? node.find((e) => matches(e, seg.filter!)) : undefined;
  }
  return node;
}

export function setScimValue(resource: Record<string, unknown>, path: string, value: unknown): void {
  const { urn, segments } = parseScimPath(path);
  let node: Record<string, unknown> = resource;
  if (urn) {
    const key = getKey(resource, urn) ?? urn;
    if (!isRecord(resource[key])) resource[key] = {};
    node = resource[key] as Record<string, unknown>;
  }
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const key = getKey(node, seg.name) ?? seg.name;
    if (seg.filter) {
      const list = Array.isArray(node[key]) ? (node[key] as unknown[]) : [];
      node[key] = list;
      let elem = list.find((e) => matches(e, seg.filter!)) as Record<string, unknown> | undefined;
      if (!elem) {
        elem = { [seg.filter.attr]: seg.filter.value, ...(list.length === 0 ? { primary: true } : {}) };
        list.push(elem);
      }
      if (last) throw new Error(`SCIM path ${path} ends in a filter`);
      node = elem;
    } else if (last) {
      node[key] = value;
    } else {
      if (!isRecord(node[key])) node[key] = {};
      node = node[key] as Record<string, unknown>;
    }
  });
}

/** SCIM booleans may arrive as strings ("False" from Entra ID). */
export function toBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

function setAuth0(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  parts.forEach((part, i) => {
    if (i === parts.length - 1) node[part] = value;
    else {
      if (!isRecord(node[part])) node[part] = {};
      node = node[part] as Record<string, unknown>;
    }
  });
}

function getAuth0(source: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((node, part) => (isRecord(node) ? node[part] : undefined), source);
}

const isInverted = (item: ScimMappingItem) => item.auth0 === 'blocked' && lc(item.scim) === 'active';

/** Auth0 attributes for a SCIM resource. Only mapped attributes are kept, as Auth0 does. */
export function scimToAuth0(mapping: ScimMappingItem[], resource: Record<string, unknown>): UserAttributes {
  const out: Record<string, unknown> = {};
  for (const item of mapping) {
    let value = getScimValue(resource, item.scim);
    if (isRecord(value) && 'value' in value && !item.scim.includes('.')) value = value.value; // e.g. manager
    if (value === undefined || value === null || value === '') continue;
    if (isInverted(item)) {
      const active = toBoolean(value);
      if (active === undefined) continue;
      value = !active;
    }
    setAuth0(out, item.auth0, value);
  }
  return out as UserAttributes;
}

/** The mapped Auth0 targets (top-level keys, or app_metadata.x) a SCIM replace owns. */
export function mappedTargets(mapping: ScimMappingItem[]): string[] {
  return mapping.map((m) => m.auth0);
}

/** Removes every mapped target from a profile copy (before a PUT/PATCH re-applies the SCIM values). */
export function withoutMappedTargets(
  profile: Record<string, unknown>,
  mapping: ScimMappingItem[],
): Record<string, unknown> {
  const copy = structuredClone(profile);
  for (const target of mappedTargets(mapping)) {
    const parts = target.split('.');
    const parent = parts.slice(0, -1).reduce<unknown>((n, p) => (isRecord(n) ? n[p] : undefined), copy);
    if (isRecord(parent)) delete parent[parts[parts.length - 1]!];
  }
  return copy;
}

/** The SCIM resource for an Auth0 user (mapped attributes only, plus id, schemas and meta). */
export function auth0ToScim(
  mapping: ScimMappingItem[],
  user: UserProfile,
  location: string,
): Record<string, unknown> {
  const resource: Record<string, unknown> = {};
  for (const item of mapping) {
    let value = getAuth0(user as Record<string, unknown>, item.auth0);
    if (value === undefined || value === null) continue;
    if (isInverted(item)) value = !value;
    setScimValue(resource, item.scim, value);
  }
  if (resource.active === undefined) resource.active = !user.blocked;
  const schemas = [CORE_USER_SCHEMA];
  if (getKey(resource, ENTERPRISE_USER_SCHEMA)) schemas.push(ENTERPRISE_USER_SCHEMA);
  return {
    schemas,
    id: user.user_id,
    ...resource,
    meta: { resourceType: 'User', created: user.created_at, lastModified: user.updated_at, location },
  };
}
