/** Pure renderers of a Plan: terminal text, and Markdown for a pull-request comment. */
import type { ChangeAction, FieldChange, Plan, ResourceChange } from './plan';
import { hasChanges } from './plan';

export const PLAN_COMMENT_MARKER = '<!-- auth0-tenant-plan -->';

export interface RenderContext {
  environment: string;
  domain: string;
  /** Markdown only: the longest code diff shown, in lines. */
  maxDiffLines?: number;
  /** Raw a0deploy dry-run output, when it ran. */
  deployCliDryRun?: string;
}

const SYMBOL: Record<ChangeAction, string> = { create: '+', update: '~', delete: '-', unchanged: '=' };
const TYPE_LABEL: Record<ResourceChange['type'], string> = {
  tenant: 'tenant',
  connections: 'connection',
  actions: 'action',
  eventStreams: 'event stream',
  hubspotProperties: 'HubSpot property',
};

function show(v: unknown): string {
  if (v === undefined) return '(unset)';
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}

function counts(plan: Plan): string {
  const n = (a: ChangeAction) => plan.resources.filter((r) => r.action === a).length;
  const parts = [
    `${n('create')} to create`,
    `${n('update')} to update`,
    `${n('delete')} to delete`,
    `${n('unchanged')} unchanged`,
  ];
  return parts.join(', ');
}

/** A SCIM mapping change as "+ added" / "- removed" entries, or null for other fields. */
function mappingEntries(f: FieldChange): string[] | null {
  if (f.field !== 'scim_configuration.mapping' || !Array.isArray(f.before) || !Array.isArray(f.after))
    return null;
  return [...(f.after as string[]).map((m) => `+ ${m}`), ...(f.before as string[]).map((m) => `- ${m}`)];
}

function fieldLine(f: FieldChange, arrow = '->'): string {
  if (f.diff !== undefined) return `${f.field}: changed (diff below)`;
  if (f.before === undefined && f.after === undefined) return `${f.field}: ${f.note ?? ''}`;
  const change = f.before === undefined ? show(f.after) : `${show(f.before)} ${arrow} ${show(f.after)}`;
  return `${f.field}: ${change}${f.note ? ` (${f.note})` : ''}`;
}

export function renderText(plan: Plan, ctx: RenderContext): string {
  const out: string[] = [];
  out.push(`Plan for ${ctx.environment} (${ctx.domain}): ${hasChanges(plan) ? counts(plan) : 'no changes'}`);
  for (const r of plan.resources) {
    if (r.action === 'unchanged') {
      out.push(`  = ${TYPE_LABEL[r.type]} "${r.name}" unchanged`);
      continue;
    }
    out.push(`  ${SYMBOL[r.action]} ${TYPE_LABEL[r.type]} "${r.name}" (${r.action})`);
    for (const f of r.fields) {
      const entries = mappingEntries(f);
      if (entries) {
        out.push(`      ${f.field}${f.note ? ` (${f.note})` : ''}:`, ...entries.map((e) => `        ${e}`));
        continue;
      }
      out.push(`      ${fieldLine(f)}`);
      if (f.diff) out.push(...f.diff.split('\n').map((l) => `        ${l}`));
    }
  }
  for (const w of plan.warnings) out.push(`warning: ${w}`);
  for (const e of plan.errors) out.push(`error: ${e}`);
  if (ctx.deployCliDryRun)
    out.push('', 'auth0-deploy-cli dry run:', ...ctx.deployCliDryRun.split('\n').map((l) => `  ${l}`));
  return out.join('\n');
}

