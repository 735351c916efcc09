/**
 * Pure helpers over SCIM attribute expressions as Auth0's scim_configuration.mapping writes them:
 *
 *   userName · name.givenName · emails[type eq "work"].value · active
 *   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department
 *   urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value
 *
 * Used by the connection tests to check the mapping against what Okta and Entra ID really send.
 * Attribute names compare case-insensitively, as RFC 7643 section 2.1 requires.
 */
import { SCIM_PATCH_SCHEMA, type Quirk } from './request-fixture';

export interface MappingItem {
  auth0: string;
  scim: string;
}

type Json = unknown;

interface ParsedExpression {
  /** Schema URN for extension attributes, undefined for core attributes. */
  urn?: string;
  attribute: string;
  filter?: { attribute: string; value: string | boolean };
  sub?: string;
}

const EXPRESSION =
  /^([A-Za-z$][\w$-]*)(?:\[\s*([A-Za-z][\w-]*)\s+eq\s+("(?:[^"\\]|\\.)*"|true|false)\s*\])?(?:\.([A-Za-z$][\w$-]*))?$/i;

export function parseExpression(expression: string): ParsedExpression {
  let urn: string | undefined;
  let rest = expression;
  if (/^urn:/i.test(expression)) {
    const cut = expression.lastIndexOf(':');
    urn = expression.slice(0, cut);
    rest = expression.slice(cut + 1);
  }
  const m = EXPRESSION.exec(rest);
  if (!m) throw new Error(`unsupported SCIM attribute expression: ${expression}`);
  const [, attribute, filterAttr, filterValue, sub] = m;
  const parsed: ParsedExpression = { attribute: attribute! };
  if (urn) parsed.urn = urn;
  if (filterAttr && filterValue) {
    const value = filterValue.startsWith('"') ? (JSON.parse(filterValue) as string) : filterValue === 'true';
    parsed.filter = { attribute: filterAttr, value };
  }
  if (sub) parsed.sub = sub;
  return parsed;
}

function isRecord(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Case-insensitive property read (SCIM attribute names are case-insensitive). */
export function getCi(record: Record<string, Json>, key: string): Json {
  if (key in record) return record[key];
  const lower = key.toLowerCase();
  const found = Object.keys(record).find((k) => k.toLowerCase() === lower);
  return found === undefined ? undefined : record[found];
}

function matches(item: Json, filter: NonNullable<ParsedExpression['filter']>): boolean {
  if (!isRecord(item)) return false;
  const actual = getCi(item, filter.attribute);
  if (typeof filter.value === 'boolean') return actual === filter.value;
  return typeof actual === 'string' && actual.toLowerCase() === filter.value.toLowerCase();
}

/** The value an expression selects in a SCIM User resource, or undefined when the resource lacks it. */
export function readAttribute(resource: Record<string, Json>, expression: string): Json {
  const e = parseExpression(expression);
  const container = e.urn ? getCi(resource, e.urn) : resource;
  if (!isRecord(container)) return undefined;
  let value = getCi(container, e.attribute);
  if (e.filter) {
    if (!Array.isArray(value)) return undefined;
    value = value.find((item) => matches(item, e.filter!));
  }
  if (e.sub !== undefined) value = isRecord(value) ? getCi(value, e.sub) : undefined;
  return value === null ? undefined : value;
}

function setPath(target: Record<string, Json>, dotted: string, value: Json): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (!isRecord(node[key])) node[key] = {};
    node = node[key] as Record<string, Json>;
  }
  node[keys[keys.length - 1]!] = value;
}

/**
 * The Auth0 user fields a SCIM resource produces under a mapping, as Auth0 Inbound SCIM documents it:
 * each mapped SCIM attribute lands on its Auth0 attribute (dotted paths nest, e.g. app_metadata.title),
 * and `active` is inverted into `blocked`.
 */
export function applyMapping(
  resource: Record<string, Json>,
  mapping: readonly MappingItem[],
): Record<string, Json> {
  const user: Record<string, Json> = {};
  for (const { auth0, scim } of mapping) {
    const value = readAttribute(resource, scim);
    if (value === undefined) continue;
    if (auth0 === 'blocked') {
      if (typeof value === 'boolean') user.blocked = !value;
      continue;
    }
    setPath(user, auth0, value);
  }
  return user;
}

/** The mapping entry that receives a SCIM PATCH path (a bare-string manager lands on manager.value). */
export function mappingForPath(mapping: readonly MappingItem[], patchPath: string): MappingItem | undefined {
  const wanted = patchPath.toLowerCase();
  return (
    mapping.find((m) => m.scim.toLowerCase() === wanted) ??
    mapping.find((m) => m.scim.toLowerCase() === `${wanted}.value`)
  );
}

interface PatchOperation {
  op: string;
  path?: string;
  value?: Json;
}

export function patchOperations(body: Record<string, Json>): PatchOperation[] {
  const ops = body.Operations;
  return Array.isArray(ops) ? (ops as PatchOperation[]) : [];
}

const MANAGER = /(^|:)manager$/i;

/**
 * The RFC 7643/7644 departures a request body shows. Fixtures declare these in `quirks`, and the
 * tests compare the two, so a fixture cannot silently drift from what it claims to record.
 */
