import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { selectForImport, writeImportDir } from '../../tenant/lib/deployCli';
import { makeMarker, splitMarker } from '../../tenant/lib/marker';
import { computePlan } from '../../tenant/lib/plan';
import { ALL_SCOPES, CODE, desired, liveInSync } from './plan-fixtures';

const OWNED = ['tenant', 'connections', 'actions', 'eventStreams'];
const tenantYaml = {
  connections: [{ name: 'corporate-idp', strategy: 'samlp' }],
  actions: [
    {
      name: 'Onboarding Workflow',
      code: './actions/Onboarding Workflow/code.js',
      secrets: [{ name: 'HUBSPOT_TOKEN', value: '##HUBSPOT_TOKEN##' }],
    },
    { name: 'Second', code: './actions/Second/code.js' },
  ],
  eventStreams: [{ name: 'Onboarding Workflow' }],
};

describe('what a0deploy is given', () => {
  it('nothing at all when nothing changed (the no-op deploy makes no call)', () => {
    const plan = computePlan({
      desired: desired(),
      live: liveInSync(),
      allowDelete: false,
      tokenScopes: ALL_SCOPES,
    });
    expect(selectForImport(tenantYaml, plan, false, OWNED)).toEqual({ document: {}, types: [] });
  });

  it('only the changed type and item; an unchanged Action is not re-sent (no new version)', () => {
    const live = liveInSync();
    live.eventStreams[0]!.status = 'disabled';
    const plan = computePlan({ desired: desired(), live, allowDelete: false, tokenScopes: ALL_SCOPES });
    expect(selectForImport(tenantYaml, plan, false, OWNED)).toEqual({
      document: { eventStreams: [{ name: 'Onboarding Workflow' }] },
      types: ['eventStreams'],
    });
  });

  it('with deletes allowed, a changed type keeps all its items (a missing one would be deleted)', () => {
    const d = desired();
    d.actions![0]!.code = CODE.replace('v1', 'v2');
    const plan = computePlan({ desired: d, live: liveInSync(), allowDelete: false, tokenScopes: ALL_SCOPES });
    expect(selectForImport(tenantYaml, plan, false, OWNED).document.actions).toHaveLength(1);
    expect(selectForImport(tenantYaml, plan, true, OWNED).document.actions).toHaveLength(2);
  });

  it('never includes a type the environment does not own', () => {
    const d = desired();
    d.actions![0]!.code = CODE.replace('v1', 'v2');
    const plan = computePlan({ desired: d, live: liveInSync(), allowDelete: false, tokenScopes: ALL_SCOPES });
    expect(selectForImport(tenantYaml, plan, false, ['connections'])).toEqual({ document: {}, types: [] });
  });

  it('writes the import dir: keywords left for a0deploy, code with the secrets marker', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'sel-'));
    try {
      mkdirSync(path.join(repo, 'actions', 'Onboarding Workflow'), { recursive: true });
      writeFileSync(path.join(repo, 'actions', 'Onboarding Workflow', 'code.js'), CODE);
      const selection = { document: { actions: [tenantYaml.actions[0]] }, types: ['actions' as const] };
      const marker = makeMarker({ HUBSPOT_TOKEN: 'pat-test-token' }, ['HUBSPOT_TOKEN'], 'salt');
      const { dir, inputFile } = writeImportDir(repo, 'tenant.yaml', selection, marker);
      try {
        const written = readFileSync(inputFile, 'utf8');
        expect(parse(written)).toEqual(selection.document);
        expect(written).toContain('##HUBSPOT_TOKEN##');
        expect(written).not.toContain('pat-test-token');
        const code = readFileSync(path.join(dir, 'actions', 'Onboarding Workflow', 'code.js'), 'utf8');
        expect(splitMarker(code)).toEqual({ code: CODE, marker });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      expect(() =>
        writeImportDir(
          repo,
          'tenant.yaml',
          { document: { actions: [{ name: 'x', code: '../../etc/passwd' }] }, types: ['actions'] },
          makeMarker({}, []),
        ),
      ).toThrow('tenant.yaml: actions code path ../../etc/passwd must stay inside the repository');
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
