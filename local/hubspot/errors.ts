/**
 * HubSpot's error bodies, as HubSpot sends them (see local/hubspot/README.md for the sources of each shape).
 */
import { randomUUID } from 'node:crypto';

export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category?: string;
  context?: Record<string, string[]>;
  errors?: Array<{ message: string; in?: string; code?: string; context?: Record<string, string[]> }>;
  [extra: string]: unknown;
}

/** Thrown by the store; the server turns it into a response. */
export class HubSpotApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: HubSpotErrorBody,
  ) {
    super(body.message);
  }
}

export function errorBody(
  category: string,
  message: string,
  extra: Record<string, unknown> = {},
): HubSpotErrorBody {
  return { status: 'error', message, correlationId: randomUUID(), category, ...extra };
}

export const notFound = (id: string) =>
  new HubSpotApiError(404, errorBody('OBJECT_NOT_FOUND', 'resource not found', { context: { id: [id] } }));

/** 409 on create/update/upsert when the email belongs to another (non-archived) contact. */
export const contactExists = (existingId: string) =>
  new HubSpotApiError(409, errorBody('CONFLICT', `Contact already exists. Existing ID: ${existingId}`));

export interface PropertyValueError {
  name: string;
  error: string;
  message: string;
}

/** 400 VALIDATION_ERROR whose message embeds the per-property JSON list, as HubSpot does. */
export function invalidProperties(portalId: number, items: PropertyValueError[]): HubSpotApiError {
  const list = items.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
    portalId,
  }));
  return new HubSpotApiError(
    400,
    errorBody('VALIDATION_ERROR', `Property values were not valid: ${JSON.stringify(list)}`),
  );
}

export const validation = (message: string, extra: Record<string, unknown> = {}) =>
  new HubSpotApiError(400, errorBody('VALIDATION_ERROR', message, extra));

export function unauthenticated(): HubSpotErrorBody {
  return errorBody(
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
}

/** HubSpot's rate-limit body carries errorType + policyName and no category. */
export function rateLimited(policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY'): HubSpotErrorBody {
  const message =
    policyName === 'TEN_SECONDLY_ROLLING'
      ? 'You have reached your ten_secondly_rolling limit.'
      : policyName === 'SECONDLY'
        ? 'You have reached your secondly limit.'
        : 'You have reached your daily limit.';
  return {
    status: 'error',
    message,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
    requestId: randomUUID(),
  };
}
