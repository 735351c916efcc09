/**
 * The committed bundle, loaded the way Auth0 loads it (fresh module wrapper, only declared
 * dependencies resolvable), runs the same flows as the source.
 */
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { buildActionBundles, MAX_BUNDLE_BYTES } from '../../scripts/build-actions';
import { loadActionModule } from '../../local/action-runtime';
import {
  bundleHarness,
  declaredDependencies,
  destinationLine,
  HUBSPOT,
  SLACK_WEBHOOK,
} from '../support/action-harness';
import { cloudEvent, employee } from '../support/cloud-events';

const ROOT = path.resolve(__dirname, '../..');
const CODE_PATH = path.join(ROOT, 'actions/Onboarding Workflow/code.js');

afterEach(() => nock.cleanAll());

it('is what the source builds, byte for byte, and stays under 100 kB', async () => {
  const [bundle] = await buildActionBundles(ROOT);
  expect(bundle!.code).toBe(fs.readFileSync(CODE_PATH, 'utf8'));
  expect(Buffer.byteLength(bundle!.code)).toBeLessThan(MAX_BUNDLE_BYTES);
});

it('only requires built-ins and the dependencies tenant.yaml declares', () => {
  const code = fs.readFileSync(CODE_PATH, 'utf8');
  const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  const declared = declaredDependencies().map((d) => d.name);
  for (const id of required) expect(declared.includes(id!) || id!.startsWith('node:')).toBe(true);
});

it('fails to load when a declared dependency is missing, as Auth0 would', () => {
  const code = fs.readFileSync(CODE_PATH, 'utf8');
  expect(() => loadActionModule(code, { dependencies: [], resolveFrom: ROOT })).toThrow(/Cannot find module/);
});

it('exports onExecuteEventStream and runs a full onboard against HubSpot and Slack', async () => {
  nock(HUBSPOT)
    .get(/\/crm\/v3\/objects\/contacts\//)
    .times(2)
    .reply(404, {});
  const upsert = nock(HUBSPOT)
    .post('/crm/v3/objects/contacts/batch/upsert')
    .reply(200, { status: 'COMPLETE', results: [{ id: '9' }] });
  const slack = nock('https://hooks.slack.test').post(new URL(SLACK_WEBHOOK).pathname).reply(200, 'ok');
  const h = bundleHarness();
  await h.run(cloudEvent('user.created', employee())).catch((e) => {
    console.warn(h.raw.join('\n'));
    throw e;
  });
  expect(upsert.isDone() && slack.isDone()).toBe(true);
  expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created' });
  expect(destinationLine(h.lines, 'slack')).toMatchObject({ outcome: 'sent' });
});

it('acknowledges a test event from the bundle without calling anything', async () => {
  const h = bundleHarness();
  await h.run(cloudEvent('user.created', employee(), { test: true }));
  expect(h.lines[0]).toMatchObject({ outcome: 'ignored-test-event' });
});