function mdEscape(s: string): string {
  // Table cells: a pipe would end the cell, angle brackets would become HTML.
  return s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fence(lang: string, body: string): string {
  // A fence longer than any backtick run inside, so a diff cannot close it early.
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const f = '`'.repeat(longest + 1);
  return `${f}${lang}\n${body}\n${f}`;
}

export function renderMarkdown(plan: Plan, ctx: RenderContext): string {
  const maxLines = ctx.maxDiffLines ?? 400;
  const out: string[] = [PLAN_COMMENT_MARKER];
  const status = plan.errors.length
    ? ':x: not applicable'
    : hasChanges(plan)
      ? ':warning: changes'
      : ':white_check_mark: no changes';
  out.push(`### Auth0 tenant plan: \`${ctx.environment}\` — ${status}`);
  out.push('');
  out.push(`Tenant \`${ctx.domain}\`: ${hasChanges(plan) ? counts(plan) : 'nothing to change'}.`);
  if (plan.errors.length) {
    out.push('', '**Errors (a deploy would stop here):**', '');
    for (const e of plan.errors) out.push(`- ${mdEscape(e)}`);
  }
  const changed = plan.resources.filter((r) => r.action !== 'unchanged');
  if (changed.length) {
    out.push('', '| | Resource | Field | Change |', '|---|---|---|---|');
    for (const r of changed) {
      const rows = r.fields.length ? r.fields : [{ field: '', note: r.action } as FieldChange];
      rows.forEach((f, i) => {
        const head = i === 0 ? `${SYMBOL[r.action]} | ${TYPE_LABEL[r.type]} **${mdEscape(r.name)}**` : ' | ';
        const entries = mappingEntries(f);
        const change = entries
          ? entries.map(mdEscape).join('<br>')
          : f.diff !== undefined
            ? 'see diff below'
            : mdEscape(fieldLine(f, '→').slice(f.field.length + 2) || r.action);
        out.push(`| ${head} | ${mdEscape(f.field)} | ${change} |`);
      });
    }
    for (const r of changed) {
      for (const f of r.fields) {
        if (!f.diff) continue;
        const lines = f.diff.split('\n');
        const shown =
          lines.length > maxLines
            ? [...lines.slice(0, maxLines), `... ${lines.length - maxLines} more lines`]
            : lines;
        out.push(
          '',
          `<details><summary>Code diff: ${mdEscape(r.name)} (${lines.length} lines)</summary>`,
          '',
          fence('diff', shown.join('\n')),
          '',
          '</details>',
        );
      }
    }
  }
  const unchanged = plan.resources.filter((r) => r.action === 'unchanged');
  if (unchanged.length)
    out.push(
      '',
      `Unchanged: ${unchanged.map((r) => `${TYPE_LABEL[r.type]} ${mdEscape(r.name)}`).join(', ')}.`,
    );
  if (plan.warnings.length) {
    out.push('');
    for (const w of plan.warnings) out.push(`> :information_source: ${mdEscape(w)}`);
  }
  if (ctx.deployCliDryRun) {
    out.push(
      '',
      '<details><summary>auth0-deploy-cli dry run</summary>',
      '',
      fence('text', ctx.deployCliDryRun.trim()),
      '',
      '</details>',
    );
  }
  out.push('', '<sub>Secrets are shown by name only. Posted by `npm run plan -- --format markdown`.</sub>');
  return out.join('\n');
}

export interface DeploySummaryInput {
  plan: Plan;
  summary: Record<string, { created: number; updated: number; deleted: number }> | null;
  hubspotCreated: string[];
  deployedTypes: string[];
}

/** What a deploy changed: the plan it applied, a0deploy's own counts, and the HubSpot schema. */
export function renderDeploySummary(r: DeploySummaryInput, environment: string, elapsedMs: number): string {
  const out: string[] = [];
  const changed = r.plan.resources.filter((x) => x.action !== 'unchanged');
  if (!changed.length) {
    out.push(
      `deploy ${environment}: nothing to change; a0deploy was not run (0 write calls) (${(elapsedMs / 1000).toFixed(1)} s)`,
    );
    return out.join('\n');
  }
  out.push(`deploy ${environment}: done in ${(elapsedMs / 1000).toFixed(1)} s`);
  for (const x of changed) {
    const fields = x.fields.map((f) => f.field).filter((f, i, a) => a.indexOf(f) === i);
    out.push(
      `  ${SYMBOL[x.action]} ${TYPE_LABEL[x.type]} "${x.name}" ${x.action}d${fields.length ? `: ${fields.join(', ')}` : ''}`,
    );
  }
  if (r.summary) {
    const counts = Object.entries(r.summary)
      .filter(([, c]) => c.created || c.updated || c.deleted)
      .map(([t, c]) => `${t} ${c.created} created, ${c.updated} updated, ${c.deleted} deleted`);
    out.push(`  a0deploy (${r.deployedTypes.join(', ')}): ${counts.join('; ') || 'no counts reported'}`);
  }
  out.push(
    `  HubSpot: ${r.hubspotCreated.length ? `created ${r.hubspotCreated.join(', ')}` : 'contact properties already in place'}`,
  );
  return out.join('\n');
}
