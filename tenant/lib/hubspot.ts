/**
 * HubSpot schema as code: the custom contact properties the Action relies on (its upsert key
 * auth0_user_id must exist and be unique before the first event arrives). Thin I/O edge over
 * @hubspot/api-client; the comparison lives in plan.ts.
 */
import { Client } from '@hubspot/api-client';
import type { HubspotDesired, HubspotLive } from './plan';

const OBJECT = 'contacts';

export function hubspotClient(basePath: string, accessToken: string): Client {
  // Retries off: the deploy is re-runnable and must report the first failure, not hide it.
  return new Client({ accessToken, basePath: basePath.replace(/\/$/, ''), numberOfApiCallRetries: 0 });
}

function code(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

function describe(err: unknown): string {
  const c = code(err);
  const body = (err as { body?: { message?: string; category?: string } }).body;
  return `HubSpot answered ${c ?? 'with an error'}${body?.category ? ` ${body.category}` : ''}${body?.message ? `: ${body.message}` : ''}`;
}

export async function readHubspot(client: Client, desired: HubspotDesired): Promise<HubspotLive> {
  try {
    const [groups, props] = await Promise.all([
      client.crm.properties.groupsApi.getAll(OBJECT),
      client.crm.properties.coreApi.getAll(OBJECT, false),
    ]);
    const byName = new Map(props.results.map((p) => [p.name, p]));
    const properties: HubspotLive['properties'] = {};
    for (const d of desired.properties) {
      const p = byName.get(d.name);
      properties[d.name] = p
        ? {
            name: p.name,
            type: String(p.type),
            fieldType: String(p.fieldType),
            hasUniqueValue: !!p.hasUniqueValue,
            groupName: p.groupName,
          }
        : undefined;
    }
    return { groupExists: groups.results.some((g) => g.name === desired.group.name), properties };
  } catch (err) {
    throw new Error(`reading HubSpot contact properties failed: ${describe(err)}`);
  }
}

/** Creates what is missing (group first, then properties). Returns what it created. */
export async function ensureHubspot(
  client: Client,
  desired: HubspotDesired,
  live: HubspotLive,
): Promise<string[]> {
  const created: string[] = [];
  const attempt = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
      created.push(what);
    } catch (err) {
      // 409: it appeared between our read and this write (a concurrent deploy); that is the goal.
      if (code(err) === 409) return;
      const done = created.length ? ` (created so far: ${created.join(', ')})` : '';
      throw new Error(`creating HubSpot ${what} failed: ${describe(err)}${done}`);
    }
  };
  if (!live.groupExists) {
    await attempt(`group ${desired.group.name}`, () =>
      client.crm.properties.groupsApi.create(OBJECT, {
        name: desired.group.name,
        label: desired.group.label,
      }),
    );
  }
  for (const p of desired.properties) {
    if (live.properties[p.name]) continue;
    await attempt(`property ${p.name}`, () =>
      client.crm.properties.coreApi.create(OBJECT, {
        name: p.name,
        label: p.label,
        type: p.type as never,
        fieldType: p.fieldType as never,
        groupName: desired.group.name,
        hasUniqueValue: p.unique,
      }),
    );
  }
  return created;
}
