import { computePlan } from '../../tenant/lib/plan';
import {
  PLAN_COMMENT_MARKER,
  renderDeploySummary,
  renderMarkdown,
  renderText,
} from '../../tenant/lib/render';
import { ALL_SCOPES, CODE, HUBSPOT_DESIRED, desired, hubspotInSync, liveInSync } from './plan-fixtures';

const ctx = { environment: 'staging', domain: 'example-staging.eu.auth0.com' };

function representativePlan() {
  const d = desired();
  d.actions![0]!.code = CODE.replace('"v1"', '"v2"');
  d.actions![0]!.secrets = [
    { name: 'HUBSPOT_TOKEN', value: 'pat-test-rotated' },
    { name: 'SLACK_WEBHOOK_URL', value: 'http://127.0.0.1:9/fake-webhook' },
  ];
  const live = liveInSync();
  live.connections[0]!.options.signInEndpoint = 'https://old.example.test/sso';
  live.eventStreams[0]!.subscriptions = [{ event_type: 'user.created' }];
  const hs = hubspotInSync();
  hs.properties.auth0_last_event_at = undefined;
  return computePlan({
    desired: d,
    live,
    allowDelete: false,
    tokenScopes: ALL_SCOPES,
    hubspot: { desired: HUBSPOT_DESIRED, live: hs },
  });
}

describe('terminal renderer', () => {
  it('shows each change by resource and field, with the code diff', () => {
    const text = renderText(representativePlan(), ctx);
    expect(text.split('\n')[0]).toBe(
      'Plan for staging (example-staging.eu.auth0.com): 1 to create, 3 to update, 0 to delete, 1 unchanged',
    );
    expect(text).toContain(
      '  ~ connection "corporate-idp" (update)\n      options.signInEndpoint: "https://old.example.test/sso" -> "https://idp.example.test/sso"',
    );
    expect(text).toContain('      code: changed (diff below)');
    expect(text).toContain('        +  return "v2";');
    expect(text).toContain('      secrets: value changed: HUBSPOT_TOKEN');
    expect(text).toContain(
      '      subscriptions: ["user.created"] -> ["user.created","user.deleted","user.updated"]',
    );
    expect(text).toContain('  + HubSpot property "auth0_last_event_at" (create)');
    expect(text).toContain('  = HubSpot property "auth0_user_id" unchanged');
    expect(text).not.toContain('pat-test-rotated');
  });

  it('says no changes plainly, and lists errors and warnings', () => {
    const plan = computePlan({
      desired: desired(),
      live: liveInSync(),
      allowDelete: false,
      tokenScopes: ALL_SCOPES,
    });
    plan.warnings.push('HUBSPOT_TOKEN is not set: secret values were not compared');
    plan.errors.push('something a deploy would refuse');
    const text = renderText(plan, ctx);
    expect(text.split('\n')[0]).toBe('Plan for staging (example-staging.eu.auth0.com): no changes');
    expect(text).toContain('warning: HUBSPOT_TOKEN is not set');
    expect(text).toContain('error: something a deploy would refuse');
  });
});

