/**
 * A small JQL subset, enough for "find the onboarding ticket of this user" lookups:
 *
 *   labels = "auth0-onboard"            labels in ("a", "b")         labels != x
 *   project = ONB                        issuetype = "Task"           status = "To Do"     key = ONB-1
 *   summary ~ "Ada"                      issue.property[onboarding].userId = "auth0|123"
 *   clauses joined by AND / OR (AND binds tighter), optional trailing ORDER BY <field> [ASC|DESC]
 *
 * Anything else is a JQL error, reported the way Jira does (400 with errorMessages).
 */

export interface JqlIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  status: string;
  summary: string;
  labels: string[];
  properties: Record<string, unknown>;
  created: number;
}

export type JqlPredicate = (issue: JqlIssue) => boolean;

export interface ParsedJql {
  predicate: JqlPredicate;
  /** True when the query restricts the result set (Jira's /search/jql refuses unbounded queries). */
  bounded: boolean;
  order?: { field: string; desc: boolean };
}

export class JqlError extends Error {}

type Token = { kind: 'word' | 'string' | 'op' | 'lparen' | 'rparen' | 'comma'; value: string };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let value = '';
      while (j < jql.length && jql[j] !== ch) {
        if (jql[j] === '\\' && j + 1 < jql.length) j++;
        value += jql[j];
        j++;
      }
      if (j >= jql.length)
        throw new JqlError(`Error in the JQL Query: The quoted string '${value}' has not been completed.`);
      tokens.push({ kind: 'string', value });
      i = j + 1;
    } else if (ch === '(') {
      tokens.push({ kind: 'lparen', value: ch });
      i++;
    } else if (ch === ')') {
      tokens.push({ kind: 'rparen', value: ch });
      i++;
    } else if (ch === ',') {
      tokens.push({ kind: 'comma', value: ch });
      i++;
    } else if (/[!=~<>]/.test(ch)) {
      const two = jql.slice(i, i + 2);
      if (['!=', '!~', '>=', '<='].includes(two)) {
        tokens.push({ kind: 'op', value: two });
        i += 2;
      } else {
        tokens.push({ kind: 'op', value: ch });
        i++;
      }
    } else {
      const m = /^[^\s"'(),!=~<>]+/.exec(jql.slice(i));
      const value = m?.[0] ?? ch;
      tokens.push({ kind: 'word', value });
      i += value.length;
    }
  }
  return tokens;
}

