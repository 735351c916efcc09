/**
 * The destination registry: DESTINATIONS alone decides what runs; an enabled destination without
 * its settings fails the delivery as "misconfigured"; a disabled one is never called; settings are
 * validated with zod, and only credentials are redacted from the logs.
 */
import fs from 'node:fs';
import path from 'node:path';
import nock from 'nock';
import { parse } from 'yaml';
import {
  DESTINATION_NAMES,
  enabledDestinations,
  parseMapping,
  readSettings,
  secretValues,
  settingNames,
} from '../../event-streams/onboarding-workflow/settings';
import { buildDestinations } from '../../event-streams/onboarding-workflow/handler';
import { cloudEvent, employee } from '../support/cloud-events';
import { destinationLine, HUBSPOT, SECRETS, SLACK_WEBHOOK, sourceHarness } from '../support/action-harness';
import {
  DESTINATION_SECRETS,
  JIRA,
  PROVISIONING,
  SEGMENT,
  SF_INSTANCE,
  SF_LOGIN,
  TEAMS_WEBHOOK,
} from './destinations-support';

const ALL_SECRETS: Record<string, string> = {
  ...SECRETS,
  ...Object.assign({}, ...Object.values(DESTINATION_SECRETS)),
  DESTINATIONS: DESTINATION_NAMES.join(','),
};

describe('DESTINATIONS', () => {
  it.each([
    [undefined, ['hubspot', 'slack']],
    ['', ['hubspot', 'slack']],
    ['##DESTINATIONS##', ['hubspot', 'slack']],
    ['salesforce', ['salesforce']],
    [' Jira , segment,,jira teams ', ['jira', 'segment', 'teams']],
    ['none', []],
  ])('%j → %j', (raw, names) => {
    expect(enabledDestinations(raw)).toEqual({ names, unknown: [] });
  });

  it('reports unknown names instead of guessing', () => {
    expect(enabledDestinations('hubspot,salesforc')).toEqual({ names: ['hubspot'], unknown: ['salesforc'] });
  });
});

describe('readSettings', () => {
  it('keeps the two original destinations by default', () => {
    const settings = readSettings(SECRETS);
    expect(settings.enabled).toEqual(['hubspot', 'slack']);
    expect(settings.hubspot).toEqual({ HUBSPOT_TOKEN: SECRETS.HUBSPOT_TOKEN, HUBSPOT_BASE_URL: HUBSPOT });
    expect(settings.problems).toEqual([]);
  });

  it('never reads the settings of a disabled destination', () => {
    const settings = readSettings({ ...SECRETS, DESTINATIONS: 'slack' });
    expect(settings.enabled).toEqual(['slack']);
    expect(settings.hubspot).toBeUndefined();
  });

  it('applies defaults for unset or unresolved optional settings', () => {
    const settings = readSettings({
      ...DESTINATION_SECRETS.salesforce,
      DESTINATIONS: 'salesforce,jira,provisioning',
      ...DESTINATION_SECRETS.jira,
      ...DESTINATION_SECRETS.provisioning,
      SALESFORCE_OFFBOARD: '##SALESFORCE_OFFBOARD##',
      JIRA_ISSUE_TYPE: '',
    });
    expect(settings.salesforce).toMatchObject({
      SALESFORCE_EXTERNAL_ID_FIELD: 'Auth0_User_Id__c',
      SALESFORCE_OFFBOARD: 'deactivate',
      SALESFORCE_ACTIVE_FIELD: 'Active__c',
    });
    expect(settings.jira?.JIRA_ISSUE_TYPE).toBe('Task');
    expect(settings.provisioning?.PROVISIONING_AUTH_HEADER).toBe('Authorization');
    expect(settings.provisioning?.PROVISIONING_BODY_MAPPING).toContainEqual({
      target: 'email',
      source: 'email',
    });
  });

  it('names every missing or invalid setting of an enabled destination, never its value', () => {
    const settings = readSettings({
      DESTINATIONS: 'salesforce,jira,bogus',
      SALESFORCE_LOGIN_URL: 'not a url',
      SALESFORCE_CLIENT_ID: 'id-value-123',
      SALESFORCE_CLIENT_SECRET: '##SALESFORCE_CLIENT_SECRET##',
      SALESFORCE_OFFBOARD: 'archive',
      ...DESTINATION_SECRETS.jira,
      JIRA_PROJECT_KEY: 'lowercase',
    });
    expect(settings.enabled).toEqual([]);
    expect(settings.problems).toEqual([
      { name: 'bogus', missing: expect.stringContaining('DESTINATIONS lists "bogus"') },
      {
        name: 'salesforce',
        missing:
          'SALESFORCE_LOGIN_URL is invalid; SALESFORCE_CLIENT_SECRET is not set; SALESFORCE_OFFBOARD is invalid',
      },
      { name: 'jira', missing: 'JIRA_PROJECT_KEY is invalid' },
    ]);
    expect(JSON.stringify(settings.problems)).not.toContain('id-value-123');
  });

  it('is pure: the same secrets give the same settings', () => {
    expect(readSettings(ALL_SECRETS)).toEqual(readSettings({ ...ALL_SECRETS }));
    expect(readSettings(ALL_SECRETS).enabled).toEqual([...DESTINATION_NAMES]);
  });
});

