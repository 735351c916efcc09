/**
 * Slack mrkdwn escaping. Slack turns `<...>` into mentions and links (`<!channel>`,
 * `<https://x|click>`) and `&` starts an entity, so user-controlled text is escaped exactly as Slack
 * documents: & → &amp;, < → &lt;, > → &gt;. Nothing else can ping or link in an incoming webhook.
 */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
