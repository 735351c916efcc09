/**
 * Local Jira Cloud (REST v3): create issues, issue properties, and JQL search through /rest/api/3/search/jql.
 * See local/jira/README.md for sources and assumptions.
 *
 *   const jira = await startLocalJira({ email: 'bot@example.com', apiToken: 'jira-test-token' });
 *   Authorization: Basic base64("bot@example.com:jira-test-token")
 */
import {
  JsonParseError,
  RollingWindowLimiter,
  jsonReply,
  setNumericConfig,
  startStandin,
  type IncomingRequest,
  type Reply,
  type StandinOptions,
  type StandinServer,
} from '../http-standin';
import { JqlError, parseJql, type JqlIssue } from './jql';

export interface JiraProject {
  key: string;
  id: string;
  name: string;
  issueTypes: string[];
}

export interface LocalJiraOptions extends StandinOptions {
  email?: string;
  apiToken?: string;
  projects?: JiraProject[];
  /**
   * /search/jql is eventually consistent on Jira Cloud: a new or changed issue can be missing from results for
   * a while. Default 0 (immediately consistent); raise it to reproduce lookup-before-create races.
   */
  searchLagMs?: number;
  /** Per-user request limit, answered with 429 + Retry-After. Off by default. */
  rateLimit?: { max: number; windowMs: number } | false;
  clock?: () => number;
}

/** An issue as tests and /__local/state see it: what JQL sees, plus the description; `created` as ISO. */
export interface JiraIssueView extends Omit<JqlIssue, 'created'> {
  description: unknown;
  created: string;
}

export interface LocalJira extends StandinServer {
  issues(): JiraIssueView[];
  issue(key: string): JiraIssueView | undefined;
  flushSearchIndex(): void;
  setSearchLag(ms: number): void;
}

const API = '/rest/api/3';
const REMOVED_SEARCH =
  'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046';
const PROPERTY_MAX_BYTES = 32_768;

interface StoredIssue extends JqlIssue {
  description: unknown;
  updated: number;
  /** Versions visible to search: the newest with at <= now is what JQL sees. */
  index: Array<{ at: number; snapshot: JqlIssue }>;
}

const errors = (status: number, errorMessages: string[], fieldErrors: Record<string, string> = {}): Reply =>
  jsonReply(status, { errorMessages, errors: fieldErrors });

function isAdf(v: unknown): boolean {
  const o = v as { type?: unknown; version?: unknown; content?: unknown } | null;
  return (
    typeof o === 'object' && o !== null && o.type === 'doc' && o.version === 1 && Array.isArray(o.content)
  );
}

