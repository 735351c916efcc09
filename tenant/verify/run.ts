/**
 * Runs the verification against a target (the local stack, or a real tenant) and reports each
 * check with its timing. The only I/O here is HTTP to SCIM, the Management API, HubSpot and (local,
 * only) the stand-ins' records of what they received.
 */
import type { Idp } from '../../connections/request-fixture';
import { loadLifecycle } from '../../connections/request-fixture';
import { auth0Mismatches, buildSteps, contactMismatches, expectedContact, type VerifyStep } from './scenario';
import { STANDIN_CHECKS, type StepFacts } from './standins';

type FetchLike = typeof fetch;

export interface VerifyTarget {
  environment: string;
  fetch: FetchLike;
  scim: { usersUrl: string; token: string };
  auth0: { domain: string; accessToken: string };
  hubspot: { baseUrl: string; token: string };
  /** The Slack stand-in's control URL; absent for real Slack (checked by a person). */
  slackControlUrl?: string;
  slackChannel?: string;
  /** Other enabled destinations' stand-ins (name → base URL), read through /__local/state. */
  standins?: Record<string, string>;
  /** Other enabled destinations nobody can observe from here (real environments): checked by a person. */
  manualDestinations?: string[];
}

export type CheckStatus = 'pass' | 'fail' | 'manual';
export interface CheckResult {
  label: string;
  status: CheckStatus;
  ms: number;
  detail?: string;
}
export interface StepResult {
  flow: string;
  title: string;
  request: string;
  checks: CheckResult[];
}

export interface Flow {
  name: string;
  idp: Idp;
  /** Fixture files to replay, in order; all when omitted. */
  files?: string[];
}

export const FLOWS: Flow[] = [
  { name: 'Okta (SCIM 2.0)', idp: 'okta' },
  { name: 'Entra ID (its PATCH dialect)', idp: 'entra-id' },
  {
    name: 'Entra ID, hard DELETE of an active user',
    idp: 'entra-id',
    files: ['02-create-user.json', '09-delete-user.json'],
  },
];

interface Poll<T> {
  ok: boolean;
  value?: T;
  detail?: string;
}

