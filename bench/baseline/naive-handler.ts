/**
 * Baseline: the handler the source guide (../shared/seed/orchestrate-business-workflows.txt, "Write
 * the Action handler") shows, reproduced so the bench can compare against it in the same run:
 * - user.created POSTs a new HubSpot contact, THEN posts to Slack (one after the other);
 * - user.updated finds the contact through the search API (which lags writes) and PATCHes it;
 * - user.deleted finds it the same way and deletes it, then posts to Slack;
 * - no timeouts, no deadline, no idempotency, any error thrown.
 * The only change is HUBSPOT_BASE_URL, so it can reach the local stand-in.
 * Not used by the product; it exists to be measured (and to show the chaos checker catches it).
 */
interface NaiveEvent {
  message: { type?: string; data?: { object?: Record<string, string | undefined> } };
  secrets: Record<string, string | undefined>;
}

export async function onExecuteEventStream(event: NaiveEvent): Promise<void> {
  const { type, data } = event.message;
  const user = data?.object ?? {};
  const hubspot = event.secrets.HUBSPOT_BASE_URL ?? 'https://api.hubapi.com';
  const headers = {
    Authorization: `Bearer ${event.secrets.HUBSPOT_TOKEN}`,
    'Content-Type': 'application/json',
  };
  const slack = (text: string) =>
    fetch(event.secrets.SLACK_WEBHOOK_URL as string, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
    });
  const findByEmail = async (email: string | undefined): Promise<string | undefined> => {
    const response = await fetch(`${hubspot}/crm/v3/objects/contacts/search`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: email }] }],
      }),
    });
    const found = (await response.json()) as { results?: Array<{ id: string }> };
    return found.results?.[0]?.id;
  };

  if (type === 'user.created') {
    const response = await fetch(`${hubspot}/crm/v3/objects/contacts`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        properties: { email: user.email, firstname: user.given_name, lastname: user.family_name },
      }),
    });
    if (!response.ok) throw new Error(`HubSpot error: ${response.status}`);
    await slack(`New employee provisioned: ${user.name} (${user.email})`);
  } else if (type === 'user.updated') {
    const id = await findByEmail(user.email);
    if (id) {
      await fetch(`${hubspot}/crm/v3/objects/contacts/${id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ properties: { firstname: user.given_name, lastname: user.family_name } }),
      });
    }
  } else if (type === 'user.deleted') {
    const id = await findByEmail(user.email);
    if (id) await fetch(`${hubspot}/crm/v3/objects/contacts/${id}`, { method: 'DELETE', headers });
    await slack(`Employee deprovisioned: ${user.name} (${user.email})`);
  }
}