export async function startLocalJira(opts: LocalJiraOptions = {}): Promise<LocalJira> {
  const email = opts.email ?? 'automation@example.com';
  const apiToken = opts.apiToken ?? 'local-jira-token';
  const clock = opts.clock ?? Date.now;
  let searchLagMs = opts.searchLagMs ?? 0;
  const projects = opts.projects ?? [
    { key: 'ONB', id: '10000', name: 'Onboarding', issueTypes: ['Task', 'Service Request'] },
  ];
  const limiter =
    opts.rateLimit === undefined || opts.rateLimit === false
      ? undefined
      : new RollingWindowLimiter(opts.rateLimit.max, opts.rateLimit.windowMs);
  let issues = new Map<string, StoredIssue>(); // by id
  let nextId = 10001;
  const counters = new Map<string, number>();
  let baseUrl = '';

  const snapshot = (i: StoredIssue): JqlIssue => ({
    id: i.id,
    key: i.key,
    projectKey: i.projectKey,
    issueType: i.issueType,
    status: i.status,
    summary: i.summary,
    labels: [...i.labels],
    properties: structuredClone(i.properties),
    created: i.created,
  });
  const reindex = (i: StoredIssue) => {
    const now = clock();
    const visible = i.index.filter((e) => e.at <= now);
    const newest = visible[visible.length - 1];
    i.index = [
      ...(newest ? [newest] : []),
      ...i.index.filter((e) => e.at > now),
      { at: now + searchLagMs, snapshot: snapshot(i) },
    ];
  };

  const find = (idOrKey: string) =>
    issues.get(idOrKey) ?? [...issues.values()].find((i) => i.key.toLowerCase() === idOrKey.toLowerCase());

  const fieldsOf = (i: JqlIssue & { description?: unknown }, wanted: string[] | undefined) => {
    const p = projects.find((x) => x.key === i.projectKey);
    const all: Record<string, unknown> = {
      summary: i.summary,
      description: (i as StoredIssue).description ?? null,
      labels: i.labels,
      project: { id: p?.id, key: i.projectKey, name: p?.name, self: `${baseUrl}${API}/project/${p?.id}` },
      issuetype: { name: i.issueType },
      status: { name: i.status },
      created: new Date(i.created).toISOString(),
    };
    if (wanted === undefined || wanted.includes('*all') || wanted.includes('*navigable')) return all;
    return Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]]));
  };

  const issueView = (i: JqlIssue, wanted: string[] | undefined) => ({
    id: i.id,
    key: i.key,
    self: `${baseUrl}${API}/issue/${i.id}`,
    fields: fieldsOf(i, wanted),
  });

  const createIssue = (body: unknown): Reply => {
    if (body instanceof JsonParseError || typeof body !== 'object' || body === null) {
      return errors(400, ['Unexpected character in the request body: expecting a JSON object.']);
    }
    const f = ((body as { fields?: unknown }).fields ?? {}) as Record<string, unknown>;
    const fieldErrors: Record<string, string> = {};
    const projectRef = f.project as { key?: unknown; id?: unknown } | undefined;
    const project = projects.find((p) => p.key === projectRef?.key || p.id === projectRef?.id);
    if (project === undefined) fieldErrors.project = 'Specify a valid project ID or key';
    const typeRef = f.issuetype as { name?: unknown; id?: unknown } | undefined;
    const issueType = project?.issueTypes.find((t) => t === typeRef?.name || t === typeRef?.id);
    if (project !== undefined && issueType === undefined) fieldErrors.issuetype = 'Specify an issue type';
    if (typeof f.summary !== 'string' || f.summary.trim() === '') {
      fieldErrors.summary = 'You must specify a summary of the issue.';
    } else if (f.summary.length > 255) {
      fieldErrors.summary = 'Summary must be less than 255 characters.';
    }
    if (f.description !== undefined && f.description !== null && !isAdf(f.description)) {
      fieldErrors.description =
        'Operation value must be an Atlassian Document (see the Atlassian Document Format)';
    }
    const labels = f.labels === undefined ? [] : f.labels;
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string')) {
      fieldErrors.labels = 'Labels must be a list of strings';
    } else {
      const spaced = (labels as string[]).find((l) => /\s/.test(l));
      if (spaced !== undefined)
        fieldErrors.labels = `The label '${spaced}' contains spaces which is invalid.`;
    }
    const known = new Set(['project', 'issuetype', 'summary', 'description', 'labels']);
    for (const name of Object.keys(f)) {
      if (!known.has(name)) {
        fieldErrors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
      }
    }
    const props = (body as { properties?: unknown }).properties;
    if (props !== undefined && (!Array.isArray(props) || props.some((p) => typeof p?.key !== 'string'))) {
      return errors(400, ['properties must be a list of { key, value }']);
    }
    if (Object.keys(fieldErrors).length > 0) return errors(400, [], fieldErrors);

    const p = project as JiraProject;
    const n = (counters.get(p.key) ?? 0) + 1;
    counters.set(p.key, n);
    const now = clock();
    const issue: StoredIssue = {
      id: String(nextId++),
      key: `${p.key}-${n}`,
      projectKey: p.key,
      issueType: issueType as string,
      status: 'To Do',
      summary: f.summary as string,
      description: f.description ?? null,
      labels: [...(labels as string[])],
      properties: Object.fromEntries(
        ((props ?? []) as Array<{ key: string; value: unknown }>).map((x) => [x.key, x.value]),
      ),
      created: now,
      updated: now,
      index: [],
    };
    issues.set(issue.id, issue);
    reindex(issue);
    return jsonReply(201, { id: issue.id, key: issue.key, self: `${baseUrl}${API}/issue/${issue.id}` });
  };

  const search = (params: {
    jql?: unknown;
    fields?: unknown;
    maxResults?: unknown;
    nextPageToken?: unknown;
    reconcileIssues?: unknown;
  }): Reply => {
    if (typeof params.jql !== 'string') return errors(400, ['The JQL query is required.']);
    let parsed;
    try {
      parsed = parseJql(params.jql);
    } catch (e) {
      if (e instanceof JqlError) return errors(400, [e.message]);
      throw e;
    }
    if (!parsed.bounded) {
      return errors(400, [
        'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.',
      ]);
    }
    const max = params.maxResults === undefined ? 50 : Math.min(Number(params.maxResults), 5000);
    if (!Number.isInteger(max) || max < 1) return errors(400, ['maxResults must be a positive integer.']);
    const fields =
      params.fields === undefined
        ? undefined
        : (Array.isArray(params.fields) ? params.fields : String(params.fields).split(','))
            .map((s) => String(s).trim())
            .filter((s) => s !== '');
    // reconcileIssues: Jira guarantees read-after-write for these ids (at most 50), so they are matched on their
    // current state rather than on the lagging index.
    const reconcile = params.reconcileIssues === undefined ? [] : params.reconcileIssues;
    if (!Array.isArray(reconcile) || reconcile.length > 50) {
      return errors(400, ['reconcileIssues must be a list of at most 50 issue ids.']);
    }
    const fresh = new Set(reconcile.map((id) => String(id)));
    const now = clock();
    const hits: JqlIssue[] = [];
    for (const issue of issues.values()) {
      const visible = issue.index.filter((e) => e.at <= now);
      const snap = fresh.has(issue.id) ? snapshot(issue) : visible[visible.length - 1]?.snapshot;
      if (snap !== undefined && parsed.predicate(snap)) hits.push(snap);
    }
    const order = parsed.order ?? { field: 'created', desc: true };
    hits.sort((a, b) => (order.desc ? -1 : 1) * (a.created - b.created || Number(a.id) - Number(b.id)));
    const start =
      typeof params.nextPageToken === 'string'
        ? Number(Buffer.from(params.nextPageToken, 'base64url').toString())
        : 0;
    const page = hits.slice(start, start + max);
    const isLast = start + max >= hits.length;
    return jsonReply(200, {
      // Without `fields`, /search/jql returns only issue ids.
      issues: page.map((i) => (fields === undefined ? { id: i.id } : issueView(i, fields))),
      isLast,
      ...(isLast ? {} : { nextPageToken: Buffer.from(String(start + max)).toString('base64url') }),
    });
  };

  const properties = (req: IncomingRequest, issue: StoredIssue, key: string | undefined): Reply => {
    if (key === undefined) {
      if (req.method !== 'GET') return errors(405, ['Method not allowed']);
      return jsonReply(200, {
        keys: Object.keys(issue.properties).map((k) => ({
          self: `${baseUrl}${API}/issue/${issue.id}/properties/${encodeURIComponent(k)}`,
          key: k,
        })),
      });
    }
    if (req.method === 'GET') {
      if (!(key in issue.properties)) return errors(404, [`The property with key '${key}' does not exist.`]);
      return jsonReply(200, { key, value: issue.properties[key] });
    }
    if (req.method === 'PUT') {
      if (req.json instanceof JsonParseError || req.json === undefined) {
        return errors(400, ['The property value must be a valid JSON document.']);
      }
      if (Buffer.byteLength(req.rawBody) > PROPERTY_MAX_BYTES) {
        return errors(400, [`The property value is too long. The maximum is ${PROPERTY_MAX_BYTES} bytes.`]);
      }
      const existed = key in issue.properties;
      issue.properties[key] = req.json;
      issue.updated = clock();
      reindex(issue);
      return { status: existed ? 200 : 201 };
    }
    if (req.method === 'DELETE') {
      if (!(key in issue.properties)) return errors(404, [`The property with key '${key}' does not exist.`]);
      delete issue.properties[key];
      reindex(issue);
      return { status: 204 };
    }
    return errors(405, ['Method not allowed']);
  };

  const route = (req: IncomingRequest): Reply => {
    const { method, path } = req;
    if (path === `${API}/search` || path === '/rest/api/2/search') return errors(410, [REMOVED_SEARCH]);
    if (path === `${API}/search/jql`) {
      if (method === 'GET') {
        const q = req.query;
        return search({
          jql: q.get('jql') ?? undefined,
          fields: q.getAll('fields').length > 0 ? q.getAll('fields').join(',') : undefined,
          maxResults: q.get('maxResults') ?? undefined,
          nextPageToken: q.get('nextPageToken') ?? undefined,
        });
      }
      if (method === 'POST') {
        if (req.json instanceof JsonParseError || typeof req.json !== 'object' || req.json === null) {
          return errors(400, ['Unexpected character in the request body: expecting a JSON object.']);
        }
        return search(req.json as Record<string, unknown>);
      }
      return errors(405, ['Method not allowed']);
    }
    if (path === `${API}/issue` && method === 'POST') return createIssue(req.json);
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(?:\/properties(?:\/([^/]+))?)?$/.exec(path);
    if (m !== null) {
      const issue = find(decodeURIComponent(m[1] as string));
      if (issue === undefined)
        return errors(404, ['Issue does not exist or you do not have permission to see it.']);
      if (path.includes('/properties')) {
        return properties(req, issue, m[2] === undefined ? undefined : decodeURIComponent(m[2]));
      }
      if (method === 'GET') {
        const wanted = req.query.get('fields');
        return jsonReply(200, issueView(issue, wanted === null ? undefined : wanted.split(',')));
      }
      return errors(405, ['Method not allowed']);
    }
    return errors(404, ['null for uri: ' + path]);
  };

  const server = await startStandin(
    {
      name: 'jira',
      handle(req) {
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
        const [user, token] =
          basic === undefined ? [] : Buffer.from(basic, 'base64').toString('utf8').split(':');
        if (user !== email || token !== apiToken) {
          return {
            status: 401,
            headers: { 'content-type': 'text/plain;charset=UTF-8' },
            body: 'Client must be authenticated to access this resource.',
          };
        }
        if (limiter !== undefined) {
          const r = limiter.hit(email);
          if (!r.allowed) {
            return {
              ...errors(429, ['Rate limit exceeded.']),
              headers: {
                'Retry-After': String(Math.ceil(r.retryAfterMs / 1000)),
                'X-RateLimit-Remaining': '0',
              },
            };
          }
        }
        return route(req);
      },
      errorReply(status) {
        return errors(status, ['Internal server error']);
      },
      control({ method, subpath, json }) {
        if (subpath === '/state' && method === 'GET')
          return jsonReply(200, { issues: api.issues(), searchLagMs });
        if (subpath === '/search-index/flush' && method === 'POST') {
          api.flushSearchIndex();
          return { status: 204 };
        }
        if (subpath === '/config' && method === 'POST') {
          return setNumericConfig(json, { searchLagMs: (ms) => (searchLagMs = ms) });
        }
        return undefined;
      },
      reset() {
        issues = new Map();
        counters.clear();
        nextId = 10001;
        limiter?.reset();
      },
    },
    opts,
  );
  baseUrl = server.baseUrl;

  const view = (i: StoredIssue): JiraIssueView => ({
    ...snapshot(i),
    description: i.description,
    created: new Date(i.created).toISOString(),
  });
  const api: LocalJira = {
    ...server,
    issues: () => [...issues.values()].map(view),
    issue: (key) => {
      const i = find(key);
      return i === undefined ? undefined : view(i);
    },
    flushSearchIndex() {
      const now = clock();
      for (const i of issues.values()) for (const e of i.index) e.at = Math.min(e.at, now);
    },
    setSearchLag(ms) {
      searchLagMs = ms;
    },
  };
  return api;
}

export { parseJql, JqlError } from './jql';
