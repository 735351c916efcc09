export { startLocalAuth0, type LocalAuth0, type LocalAuth0Options } from './server';
export { LocalTenant, MANAGEMENT_SCOPES, SCIM_TOKEN_SCOPES, type LocalTenantOptions } from './tenant';
export type { DeliveryOptions, DeliveryRecord } from './delivery';
export type { UserCloudEvent } from './events';
export type { UserProfile } from './users';
export { MANAGEMENT_ROUTES } from './management';
