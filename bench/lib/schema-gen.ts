/**
 * A small seeded instance generator for the JSON Schemas (2020-12) in the Auth0 Management API
 * description: it follows $ref, oneOf/anyOf, enums, required and optional properties, string
 * lengths, formats (date-time, email, uri) and the regular-expression patterns the event schemas
 * use. It covers what those schemas use, not all of JSON Schema; everything it makes for the event
 * schemas is checked against ajv by the callers (tests/chaos/generator.test.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Random } from './random';

export const OPENAPI_PATH = path.resolve(
  __dirname,
  '../../../shared/reference/auth0-management-api.openapi.json',
);

export type JsonSchema = Record<string, unknown>;

let schemas: Record<string, JsonSchema> | undefined;

export function componentSchemas(): Record<string, JsonSchema> {
  if (!schemas) {
    const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as {
      components: { schemas: Record<string, JsonSchema> };
    };
    schemas = doc.components.schemas;
  }
  return schemas;
}

export function resolve(schema: JsonSchema): JsonSchema {
  let current = schema;
  for (let i = 0; i < 20 && typeof current.$ref === 'string'; i++) {
    const name = /^#\/components\/schemas\/(.+)$/.exec(current.$ref as string)?.[1];
    const target = name ? componentSchemas()[name] : undefined;
    if (!target) throw new Error(`cannot resolve ${String(current.$ref)}`);
    current = target;
  }
  return current;
}

export interface GenerateOptions {
  /** Probability that an optional property is present. */
  optional: number;
  /** Probability that a free-form string is drawn from the unicode pool instead of ASCII. */
  unicode: number;
  /** Extra properties added to objects that allow them, at most. */
  maxExtraProperties: number;
  maxDepth: number;
}

export const DEFAULT_GENERATE: GenerateOptions = {
  optional: 0.5,
  unicode: 0.2,
  maxExtraProperties: 2,
  maxDepth: 6,
};

// Names and words that exercise escaping, normalisation and width: accents, CJK, RTL, emoji with
// joiners and skin tones, combining marks, and characters Slack mrkdwn and HTML treat specially.
const UNICODE_WORDS = [
  'Zoë',
  'Øyvind',
  'José',
  'Ægir',
  'Łukasz',
  'Đặng',
  '山田',
  '太郎',
  'Ольга',
  'Δημήτρης',
  'محمد',
  'שׂרה',
  'अनन्या',
  '김민준',
  '👩🏽‍💻',
  '🏳️‍🌈',
  'e\u0301',
  'Ⅻ',
  '<!channel>',
  '*bold*',
  '_it_',
  '~s~',
  '&amp;',
  '<https://example.com|click>',
  '\u202eevil',
  'O’Brien',
];
const ASCII_WORDS = [
  'ada',
  'grace',
  'alan',
  'edsger',
  'barbara',
  'ken',
  'linus',
  'radia',
  'katherine',
  'don',
];

