/**
 * The stateful part of the local HubSpot: contacts with HubSpot's identity rules, property definitions, and
 * a search index that lags behind writes. No HTTP here; the server maps requests onto these methods and
 * HubSpotApiError onto responses.
 *
 * Rules reproduced (sources in local/hubspot/README.md):
 * - email and every hasUniqueValue property are unique among non-archived contacts (email case-insensitively);
 * - a write that would give a contact another contact's email -> 409 CONFLICT "Contact already exists. Existing ID: N";
 * - batch/upsert by a unique idProperty is all-or-nothing: one conflicting input -> 409 for the whole batch;
 * - archiving is idempotent (204 for a missing or already archived id); archived contacts are invisible to
 *   reads (unless archived=true), search, and the unique constraints;
 * - search sees a write only `searchLagMs` after it happened.
 */
import {
  HubSpotApiError,
  contactExists,
  errorBody,
  invalidProperties,
  notFound,
  validation,
  type PropertyValueError,
} from './errors';
import {
  DEFAULT_GROUPS,
  createGroup,
  createProperty,
  defaultProperties,
  updateGroup,
  updateProperty,
  type PropertyDefinition,
  type PropertyGroup,
} from './properties';

export interface ContactRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

interface IndexEntry {
  /** When this version becomes visible to search (ms epoch). */
  at: number;
  /** null = archived (gone from search). */
  properties: Record<string, string> | null;
  updatedAt: number;
}

interface Contact {
  id: string;
  properties: Record<string, string>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
  archivedAt?: number;
  index: IndexEntry[];
}

export interface PublicObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
}

/** What GET and search return when the caller names no properties (HubSpot's default contact set). */
export const DEFAULT_RETURNED_PROPERTIES = [
  'createdate',
  'email',
  'firstname',
  'hs_object_id',
  'lastmodifieddate',
  'lastname',
];

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_BATCH = 100;
const SEARCH_MAX_LIMIT = 200;
const SEARCH_MAX_GROUPS = 5;
const SEARCH_MAX_FILTERS_PER_GROUP = 6;
const SEARCH_MAX_FILTERS = 18;

export interface StoreOptions {
  portalId?: number;
  searchLagMs?: number;
  /** First contact id handed out; HubSpot ids are large numbers, kept small here for readable logs. */
  firstId?: number;
  clock?: () => number;
}

