/**
 * Neutralising user text for Microsoft Teams Adaptive Cards.
 *
 * User-controlled values go into `TextRun`s of a RichTextBlock, which Adaptive Cards render without
 * markdown (only TextBlock parses its CommonMark subset), so `**x**` or `[x](y)` stay literal text.
 * On top of that, the constructs a client could still act on are broken with a zero-width space:
 * - `](`   markdown link syntax, in case a client renders markdown anyway;
 * - `<`    `<at>` mention tags and any HTML-looking tag;
 * - `{{`   Adaptive Cards' DATE()/TIME() text functions;
 * - `://`  so a URL in a name is not auto-linked.
 * Line breaks and control characters become spaces, so a value cannot start a list or a new line.
 */
const ZWSP = '\u200b';

export function neutraliseTeamsText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
      .replace(/\]\s*\(/g, `]${ZWSP}(`)
      .replace(/</g, `<${ZWSP}`)
      .replace(/\{\{/g, `{${ZWSP}{`)
      .replace(/:\/\//g, `:${ZWSP}//`)
  );
}
