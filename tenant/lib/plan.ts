/**
 * Pure: the field-level difference between what tenant.yaml asks for and what the tenant holds,
 * for the resources this repo owns. The same result drives `plan` (shown) and `deploy` (which
 * hands auth0-deploy-cli only what changed, so an unchanged tenant sees no write at all).
 */
import { createTwoFilesPatch } from 'diff';
import { isDeepStrictEqual } from 'node:util';
import type { LiveAction, LiveConnection, LiveEventStream, LiveState } from './live';
import { compareSecretValues, splitMarker } from './marker';

export interface DesiredConnection {
  name: string;
  strategy: string;
  display_name?: string;
  options?: Record<string, unknown>;
  scim_configuration?: { user_id_attribute?: string; mapping?: Array<{ auth0: string; scim: string }> };
  enabled_clients?: string[];
}
export interface DesiredAction {
  name: string;
  code: string;
  runtime?: string;
  deployed?: boolean;
  dependencies?: Array<{ name: string; version: string }>;
  secrets?: Array<{ name: string; value?: string }>;
  supported_triggers: Array<{ id: string; version?: string }>;
}
export interface DesiredEventStream {
  name: string;
  status?: string;
  subscriptions?: Array<{ event_type: string }>;
  destination: { type: string; configuration: Record<string, unknown> };
}
export interface DesiredAssets {
  tenant?: Record<string, unknown>;
  connections?: DesiredConnection[];
  actions?: DesiredAction[];
  eventStreams?: DesiredEventStream[];
}

export type ResourceType = 'tenant' | 'connections' | 'actions' | 'eventStreams' | 'hubspotProperties';
export type ChangeAction = 'create' | 'update' | 'delete' | 'unchanged';

export interface FieldChange {
  field: string;
  before?: unknown;
  after?: unknown;
  /** A unified diff, for code. */
  diff?: string;
  /** Said instead of before/after when values must not or cannot be shown. */
  note?: string;
}

export interface ResourceChange {
  type: ResourceType;
  name: string;
  action: ChangeAction;
  fields: FieldChange[];
}

export interface Plan {
  resources: ResourceChange[];
  /** Problems a deploy would hit: the plan is not applicable as is. */
  errors: string[];
  warnings: string[];
}

export interface HubspotPropertyState {
  name: string;
  type: string;
  fieldType: string;
  hasUniqueValue: boolean;
  groupName: string;
}
export interface HubspotDesired {
  group: { name: string; label: string };
  properties: Array<{ name: string; label: string; type: string; fieldType: string; unique: boolean }>;
}
export interface HubspotLive {
  groupExists: boolean;
  properties: Record<string, HubspotPropertyState | undefined>;
}

export interface PlanInput {
  desired: DesiredAssets;
  live: LiveState;
  allowDelete: boolean;
  /** Secret keyword names whose values were not supplied (plan without secrets): values unverifiable. */
  missingSecretValues?: readonly string[];
  hubspot?: { desired: HubspotDesired; live: HubspotLive | null };
  /** Scopes of the token, when it is a readable JWT. */
  tokenScopes?: string[] | null;
  /**
   * A deploy's plan: the client must be able to write SCIM configurations. A plan alone may run
   * with a read-only client (pull requests, drift checks), so there it only warns when SCIM
   * configurations could not be read.
   */
  forDeploy?: boolean;
}

export const SCIM_SCOPES = ['read:scim_config', 'create:scim_config', 'update:scim_config'] as const;

export function hasChanges(plan: Plan): boolean {
  return plan.resources.some((r) => r.action !== 'unchanged');
}

export function changedTypes(plan: Plan): ResourceType[] {
  return [...new Set(plan.resources.filter((r) => r.action !== 'unchanged').map((r) => r.type))];
}

const sortBy = <T>(xs: T[] | undefined, key: (x: T) => string): T[] =>
  [...(xs ?? [])].sort((a, b) => key(a).localeCompare(key(b)));

function field(name: string, before: unknown, after: unknown): FieldChange[] {
  return isDeepStrictEqual(before, after) ? [] : [{ field: name, before, after }];
}

export function codeDiff(name: string, before: string, after: string): string {
  return createTwoFilesPatch(
    `${name} (deployed)`,
    `${name} (this commit)`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  )
    .split('\n')
    .slice(1) // the "===" separator says nothing the reader needs
    .join('\n')
    .trimEnd();
}