export interface UpsertInput {
  idProperty?: unknown;
  id?: unknown;
  properties?: unknown;
  objectWriteTraceId?: unknown;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class HubSpotStore {
  readonly portalId: number;
  searchLagMs: number;
  private readonly clock: () => number;
  private readonly firstId: number;
  private nextId: number;
  private contacts = new Map<string, Contact>();
  private props = new Map<string, PropertyDefinition>();
  private groups = new Map<string, PropertyGroup>();

  constructor(opts: StoreOptions = {}) {
    this.portalId = opts.portalId ?? 4_200_042;
    this.searchLagMs = opts.searchLagMs ?? 1500;
    this.clock = opts.clock ?? Date.now;
    this.firstId = opts.firstId ?? 1001;
    this.nextId = this.firstId;
    this.reset();
  }

  reset(): void {
    this.contacts.clear();
    this.nextId = this.firstId;
    this.props = new Map(defaultProperties().map((p) => [p.name, p]));
    this.groups = new Map(DEFAULT_GROUPS.map((g) => [g.name, { ...g }]));
  }

  // ---------- properties ----------

  listProperties(archived = false): PropertyDefinition[] {
    return [...this.props.values()].filter((p) => p.archived === archived).map((p) => ({ ...p }));
  }

  getProperty(name: string, archived = false): PropertyDefinition {
    const p = this.props.get(name);
    if (p === undefined || p.archived !== archived) {
      throw new HubSpotApiError(
        404,
        errorBody('OBJECT_NOT_FOUND', `Unable to find property with name: ${name}`, {
          context: { name: [name] },
        }),
      );
    }
    return { ...p };
  }

  createProperty(input: unknown): PropertyDefinition {
    const p = createProperty(input, this.props, this.groups, iso(this.clock()));
    this.props.set(p.name, p);
    return { ...p };
  }

  updateProperty(name: string, input: unknown): PropertyDefinition {
    const next = updateProperty(this.getProperty(name), input, this.groups, iso(this.clock()));
    this.props.set(name, next);
    return { ...next };
  }

  archiveProperty(name: string): void {
    const p = this.props.get(name);
    if (p === undefined || p.archived) return;
    if (p.hubspotDefined)
      throw validation(`Property ${name} is a HubSpot-defined property and cannot be archived`);
    this.props.set(name, { ...p, archived: true, archivedAt: iso(this.clock()) });
  }

  listGroups(): PropertyGroup[] {
    return [...this.groups.values()].filter((g) => !g.archived).map((g) => ({ ...g }));
  }

  getGroup(name: string): PropertyGroup {
    const g = this.groups.get(name);
    if (g === undefined || g.archived) {
      throw new HubSpotApiError(404, errorBody('OBJECT_NOT_FOUND', `Unable to find property group ${name}`));
    }
    return { ...g };
  }

  createGroup(input: unknown): PropertyGroup {
    const g = createGroup(input, this.groups);
    this.groups.set(g.name, g);
    return { ...g };
  }

  updateGroup(name: string, input: unknown): PropertyGroup {
    const next = updateGroup(this.getGroup(name), input);
    this.groups.set(name, next);
    return { ...next };
  }

  private isUniqueProperty(name: string): boolean {
    if (name === 'email' || name === 'hs_object_id') return true;
    const p = this.props.get(name);
    return p !== undefined && !p.archived && p.hasUniqueValue;
  }

  // ---------- contacts: reads ----------

  /** Current state (not lagged), for tests and the control API. */
  snapshot(opts: { archived?: boolean } = {}): ContactRecord[] {
    return [...this.contacts.values()]
      .filter((c) => opts.archived === undefined || c.archived === opts.archived)
      .map((c) => ({
        id: c.id,
        properties: { ...c.properties },
        createdAt: iso(c.createdAt),
        updatedAt: iso(c.updatedAt),
        archived: c.archived,
        ...(c.archivedAt !== undefined ? { archivedAt: iso(c.archivedAt) } : {}),
      }));
  }

  private live(): Contact[] {
    return [...this.contacts.values()].filter((c) => !c.archived);
  }

  private findBy(idProperty: string | undefined, id: string, archived = false): Contact | undefined {
    if (idProperty === undefined || idProperty === 'hs_object_id') {
      const c = this.contacts.get(id);
      return c !== undefined && c.archived === archived ? c : undefined;
    }
    const wanted = idProperty === 'email' ? id.toLowerCase() : id;
    const matches = [...this.contacts.values()].filter(
      (c) => c.archived === archived && c.properties[idProperty] === wanted,
    );
    // Several archived contacts can share a value; the most recently archived one wins.
    matches.sort((a, b) => (b.archivedAt ?? 0) - (a.archivedAt ?? 0));
    return matches[0];
  }

  private requireUniqueIdProperty(idProperty: string | undefined, verb: string): void {
    if (idProperty !== undefined && !this.isUniqueProperty(idProperty)) {
      throw validation(
        `Unable to perform ${verb} by non-unique 0-1 property ${idProperty} in portal ID ${this.portalId}`,
      );
    }
  }

  private toPublic(c: Contact, requested?: string[]): PublicObject {
    const properties: Record<string, string | null> = {};
    if (requested === undefined) {
      Object.assign(properties, c.properties);
    } else {
      for (const name of requested) properties[name] = c.properties[name] ?? null;
    }
    return {
      id: c.id,
      properties,
      createdAt: iso(c.createdAt),
      updatedAt: iso(c.updatedAt),
      archived: c.archived,
      ...(c.archivedAt !== undefined ? { archivedAt: iso(c.archivedAt) } : {}),
    };
  }

  private returned(names: string[] | undefined): string[] {
    return names === undefined || names.length === 0 ? DEFAULT_RETURNED_PROPERTIES : names;
  }

  get(
    id: string,
    opts: { idProperty?: string; properties?: string[]; archived?: boolean } = {},
  ): PublicObject {
    this.requireUniqueIdProperty(opts.idProperty, 'read');
    const c = this.findBy(opts.idProperty, id, opts.archived === true);
    if (c === undefined) throw notFound(id);
    return this.toPublic(c, this.returned(opts.properties));
  }

  list(opts: { limit?: number; after?: string; properties?: string[]; archived?: boolean } = {}) {
    const limit = Math.min(Math.max(opts.limit ?? 10, 1), 100);
    const all = [...this.contacts.values()]
      .filter((c) => c.archived === (opts.archived === true))
      .sort((a, b) => Number(a.id) - Number(b.id));
    const start = opts.after === undefined ? 0 : all.findIndex((c) => Number(c.id) > Number(opts.after));
    const page = start < 0 ? [] : all.slice(start, start + limit);
    const last = page[page.length - 1];
    const more = start >= 0 && start + limit < all.length;
    return {
      results: page.map((c) => this.toPublic(c, this.returned(opts.properties))),
      ...(more && last !== undefined ? { paging: { next: { after: last.id, link: '' } } } : {}),
    };
  }

  batchRead(body: unknown, archived = false) {
    const o = (body ?? {}) as { inputs?: unknown; properties?: unknown; idProperty?: unknown };
    if (!Array.isArray(o.inputs)) throw validation('inputs is required');
    if (o.inputs.length > MAX_BATCH) throw validation(`Batch size must be at most ${MAX_BATCH}`);
    const idProperty = typeof o.idProperty === 'string' ? o.idProperty : undefined;
    this.requireUniqueIdProperty(idProperty, 'read');
    const props = Array.isArray(o.properties)
      ? o.properties.filter((p): p is string => typeof p === 'string')
      : [];
    const startedAt = iso(this.clock());
    const results: PublicObject[] = [];
    const missing: string[] = [];
    for (const input of o.inputs as Array<{ id?: unknown }>) {
      const id = String(input?.id ?? '');
      const c = this.findBy(idProperty, id, archived);
      if (c === undefined) missing.push(id);
      else results.push(this.toPublic(c, this.returned(props)));
    }
    const base = { status: 'COMPLETE', results, startedAt, completedAt: iso(this.clock()) };
    if (missing.length === 0) return { status: 200, body: base };
    return {
      status: 207,
      body: {
        ...base,
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message:
              'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: missing },
            errors: [],
            links: {},
          },
        ],
      },
    };
  }

  // ---------- contacts: writes ----------

  /** Validates property names and values; returns them normalised (null = clear the value). */
  private validateProperties(input: unknown): Record<string, string | null> {
    if (input === undefined || input === null) return {};
    if (typeof input !== 'object' || Array.isArray(input)) throw validation('properties must be an object');
    const out: Record<string, string | null> = {};
    const errors: PropertyValueError[] = [];
    for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
      const def = this.props.get(name);
      if (def === undefined || def.archived) {
        errors.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
        continue;
      }
      if (def.modificationMetadata.readOnlyValue) {
        errors.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
        continue;
      }
      if (raw === null || raw === '') {
        out[name] = null;
        continue;
      }
      if (typeof raw === 'object') {
        errors.push({ name, error: 'INVALID_TYPE', message: `${JSON.stringify(raw)} is not a valid value` });
        continue;
      }
      let value = String(raw);
      if (name === 'email') {
        value = value.trim().toLowerCase();
        if (!EMAIL_RE.test(value)) {
          errors.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
          continue;
        }
      }
      if (def.type === 'number' && !Number.isFinite(Number(value))) {
        errors.push({ name, error: 'INVALID_FLOAT', message: `${value} was not a valid number.` });
        continue;
      }
      if (def.type === 'bool' && value !== 'true' && value !== 'false') {
        errors.push({ name, error: 'INVALID_BOOLEAN', message: `${value} was not a valid boolean.` });
        continue;
      }
      if (def.type === 'enumeration' && def.options.length > 0) {
        const allowed = def.options.map((o) => o.value);
        const values = def.fieldType === 'checkbox' ? value.split(';') : [value];
        const bad = values.find((v) => !allowed.includes(v));
        if (bad !== undefined) {
          errors.push({
            name,
            error: 'INVALID_OPTION',
            message: `${bad} was not one of the allowed options: [${allowed.join(', ')}]`,
          });
          continue;
        }
      }
      out[name] = value;
    }
    if (errors.length > 0) throw invalidProperties(this.portalId, errors);
    return out;
  }

  /** Throws when `next` would break a unique constraint held by another live contact. */
  private checkUnique(next: Record<string, string>, selfId: string | undefined): void {
    for (const [name, value] of Object.entries(next)) {
      if (name === 'hs_object_id' || !this.isUniqueProperty(name)) continue;
      const other = this.live().find((c) => c.id !== selfId && c.properties[name] === value);
      if (other === undefined) continue;
      if (name === 'email') throw contactExists(other.id);
      throw invalidProperties(this.portalId, [
        { name, error: 'INVALID_UNIQUE_VALUE', message: `${value} already has that value.` },
      ]);
    }
  }

  private merged(
    base: Record<string, string>,
    changes: Record<string, string | null>,
  ): Record<string, string> {
    const next = { ...base };
    for (const [k, v] of Object.entries(changes)) {
      if (v === null) delete next[k];
      else next[k] = v;
    }
    return next;
  }

  private index(c: Contact, now: number): void {
    // Keep the newest version already visible plus every pending one; older versions can never be seen again.
    const visible = c.index.filter((e) => e.at <= now);
    const pending = c.index.filter((e) => e.at > now);
    const newestVisible = visible[visible.length - 1];
    c.index = [
      ...(newestVisible ? [newestVisible] : []),
      ...pending,
      {
        at: now + this.searchLagMs,
        properties: c.archived ? null : { ...c.properties },
        updatedAt: c.updatedAt,
      },
    ];
  }

  private insert(props: Record<string, string>): Contact {
    const now = this.clock();
    const id = String(this.nextId++);
    const c: Contact = {
      id,
      properties: {
        ...props,
        hs_object_id: id,
        createdate: iso(now),
        lastmodifieddate: iso(now),
      },
      createdAt: now,
      updatedAt: now,
      archived: false,
      index: [],
    };
    this.contacts.set(id, c);
    this.index(c, now);
    return c;
  }

  private apply(c: Contact, changes: Record<string, string | null>): boolean {
    const next = this.merged(c.properties, changes);
    const changed = Object.keys({ ...next, ...c.properties }).some((k) => next[k] !== c.properties[k]);
    if (!changed) return false;
    const now = this.clock();
    next.lastmodifieddate = iso(now);
    c.properties = next;
    c.updatedAt = now;
    this.index(c, now);
    return true;
  }

  create(body: unknown): PublicObject {
    const o = (body ?? {}) as { properties?: unknown };
    const changes = this.validateProperties(o.properties);
    const props = this.merged({}, changes);
    this.checkUnique(props, undefined);
    return this.toPublic(this.insert(props));
  }

  update(id: string, body: unknown, idProperty?: string): PublicObject {
    this.requireUniqueIdProperty(idProperty, 'update');
    const c = this.findBy(idProperty, id);
    if (c === undefined) throw notFound(id);
    const changes = this.validateProperties((body as { properties?: unknown } | undefined)?.properties);
    this.checkUnique(this.merged(c.properties, changes), c.id);
    this.apply(c, changes);
    return this.toPublic(c);
  }

  /** DELETE /objects/contacts/{id}: idempotent; a missing or archived id is not an error. */
  archive(id: string): void {
    const c = this.contacts.get(id);
    if (c === undefined || c.archived) return;
    const now = this.clock();
    c.archived = true;
    c.archivedAt = now;
    c.updatedAt = now;
    this.index(c, now);
  }

  batchArchive(body: unknown): void {
    const o = (body ?? {}) as { inputs?: unknown };
    if (!Array.isArray(o.inputs)) throw validation('inputs is required');
    if (o.inputs.length > MAX_BATCH) throw validation(`Batch size must be at most ${MAX_BATCH}`);
    for (const input of o.inputs as Array<{ id?: unknown }>) this.archive(String(input?.id ?? ''));
  }

  /**
   * POST /objects/contacts/batch/upsert. All-or-nothing: inputs are applied in order on the live store and the
   * store is rolled back if any input fails, so a conflict answers 409 for the whole batch and writes nothing.
   */
  batchUpsert(body: unknown) {
    const o = (body ?? {}) as { inputs?: unknown };
    if (!Array.isArray(o.inputs) || o.inputs.length === 0) throw validation('inputs is required');
    if (o.inputs.length > MAX_BATCH) throw validation(`Batch size must be at most ${MAX_BATCH}`);
    const inputs = o.inputs as UpsertInput[];
    const startedAt = iso(this.clock());
    const keys = inputs.map((input) => {
      const idProperty = typeof input.idProperty === 'string' ? input.idProperty : 'hs_object_id';
      if (idProperty === 'hs_object_id' || !this.isUniqueProperty(idProperty)) {
        throw validation(
          `Unable to perform update/upsert by non-unique 0-1 property ${idProperty} in portal ID ${this.portalId}`,
        );
      }
      if (typeof input.id !== 'string' || input.id === '') throw validation('Each input needs a string id');
      const id = idProperty === 'email' ? input.id.trim().toLowerCase() : input.id;
      return { idProperty, id };
    });
    const seen = new Set<string>();
    const dupes = keys.filter((k) => {
      const key = `${k.idProperty}:${k.id}`;
      if (seen.has(key)) return true;
      seen.add(key);
      return false;
    });
    if (dupes.length > 0) {
      const ids = dupes.map((d) => d.id);
      throw validation(`Duplicate IDs found in batch input: [${ids.join(', ')}]. IDs must be unique`, {
        context: { ids },
      });
    }
    const changesList = inputs.map((input) => this.validateProperties(input.properties));

    const saved = this.save();
    try {
      const results = inputs.map((input, i) => {
        const { idProperty, id } = keys[i] as { idProperty: string; id: string };
        const changes = { ...(changesList[i] as Record<string, string | null>), [idProperty]: id };
        const existing = this.findBy(idProperty, id);
        if (existing === undefined) {
          const props = this.merged({}, changes);
          this.checkUnique(props, undefined);
          const c = this.insert(props);
          return { ...this.toPublic(c), new: true, ...trace(input) };
        }
        this.checkUnique(this.merged(existing.properties, changes), existing.id);
        this.apply(existing, changes);
        return { ...this.toPublic(existing), new: false, ...trace(input) };
      });
      return { status: 'COMPLETE', results, startedAt, completedAt: iso(this.clock()) };
    } catch (e) {
      this.restore(saved);
      throw e;
    }
  }

  private save() {
    return {
      nextId: this.nextId,
      contacts: new Map(
        [...this.contacts].map(([id, c]) => [
          id,
          { ...c, properties: { ...c.properties }, index: [...c.index] },
        ]),
      ),
    };
  }

  private restore(saved: ReturnType<HubSpotStore['save']>): void {
    this.nextId = saved.nextId;
    this.contacts = saved.contacts;
  }

  // ---------- search ----------

  /** Makes every pending write searchable now (tests that are not about the lag). */
  flushSearchIndex(): void {
    for (const c of this.contacts.values()) {
      for (const e of c.index) e.at = Math.min(e.at, this.clock());
    }
  }

  search(body: unknown) {
    const o = (body ?? {}) as {
      filterGroups?: unknown;
      properties?: unknown;
      limit?: unknown;
      after?: unknown;
      sorts?: unknown;
    };
    const groups = o.filterGroups === undefined ? [] : o.filterGroups;
    if (!Array.isArray(groups)) throw validation('filterGroups must be an array');
    if (groups.length > SEARCH_MAX_GROUPS) {
      throw validation(`Too many filter groups: at most ${SEARCH_MAX_GROUPS} are allowed`);
    }
    let total = 0;
    const parsed = groups.map((g) => {
      const filters = (g as { filters?: unknown })?.filters;
      if (!Array.isArray(filters)) throw validation('each filter group needs a filters array');
      if (filters.length > SEARCH_MAX_FILTERS_PER_GROUP) {
        throw validation(`Too many filters in a group: at most ${SEARCH_MAX_FILTERS_PER_GROUP} are allowed`);
      }
      total += filters.length;
      return filters.map(parseFilter);
    });
    if (total > SEARCH_MAX_FILTERS)
      throw validation(`Too many filters: at most ${SEARCH_MAX_FILTERS} are allowed`);
    const limit = o.limit === undefined ? 10 : Number(o.limit);
    if (!Number.isInteger(limit) || limit < 0 || limit > SEARCH_MAX_LIMIT) {
      throw validation(`limit must be between 0 and ${SEARCH_MAX_LIMIT}`);
    }
    const after = o.after === undefined || o.after === null || o.after === '' ? 0 : Number(o.after);
    const requested = Array.isArray(o.properties)
      ? o.properties.filter((p): p is string => typeof p === 'string')
      : [];
    const now = this.clock();
    const hits: Array<{ c: Contact; entry: IndexEntry }> = [];
    for (const c of this.contacts.values()) {
      const visible = c.index.filter((e) => e.at <= now);
      const entry = visible[visible.length - 1];
      if (entry === undefined || entry.properties === null) continue;
      const props = entry.properties;
      if (parsed.length > 0 && !parsed.some((fs) => fs.every((f) => f(props)))) continue;
      hits.push({ c, entry });
    }
    hits.sort((a, b) => Number(a.c.id) - Number(b.c.id));
    const page = hits.slice(after, after + limit);
    const names = this.returned(requested);
    const results = page.map(({ c, entry }) => {
      const properties: Record<string, string | null> = {};
      for (const n of names) properties[n] = (entry.properties as Record<string, string>)[n] ?? null;
      return {
        id: c.id,
        properties,
        createdAt: iso(c.createdAt),
        updatedAt: iso(entry.updatedAt),
        archived: false,
      };
    });
    const next = after + limit;
    return {
      total: hits.length,
      results,
      ...(next < hits.length ? { paging: { next: { after: String(next), link: '' } } } : {}),
    };
  }
}