describe('provisioning body mapping', () => {
  it('parses target=source pairs with dotted targets', () => {
    expect(parseMapping('id=userId, user.email = email,action=step')).toEqual([
      { target: 'id', source: 'userId' },
      { target: 'user.email', source: 'email' },
      { target: 'action', source: 'step' },
    ]);
  });

  it.each(['', 'id=password', 'id', 'a=email,a=userId', 'a=email,a.b=userId', 'bad-name=email'])(
    'rejects %j',
    (value) => expect(parseMapping(value)).toBeUndefined(),
  );

  it('an invalid mapping makes provisioning misconfigured', () => {
    const settings = readSettings({
      DESTINATIONS: 'provisioning',
      ...DESTINATION_SECRETS.provisioning,
      PROVISIONING_BODY_MAPPING: 'id=password',
    });
    expect(settings.problems).toEqual([
      { name: 'provisioning', missing: 'PROVISIONING_BODY_MAPPING is invalid' },
    ]);
  });
});

describe('secrets and tenant.yaml', () => {
  it('redacts credentials and unknown keys, but not plain settings', () => {
    const values = secretValues({ ...ALL_SECRETS, SOMETHING_NEW: 'unknown-value-123' });
    expect(values).toEqual(
      expect.arrayContaining([
        SECRETS.HUBSPOT_TOKEN,
        SLACK_WEBHOOK,
        DESTINATION_SECRETS.salesforce.SALESFORCE_CLIENT_SECRET,
        DESTINATION_SECRETS.jira.JIRA_API_TOKEN,
        DESTINATION_SECRETS.segment.SEGMENT_WRITE_KEY,
        TEAMS_WEBHOOK,
        DESTINATION_SECRETS.provisioning.PROVISIONING_AUTH_VALUE,
        'unknown-value-123',
      ]),
    );
    expect(values).not.toContain(ALL_SECRETS.DESTINATIONS);
    expect(values).not.toContain(SF_LOGIN);
  });

  it('declares every setting of every destination in tenant.yaml as a ##NAME## keyword', () => {
    const tenant = parse(fs.readFileSync(path.resolve(__dirname, '../../tenant.yaml'), 'utf8')) as {
      actions: Array<{ secrets: Array<{ name: string; value: string }> }>;
    };
    const declared = tenant.actions[0]!.secrets;
    const names = [
      'DESTINATIONS',
      ...DESTINATION_NAMES.flatMap((d) => [...settingNames(d).required, ...settingNames(d).optional]),
    ];
    for (const name of names) expect(declared).toContainEqual({ name, value: `##${name}##` });
    expect(declared.map((s) => s.name).sort()).toEqual([...names].sort());
  });
});