function diffConnection(
  d: DesiredConnection,
  live: LiveConnection | undefined,
  input: PlanInput,
  errors: string[],
): ResourceChange {
  if (!live) {
    const fields: FieldChange[] = [
      { field: 'strategy', after: d.strategy },
      ...(d.display_name ? [{ field: 'display_name', after: d.display_name }] : []),
      ...Object.keys(d.options ?? {})
        .sort()
        .map((k) => ({ field: `options.${k}`, after: d.options?.[k] })),
    ];
    if (d.scim_configuration) fields.push(...scimFields(d.scim_configuration, null));
    return { type: 'connections', name: d.name, action: 'create', fields };
  }
  const fields: FieldChange[] = [];
  if (live.strategy !== d.strategy) {
    errors.push(
      `connection "${d.name}": strategy is ${live.strategy} in the tenant but ${d.strategy} in tenant.yaml; a strategy cannot change: give the connection a new name`,
    );
  }
  if (d.display_name !== undefined) fields.push(...field('display_name', live.display_name, d.display_name));
  // Only the options tenant.yaml sets are compared: Auth0 adds derived ones (thumbprints, cert
  // details) that would otherwise show as drift forever.
  for (const k of Object.keys(d.options ?? {}).sort())
    fields.push(...field(`options.${k}`, live.options[k], d.options?.[k]));
  if (d.scim_configuration) {
    if (live.scim_configuration === undefined) {
      // Reported by the scope guard; nothing to compare against.
    } else fields.push(...scimFields(d.scim_configuration, live.scim_configuration));
  } else if (live.scim_configuration && input.allowDelete) {
    fields.push({ field: 'scim_configuration', before: 'configured', after: 'deleted' });
  }
  return { type: 'connections', name: d.name, action: fields.length ? 'update' : 'unchanged', fields };
}

function mappingKey(m: { auth0: string; scim: string }): string {
  return `${m.auth0} <- ${m.scim}`;
}

function scimFields(
  d: NonNullable<DesiredConnection['scim_configuration']>,
  live: LiveConnection['scim_configuration'] | null,
): FieldChange[] {
  const fields: FieldChange[] = [];
  fields.push(...field('scim_configuration.user_id_attribute', live?.user_id_attribute, d.user_id_attribute));
  // Order carries no meaning in the mapping; compare it as a set, report additions and removals.
  const before = new Set((live?.mapping ?? []).map(mappingKey));
  const after = new Set((d.mapping ?? []).map(mappingKey));
  const added = [...after].filter((m) => !before.has(m)).sort();
  const removed = [...before].filter((m) => !after.has(m)).sort();
  if (added.length || removed.length || !live) {
    fields.push({
      field: 'scim_configuration.mapping',
      before: removed,
      after: added,
      note: live ? undefined : 'new SCIM configuration',
    });
  }
  return fields;
}

