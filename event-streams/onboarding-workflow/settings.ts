/**
 * The Action's configuration, read from `event.secrets` (the only configuration an Action has).
 * Base URLs default to the real APIs; the local stand-ins are reached by setting them, so no
 * test-only branch exists in this code.
 */
import { z } from 'zod';

/** An unresolved deploy-time keyword ('##NAME##' or '@@NAME@@') counts as missing, never as a value. */
const configured = z
  .string()
  .trim()
  .min(1)
  .refine((value) => !/^(##|@@)[A-Za-z0-9_]+(##|@@)$/.test(value), 'is an unresolved deploy keyword');

const secretsSchema = z.object({
  HUBSPOT_TOKEN: configured.optional().catch(undefined),
  HUBSPOT_BASE_URL: z.url().optional().catch(undefined),
  SLACK_WEBHOOK_URL: z.url().optional().catch(undefined),
});

export interface Settings {
  hubspot?: { token: string; baseUrl: string };
  slack?: { webhookUrl: string };
}

export function readSettings(secrets: Record<string, string | undefined>): Settings {
  const parsed = secretsSchema.parse(secrets);
  return {
    hubspot: parsed.HUBSPOT_TOKEN
      ? {
          token: parsed.HUBSPOT_TOKEN,
          baseUrl: (parsed.HUBSPOT_BASE_URL ?? 'https://api.hubapi.com').replace(/\/+$/, ''),
        }
      : undefined,
    slack: parsed.SLACK_WEBHOOK_URL ? { webhookUrl: parsed.SLACK_WEBHOOK_URL } : undefined,
  };
}
