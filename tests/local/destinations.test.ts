import { readSettings } from '../../event-streams/onboarding-workflow/settings';
import { actionSecrets, DESTINATION_NAMES, startLocalDestinations } from '../../local/destinations';

describe('startLocalDestinations', () => {
  it('starts every stand-in on its own loopback port and the connection details work', async () => {
    const d = await startLocalDestinations({ hubspot: { searchLagMs: 0 } });
    try {
      const c = d.connection();
      expect(Object.keys(c).sort()).toEqual([...DESTINATION_NAMES].sort());
      const urls = Object.values(c).map((x) => new URL(x.baseUrl));
      expect(new Set(urls.map((u) => u.port)).size).toBe(DESTINATION_NAMES.length);
      expect(urls.every((u) => u.hostname === '127.0.0.1')).toBe(true);
      // The Action accepts the secrets that point it at the stand-ins: all seven enabled, no problem.
      const settings = readSettings(actionSecrets(c));
      expect(settings).toMatchObject({ enabled: [...DESTINATION_NAMES], problems: [] });

      const hs = await fetch(`${c.hubspot?.baseUrl}/crm/v3/objects/contacts`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.hubspot?.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { email: 'a@example.com' } }),
      });
      expect(hs.status).toBe(201);
      expect(
        (await fetch(c.slack?.webhookUrl as string, { method: 'POST', body: '{"text":"x"}' })).status,
      ).toBe(200);
      const sfToken = await fetch(c.salesforce?.tokenUrl as string, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: c.salesforce?.clientId as string,
          client_secret: c.salesforce?.clientSecret as string,
        }),
      });
      expect(sfToken.status).toBe(200);
      const jira = await fetch(`${c.jira?.baseUrl}/rest/api/3/search/jql?jql=project=ONB`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${c.jira?.email}:${c.jira?.apiToken}`).toString('base64')}`,
        },
      });
      expect(jira.status).toBe(200);
      const seg = await fetch(`${c.segment?.baseUrl}/v1/identify`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${c.segment?.writeKey}:`).toString('base64')}` },
        body: JSON.stringify({ userId: 'u', messageId: 'm' }),
      });
      expect(seg.status).toBe(200);
      expect(d.segment?.events()).toHaveLength(1);
      expect((await fetch(c.teams?.webhookUrl as string, { method: 'POST', body: '{}' })).status).toBe(202);
      const prov = await fetch(c.provisioning?.eventsUrl as string, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.provisioning?.token}` },
        body: JSON.stringify({ event_type: 'user.created', user_id: 'u' }),
      });
      expect(prov.status).toBe(201);

      d.reset();
      expect(d.hubspot?.contacts()).toHaveLength(0);
      expect(d.segment?.events()).toHaveLength(0);
    } finally {
      await d.stop();
    }
  });

  it('starts only the requested stand-ins', async () => {
    const d = await startLocalDestinations({ only: ['slack'] });
    try {
      expect(Object.keys(d.connection())).toEqual(['slack']);
      expect(d.hubspot).toBeUndefined();
      expect(actionSecrets(d.connection())).toEqual({
        DESTINATIONS: 'slack',
        SLACK_WEBHOOK_URL: d.slack?.webhookUrl,
      });
    } finally {
      await d.stop();
    }
  });
});