function propertyValue(issue: JqlIssue, key: string, path: string[]): unknown {
  let v: unknown = issue.properties[key];
  for (const p of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function fieldGetter(field: string): (issue: JqlIssue) => unknown {
  const prop = /^issue\.property\[([^\]]+)\]((?:\.[A-Za-z0-9_]+)*)$/.exec(field);
  if (prop !== null) {
    const key = prop[1] as string;
    const path = (prop[2] ?? '').split('.').filter((s) => s !== '');
    return (issue) => propertyValue(issue, key, path);
  }
  switch (field.toLowerCase()) {
    case 'labels':
      return (i) => i.labels;
    case 'project':
      return (i) => i.projectKey;
    case 'issuetype':
    case 'type':
      return (i) => i.issueType;
    case 'status':
      return (i) => i.status;
    case 'summary':
      return (i) => i.summary;
    case 'key':
    case 'issuekey':
    case 'id':
      return (i) => [i.key, i.id];
    default:
      throw new JqlError(
        `Error in the JQL Query: Field '${field}' does not exist or you do not have permission to view it.`,
      );
  }
}

const eq = (a: unknown, b: string, caseInsensitive: boolean) =>
  caseInsensitive ? String(a).toLowerCase() === b.toLowerCase() : String(a) === b;

function compare(field: string, op: string, values: string[]): JqlPredicate {
  const get = fieldGetter(field);
  const ci = !field.startsWith('issue.property');
  const matchesAny = (actual: unknown) => {
    const list = Array.isArray(actual) ? actual : actual === undefined || actual === null ? [] : [actual];
    return list.some((a) => values.some((v) => eq(a, v, ci)));
  };
  switch (op) {
    case '=':
    case 'in':
      return (i) => matchesAny(get(i));
    case '!=':
    case 'not in':
      return (i) => !matchesAny(get(i));
    case '~':
      return (i) => {
        const a = get(i);
        return typeof a === 'string' && a.toLowerCase().includes((values[0] ?? '').toLowerCase());
      };
    case '!~':
      return (i) => {
        const a = get(i);
        return !(typeof a === 'string' && a.toLowerCase().includes((values[0] ?? '').toLowerCase()));
      };
    default:
      throw new JqlError(`Error in the JQL Query: The operator '${op}' is not supported by the local Jira.`);
  }
}

export function parseJql(jql: string): ParsedJql {
  let text = jql.trim();
  let order: ParsedJql['order'];
  const orderMatch = /\border\s+by\s+([\w.]+)(?:\s+(asc|desc))?\s*$/i.exec(text);
  if (orderMatch !== null) {
    order = {
      field: (orderMatch[1] as string).toLowerCase(),
      desc: (orderMatch[2] ?? 'asc').toLowerCase() === 'desc',
    };
    text = text.slice(0, orderMatch.index).trim();
  }
  if (text === '') return { predicate: () => true, bounded: false, order };

  const tokens = tokenize(text);
  let pos = 0;
  const peek = () => tokens[pos];
  const next = () => {
    const t = tokens[pos++];
    if (t === undefined)
      throw new JqlError('Error in the JQL Query: Expecting more input at the end of the query.');
    return t;
  };
  const value = (): string => {
    const t = next();
    if (t.kind !== 'word' && t.kind !== 'string') {
      throw new JqlError(`Error in the JQL Query: Expecting a value but got '${t.value}'.`);
    }
    return t.value;
  };

  const clause = (): JqlPredicate => {
    const t = peek();
    if (t?.kind === 'lparen') {
      next();
      const inner = or();
      if (next().kind !== 'rparen') throw new JqlError("Error in the JQL Query: Expecting ')'.");
      return inner;
    }
    const field = next();
    if (field.kind !== 'word')
      throw new JqlError(`Error in the JQL Query: Expecting a field name but got '${field.value}'.`);
    let op = next();
    let opValue = op.value.toLowerCase();
    if (op.kind === 'word' && opValue === 'not') {
      op = next();
      opValue = `not ${op.value.toLowerCase()}`;
    }
    if (opValue === 'in' || opValue === 'not in') {
      if (next().kind !== 'lparen') throw new JqlError("Error in the JQL Query: Expecting '(' after IN.");
      const values = [value()];
      while (peek()?.kind === 'comma') {
        next();
        values.push(value());
      }
      if (next().kind !== 'rparen') throw new JqlError("Error in the JQL Query: Expecting ')'.");
      return compare(field.value, opValue, values);
    }
    if (op.kind !== 'op')
      throw new JqlError(`Error in the JQL Query: Expecting an operator but got '${op.value}'.`);
    return compare(field.value, opValue, [value()]);
  };

  const and = (): JqlPredicate => {
    let left = clause();
    while (peek()?.kind === 'word' && peek()?.value.toLowerCase() === 'and') {
      next();
      const l = left;
      const r = clause();
      left = (i) => l(i) && r(i);
    }
    return left;
  };

  const or = (): JqlPredicate => {
    let left = and();
    while (peek()?.kind === 'word' && peek()?.value.toLowerCase() === 'or') {
      next();
      const l = left;
      const r = and();
      left = (i) => l(i) || r(i);
    }
    return left;
  };

  const predicate = or();
  if (pos < tokens.length) {
    throw new JqlError(`Error in the JQL Query: Unexpected '${tokens[pos]?.value}'.`);
  }
  return { predicate, bounded: true, order };
}