function diffAction(
  d: DesiredAction,
  live: LiveAction | undefined,
  input: PlanInput,
  warnings: string[],
): ResourceChange {
  const secretNames = sortBy(d.secrets, (s) => s.name).map((s) => s.name);
  if (!live) {
    return {
      type: 'actions',
      name: d.name,
      action: 'create',
      fields: [
        { field: 'runtime', after: d.runtime },
        { field: 'code', note: `${Buffer.byteLength(d.code)} bytes` },
        {
          field: 'dependencies',
          after: sortBy(d.dependencies, (x) => x.name).map((x) => `${x.name}@${x.version}`),
        },
        { field: 'secrets', note: `names: ${secretNames.join(', ') || '(none)'}` },
        ...(d.deployed ? [{ field: 'deployed', after: true }] : []),
      ],
    };
  }
  const fields: FieldChange[] = [];
  const { code: liveCode, marker } = splitMarker(live.code);
  if (liveCode !== d.code) fields.push({ field: 'code', diff: codeDiff(d.name, liveCode, d.code) });
  if (d.runtime !== undefined) fields.push(...field('runtime', live.runtime, d.runtime));
  fields.push(
    ...field(
      'dependencies',
      sortBy(live.dependencies, (x) => x.name).map((x) => `${x.name}@${x.version}`),
      sortBy(d.dependencies, (x) => x.name).map((x) => `${x.name}@${x.version}`),
    ),
  );
  const trig = (t: { id: string; version?: string }) => `${t.id}@${t.version ?? ''}`;
  fields.push(
    ...field(
      'supported_triggers',
      sortBy(live.supported_triggers, trig).map(trig),
      sortBy(d.supported_triggers, trig).map(trig),
    ),
  );

  const liveNames = live.secrets.map((s) => s.name).sort();
  const added = secretNames.filter((n) => !liveNames.includes(n));
  const removed = liveNames.filter((n) => !secretNames.includes(n));
  if (added.length) fields.push({ field: 'secrets', note: `added: ${added.join(', ')}` });
  if (removed.length) fields.push({ field: 'secrets', note: `removed: ${removed.join(', ')}` });
  const missing = new Set(input.missingSecretValues ?? []);
  const values: Record<string, string> = {};
  for (const s of d.secrets ?? [])
    if (s.value !== undefined && !missing.has(s.name)) values[s.name] = s.value;
  const kept = secretNames.filter((n) => liveNames.includes(n));
  const states = compareSecretValues(marker, values, kept);
  const changed = kept.filter((n) => states[n] === 'changed');
  if (changed.length) fields.push({ field: 'secrets', note: `value changed: ${changed.join(', ')}` });
  const unverifiable = kept.filter((n) => states[n] === 'unknown');
  if (unverifiable.length) {
    if (!marker) {
      fields.push({
        field: 'secrets',
        note: `values cannot be verified (deployed without a deploy marker), will be re-sent: ${unverifiable.join(', ')}`,
      });
    } else {
      warnings.push(
        `action "${d.name}": values of ${unverifiable.join(', ')} were not compared (not set in this environment)`,
      );
    }
  }
  if (d.deployed && live.all_changes_deployed === false) {
    fields.push({
      field: 'deployed',
      before: false,
      after: true,
      note: 'the latest saved version is not deployed',
    });
  }
  return { type: 'actions', name: d.name, action: fields.length ? 'update' : 'unchanged', fields };
}

function diffStream(
  d: DesiredEventStream,
  live: LiveEventStream | undefined,
  input: PlanInput,
  errors: string[],
): ResourceChange {
  const subs = (xs: Array<{ event_type: string }> | undefined) => (xs ?? []).map((x) => x.event_type).sort();
  const named =
    d.destination.type === 'action' ? String(d.destination.configuration.action_id ?? '') : undefined;
  if (!live) {
    return {
      type: 'eventStreams',
      name: d.name,
      action: 'create',
      fields: [
        { field: 'status', after: d.status ?? 'enabled' },
        { field: 'subscriptions', after: subs(d.subscriptions) },
        { field: 'destination', after: named !== undefined ? `action "${named}"` : d.destination.type },
      ],
    };
  }
  const fields: FieldChange[] = [];
  if (d.status !== undefined) fields.push(...field('status', live.status, d.status));
  if (d.subscriptions !== undefined) {
    const before = subs(live.subscriptions);
    const after = subs(d.subscriptions);
    if (!isDeepStrictEqual(before, after)) fields.push({ field: 'subscriptions', before, after });
  }
  if (live.destination?.type !== d.destination.type) {
    errors.push(
      `event stream "${d.name}": destination type is ${live.destination?.type} in the tenant but ${d.destination.type} in tenant.yaml; a destination cannot change after creation: delete the stream in the tenant (or rename it in tenant.yaml and deploy with --allow-delete), then deploy again`,
    );
  } else if (named !== undefined) {
    // deploy-cli drops the destination from every update of an action stream, silently.
    const liveActionId = live.destination?.configuration?.action_id;
    const target = input.live.actions.find((a) => a.name === named);
    if (!target || target.id !== liveActionId) {
      const current = input.live.actions.find((a) => a.id === liveActionId)?.name ?? String(liveActionId);
      errors.push(
        `event stream "${d.name}": sends to action "${current}" in the tenant but tenant.yaml names "${named}"${target ? '' : ' (not deployed yet)'}; a0deploy cannot change an existing stream's destination: delete the stream in the tenant (or rename it in tenant.yaml and deploy with --allow-delete), then deploy again`,
      );
    }
  }
  return { type: 'eventStreams', name: d.name, action: fields.length ? 'update' : 'unchanged', fields };
}

