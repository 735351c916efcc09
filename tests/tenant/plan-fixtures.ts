/** Representative desired/live states for the plan and renderer tests (fake values only). */
import type { LiveState } from '../../tenant/lib/live';
import { makeMarker, withMarker } from '../../tenant/lib/marker';
import type { DesiredAssets, HubspotDesired, HubspotLive } from '../../tenant/lib/plan';

export const CODE = 'exports.onExecuteEventStream = async (event) => {\n  return "v1";\n};\n';
export const SECRETS = {
  HUBSPOT_TOKEN: 'pat-test-token',
  SLACK_WEBHOOK_URL: 'http://127.0.0.1:9/fake-webhook',
};

export function desired(): DesiredAssets {
  return {
    connections: [
      {
        name: 'corporate-idp',
        strategy: 'samlp',
        display_name: 'Corporate IdP',
        enabled_clients: [],
        options: { signInEndpoint: 'https://idp.example.test/sso', signatureAlgorithm: 'rsa-sha256' },
        scim_configuration: {
          user_id_attribute: 'externalId',
          mapping: [
            { auth0: 'email', scim: 'emails[type eq "work"].value' },
            { auth0: 'blocked', scim: 'active' },
          ],
        },
      },
    ],
    actions: [
      {
        name: 'Onboarding Workflow',
        code: CODE,
        runtime: 'node22',
        deployed: true,
        supported_triggers: [{ id: 'event-stream', version: 'v1' }],
        dependencies: [
          { name: 'zod', version: '4.6.7' },
          { name: 'cockatiel', version: '3.2.1' },
        ],
        secrets: Object.entries(SECRETS).map(([name, value]) => ({ name, value })),
      },
    ],
    eventStreams: [
      {
        name: 'Onboarding Workflow',
        status: 'enabled',
        subscriptions: [
          { event_type: 'user.created' },
          { event_type: 'user.updated' },
          { event_type: 'user.deleted' },
        ],
        destination: { type: 'action', configuration: { action_id: 'Onboarding Workflow' } },
      },
    ],
  };
}

/** The tenant after a deploy of desired(): everything in place. */
export function liveInSync(): LiveState {
  return {
    scimReadable: true,
    connections: [
      {
        id: 'con_1',
        name: 'corporate-idp',
        strategy: 'samlp',
        display_name: 'Corporate IdP',
        // Auth0 adds derived options; they must not count as drift.
        options: {
          signInEndpoint: 'https://idp.example.test/sso',
          signatureAlgorithm: 'rsa-sha256',
          thumbprints: ['ab'],
        },
        scim_configuration: {
          user_id_attribute: 'externalId',
          mapping: [
            { auth0: 'blocked', scim: 'active' },
            { auth0: 'email', scim: 'emails[type eq "work"].value' },
          ],
        },
      },
    ],
    actions: [
      {
        id: 'act_1',
        name: 'Onboarding Workflow',
        code: withMarker(CODE, makeMarker(SECRETS, Object.keys(SECRETS), 'fixed-salt')),
        runtime: 'node22',
        dependencies: [
          { name: 'cockatiel', version: '3.2.1' },
          { name: 'zod', version: '4.6.7' },
        ],
        secrets: [{ name: 'SLACK_WEBHOOK_URL' }, { name: 'HUBSPOT_TOKEN' }],
        supported_triggers: [{ id: 'event-stream', version: 'v1' }],
        all_changes_deployed: true,
      },
      {
        id: 'act_other',
        name: 'Login Risk',
        code: '',
        dependencies: [],
        secrets: [],
        supported_triggers: [{ id: 'post-login' }],
      },
    ],
    eventStreams: [
      {
        id: 'est_1',
        name: 'Onboarding Workflow',
        status: 'enabled',
        subscriptions: [
          { event_type: 'user.deleted' },
          { event_type: 'user.created' },
          { event_type: 'user.updated' },
        ],
        destination: { type: 'action', configuration: { action_id: 'act_1' } },
      },
    ],
  };
}

export const HUBSPOT_DESIRED: HubspotDesired = {
  group: { name: 'auth0', label: 'Auth0' },
  properties: [
    { name: 'auth0_user_id', label: 'Auth0 user ID', type: 'string', fieldType: 'text', unique: true },
    {
      name: 'auth0_last_event_at',
      label: 'Auth0 last event at',
      type: 'datetime',
      fieldType: 'date',
      unique: false,
    },
  ],
};

export function hubspotInSync(): HubspotLive {
  return {
    groupExists: true,
    properties: {
      auth0_user_id: {
        name: 'auth0_user_id',
        type: 'string',
        fieldType: 'text',
        hasUniqueValue: true,
        groupName: 'auth0',
      },
      auth0_last_event_at: {
        name: 'auth0_last_event_at',
        type: 'datetime',
        fieldType: 'date',
        hasUniqueValue: false,
        groupName: 'auth0',
      },
    },
  };
}

export const ALL_SCOPES = ['read:scim_config', 'create:scim_config', 'update:scim_config', 'read:actions'];