describe('the handler with a registry', () => {
  it('builds one destination per enabled name, plus one entry per problem', () => {
    const built = buildDestinations(readSettings({ ...ALL_SECRETS, DESTINATIONS: 'teams,segment,nope' }));
    expect(built.map((d) => d.name)).toEqual(['teams', 'segment', 'nope']);
  });

  it('a disabled destination is never called (nock refuses any unexpected request)', async () => {
    nock.disableNetConnect();
    const slack = nock('https://hooks.slack.test').post(/.*/).reply(200, 'ok');
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), { ...SECRETS, DESTINATIONS: 'slack' });
    expect(slack.isDone()).toBe(true);
    expect(h.lines.filter((l) => l.msg === 'destination').map((l) => l.destination)).toEqual(['slack']);
    nock.cleanAll();
  });

  it('an enabled destination without its secrets fails the delivery; the others still run', async () => {
    nock.disableNetConnect();
    const slack = nock('https://hooks.slack.test').post(/.*/).reply(200, 'ok');
    const h = sourceHarness();
    await expect(
      h.run(cloudEvent('user.created', employee()), { ...SECRETS, DESTINATIONS: 'slack,jira' }),
    ).rejects.toThrow(/redelivered for: jira/);
    expect(slack.isDone()).toBe(true);
    expect(destinationLine(h.lines, 'jira')).toMatchObject({
      outcome: 'failed-misconfigured',
      error: { message: expect.stringContaining('JIRA_BASE_URL is not set') },
    });
    nock.cleanAll();
  });

  it('a misconfigured notification-only destination is logged but never fails the delivery', async () => {
    nock.disableNetConnect();
    nock(HUBSPOT)
      .get(/\/crm\/v3\/objects\/contacts\//)
      .times(2)
      .reply(404, {});
    nock(HUBSPOT)
      .post('/crm/v3/objects/contacts/batch/upsert')
      .reply(200, { results: [{ id: '1' }] });
    const h = sourceHarness();
    await expect(
      h.run(cloudEvent('user.created', employee()), {
        ...SECRETS,
        DESTINATIONS: 'hubspot,slack,teams',
        SLACK_WEBHOOK_URL: '##SLACK_WEBHOOK_URL##',
      }),
    ).resolves.toBeUndefined();
    expect(destinationLine(h.lines, 'slack')).toMatchObject({
      outcome: 'failed-misconfigured',
      level: 'error',
    });
    expect(destinationLine(h.lines, 'teams')).toMatchObject({ outcome: 'failed-misconfigured' });
    expect(destinationLine(h.lines, 'hubspot')).toMatchObject({ outcome: 'created' });
    nock.cleanAll();
  });

  it('logs stay readable when a plain setting is a common word', async () => {
    nock.disableNetConnect();
    nock(PROVISIONING).post('/v1/identities').reply(201, {});
    const h = sourceHarness();
    // DESTINATIONS = "provisioning" is a plain setting: redacting it would hide the destination name.
    await h.run(cloudEvent('user.created', employee()), {
      DESTINATIONS: 'provisioning',
      ...DESTINATION_SECRETS.provisioning,
    });
    expect(destinationLine(h.lines, 'provisioning')).toMatchObject({ outcome: 'provisioned' });
    nock.cleanAll();
  });

  it('runs all seven destinations in parallel, each with its own log line, within api.cache limits', async () => {
    nock.disableNetConnect();
    const user = encodeURIComponent(employee().user_id);
    nock(HUBSPOT)
      .get(/\/crm\/v3\/objects\/contacts\//)
      .times(2)
      .reply(404, {});
    nock(HUBSPOT)
      .post('/crm/v3/objects/contacts/batch/upsert')
      .reply(200, { results: [{ id: '1' }] });
    nock('https://hooks.slack.test').post(/.*/).reply(200, 'ok');
    nock(SF_LOGIN)
      .post('/services/oauth2/token')
      .reply(200, { access_token: 'sf-access-token-1', instance_url: SF_INSTANCE });
    nock(SF_INSTANCE)
      .get(`/services/data/v62.0/sobjects/Contact/Auth0_User_Id__c/${user}`)
      .query(true)
      .reply(404, [{ errorCode: 'NOT_FOUND' }]);
    nock(SF_INSTANCE)
      .patch(`/services/data/v62.0/sobjects/Contact/Auth0_User_Id__c/${user}`)
      .reply(201, { id: '003', success: true, created: true });
    nock(JIRA).post('/rest/api/3/search/jql').reply(200, { issues: [], isLast: true });
    nock(JIRA).post('/rest/api/3/issue').reply(201, { id: '10001', key: 'ONB-1' });
    nock(SEGMENT).post('/v1/identify').reply(200, { success: true });
    nock(new URL(TEAMS_WEBHOOK).origin).post(/.*/).reply(202);
    nock(PROVISIONING).post('/v1/identities').reply(201, { status: 'accepted' });
    const h = sourceHarness();
    await h.run(cloudEvent('user.created', employee()), ALL_SECRETS);
    const event = h.lines.find((l) => l.msg === 'event');
    expect(event).toMatchObject({
      outcome: 'done',
      destinations: {
        hubspot: 'created',
        slack: 'sent',
        salesforce: 'created',
        jira: 'created',
        segment: 'identified',
        teams: 'sent',
        provisioning: 'provisioned',
      },
    });
    expect(nock.pendingMocks()).toEqual([]);
    // breakers (7) + sent:slack + sent:teams + deliveries + salesforce:token + jira:issues
    const keys = ['deliveries', 'sent:slack', 'sent:teams', 'salesforce:token', 'jira:issues'];
    for (const key of keys) expect(h.cache.get(key)).toBeDefined();
    for (const name of DESTINATION_NAMES) expect(h.cache.get(`breaker:${name}`)).toBeDefined();
    nock.cleanAll();
  });
});
