/**
 * Keyword placeholders as auth0-deploy-cli understands them: '##NAME##' is replaced by the value
 * as a string, '@@NAME@@' by its JSON. deploy-cli replaces only the keywords it has a mapping for,
 * and leaves the rest in place: inside an array (like an Action's secrets) the literal text
 * "##HUBSPOT_TOKEN##" is then uploaded as the secret's value. The guard below refuses that.
 */
// deploy-cli's own replacement, so what we diff is exactly what it would send.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const deployCliUtils = require('auth0-deploy-cli/lib/tools/utils') as {
  keywordReplace: (input: string, mappings: Record<string, unknown>) => string;
};

export interface KeywordUse {
  name: string;
  marker: '##' | '@@';
  file: string;
  line: number;
}

// Upper-case only, like deploy-cli's own placeholder check (Auth0 templates use lower-case @@vars@@).
const KEYWORD = /(##|@@)([A-Z][A-Z0-9_]*)\1/g;

/** Pure: every keyword placeholder in a text, with its line (1-based). */
export function findKeywords(text: string, file: string): KeywordUse[] {
  const uses: KeywordUse[] = [];
  const lines = text.split('\n');
  lines.forEach((lineText, i) => {
    // YAML comments may mention keywords ("write '##NAME##'"); they are never sent anywhere.
    const code = file.endsWith('.yaml') || file.endsWith('.yml') ? stripYamlComment(lineText) : lineText;
    for (const m of code.matchAll(KEYWORD)) {
      uses.push({ name: m[2] as string, marker: m[1] as '##' | '@@', file, line: i + 1 });
    }
  });
  return uses;
}

function stripYamlComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1] as string)) && line[i + 1] !== '#')
      return line.slice(0, i);
  }
  return line;
}

/**
 * Guard: every keyword used must have a non-empty value. One message per keyword, naming where it
 * is used and where its value should come from, never the value itself.
 */
export function unresolvedKeywordProblems(
  uses: KeywordUse[],
  values: Record<string, string>,
  secretNames: readonly string[],
  envFile: string,
): string[] {
  const byName = new Map<string, KeywordUse[]>();
  for (const u of uses) byName.set(u.name, [...(byName.get(u.name) ?? []), u]);
  const problems: string[] = [];
  for (const [name, where] of [...byName.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const value = values[name];
    if (value !== undefined && value.trim() !== '') continue;
    const at = where.map((u) => `${u.file}:${u.line}`).join(', ');
    const declared = name in values;
    const source = secretNames.includes(name)
      ? `set the environment variable ${name}`
      : declared
        ? `give keywords.${name} a value in ${envFile}`
        : `add ${name} to keywords (or, if secret, to secrets) in ${envFile}`;
    const what = declared ? 'is empty' : 'has no value';
    problems.push(`keyword ${marker(where)}${name}${marker(where)} (${at}) ${what}: ${source}`);
  }
  return problems;
}

function marker(uses: KeywordUse[]): string {
  return uses[0]?.marker ?? '##';
}

/** deploy-cli's replacement, applied the same way it applies it to tenant.yaml and code files. */
export function replaceKeywords(text: string, values: Record<string, string>): string {
  return deployCliUtils.keywordReplace(text, values);
}

/** Never print a secret: replace every secret value that appears in a text with its name. */
export function redact(text: string, values: Record<string, string>, secretNames: readonly string[]): string {
  let out = text;
  for (const name of secretNames) {
    const v = values[name];
    if (v && v.length >= 4) out = out.split(v).join(`<secret ${name}>`);
  }
  return out;
}
