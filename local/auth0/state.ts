/** The in-memory state of one local tenant. Plain data; the routes own the behaviour. */

export interface ScimMappingItem {
  auth0: string;
  scim: string;
}

export interface Connection {
  id: string;
  name: string;
  strategy: string;
  display_name?: string;
  options: Record<string, unknown>;
  enabled_clients: string[];
  realms: string[];
  is_domain_connection: boolean;
  show_as_button?: boolean;
  metadata?: Record<string, string>;
  authentication?: { active: boolean };
  connected_accounts?: { active: boolean };
}

export interface ScimConfiguration {
  connection_id: string;
  user_id_attribute: string;
  mapping: ScimMappingItem[];
  created_at: string;
  updated_on: string;
}

export interface ScimToken {
  token_id: string;
  connection_id: string;
  /** sha256 of the token: the value itself is shown once, at creation, and never stored. */
  token_hash: string;
  scopes: string[];
  created_at: string;
  valid_until?: string;
  last_used_at?: string;
}

export interface ActionSecret {
  name: string;
  value: string;
  updated_at: string;
}

export interface ActionDependency {
  name: string;
  version: string;
  registry_url?: string;
}

export type ActionBuildStatus = 'pending' | 'building' | 'packaged' | 'built' | 'retrying' | 'failed';

export interface ActionVersion {
  id: string;
  action_id: string;
  number: number;
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  /** Secret values as deployed with this version (write-only: never returned). */
  secrets: ActionSecret[];
  supported_triggers: Array<{ id: string; version: string }>;
  status: ActionBuildStatus;
  deployed: boolean;
  created_at: string;
  updated_at: string;
  built_at: string;
}

export interface Action {
  id: string;
  name: string;
  supported_triggers: Array<{ id: string; version: string }>;
  code: string;
  dependencies: ActionDependency[];
  runtime: string;
  secrets: ActionSecret[];
  modules: unknown[];
  status: ActionBuildStatus;
  created_at: string;
  updated_at: string;
  built_at?: string;
  all_changes_deployed: boolean;
  deployed_version_id?: string;
  versions: ActionVersion[];
}

export interface EventStream {
  id: string;
  name: string;
  status: 'enabled' | 'disabled';
  subscriptions: Array<{ event_type: string }>;
  destination: { type: string; configuration: Record<string, unknown> };
  created_at: string;
  updated_at: string;
}

export interface Client {
  client_id: string;
  client_secret: string;
  name: string;
  app_type: string;
  /** Scopes granted to this client for the Management API audience. */
  scopes: string[];
}

export interface MutationRecord {
  seq: number;
  method: string;
  path: string;
  time: string;
  status: number;
  dryRun: boolean;
}

export const TENANT_SETTINGS_DEFAULTS = {
  friendly_name: 'Local Tenant',
  picture_url: '',
  support_email: '',
  support_url: '',
  allowed_logout_urls: [] as string[],
  session_lifetime: 168,
  idle_session_lifetime: 72,
  default_audience: '',
  default_directory: '',
  enabled_locales: ['en'],
  flags: {
    enable_client_connections: false,
    revoke_refresh_token_grant: false,
    disable_clickjack_protection_headers: false,
  },
  sandbox_version: '22',
  sandbox_versions_available: ['22', '18'],
};