async function waitFor<T>(
  timeoutMs: number,
  probe: () => Promise<Poll<T>>,
): Promise<Poll<T> & { ms: number }> {
  const started = Date.now();
  let last: Poll<T> = { ok: false, detail: 'not checked' };
  for (;;) {
    try {
      last = await probe();
    } catch (error) {
      last = { ok: false, detail: (error as Error).message };
    }
    if (last.ok || Date.now() - started >= timeoutMs) return { ...last, ms: Date.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

function scimBase(usersUrl: string): string {
  return usersUrl.replace(/\/Users\/?$/, '');
}

function slackMessagesFor(messages: Array<{ text?: string }>, name: string): number {
  return messages.filter((m) => (m.text ?? '').includes(name)).length;
}

export interface VerifyOptions {
  timeoutMs: number;
  tag: string;
  flows?: Flow[];
  onStep?: (step: StepResult) => void;
}

export async function runVerification(target: VerifyTarget, options: VerifyOptions): Promise<StepResult[]> {
  const results: StepResult[] = [];
  const auth0Headers = { authorization: `Bearer ${target.auth0.accessToken}` };
  const hubspotHeaders = { authorization: `Bearer ${target.hubspot.token}` };

  const getUser = async (userId: string) => {
    const response = await target.fetch(
      `https://${target.auth0.domain}/api/v2/users/${encodeURIComponent(userId)}`,
      {
        headers: auth0Headers,
      },
    );
    return { status: response.status, body: (await readJson(response)) as Record<string, unknown> };
  };
  const getContact = async (userId: string, archived: boolean) => {
    const query = new URLSearchParams({
      idProperty: 'auth0_user_id',
      archived: String(archived),
      properties: 'email,firstname,lastname,jobtitle,department,auth0_user_id,auth0_last_event_at',
    });
    const response = await target.fetch(
      `${target.hubspot.baseUrl}/crm/v3/objects/contacts/${encodeURIComponent(userId)}?${query}`,
      { headers: hubspotHeaders },
    );
    return {
      status: response.status,
      body: (await readJson(response)) as { properties?: Record<string, unknown> },
    };
  };
  const standinState = async (baseUrl: string) => readJson(await target.fetch(`${baseUrl}/__local/state`));
  const slackMessages = async () => {
    const response = await target.fetch(`${target.slackControlUrl}/__local/messages`);
    const body = (await readJson(response)) as { messages?: Array<{ text?: string }> };
    return body.messages ?? [];
  };

  for (const [index, flow] of (options.flows ?? FLOWS).entries()) {
    const fixtures = loadLifecycle(flow.idp).filter((f) => !flow.files || flow.files.includes(f.file));
    const steps = buildSteps(flow.idp, `${options.tag}${index}`, fixtures);
    let scimId: string | undefined;
    for (const step of steps) {
      const result = await runStep(step);
      results.push(result);
      options.onStep?.(result);
      if (result.checks.some((c) => c.status === 'fail')) break; // later steps depend on this one
    }

    async function runStep(step: VerifyStep): Promise<StepResult> {
      const checks: CheckResult[] = [];
      const path = step.path.includes('{id}')
        ? step.path.replace('{id}', encodeURIComponent(scimId ?? 'missing-id'))
        : step.path;
      const userName = step.subject?.name ?? step.subject?.given_name ?? '';
      const slackBefore =
        target.slackControlUrl && step.transition !== 'none' && userName
          ? slackMessagesFor(await slackMessages(), userName)
          : 0;

      const subjectId = step.auth0User?.user_id ?? step.subject?.user_id ?? scimId ?? '';
      const facts = (): StepFacts => ({
        transition: step.transition,
        userId: subjectId,
        expected: step.expectedUser,
        before,
      });
      const before: Record<string, number> = {};
      for (const [name, baseUrl] of Object.entries(target.standins ?? {})) {
        const check = STANDIN_CHECKS[name];
        if (check?.count && check.applies(facts()))
          before[name] = check.count(await standinState(baseUrl), facts());
      }

      // 1. The IdP's request, exactly as recorded.
      const started = Date.now();
      const response = await target.fetch(`${scimBase(target.scim.usersUrl)}${path}`, {
        method: step.method,
        headers: {
          authorization: `Bearer ${target.scim.token}`,
          'content-type': 'application/scim+json',
          accept: 'application/scim+json',
        },
        body: step.body === null ? undefined : JSON.stringify(step.body),
      });
      const body = (await readJson(response)) as { id?: string; detail?: string };
      if (step.method === 'POST' && typeof body?.id === 'string') scimId = body.id;
      checks.push({
        label: `SCIM ${step.method} ${step.path} → ${response.status}`,
        status: response.status === step.expectStatus ? 'pass' : 'fail',
        ms: Date.now() - started,
        detail:
          response.status === step.expectStatus
            ? undefined
            : `want ${step.expectStatus}: ${body?.detail ?? ''}`,
      });
      if (response.status !== step.expectStatus)
        return { flow: flow.name, title: step.title, request: step.file, checks };

      const userId = step.auth0User?.user_id ?? step.subject?.user_id ?? (scimId as string);

      // 2. The Auth0 user.
      if (step.auth0User === null) {
        if (userId && step.method === 'DELETE') {
          const probe = await waitFor(options.timeoutMs, async () => {
            const user = await getUser(userId);
            return { ok: user.status === 404, detail: `GET /api/v2/users → ${user.status}` };
          });
          checks.push({
            label: 'Auth0 user is gone',
            status: probe.ok ? 'pass' : 'fail',
            ms: probe.ms,
            detail: probe.ok ? undefined : probe.detail,
          });
        }
      } else if (step.auth0User) {
        const want = step.auth0User;
        const probe = await waitFor(options.timeoutMs, async () => {
          const user = await getUser(want.user_id ?? userId);
          if (user.status !== 200) return { ok: false, detail: `GET /api/v2/users → ${user.status}` };
          const problems = auth0Mismatches(want, user.body);
          return { ok: problems.length === 0, detail: problems.join('; ') };
        });
        const label = want.blocked === true ? 'Auth0 user is blocked' : 'Auth0 user matches the IdP';
        checks.push({
          label,
          status: probe.ok ? 'pass' : 'fail',
          ms: probe.ms,
          detail: probe.ok ? undefined : probe.detail,
        });
      }

      // 3. HubSpot, written by the Action through the Event Stream.
      if (step.transition !== 'none' && userId) {
        const active = step.expectedUser !== undefined && step.expectedUser.blocked !== true;
        const probe = await waitFor(options.timeoutMs, async () => {
          const contact = await getContact(userId, false);
          if (!active)
            return { ok: contact.status === 404, detail: `live contact still present (${contact.status})` };
          if (contact.status !== 200) return { ok: false, detail: `no live contact (${contact.status})` };
          const problems = contactMismatches(
            expectedContact(step.expectedUser!),
            contact.body.properties ?? {},
          );
          return { ok: problems.length === 0, detail: problems.join('; ') };
        });
        checks.push({
          label: active ? 'HubSpot contact is up to date' : 'HubSpot contact is removed (archived)',
          status: probe.ok ? 'pass' : 'fail',
          ms: probe.ms,
          detail: probe.ok ? undefined : probe.detail,
        });
      }

      // 4. Slack, for onboard and offboard.
      if (step.transition === 'onboard' || step.transition === 'offboard') {
        if (target.slackControlUrl && userName) {
          const probe = await waitFor(options.timeoutMs, async () => {
            const count = slackMessagesFor(await slackMessages(), userName);
            return { ok: count > slackBefore, detail: `no new message naming ${userName}` };
          });
          checks.push({
            label: `Slack notified (${step.transition})`,
            status: probe.ok ? 'pass' : 'fail',
            ms: probe.ms,
            detail: probe.ok ? undefined : probe.detail,
          });
        } else {
          checks.push({
            label: `Slack: check ${target.slackChannel ?? 'the channel'} for the ${step.transition} message`,
            status: 'manual',
            ms: 0,
          });
        }
      }
      // 5. Every other enabled destination.
      for (const [name, baseUrl] of Object.entries(target.standins ?? {})) {
        const check = STANDIN_CHECKS[name];
        if (!check || !check.applies(facts())) continue;
        const probe = await waitFor(options.timeoutMs, async () => {
          const problems = check.problems(await standinState(baseUrl), facts());
          return { ok: problems.length === 0, detail: problems.join('; ') };
        });
        checks.push({
          label: check.label,
          status: probe.ok ? 'pass' : 'fail',
          ms: probe.ms,
          detail: probe.ok ? undefined : probe.detail,
        });
      }
      if (step.transition !== 'none') {
        for (const name of target.manualDestinations ?? []) {
          checks.push({ label: `${name}: check the ${step.transition} by hand`, status: 'manual', ms: 0 });
        }
      }
      return { flow: flow.name, title: step.title, request: step.file, checks };
    }
  }
  return results;
}

/** Human-readable checklist. */
export function renderChecklist(results: StepResult[], environment: string): string {
  const mark = { pass: '✓', fail: '✗', manual: '•' } as const;
  const lines: string[] = [`Verification against ${environment}`];
  let flow = '';
  for (const step of results) {
    if (step.flow !== flow) {
      flow = step.flow;
      lines.push('', flow);
    }
    const ok = step.checks.every((c) => c.status !== 'fail');
    const total = step.checks.reduce((sum, c) => sum + c.ms, 0);
    lines.push(`  ${ok ? mark.pass : mark.fail} ${step.title}  (${step.request}, ${total} ms)`);
    for (const check of step.checks) {
      lines.push(
        `      ${mark[check.status]} ${check.label}  ${check.ms} ms${check.detail ? `\n          ${check.detail}` : ''}`,
      );
    }
  }
  const all = results.flatMap((r) => r.checks);
  const failed = all.filter((c) => c.status === 'fail').length;
  const manual = all.filter((c) => c.status === 'manual').length;
  lines.push(
    '',
    `${all.length - failed - manual} passed, ${failed} failed${manual ? `, ${manual} to check by hand` : ''}`,
  );
  return lines.join('\n');
}