function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Trims to at most `max` code points (what JSON Schema's maxLength counts). */
export function clip(text: string, max: number | undefined): string {
  if (max === undefined) return text;
  const points = codePoints(text);
  return points.length <= max ? text : points.slice(0, max).join('');
}

export function freeText(
  random: Random,
  options: GenerateOptions,
  minLength = 1,
  maxLength?: number,
): string {
  const words: string[] = [];
  const count = random.int(1, 3);
  for (let i = 0; i < count; i++) {
    words.push(random.chance(options.unicode) ? random.pick(UNICODE_WORDS) : random.pick(ASCII_WORDS));
  }
  let text = words.join(' ');
  while (codePoints(text).length < minLength) text += random.pick(ASCII_WORDS);
  return clip(text, maxLength);
}

export function isoTime(random: Random, fromMs = Date.UTC(2026, 0, 1), spanMs = 300 * 86_400_000): string {
  return new Date(fromMs + Math.floor(random.next() * spanMs)).toISOString();
}

// ---- patterns -----------------------------------------------------------------------------------

type Node =
  | { kind: 'chars'; chars: string[] }
  | { kind: 'group'; alternatives: Node[][] }
  | { kind: 'repeat'; node: Node; min: number; max: number };

const CLASS_ESCAPES: Record<string, string> = { d: '0123456789', w: 'abcXYZ019_', s: ' ' };

function expandClass(body: string): string[] {
  const chars: string[] = [];
  for (let i = 0; i < body.length; i++) {
    let c = body[i] as string;
    if (c === '\\') {
      const next = body[++i] as string;
      if (CLASS_ESCAPES[next]) {
        chars.push(...(CLASS_ESCAPES[next] as string));
        continue;
      }
      c = next;
    } else if (body[i + 1] === '-' && i + 2 < body.length) {
      const end = body[i + 2] as string;
      for (let code = c.charCodeAt(0); code <= end.charCodeAt(0); code++)
        chars.push(String.fromCharCode(code));
      i += 2;
      continue;
    }
    chars.push(c);
  }
  return chars;
}

/** Parses the subset of ECMAScript regex syntax the schemas use into a generator tree. */
export function parsePattern(pattern: string): Node[][] {
  let i = 0;
  const parseAlternatives = (): Node[][] => {
    const alternatives: Node[][] = [[]];
    while (i < pattern.length) {
      const c = pattern[i] as string;
      if (c === ')') break;
      i++;
      let node: Node | undefined;
      if (c === '|') {
        alternatives.push([]);
        continue;
      } else if (c === '^' || c === '$') {
        continue;
      } else if (c === '(') {
        if (pattern.startsWith('?:', i)) i += 2;
        node = { kind: 'group', alternatives: parseAlternatives() };
        i++; // ')'
      } else if (c === '[') {
        const end = pattern.indexOf(']', i + 1);
        let close = end;
        while (pattern[close - 1] === '\\') close = pattern.indexOf(']', close + 1);
        node = { kind: 'chars', chars: expandClass(pattern.slice(i, close)) };
        i = close + 1;
      } else if (c === '\\') {
        const next = pattern[i++] as string;
        node = { kind: 'chars', chars: CLASS_ESCAPES[next] ? [...(CLASS_ESCAPES[next] as string)] : [next] };
      } else if (c === '.') {
        node = { kind: 'chars', chars: [...'abc123'] };
      } else {
        node = { kind: 'chars', chars: [c] };
      }
      const q = pattern[i];
      const quantified = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
      if (q === '*' || q === '+' || q === '?') {
        i++;
        node = { kind: 'repeat', node, min: q === '+' ? 1 : 0, max: q === '?' ? 1 : 8 };
      } else if (quantified) {
        i += quantified[0].length;
        const min = Number(quantified[1]);
        const max = quantified[2] ? (quantified[3] ? Number(quantified[3]) : min + 8) : min;
        node = { kind: 'repeat', node, min, max };
      }
      (alternatives[alternatives.length - 1] as Node[]).push(node);
    }
    return alternatives;
  };
  return parseAlternatives();
}

function emit(node: Node, random: Random, budget: { left: number }): string {
  switch (node.kind) {
    case 'chars':
      return random.pick(node.chars);
    case 'group':
      return random
        .pick(node.alternatives)
        .map((n) => emit(n, random, budget))
        .join('');
    case 'repeat': {
      // Lean towards short strings so maxLength next to a pattern still holds.
      const max = Math.max(node.min, Math.min(node.max, node.min + Math.min(8, budget.left)));
      const count = random.int(node.min, max);
      let out = '';
      for (let k = 0; k < count; k++) out += emit(node.node, random, budget);
      budget.left = Math.max(0, budget.left - count);
      return out;
    }
  }
}

const parsedPatterns = new Map<string, Node[][]>();

export function fromPattern(pattern: string, random: Random, maxLength = 64): string {
  let tree = parsedPatterns.get(pattern);
  if (!tree) {
    tree = parsePattern(pattern);
    parsedPatterns.set(pattern, tree);
  }
  return random
    .pick(tree)
    .map((n) => emit(n, random, { left: maxLength }))
    .join('');
}

// ---- instances ----------------------------------------------------------------------------------

function generateString(schema: JsonSchema, random: Random, options: GenerateOptions): string {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = schema.maxLength as number | undefined;
  if (typeof schema.pattern === 'string') {
    let text = fromPattern(schema.pattern, random, maxLength ?? 64);
    for (
      let tries = 0;
      tries < 20 && (text.length < minLength || text.length > (maxLength ?? Infinity));
      tries++
    ) {
      text = fromPattern(schema.pattern, random, maxLength ?? 64);
    }
    return text;
  }
  switch (schema.format) {
    case 'date-time':
      return isoTime(random);
    case 'email':
      return `${random.pick(ASCII_WORDS)}.${random.int(1, 99_999)}@example.com`;
    case 'uri':
      return `https://cdn.example.com/avatars/${random.int(1, 99_999)}.png`;
    default:
      return freeText(random, options, Math.max(1, minLength), maxLength);
  }
}

export function generate(
  input: JsonSchema,
  random: Random,
  options: GenerateOptions = DEFAULT_GENERATE,
  depth = 0,
): unknown {
  const schema = resolve(input);
  if (Array.isArray(schema.enum)) return random.pick(schema.enum as unknown[]);
  if ('const' in schema) return schema.const;
  const choices = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (choices) return generate(random.pick(choices), random, options, depth + 1);
  const type = Array.isArray(schema.type) ? random.pick(schema.type as string[]) : schema.type;
  switch (type) {
    case 'string':
      return generateString(schema, random, options);
    case 'integer':
      return random.int(
        (schema.minimum as number | undefined) ?? 0,
        (schema.maximum as number | undefined) ?? 10_000,
      );
    case 'number':
      return Math.round(random.next() * 36_000) / 100 - 180;
    case 'boolean':
      return random.chance(0.5);
    case 'array': {
      if (depth >= options.maxDepth) return [];
      const items = (schema.items as JsonSchema | undefined) ?? { type: 'string' };
      const count = random.int((schema.minItems as number | undefined) ?? 0, 3);
      return Array.from({ length: count }, () => generate(items, random, options, depth + 1));
    }
    case 'object':
    default: {
      const out: Record<string, unknown> = {};
      const properties = (schema.properties as Record<string, JsonSchema> | undefined) ?? {};
      const required = new Set((schema.required as string[] | undefined) ?? []);
      for (const [name, property] of Object.entries(properties)) {
        if (required.has(name) || (depth < options.maxDepth && random.chance(options.optional))) {
          out[name] = generate(property, random, options, depth + 1);
        }
      }
      if (schema.additionalProperties === true && depth < options.maxDepth) {
        const extra = random.int(0, options.maxExtraProperties);
        for (let k = 0; k < extra; k++) {
          out[`x_${random.pick(ASCII_WORDS)}_${k}`] = random.chance(0.5)
            ? freeText(random, options)
            : random.int(0, 1000);
        }
      }
      return out;
    }
  }
}