describe('Markdown renderer (pull-request comment)', () => {
  it('starts with the hidden marker the workflow finds the comment by', () => {
    const md = renderMarkdown(representativePlan(), ctx);
    expect(md.split('\n')[0]).toBe(PLAN_COMMENT_MARKER);
    expect(md).toContain('### Auth0 tenant plan: `staging` — :warning: changes');
  });

  it('a table row per field, the code diff in a collapsible diff block, secrets by name', () => {
    const md = renderMarkdown(representativePlan(), ctx);
    expect(md).toContain('| | Resource | Field | Change |');
    expect(md).toContain(
      '| ~ | connection **corporate-idp** | options.signInEndpoint | "https://old.example.test/sso" → "https://idp.example.test/sso" |',
    );
    expect(md).toContain('|  |  | secrets | value changed: HUBSPOT\\_TOKEN |'.replace('\\_', '_'));
    expect(md).toContain('<details><summary>Code diff: Onboarding Workflow');
    expect(md).toMatch(/```diff\n--- Onboarding Workflow \(deployed\)[\s\S]*\+ {2}return "v2";[\s\S]*\n```/);
    expect(md).toContain('Unchanged: HubSpot property auth0\\_user\\_id'.replace(/\\_/g, '_'));
    expect(md).not.toContain('pat-test-rotated');
  });

  it('escapes table-breaking characters and cuts long diffs', () => {
    const plan = representativePlan();
    plan.resources[0]!.fields[0]!.after = 'a|b<script>';
    const longDiff = Array.from({ length: 50 }, (_, i) => `+line ${i}`).join('\n');
    plan.resources[1]!.fields[0]!.diff = longDiff;
    const md = renderMarkdown(plan, { ...ctx, maxDiffLines: 10 });
    expect(md).toContain('a\\|b&lt;script&gt;');
    expect(md).toContain('+line 9\n... 40 more lines');
    expect(md).not.toContain('+line 10\n');
  });

  it('no changes: a short all-clear comment', () => {
    const md = renderMarkdown(
      computePlan({ desired: desired(), live: liveInSync(), allowDelete: false, tokenScopes: ALL_SCOPES }),
      ctx,
    );
    expect(md).toContain(':white_check_mark: no changes');
    expect(md).toContain('Tenant `example-staging.eu.auth0.com`: nothing to change.');
    expect(md).not.toContain('| | Resource');
  });

  it('errors: marked not applicable, listed first', () => {
    const live = liveInSync();
    live.eventStreams[0]!.destination = { type: 'action', configuration: { action_id: 'act_other' } };
    const md = renderMarkdown(
      computePlan({ desired: desired(), live, allowDelete: false, tokenScopes: ALL_SCOPES }),
      ctx,
    );
    expect(md).toContain(':x: not applicable');
    expect(md).toContain('**Errors (a deploy would stop here):**');
  });
});

describe('SCIM mapping and the a0deploy dry run', () => {
  function mappingPlan() {
    const live = liveInSync();
    live.connections[0]!.scim_configuration!.mapping = [
      { auth0: 'blocked', scim: 'active' },
      { auth0: 'nickname', scim: 'nickName' },
    ];
    return computePlan({ desired: desired(), live, allowDelete: false, tokenScopes: ALL_SCOPES });
  }

  it('text: one mapping entry per line, + added, - removed', () => {
    expect(renderText(mappingPlan(), ctx)).toContain(
      '      scim_configuration.mapping:\n        + email <- emails[type eq "work"].value\n        - nickname <- nickName',
    );
  });

  it('Markdown: entries in one cell, separated by <br>, escaped', () => {
    expect(renderMarkdown(mappingPlan(), ctx)).toContain(
      '| scim_configuration.mapping | + email &lt;- emails[type eq "work"].value<br>- nickname &lt;- nickName |',
    );
  });

  it("shows deploy-cli's own dry run when given, collapsed in Markdown", () => {
    const dry = 'Auth0 Deploy CLI - Dry Run Preview\n│ Connections │ UPDATE │ corporate-idp │';
    expect(renderText(mappingPlan(), { ...ctx, deployCliDryRun: dry })).toContain(
      'auth0-deploy-cli dry run:\n  Auth0 Deploy CLI - Dry Run Preview',
    );
    expect(renderMarkdown(mappingPlan(), { ...ctx, deployCliDryRun: dry })).toContain(
      '<details><summary>auth0-deploy-cli dry run</summary>\n\n```text\nAuth0 Deploy CLI - Dry Run Preview',
    );
  });
});

describe('deploy summary', () => {
  it('a no-op deploy says a0deploy did not run', () => {
    const plan = computePlan({
      desired: desired(),
      live: liveInSync(),
      allowDelete: false,
      tokenScopes: ALL_SCOPES,
    });
    expect(
      renderDeploySummary({ plan, summary: null, hubspotCreated: [], deployedTypes: [] }, 'local', 1234),
    ).toBe('deploy local: nothing to change; a0deploy was not run (0 write calls) (1.2 s)');
  });

  it('lists what changed, a0deploy counts and HubSpot creations', () => {
    const text = renderDeploySummary(
      {
        plan: representativePlan(),
        summary: {
          actions: { created: 0, updated: 1, deleted: 0 },
          tenant: { created: 0, updated: 0, deleted: 0 },
        },
        hubspotCreated: ['property auth0_last_event_at'],
        deployedTypes: ['actions'],
      },
      'staging',
      5000,
    );
    expect(text).toContain('  ~ action "Onboarding Workflow" updated: code, secrets');
    expect(text).toContain('  a0deploy (actions): actions 0 created, 1 updated, 0 deleted');
    expect(text).toContain('  HubSpot: created property auth0_last_event_at');
  });
});