function diffTenant(d: Record<string, unknown>, live: Record<string, unknown> | undefined): ResourceChange {
  const fields: FieldChange[] = [];
  for (const k of Object.keys(d).sort()) fields.push(...field(k, live?.[k], d[k]));
  return { type: 'tenant', name: 'settings', action: fields.length ? 'update' : 'unchanged', fields };
}

function diffHubspot(
  h: NonNullable<PlanInput['hubspot']>,
  errors: string[],
  warnings: string[],
): ResourceChange[] {
  if (!h.live) {
    warnings.push('HubSpot properties were not checked (no HubSpot token in this environment)');
    return [];
  }
  const out: ResourceChange[] = [];
  if (!h.live.groupExists) {
    out.push({
      type: 'hubspotProperties',
      name: `group ${h.desired.group.name}`,
      action: 'create',
      fields: [{ field: 'label', after: h.desired.group.label }],
    });
  }
  for (const p of h.desired.properties) {
    const live = h.live.properties[p.name];
    if (!live) {
      out.push({
        type: 'hubspotProperties',
        name: p.name,
        action: 'create',
        fields: [
          { field: 'type', after: `${p.type} (${p.fieldType})` },
          { field: 'hasUniqueValue', after: p.unique },
          { field: 'groupName', after: h.desired.group.name },
        ],
      });
      continue;
    }
    if (live.type !== p.type || live.hasUniqueValue !== p.unique) {
      errors.push(
        `HubSpot contact property ${p.name} exists as ${live.type}${live.hasUniqueValue ? ' (unique)' : ''} but the Action needs ${p.type}${p.unique ? ' (unique)' : ''}; HubSpot cannot convert it in place: archive or rename the property in HubSpot, then deploy again`,
      );
    }
    out.push({ type: 'hubspotProperties', name: p.name, action: 'unchanged', fields: [] });
  }
  return out;
}

export function computePlan(input: PlanInput): Plan {
  const errors: string[] = [];
  const warnings: string[] = [];
  const resources: ResourceChange[] = [];
  const { desired, live } = input;

  if (desired.tenant && Object.keys(desired.tenant).length)
    resources.push(diffTenant(desired.tenant, live.tenant));
  for (const c of desired.connections ?? [])
    resources.push(
      diffConnection(
        c,
        live.connections.find((l) => l.name === c.name),
        input,
        errors,
      ),
    );
  const wantsScim = (desired.connections ?? []).some((c) => c.scim_configuration);
  if (wantsScim) {
    const missing =
      input.forDeploy && input.tokenScopes ? SCIM_SCOPES.filter((s) => !input.tokenScopes?.includes(s)) : [];
    if (!live.scimReadable && !missing.includes('read:scim_config')) missing.unshift('read:scim_config');
    if (missing.length && input.forDeploy) {
      errors.push(
        `the Management API client lacks ${missing.join(', ')}; a0deploy would skip scim_configuration with only a warning: grant these scopes to the deploy client (Dashboard > Applications > APIs > Auth0 Management API > Machine to Machine Applications)`,
      );
    } else if (missing.length) {
      warnings.push('SCIM configurations were not compared: this client lacks read:scim_config');
    }
  }
  for (const a of desired.actions ?? [])
    resources.push(
      diffAction(
        a,
        live.actions.find((l) => l.name === a.name),
        input,
        warnings,
      ),
    );
  for (const s of desired.eventStreams ?? [])
    resources.push(
      diffStream(
        s,
        live.eventStreams.find((l) => l.name === s.name),
        input,
        errors,
      ),
    );

  if (input.allowDelete) {
    // What a0deploy deletes when deletes are allowed: everything of an owned type not in tenant.yaml
    // (connections are limited to the ones tenant.yaml names, see deployCli.ts).
    const names = (xs: Array<{ name: string }> | undefined) => new Set((xs ?? []).map((x) => x.name));
    if (desired.actions) {
      const keep = names(desired.actions);
      for (const a of live.actions)
        if (!keep.has(a.name))
          resources.push({ type: 'actions', name: a.name, action: 'delete', fields: [] });
    }
    if (desired.eventStreams) {
      const keep = names(desired.eventStreams);
      for (const s of live.eventStreams)
        if (!keep.has(s.name))
          resources.push({ type: 'eventStreams', name: s.name, action: 'delete', fields: [] });
    }
  }
  if (input.hubspot) resources.push(...diffHubspot(input.hubspot, errors, warnings));
  return { resources, errors, warnings };
}
