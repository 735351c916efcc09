/**
 * Slack mrkdwn escaping. Slack turns `<...>` into mentions and links (`<!channel>`,
 * `<https://x|click>`) and `&` starts an entity, so user-controlled text is escaped exactly as Slack
 * documents: & → &amp;, < → &lt;, > → &gt;. Nothing else can ping or link in an incoming webhook.
 */
export function escapeMrkdwn(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Truncates to Slack's text-object limits with an ellipsis, counting code points, not UTF-16 units. */
export function truncate(value: string, max: number): string {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join('')}…`;
}