function trace(input: UpsertInput): { objectWriteTraceId?: string } {
  return typeof input.objectWriteTraceId === 'string' ? { objectWriteTraceId: input.objectWriteTraceId } : {};
}

type Predicate = (props: Record<string, string>) => boolean;

const OPERATORS = ['EQ', 'NEQ', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'GT', 'GTE', 'LT', 'LTE'];

/** One search filter. String comparisons are case-insensitive, as HubSpot search is. */
function parseFilter(raw: unknown): Predicate {
  const f = (raw ?? {}) as { propertyName?: unknown; operator?: unknown; value?: unknown; values?: unknown };
  if (typeof f.propertyName !== 'string') throw validation('filter.propertyName is required');
  const op = typeof f.operator === 'string' ? f.operator : 'EQ';
  if (!OPERATORS.includes(op)) {
    throw validation(
      `Unsupported filter operator ${op} (the local HubSpot implements ${OPERATORS.join(', ')})`,
    );
  }
  const name = f.propertyName;
  const norm = (v: unknown) => String(v).toLowerCase();
  const value = f.value === undefined ? undefined : norm(f.value);
  const values = Array.isArray(f.values) ? f.values.map(norm) : [];
  const get = (p: Record<string, string>) => (p[name] === undefined ? undefined : p[name].toLowerCase());
  const needsValue = () => {
    if (value === undefined) throw validation(`filter on ${name} with ${op} needs a value`);
    return value;
  };
  switch (op) {
    case 'EQ': {
      const v = needsValue();
      return (p) => get(p) === v;
    }
    case 'NEQ': {
      const v = needsValue();
      return (p) => get(p) !== v;
    }
    case 'IN':
      return (p) => values.includes(get(p) ?? '\u0000');
    case 'NOT_IN':
      return (p) => !values.includes(get(p) ?? '\u0000');
    case 'HAS_PROPERTY':
      return (p) => p[name] !== undefined;
    case 'NOT_HAS_PROPERTY':
      return (p) => p[name] === undefined;
    default: {
      const v = Number(needsValue());
      return (p) => {
        const raw = p[name];
        if (raw === undefined) return false;
        const x = Number.isFinite(Number(raw)) ? Number(raw) : Date.parse(raw);
        return op === 'GT' ? x > v : op === 'GTE' ? x >= v : op === 'LT' ? x < v : x <= v;
      };
    }
  }
}