export function detectQuirks(method: string, body: Record<string, Json> | null): Quirk[] {
  const found = new Set<Quirk>();
  if (method !== 'PATCH' || !body) return [];
  const schemas = body.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(SCIM_PATCH_SCHEMA)) return [];
  for (const op of patchOperations(body)) {
    if (typeof op.op === 'string' && op.op !== op.op.toLowerCase()) found.add('op-capitalized');
    const entries: Array<[string, Json]> =
      op.path !== undefined ? [[op.path, op.value]] : isRecord(op.value) ? Object.entries(op.value) : [];
    for (const [attr, value] of entries) {
      if (typeof value === 'string' && /^(true|false)$/i.test(value) && /(^|:)active$/i.test(attr)) {
        found.add('boolean-as-string');
      }
      if (MANAGER.test(attr) && typeof value === 'string') found.add('manager-bare-string');
      if (op.path === undefined && (attr.includes('.') || /^urn:/i.test(attr)))
        found.add('pathless-attribute-path-keys');
    }
  }
  return [...found].sort();
}

/** Normalises Entra ID's "True"/"False" strings, the one non-boolean `active` a server must accept. */
export function activeValue(value: Json): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  return undefined;
}

/** Finds the existing key for a SCIM attribute name regardless of case, or returns the name as given. */
function keyFor(record: Record<string, Json>, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(record).find((k) => k.toLowerCase() === lower) ?? name;
}

/** Values a tolerant server coerces: Entra's "True"/"False" and its bare-string manager. */
function coerce(e: ParsedExpression, value: Json): Json {
  if (!e.urn && e.attribute.toLowerCase() === 'active' && !e.sub) return activeValue(value) ?? value;
  if (e.attribute.toLowerCase() === 'manager' && !e.sub && typeof value === 'string') return { value };
  return value;
}

function container(
  resource: Record<string, Json>,
  e: ParsedExpression,
  create: boolean,
): Record<string, Json> | undefined {
  if (!e.urn) return resource;
  const key = keyFor(resource, e.urn);
  if (!isRecord(resource[key])) {
    if (!create) return undefined;
    resource[key] = {};
  }
  return resource[key] as Record<string, Json>;
}

/** Sets (replace/add) the attribute an expression names, creating a filtered multi-valued entry if needed. */
export function writeAttribute(resource: Record<string, Json>, expression: string, value: Json): void {
  const e = parseExpression(expression);
  const parent = container(resource, e, true)!;
  const key = keyFor(parent, e.attribute);
  if (e.filter) {
    if (!Array.isArray(parent[key])) parent[key] = [];
    const list = parent[key] as Json[];
    let item = list.find((entry) => matches(entry, e.filter!));
    if (!isRecord(item)) {
      item = { [e.filter.attribute]: e.filter.value };
      list.push(item);
    }
    if (e.sub !== undefined)
      (item as Record<string, Json>)[keyFor(item as Record<string, Json>, e.sub)] = value;
    else if (isRecord(value)) Object.assign(item as Record<string, Json>, value);
    return;
  }
  if (e.sub !== undefined) {
    if (!isRecord(parent[key])) parent[key] = {};
    const sub = parent[key] as Record<string, Json>;
    sub[keyFor(sub, e.sub)] = value;
    return;
  }
  parent[key] = coerce(e, value);
}

export function removeAttribute(resource: Record<string, Json>, expression: string): void {
  const e = parseExpression(expression);
  const parent = container(resource, e, false);
  if (!parent) return;
  const key = keyFor(parent, e.attribute);
  if (e.filter) {
    const list = parent[key];
    if (!Array.isArray(list)) return;
    if (e.sub === undefined) parent[key] = list.filter((entry) => !matches(entry, e.filter!));
    else
      for (const entry of list)
        if (matches(entry, e.filter) && isRecord(entry)) delete entry[keyFor(entry, e.sub)];
    return;
  }
  if (e.sub !== undefined) {
    const sub = parent[key];
    if (isRecord(sub)) delete sub[keyFor(sub, e.sub)];
    return;
  }
  delete parent[key];
}

/**
 * Applies a PatchOp message to a SCIM User resource (a copy is returned), in both dialects the
 * fixtures record: path-qualified operations, and path-less ones whose value object holds either
 * attributes ({active: false}), extension objects, or attribute paths as keys ("name.givenName").
 */
export function applyPatch(resource: Record<string, Json>, body: Record<string, Json>): Record<string, Json> {
  const next = structuredClone(resource);
  for (const op of patchOperations(body)) {
    const kind = String(op.op).toLowerCase();
    if (op.path !== undefined) {
      if (kind === 'remove') removeAttribute(next, op.path);
      else writeAttribute(next, op.path, op.value);
      continue;
    }
    if (!isRecord(op.value)) throw new Error(`path-less ${op.op} needs an object value`);
    for (const [key, value] of Object.entries(op.value)) {
      if (/^urn:.*:User$/i.test(key) && isRecord(value)) {
        // A whole extension object: {"urn:...:User": {"department": "..."}}.
        for (const [attr, v] of Object.entries(value)) writeAttribute(next, `${key}:${attr}`, v);
      } else {
        writeAttribute(next, key, value);
      }
    }
  }
  return next;
}
