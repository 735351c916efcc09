/**
 * Pure: turns what `a0deploy export` wrote into the LiveState the plan diff reads, and folds in the
 * fields keyword preservation would otherwise hide. The comparison itself is the deploy tooling's
 * computePlan, so drift speaks exactly the plan's language (and exit codes).
 */
import type { LiveState } from '../lib/live';
import type { DesiredAssets, FieldChange, Plan, ResourceChange, ResourceType } from '../lib/plan';
import { hasChanges } from '../lib/plan';
import { renderMarkdown, renderText, type RenderContext } from '../lib/render';

/**
 * An export has names, not ids: deploy-cli writes an action stream's destination as the action's
 * name. Using names as ids keeps computePlan's destination check meaningful: a stream pointing at
 * an action that is not in the export keeps its raw id and is reported.
 */
export function exportToLive(exported: DesiredAssets, scimReadable: boolean): LiveState {
  return {
    connections: (exported.connections ?? []).map((c) => ({
      id: c.name,
      name: c.name,
      strategy: c.strategy,
      display_name: c.display_name,
      options: (c.options ?? {}) as Record<string, unknown>,
      scim_configuration: !scimReadable
        ? undefined
        : c.scim_configuration
          ? {
              user_id_attribute: c.scim_configuration.user_id_attribute,
              mapping: c.scim_configuration.mapping ?? [],
            }
          : null,
    })),
    actions: (exported.actions ?? []).map((a) => ({
      id: a.name,
      name: a.name,
      code: a.code ?? '',
      runtime: a.runtime,
      dependencies: (a.dependencies ?? []).map((d) => ({ name: d.name, version: d.version })),
      secrets: (a.secrets ?? []).map((s) => ({ name: s.name })),
      supported_triggers: (a.supported_triggers ?? []).map((t) => ({ id: String(t.id), version: t.version })),
      // deploy-cli exports `deployed: !!deployed || !!all_changes_deployed`.
      all_changes_deployed: a.deployed,
    })),
    eventStreams: (exported.eventStreams ?? []).map((s) => ({
      id: s.name,
      name: s.name,
      status: s.status,
      subscriptions: (s.subscriptions ?? []).map((x) => ({ event_type: x.event_type })),
      destination: s.destination,
    })),
    tenant: exported.tenant,
    scimReadable,
  };
}

export interface PreservedAddress {
  type: Exclude<ResourceType, 'hubspotProperties'>;
  name: string;
  field: string;
}

/** "connections.[name=corporate-idp].options.signingCert" -> its parts (null when not a resource field). */
export function parseAddress(address: string): PreservedAddress | null {
  const m = /^(connections|actions|eventStreams)\.\[name=([^\]]+)\]\.(.+)$/.exec(address);
  if (m) return { type: m[1] as PreservedAddress['type'], name: m[2] as string, field: m[3] as string };
  const t = /^tenant\.(.+)$/.exec(address);
  if (t) return { type: 'tenant', name: 'settings', field: t[1] as string };
  return null;
}

/** The raw (placeholder) value at an address in tenant.yaml, to name the keyword. */
export function rawValueAt(doc: Record<string, unknown>, a: PreservedAddress): unknown {
  let cur: unknown =
    a.type === 'tenant'
      ? doc.tenant
      : ((doc[a.type] as Array<{ name?: string }> | undefined) ?? []).find((x) => x.name === a.name);
  for (const part of a.field.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const named = /^\[name=([^\]]+)\]$/.exec(part);
    cur =
      named && Array.isArray(cur)
        ? cur.find((x) => (x as { name?: string })?.name === named[1])
        : (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export interface PreservedDifference {
  address: string;
  /** The live value deploy-cli reported (may be a secret: shown only for non-secret keywords). */
  remote?: string;
}

const KEYWORD_IN_TEXT = /(##|@@)([A-Z][A-Z0-9_]*)\1/g;

/**
 * With keyword preservation deploy-cli writes '##NAME##' back even where the live value differs,
 * so a plain diff of the export would call that field unchanged. deploy-cli reports each such
 * address; each becomes a field change. Live and repo values are shown only when every keyword in
 * the field is non-secret; otherwise the change names the keyword and shows no value.
 * Action secret values are write-only (never returned): their addresses always "differ" and say
 * nothing; the plan compares them through the deploy marker instead.
 */
export function withPreservedDifferences(
  plan: Plan,
  differences: PreservedDifference[],
  tenantDoc: Record<string, unknown>,
  keywords: { values: Record<string, string>; secretNames: readonly string[] },
): Plan {
  const resources = plan.resources.map((r) => ({ ...r, fields: [...r.fields] }));
  const seen = new Set<string>();
  for (const d of [...differences].sort((a, b) => a.address.localeCompare(b.address))) {
    if (seen.has(d.address)) continue;
    seen.add(d.address);
    const a = parseAddress(d.address);
    if (!a) continue;
    if (a.type === 'actions' && /^secrets\./.test(a.field)) continue;
    const raw = rawValueAt(tenantDoc, a);
    const names =
      typeof raw === 'string' ? [...raw.matchAll(KEYWORD_IN_TEXT)].map((m) => m[2] as string) : [];
    const placeholders = typeof raw === 'string' ? [...raw.matchAll(KEYWORD_IN_TEXT)].map((m) => m[0]) : [];
    const secret = !names.length || names.some((n) => keywords.secretNames.includes(n));
    const label = placeholders.join(', ') || 'the keyword value';
    const change: FieldChange =
      secret || d.remote === undefined || typeof raw !== 'string'
        ? { field: a.field, note: `live value differs from ${label} (not shown: secret)` }
        : {
            field: a.field,
            before: d.remote,
            after: raw.replace(KEYWORD_IN_TEXT, (_m, _mk, n: string) => keywords.values[n] ?? `##${n}##`),
            note: `tenant.yaml: ${label}`,
          };
    let target: ResourceChange | undefined = resources.find((r) => r.type === a.type && r.name === a.name);
    if (!target) {
      target = { type: a.type, name: a.name, action: 'update', fields: [] };
      resources.push(target);
    }
    if (target.action === 'unchanged') target.action = 'update';
    if (!target.fields.some((f) => f.field === change.field)) target.fields.push(change);
  }
  return { ...plan, resources };
}

export type DriftFormat = 'text' | 'markdown';

export function renderDrift(plan: Plan, ctx: RenderContext, format: DriftFormat): string {
  if (format === 'markdown') {
    return renderMarkdown(plan, ctx)
      .replace('### Auth0 tenant plan:', '### Auth0 tenant drift:')
      .replace(
        'Posted by `npm run plan -- --format markdown`',
        'Posted by `npm run drift -- --format markdown`',
      );
  }
  const text = renderText(plan, ctx);
  const [first, ...rest] = text.split('\n');
  const head = (first ?? '')
    .replace(/^Plan for /, 'Drift for ')
    .replace(/: no changes$/, ': no drift (the tenant matches tenant.yaml)');
  const lines = [head, ...rest];
  if (hasChanges(plan) || plan.errors.length) {
    lines.push(
      '',
      'Each "-> " shows live value -> tenant.yaml value; npm run deploy puts tenant.yaml back, or change tenant.yaml to adopt the live value.',
    );
  }
  return lines.join('\n');
}

/** 0: no drift; 2: drift (changed fields, or live state a deploy would refuse, like a re-pointed stream). */
export function driftExitCode(plan: Plan): 0 | 2 {
  return hasChanges(plan) || plan.errors.length ? 2 : 0;
}
