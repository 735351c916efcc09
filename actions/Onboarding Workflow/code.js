// Built by `npm run build` from event-streams/onboarding-workflow/. Do not edit: change the source and rebuild.
"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// event-streams/onboarding-workflow/index.ts
var index_exports = {};
__export(index_exports, {
  onExecuteEventStream: () => onExecuteEventStream
});
module.exports = __toCommonJS(index_exports);

// event-streams/onboarding-workflow/handler.ts
var import_cockatiel2 = require("cockatiel");

// event-streams/onboarding-workflow/http.ts
var DestinationError = class extends Error {
  constructor(message, kind, details = {}) {
    super(message);
    this.kind = kind;
    this.details = details;
    this.name = "DestinationError";
  }
  kind;
  details;
};
var isRetryable = (error) => !(error instanceof DestinationError) || error.kind === "retryable";
var RETRYABLE_STATUS = /* @__PURE__ */ new Set([408, 425, 429]);
function parseRetryAfter(value, now = Date.now()) {
  if (!value) return void 0;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1e3);
  const date = Date.parse(value);
  return Number.isNaN(date) ? void 0 : Math.max(0, date - now);
}
function classifyStatus(status) {
  return RETRYABLE_STATUS.has(status) || status >= 500 ? "retryable" : "permanent";
}
function errorCode(body) {
  if (typeof body === "string") return body.slice(0, 80) || void 0;
  if (Array.isArray(body)) return errorCode(body[0]);
  if (typeof body !== "object" || body === null) return void 0;
  const record = body;
  const code = record.category ?? record.errorType ?? record.errorCode ?? record.error ?? record.code;
  if (typeof code === "string") return code.slice(0, 80);
  const jira = record.errorMessages;
  return Array.isArray(jira) && typeof jira[0] === "string" ? jira[0].slice(0, 80) : void 0;
}
var basicAuth = (user, password) => `Basic ${Buffer.from(`${user}:${password}`, "utf8").toString("base64")}`;
function responseError(system, response) {
  const code = errorCode(response.body);
  return new DestinationError(
    `${system} answered ${response.status}${code ? ` (${code})` : ""}`,
    classifyStatus(response.status),
    { status: response.status, code, retryAfterMs: parseRetryAfter(response.headers.get("retry-after")) }
  );
}
function networkError(system, error, timedOut) {
  if (timedOut)
    return new DestinationError(`${system} did not answer in time`, "retryable", { code: "timeout" });
  const cause = error?.cause?.code;
  return new DestinationError(`${system} request failed${cause ? ` (${cause})` : ""}`, "retryable", {
    code: cause ?? "network"
  });
}
async function request(system, url2, options) {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const headers = { accept: "application/json", ...options.headers };
  if (options.json !== void 0) headers["content-type"] = "application/json";
  if (options.form !== void 0) headers["content-type"] = "application/x-www-form-urlencoded";
  const requestBody = options.form !== void 0 ? new URLSearchParams(options.form).toString() : options.json === void 0 ? void 0 : JSON.stringify(options.json);
  let response;
  let raw;
  try {
    response = await fetch(url2, {
      method: options.method,
      headers,
      body: requestBody,
      signal
    });
    raw = await response.text();
  } catch (error) {
    throw networkError(system, error, signal.aborted);
  }
  let body = raw;
  if (raw !== "" && (response.headers.get("content-type") ?? "").includes("json")) {
    try {
      body = JSON.parse(raw);
    } catch {
      throw new DestinationError(
        `${system} sent an unreadable body (status ${response.status})`,
        "retryable",
        {
          status: response.status,
          code: "malformed-body"
        }
      );
    }
  }
  return { status: response.status, headers: response.headers, body };
}

// event-streams/onboarding-workflow/lifecycle.ts
function text(value) {
  if (typeof value === "number") return String(value);
  if (typeof value !== "string") return void 0;
  const trimmed = value.trim();
  return trimmed === "" ? void 0 : trimmed;
}
var FIELD_SOURCES = {
  email: (user) => user.email?.toLowerCase(),
  givenName: (user) => user.given_name,
  familyName: (user) => user.family_name,
  displayName: (user) => user.name,
  title: (_, meta) => meta.title,
  department: (_, meta) => meta.department,
  managerId: (_, meta) => meta.manager_id,
  employeeNumber: (_, meta) => meta.employee_number
};
var PROFILE_FIELDS = Object.keys(FIELD_SOURCES);
function toProfile(user) {
  const meta = user.app_metadata ?? {};
  const profile = { userId: user.user_id, blocked: user.blocked === true };
  for (const field2 of PROFILE_FIELDS) {
    const clean = text(FIELD_SOURCES[field2](user, meta));
    if (clean !== void 0) profile[field2] = clean;
  }
  return profile;
}
function lifecycleStep(type, profile, previous) {
  if (type === "user.deleted" || profile.blocked) return "offboard";
  if (type === "user.created" || previous?.blocked) return "onboard";
  return "update";
}
function toLifecycleEvent(event) {
  const profile = toProfile(event.user);
  const previous = event.previousUser ? toProfile(event.previousUser) : void 0;
  return {
    eventId: event.id,
    eventType: event.type,
    occurredAt: event.time,
    occurredAtMs: Date.parse(event.time),
    step: lifecycleStep(event.type, profile, previous),
    profile,
    previous
  };
}
function isNewerThanStamp(event, appliedAt, appliedId) {
  const at = typeof appliedAt === "string" ? Date.parse(appliedAt) : Number.NaN;
  if (Number.isNaN(at)) return true;
  if (event.occurredAtMs !== at) return event.occurredAtMs > at;
  return event.eventId > (typeof appliedId === "string" ? appliedId : "");
}
function changedAny(event, fields) {
  if (event.step !== "update" || !event.previous) return true;
  const before = event.previous;
  return fields.some((field2) => before[field2] !== event.profile[field2]);
}
var PROVISIONING_SOURCES = [
  "userId",
  ...PROFILE_FIELDS,
  "blocked",
  "step",
  "eventId",
  "eventType",
  "occurredAt"
];
function sourceValue(event, source) {
  switch (source) {
    case "step":
      return event.step;
    case "eventId":
      return event.eventId;
    case "eventType":
      return event.eventType;
    case "occurredAt":
      return new Date(event.occurredAtMs).toISOString();
    default:
      return event.profile[source];
  }
}
function changesStatus(event) {
  if (event.step === "onboard") return true;
  if (event.step === "update" || event.eventType === "user.created") return false;
  const wasBlocked = event.previous?.blocked ?? (event.eventType === "user.deleted" ? event.profile.blocked : false);
  return !wasBlocked;
}

// event-streams/onboarding-workflow/destinations/hubspot.ts
var HUBSPOT_PROPERTIES = {
  userId: "auth0_user_id",
  lastEventAt: "auth0_last_event_at",
  lastEventId: "auth0_last_event_id"
};
var MIRRORED = [
  ["email", "email"],
  ["givenName", "firstname"],
  ["familyName", "lastname"],
  ["title", "jobtitle"],
  ["department", "department"]
];
var MAX_PROPERTY_LENGTH = 65536;
var READ_PROPERTIES = [...MIRRORED.map(([, property]) => property), ...Object.values(HUBSPOT_PROPERTIES)];
var stampOf = (event) => ({
  [HUBSPOT_PROPERTIES.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
  [HUBSPOT_PROPERTIES.lastEventId]: event.eventId
});
function contactProperties(event, { ownsContact }) {
  const properties = {
    [HUBSPOT_PROPERTIES.userId]: event.profile.userId,
    ...stampOf(event)
  };
  for (const [field2, property] of MIRRORED) {
    const value = event.profile[field2];
    if (value !== void 0) properties[property] = value.slice(0, MAX_PROPERTY_LENGTH);
    else if (ownsContact && field2 !== "email") properties[property] = "";
  }
  return properties;
}
var isNewerThan = (event, contact) => isNewerThanStamp(
  event,
  contact.properties[HUBSPOT_PROPERTIES.lastEventAt],
  contact.properties[HUBSPOT_PROPERTIES.lastEventId]
);
function asContact(body) {
  const contact = body;
  if (!contact || typeof contact.id !== "string" || typeof contact.properties !== "object") {
    throw new DestinationError("HubSpot sent a contact without id or properties", "retryable", {
      code: "malformed-body"
    });
  }
  return contact;
}
var isConflict = (response) => response.status === 409 || response.status === 207 && Array.isArray(response.body?.errors) && response.body.errors.some(
  (e) => e.category === "CONFLICT"
);
function hubspotDestination(settings) {
  const call = (method, path, context, json) => request("HubSpot", `${settings.HUBSPOT_BASE_URL}${path}`, {
    method,
    json,
    headers: { authorization: `Bearer ${settings.HUBSPOT_TOKEN}` },
    signal: context.signal,
    timeoutMs: context.requestTimeoutMs
  });
  async function find(idProperty, value, archived, context) {
    const query = new URLSearchParams({
      idProperty,
      archived: String(archived),
      properties: READ_PROPERTIES.join(",")
    });
    const response = await call(
      "GET",
      `/crm/v3/objects/contacts/${encodeURIComponent(value)}?${query}`,
      context
    );
    if (response.status === 404) return void 0;
    if (response.status !== 200) throw responseError("HubSpot", response);
    return asContact(response.body);
  }
  async function latestRecord(userId, context, likelyNew) {
    const tombstoneRead = () => find(HUBSPOT_PROPERTIES.userId, userId, true, context);
    const early = likelyNew ? tombstoneRead() : void 0;
    early?.catch(() => void 0);
    const live = await find(HUBSPOT_PROPERTIES.userId, userId, false, context);
    if (live) return { contact: live, live: true };
    const tombstone = await (early ?? tombstoneRead());
    return tombstone ? { contact: tombstone, live: false } : void 0;
  }
  async function patch(id, properties, context) {
    const response = await call("PATCH", `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, context, {
      properties
    });
    if (response.status === 409) {
      throw new DestinationError("HubSpot: another contact already holds this email", "permanent", {
        status: 409,
        code: "email-conflict"
      });
    }
    if (response.status !== 200) throw responseError("HubSpot", response);
  }
  async function adoptByEmail(event, properties, context) {
    const email = event.profile.email;
    const existing = email ? await find("email", email, false, context) : void 0;
    if (!existing) {
      throw new DestinationError(
        "HubSpot reported a conflict but no contact holds the email yet",
        "retryable",
        {
          code: "conflict-race"
        }
      );
    }
    const owner = existing.properties[HUBSPOT_PROPERTIES.userId];
    if (owner && owner !== event.profile.userId) {
      throw new DestinationError(
        "HubSpot: the email belongs to a contact of another Auth0 user",
        "permanent",
        {
          code: "email-owned-by-other-user"
        }
      );
    }
    await patch(existing.id, properties, context);
    return "adopted";
  }
  async function upsert(event, context) {
    const latest = await latestRecord(event.profile.userId, context, event.step === "onboard");
    if (latest && !isNewerThan(event, latest.contact)) return "skipped-not-newer";
    const properties = contactProperties(event, { ownsContact: latest?.live === true });
    if (latest?.live) {
      await patch(latest.contact.id, properties, context);
      return "updated";
    }
    const response = await call("POST", "/crm/v3/objects/contacts/batch/upsert", context, {
      inputs: [{ idProperty: HUBSPOT_PROPERTIES.userId, id: event.profile.userId, properties }]
    });
    if (isConflict(response)) return adoptByEmail(event, properties, context);
    if (response.status !== 200 && response.status !== 201) throw responseError("HubSpot", response);
    return "created";
  }
  async function archive(id, context) {
    const response = await call("DELETE", `/crm/v3/objects/contacts/${encodeURIComponent(id)}`, context);
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) {
      throw responseError("HubSpot", response);
    }
  }
  async function offboard(event, context) {
    const latest = await latestRecord(event.profile.userId, context, false);
    if (latest && !isNewerThan(event, latest.contact)) {
      const interrupted = latest.live && latest.contact.properties[HUBSPOT_PROPERTIES.lastEventId] === event.eventId;
      if (!interrupted) return "skipped-not-newer";
      await archive(latest.contact.id, context);
      return "archived";
    }
    const stamp = stampOf(event);
    if (latest?.live) {
      await patch(latest.contact.id, stamp, context);
      await archive(latest.contact.id, context);
      return "archived";
    }
    const response = await call("POST", "/crm/v3/objects/contacts/batch/upsert", context, {
      inputs: [
        {
          idProperty: HUBSPOT_PROPERTIES.userId,
          id: event.profile.userId,
          properties: { [HUBSPOT_PROPERTIES.userId]: event.profile.userId, ...stamp }
        }
      ]
    });
    if (response.status !== 200 && response.status !== 201) throw responseError("HubSpot", response);
    const created = response.body?.results?.[0]?.id;
    if (!created) throw new DestinationError("HubSpot upsert returned no contact id", "retryable");
    await archive(created, context);
    return latest ? "restamped-tombstone" : "tombstoned";
  }
  return {
    name: "hubspot",
    kind: "record",
    wants: (event) => changedAny(
      event,
      MIRRORED.map(([field2]) => field2)
    ),
    apply: (event, context) => event.step === "offboard" ? offboard(event, context) : upsert(event, context)
  };
}

// event-streams/onboarding-workflow/ids.ts
var import_node_crypto = require("node:crypto");
function stableHash(parts, length = 32) {
  return (0, import_node_crypto.createHash)("sha256").update(parts.join("\0"), "utf8").digest("hex").slice(0, length);
}

// event-streams/onboarding-workflow/cache.ts
function readCached(cache, key) {
  try {
    const record = cache.get(key);
    return record ? JSON.parse(record.value) : void 0;
  } catch {
    return void 0;
  }
}
function writeCached(cache, key, value, ttlMs) {
  try {
    cache.set(key, JSON.stringify(value), ttlMs ? { ttl: ttlMs } : void 0);
  } catch {
  }
}

// event-streams/onboarding-workflow/destinations/text.ts
function personName(profile) {
  const fullName = [profile.givenName, profile.familyName].filter(Boolean).join(" ");
  return profile.displayName ?? (fullName || profile.email || profile.userId);
}
var clip = (value, max) => Array.from(value).slice(0, max).join("");
function truncate(value, max) {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join("")}…`;
}

// event-streams/onboarding-workflow/destinations/jira.ts
var JIRA_PROPERTY = "auth0.lifecycle";
var JIRA_COMMON_LABEL = "auth0-lifecycle";
var JIRA_CACHE_KEY = "jira:issues";
var REMEMBERED = 40;
var jiraLabel = (step, userId) => `auth0-${step}-${stableHash([userId], 20)}`;
var plain = (value, max) => (
  // eslint-disable-next-line no-control-regex
  truncate(value.replace(/[\u0000-\u001f\u007f]+/g, " ").trim(), max)
);
var paragraph = (label, value) => ({
  type: "paragraph",
  content: [
    { type: "text", text: `${label}: `, marks: [{ type: "strong" }] },
    // ADF text nodes are literal text: nothing in a user's name can become a link or a mention.
    { type: "text", text: value ? plain(value, 500) : "(not set)" }
  ]
});
function jiraIssue(event, settings) {
  const p = event.profile;
  const title = event.step === "onboard" ? "Onboard" : "Offboard";
  return {
    fields: {
      project: { key: settings.JIRA_PROJECT_KEY },
      issuetype: { name: settings.JIRA_ISSUE_TYPE },
      summary: plain(`${title} ${personName(p)}${p.email ? ` (${p.email})` : ""}`, 250),
      labels: [jiraLabel(event.step, p.userId), JIRA_COMMON_LABEL],
      description: {
        type: "doc",
        version: 1,
        content: [
          paragraph("Name", personName(p)),
          paragraph("Email", p.email),
          paragraph("Title", p.title),
          paragraph("Department", p.department),
          paragraph("Manager", p.managerId),
          paragraph("Employee number", p.employeeNumber),
          paragraph("Auth0 user", p.userId),
          paragraph("Event", `${event.eventType} ${event.eventId} at ${event.occurredAt}`)
        ]
      }
    },
    properties: [
      {
        key: JIRA_PROPERTY,
        value: {
          userId: p.userId,
          step: event.step,
          eventId: event.eventId,
          occurredAt: new Date(event.occurredAtMs).toISOString()
        }
      }
    ]
  };
}
function remembered(cache) {
  const value = readCached(cache, JIRA_CACHE_KEY);
  return Array.isArray(value) ? value : [];
}
function remember(cache, entry) {
  const rest = remembered(cache).filter(([label]) => label !== entry[0]);
  writeCached(cache, JIRA_CACHE_KEY, [...rest, entry].slice(-REMEMBERED), 24 * 60 * 60 * 1e3);
}
function jiraDestination(settings) {
  const authorization = basicAuth(settings.JIRA_EMAIL, settings.JIRA_API_TOKEN);
  const call = (method, path, context, json) => request("Jira", `${settings.JIRA_BASE_URL}/rest/api/3${path}`, {
    method,
    json,
    headers: { authorization },
    signal: context.signal,
    timeoutMs: context.requestTimeoutMs
  });
  async function search(labels, context) {
    const reconcileIssues = remembered(context.cache).map(([, id]) => Number(id)).filter((id) => Number.isInteger(id)).slice(-50);
    const jql = `project = "${settings.JIRA_PROJECT_KEY}" AND labels in (${labels.map((l) => `"${l}"`).join(", ")})`;
    const response = await call("POST", "/search/jql", context, {
      jql,
      fields: ["labels"],
      maxResults: 20,
      ...reconcileIssues.length ? { reconcileIssues } : {}
    });
    if (response.status !== 200) throw responseError("Jira", response);
    const issues = response.body?.issues;
    if (!Array.isArray(issues)) {
      throw new DestinationError("Jira sent a search result without issues", "retryable", {
        code: "malformed-body"
      });
    }
    return issues.filter(
      (i) => typeof i?.id === "string"
    ).map((i) => ({
      id: i.id,
      key: String(i.key),
      labels: Array.isArray(i.fields?.labels) ? i.fields.labels : []
    }));
  }
  async function ticketTime(issue, context) {
    const response = await call(
      "GET",
      `/issue/${encodeURIComponent(issue.id)}/properties/${encodeURIComponent(JIRA_PROPERTY)}`,
      context
    );
    if (response.status === 404) return void 0;
    if (response.status !== 200) throw responseError("Jira", response);
    const at = response.body?.value?.occurredAt;
    return typeof at === "string" ? Date.parse(at) : void 0;
  }
  async function apply(event, context) {
    const step = event.step;
    const label = jiraLabel(step, event.profile.userId);
    if (remembered(context.cache).some(([l]) => l === label)) return "already-created";
    const offboardLabel = jiraLabel("offboard", event.profile.userId);
    const found = await search(step === "onboard" ? [label, offboardLabel] : [label], context);
    const existing = found.find((i) => i.labels.includes(label));
    if (existing) {
      remember(context.cache, [label, existing.id, existing.key]);
      return "already-created";
    }
    const offboarding = found.find((i) => i.labels.includes(offboardLabel));
    if (step === "onboard" && offboarding) {
      const offboardedAt = await ticketTime(offboarding, context);
      if (offboardedAt !== void 0 && offboardedAt > event.occurredAtMs) return "skipped-not-newer";
    }
    const response = await call("POST", "/issue", context, jiraIssue({ ...event, step }, settings));
    if (response.status !== 201 && response.status !== 200) throw responseError("Jira", response);
    const created = response.body;
    if (typeof created?.id !== "string") {
      throw new DestinationError("Jira created an issue but sent no id", "retryable", {
        code: "malformed-body"
      });
    }
    remember(context.cache, [label, created.id, String(created.key)]);
    return "created";
  }
  return {
    name: "jira",
    kind: "record",
    wants: (event) => event.step === "onboard" || event.step === "offboard",
    apply
  };
}

// event-streams/onboarding-workflow/destinations/provisioning.ts
var provisioningKey = (eventId) => `auth0-${stableHash([eventId, "provisioning"])}`;
function provisioningBody(event, mapping2) {
  const body = {};
  for (const { target, source } of mapping2) {
    const path = target.split(".");
    let node = body;
    for (const key of path.slice(0, -1)) {
      node[key] ??= {};
      node = node[key];
    }
    node[path.at(-1)] = sourceValue(event, source) ?? null;
  }
  return body;
}
function provisioningDestination(settings) {
  const mapping2 = settings.PROVISIONING_BODY_MAPPING;
  const profileFields = mapping2.map((m) => m.source).filter((s) => PROFILE_FIELDS.includes(s));
  return {
    name: "provisioning",
    kind: "record",
    // Onboard and offboard always matter; an update only when it changes a mapped field.
    wants: (event) => changedAny(event, profileFields),
    async apply(event, context) {
      const response = await request("Provisioning", settings.PROVISIONING_URL, {
        method: "POST",
        json: provisioningBody(event, mapping2),
        headers: {
          [settings.PROVISIONING_AUTH_HEADER]: settings.PROVISIONING_AUTH_VALUE,
          "idempotency-key": provisioningKey(event.eventId)
        },
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs
      });
      if (response.status >= 200 && response.status < 300) return "provisioned";
      if (response.status === 409) {
        throw new DestinationError("Provisioning: the same request is still in progress", "retryable", {
          status: 409,
          code: "idempotency-key-in-progress"
        });
      }
      throw responseError("Provisioning", response);
    }
  };
}

// event-streams/onboarding-workflow/destinations/salesforce.ts
var SALESFORCE_API = "/services/data/v62.0";
var SALESFORCE_STAMP = {
  lastEventAt: "Auth0_Last_Event_At__c",
  lastEventId: "Auth0_Last_Event_Id__c"
};
var TOKEN_CACHE_KEY = "salesforce:token";
var TOKEN_TTL_MS = 30 * 60 * 1e3;
var LIMITS = { FirstName: 40, LastName: 80, Email: 80, Title: 128, Department: 80 };
function contactFields(event, settings) {
  const p = event.profile;
  const fields = {
    FirstName: p.givenName ? clip(p.givenName, LIMITS.FirstName) : null,
    // LastName is required on a Contact: fall back to what the user has.
    LastName: clip(p.familyName ?? p.displayName ?? p.email ?? p.userId, LIMITS.LastName),
    Title: p.title ? clip(p.title, LIMITS.Title) : null,
    Department: p.department ? clip(p.department, LIMITS.Department) : null,
    [SALESFORCE_STAMP.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
    [SALESFORCE_STAMP.lastEventId]: event.eventId
  };
  if (p.email) fields.Email = clip(p.email, LIMITS.Email);
  if (settings.SALESFORCE_OFFBOARD === "deactivate") {
    fields[settings.SALESFORCE_ACTIVE_FIELD] = event.step !== "offboard";
  }
  return fields;
}
var isNewerThanRecord = (event, record) => isNewerThanStamp(event, record[SALESFORCE_STAMP.lastEventAt], record[SALESFORCE_STAMP.lastEventId]);
var soqlString = (value) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}'`;
function salesforceError(response, externalIdField) {
  const code = errorCode(response.body);
  const message = String(response.body?.[0]?.message ?? "");
  if (response.status === 300) {
    return new DestinationError("Salesforce: several Contacts hold this external id", "permanent", {
      status: 300,
      code: "multiple-matches"
    });
  }
  const transient = code === "REQUEST_LIMIT_EXCEEDED" || code === "UNABLE_TO_LOCK_ROW" || // Two executions created the same contact at once: the retry finds it and updates it.
  code === "DUPLICATE_VALUE" && message.includes(externalIdField);
  if (!transient) return responseError("Salesforce", response);
  return new DestinationError(`Salesforce answered ${response.status} (${code})`, "retryable", {
    status: response.status,
    code
  });
}
function readToken(cache, owner) {
  const token = readCached(cache, TOKEN_CACHE_KEY);
  return token && token.o === owner && token.e > Date.now() && typeof token.t === "string" ? token : void 0;
}
function writeToken(cache, token) {
  writeCached(cache, TOKEN_CACHE_KEY, token ?? { e: 0 }, token ? TOKEN_TTL_MS : 1);
}
function salesforceDestination(settings) {
  const field2 = settings.SALESFORCE_EXTERNAL_ID_FIELD;
  const owner = stableHash([settings.SALESFORCE_LOGIN_URL, settings.SALESFORCE_CLIENT_ID], 16);
  async function fetchToken(context) {
    const response = await request("Salesforce", `${settings.SALESFORCE_LOGIN_URL}/services/oauth2/token`, {
      method: "POST",
      form: {
        grant_type: "client_credentials",
        client_id: settings.SALESFORCE_CLIENT_ID,
        client_secret: settings.SALESFORCE_CLIENT_SECRET
      },
      signal: context.signal,
      timeoutMs: context.requestTimeoutMs
    });
    if (response.status !== 200) {
      throw responseError("Salesforce token request", response);
    }
    const body = response.body;
    if (typeof body?.access_token !== "string" || typeof body.instance_url !== "string" || !/^https?:\/\//.test(body.instance_url)) {
      throw new DestinationError(
        "Salesforce token response lacks access_token or instance_url",
        "retryable",
        {
          code: "malformed-body"
        }
      );
    }
    const token = {
      t: body.access_token,
      u: body.instance_url.replace(/\/+$/, ""),
      e: Date.now() + TOKEN_TTL_MS,
      o: owner
    };
    writeToken(context.cache, token);
    return token;
  }
  async function call(method, path, context, json) {
    const cached = readToken(context.cache, owner);
    const send = (token) => request("Salesforce", `${token.u}${SALESFORCE_API}${path}`, {
      method,
      json,
      headers: { authorization: `Bearer ${token.t}` },
      signal: context.signal,
      timeoutMs: context.requestTimeoutMs
    });
    const response = await send(cached ?? await fetchToken(context));
    if (response.status !== 401) return response;
    writeToken(context.cache, void 0);
    return cached ? send(await fetchToken(context)) : response;
  }
  const byExternalId = `/sobjects/Contact/${encodeURIComponent(field2)}/`;
  const stampFields = [SALESFORCE_STAMP.lastEventAt, SALESFORCE_STAMP.lastEventId];
  async function readLive(userId, context) {
    const query = new URLSearchParams({ fields: ["Id", ...stampFields].join(",") });
    const response = await call("GET", `${byExternalId}${encodeURIComponent(userId)}?${query}`, context);
    if (response.status === 404) return void 0;
    if (response.status !== 200) throw salesforceError(response, field2);
    const record = response.body;
    if (!record || typeof record !== "object" || typeof record.Id !== "string") {
      throw new DestinationError("Salesforce sent a Contact without Id", "retryable", {
        code: "malformed-body"
      });
    }
    return record;
  }
  async function readTombstone(userId, context) {
    const soql = `SELECT Id, ${stampFields.join(", ")} FROM Contact WHERE ${field2} = ${soqlString(userId)} AND IsDeleted = true ORDER BY ${SALESFORCE_STAMP.lastEventAt} DESC LIMIT 1`;
    const response = await call("GET", `/queryAll?${new URLSearchParams({ q: soql })}`, context);
    if (response.status !== 200) throw salesforceError(response, field2);
    const records = response.body?.records;
    if (!Array.isArray(records)) {
      throw new DestinationError("Salesforce sent a query result without records", "retryable", {
        code: "malformed-body"
      });
    }
    return records[0];
  }
  async function upsert(event, context) {
    const response = await call(
      "PATCH",
      `${byExternalId}${encodeURIComponent(event.profile.userId)}`,
      context,
      contactFields(event, settings)
    );
    if (response.status === 201) return "created";
    if (response.status === 200 || response.status === 204) return "updated";
    throw salesforceError(response, field2);
  }
  async function remove(userId, context) {
    const response = await call("DELETE", `${byExternalId}${encodeURIComponent(userId)}`, context);
    if (response.status !== 204 && response.status !== 200 && response.status !== 404) {
      throw salesforceError(response, field2);
    }
  }
  async function apply(event, context) {
    const userId = event.profile.userId;
    const live = await readLive(userId, context);
    const deletes = settings.SALESFORCE_OFFBOARD === "delete";
    const latest = live ?? (deletes ? await readTombstone(userId, context) : void 0);
    if (latest && !isNewerThanRecord(event, latest)) return "skipped-not-newer";
    if (event.step !== "offboard") return upsert(event, context);
    const written = await upsert(event, context);
    if (!deletes) return written === "created" ? "tombstoned" : "deactivated";
    await remove(userId, context);
    return live ? "deleted" : "tombstoned";
  }
  return {
    name: "salesforce",
    kind: "record",
    wants: (event) => changedAny(event, ["email", "givenName", "familyName", "displayName", "title", "department"]),
    apply
  };
}

// event-streams/onboarding-workflow/destinations/segment.ts
var TRAITS = [
  ["email", "email"],
  ["givenName", "firstName"],
  ["familyName", "lastName"],
  ["displayName", "name"],
  ["title", "title"],
  ["department", "department"],
  ["employeeNumber", "employee_number"],
  ["managerId", "manager_id"]
];
var MAX_TRAIT_LENGTH = 1e3;
var segmentMessageId = (eventId) => `auth0-${stableHash([eventId, "segment"])}`;
function segmentIdentify(event) {
  const traits = {};
  for (const [field2, trait] of TRAITS) {
    const value = event.profile[field2];
    if (value !== void 0) traits[trait] = clip(value, MAX_TRAIT_LENGTH);
    else if (event.previous?.[field2] !== void 0 && field2 !== "email") traits[trait] = null;
  }
  if (event.step === "onboard") traits.status = "active";
  if (event.step === "offboard") {
    traits.status = "offboarded";
    traits.offboarded_at = new Date(event.occurredAtMs).toISOString();
  }
  return {
    type: "identify",
    userId: event.profile.userId,
    messageId: segmentMessageId(event.eventId),
    timestamp: new Date(event.occurredAtMs).toISOString(),
    traits,
    context: { library: { name: "auth0-onboarding-workflow" }, auth0: { event_id: event.eventId } }
  };
}
function segmentDestination(settings) {
  const authorization = basicAuth(settings.SEGMENT_WRITE_KEY, "");
  return {
    name: "segment",
    kind: "record",
    wants: (event) => changedAny(
      event,
      TRAITS.map(([field2]) => field2)
    ),
    async apply(event, context) {
      const response = await request("Segment", `${settings.SEGMENT_API_URL}/v1/identify`, {
        method: "POST",
        json: segmentIdentify(event),
        headers: { authorization },
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs
      });
      if (response.status !== 200) throw responseError("Segment", response);
      if (response.body?.success !== true) {
        throw new DestinationError("Segment answered 200 without success", "retryable", {
          status: 200,
          code: "malformed-body"
        });
      }
      return "identified";
    }
  };
}

// event-streams/onboarding-workflow/destinations/announce.ts
var HEADLINES = {
  onboard: "New employee provisioned",
  offboard: "Employee deprovisioned"
};
function webhookAnnouncer(options) {
  return {
    name: options.name,
    kind: "notification",
    wants: changesStatus,
    async apply(event, context) {
      const response = await request(options.system, options.webhookUrl, {
        method: "POST",
        json: options.message(event),
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs
      });
      if (!options.acceptedStatuses.includes(response.status)) throw responseError(options.system, response);
      return "sent";
    }
  };
}

// event-streams/onboarding-workflow/destinations/slack-text.ts
function escapeMrkdwn(value) {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// event-streams/onboarding-workflow/destinations/slack.ts
var EMOJI = { onboard: ":wave:", offboard: ":lock:" };
var fieldText = (label, value) => `*${label}*
${value ? escapeMrkdwn(truncate(value, 300)) : "_not set_"}`;
function slackMessage(event) {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = escapeMrkdwn(truncate(personName(profile), 150));
  return {
    text: `${headline}: ${name}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: headline, emoji: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `${EMOJI[event.step]} *${name}*`, verbatim: true },
        fields: [
          { type: "mrkdwn", text: fieldText("Email", profile.email), verbatim: true },
          { type: "mrkdwn", text: fieldText("Title", profile.title), verbatim: true },
          { type: "mrkdwn", text: fieldText("Department", profile.department), verbatim: true },
          { type: "mrkdwn", text: fieldText("Auth0 user", profile.userId), verbatim: true }
        ]
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: `${escapeMrkdwn(event.eventType)} · event ${escapeMrkdwn(event.eventId)} · ${escapeMrkdwn(event.occurredAt)}`,
            verbatim: true
          }
        ]
      }
    ]
  };
}
function slackDestination(settings) {
  return webhookAnnouncer({
    name: "slack",
    system: "Slack",
    webhookUrl: settings.SLACK_WEBHOOK_URL,
    message: slackMessage,
    acceptedStatuses: [200]
  });
}

// event-streams/onboarding-workflow/destinations/teams-text.ts
var ZWSP = "​";
function neutraliseTeamsText(value) {
  return value.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, " ").replace(/\]\s*\(/g, `]${ZWSP}(`).replace(/</g, `<${ZWSP}`).replace(/\{\{/g, `{${ZWSP}{`).replace(/:\/\//g, `:${ZWSP}//`);
}

// event-streams/onboarding-workflow/destinations/teams.ts
var safe = (value, max) => neutraliseTeamsText(truncate(value, max));
var field = (label, value) => ({
  type: "RichTextBlock",
  inlines: [
    { type: "TextRun", text: `${label}: `, weight: "Bolder" },
    value ? { type: "TextRun", text: safe(value, 300) } : { type: "TextRun", text: "not set", italic: true, isSubtle: true }
  ]
});
function teamsMessage(event) {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = safe(personName(profile), 150);
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          fallbackText: `${headline}: ${name}`,
          body: [
            { type: "TextBlock", text: headline, weight: "Bolder", size: "Medium", wrap: true },
            {
              type: "RichTextBlock",
              inlines: [{ type: "TextRun", text: name, weight: "Bolder", size: "Large" }]
            },
            field("Email", profile.email),
            field("Title", profile.title),
            field("Department", profile.department),
            field("Auth0 user", profile.userId),
            {
              type: "RichTextBlock",
              inlines: [
                {
                  type: "TextRun",
                  text: safe(`${event.eventType} · event ${event.eventId} · ${event.occurredAt}`, 300),
                  isSubtle: true,
                  size: "Small"
                }
              ]
            }
          ]
        }
      }
    ]
  };
}
function teamsDestination(settings) {
  return webhookAnnouncer({
    name: "teams",
    system: "Teams",
    webhookUrl: settings.TEAMS_WEBHOOK_URL,
    message: teamsMessage,
    // Workflows answers 202 Accepted; the retired Office 365 connectors answered 200.
    acceptedStatuses: [202, 200]
  });
}

// event-streams/onboarding-workflow/destinations/registry.ts
var FACTORIES = {
  hubspot: hubspotDestination,
  slack: slackDestination,
  salesforce: salesforceDestination,
  jira: jiraDestination,
  segment: segmentDestination,
  teams: teamsDestination,
  provisioning: provisioningDestination
};
var NOTIFICATION_DESTINATIONS = /* @__PURE__ */ new Set(["slack", "teams"]);
function buildDestinations(settings) {
  const built = settings.enabled.map((name) => {
    const factory = FACTORIES[name];
    return factory(settings[name]);
  });
  return [...built, ...settings.problems];
}

// event-streams/onboarding-workflow/events.ts
var import_zod = require("zod");
var USER_EVENT_TYPES = ["user.created", "user.updated", "user.deleted"];
var optionalText = import_zod.z.string().optional();
var userObjectSchema = import_zod.z.looseObject({
  user_id: import_zod.z.string().min(1),
  email: optionalText,
  given_name: optionalText,
  family_name: optionalText,
  name: optionalText,
  nickname: optionalText,
  blocked: import_zod.z.boolean().optional(),
  app_metadata: import_zod.z.record(import_zod.z.string(), import_zod.z.unknown()).optional(),
  user_metadata: import_zod.z.record(import_zod.z.string(), import_zod.z.unknown()).optional()
});
var envelopeSchema = import_zod.z.looseObject({
  id: import_zod.z.string().min(1),
  type: import_zod.z.string().min(1),
  time: import_zod.z.iso.datetime({ offset: true }),
  a0purpose: import_zod.z.string().optional(),
  data: import_zod.z.unknown()
});
var userEventDataSchema = import_zod.z.looseObject({
  object: userObjectSchema,
  previous_object: userObjectSchema.optional()
});
function describe(error) {
  return error.issues.slice(0, 10).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}
function peekString(value, key) {
  if (typeof value !== "object" || value === null) return void 0;
  const found = value[key];
  return typeof found === "string" ? found.slice(0, 100) : void 0;
}
function parseMessage(message) {
  const envelope = envelopeSchema.safeParse(message);
  if (!envelope.success) {
    return {
      kind: "malformed",
      id: peekString(message, "id"),
      type: peekString(message, "type"),
      problems: describe(envelope.error)
    };
  }
  const { id, type, time, a0purpose, data } = envelope.data;
  if (a0purpose === "test") return { kind: "test-event", id, type };
  if (!USER_EVENT_TYPES.includes(type)) return { kind: "unsupported-type", id, type };
  const parsedData = userEventDataSchema.safeParse(data);
  if (!parsedData.success) {
    return { kind: "malformed", id, type, problems: describe(parsedData.error).map((p) => `data.${p}`) };
  }
  return {
    kind: "user-event",
    event: {
      id,
      type,
      time,
      user: parsedData.data.object,
      previousUser: parsedData.data.previous_object
    }
  };
}

// event-streams/onboarding-workflow/log.ts
var REDACTED = "[redacted]";
function createRedactor(secretValues2) {
  const secrets = [...new Set(secretValues2)].filter((value) => value.length >= 8).sort((a, b) => b.length - a.length);
  return (text3) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text3);
}
function createLogger(secretValues2, sink = console) {
  const redact = createRedactor(secretValues2);
  const write = (level, line) => {
    const text3 = redact(JSON.stringify({ level, ...line }));
    if (level === "error") sink.error(text3);
    else sink.log(text3);
  };
  return { info: (line) => write("info", line), error: (line) => write("error", line) };
}

// event-streams/onboarding-workflow/resilience.ts
var import_cockatiel = require("cockatiel");
var isRateLimit = (error) => error instanceof DestinationError && error.details.status === 429;
var BREAKER_TTL_MS = 60 * 60 * 1e3;
var RECENT_IDS = 100;
function isBreakerState(value) {
  const state = value;
  return typeof state?.ownState?.value === "number" && typeof state.breakerState === "number";
}
function loadBreaker(cache, destination, settings) {
  const key = `breaker:${destination}`;
  const stored = readCached(cache, key);
  const policy = (0, import_cockatiel.circuitBreaker)(
    // A 429 says the service is up but throttling: waiting for redelivery is the cure, and opening
    // the breaker would only keep the destination shut past Auth0's retries (bench: 906 of 1,000
    // burst events dead-lettered with 429s counted, none without).
    (0, import_cockatiel.handleWhen)((error) => isRetryable(error) && !isRateLimit(error)),
    {
      halfOpenAfter: settings.breakerCooldownMs,
      breaker: new import_cockatiel.ConsecutiveBreaker(settings.breakerThreshold),
      initialState: isBreakerState(stored) ? stored : void 0
    }
  );
  const before = JSON.stringify(stored ?? null);
  return {
    policy,
    save() {
      const state = policy.toJSON();
      if (JSON.stringify(state) !== before) writeCached(cache, key, state, BREAKER_TTL_MS);
    }
  };
}
function retryAfterBackoff(fallbackMs) {
  const backoff = (attempt) => ({
    duration: fallbackMs * attempt,
    next: (context) => {
      const error = "error" in context.result ? context.result.error : void 0;
      const hinted = error instanceof DestinationError ? error.details.retryAfterMs : void 0;
      return { ...backoff(attempt + 1), duration: hinted ?? fallbackMs * attempt };
    }
  });
  return { next: (context) => backoff(1).next(context) };
}
async function runWithPolicies(breaker, settings, remainingMs, call) {
  let attempts = 0;
  const shouldRetry = (error) => {
    if (!isRetryable(error) || error instanceof import_cockatiel.BrokenCircuitError) return false;
    const wait = error instanceof DestinationError ? error.details.retryAfterMs ?? 250 : 250;
    return wait <= settings.maxInlineWaitMs && wait < remainingMs() / 2;
  };
  const retryPolicy = (0, import_cockatiel.retry)((0, import_cockatiel.handleWhen)(shouldRetry), {
    maxAttempts: settings.attemptsPerExecution - 1,
    backoff: retryAfterBackoff(250)
  });
  try {
    const value = await breaker.policy.execute(() => retryPolicy.execute(() => call(++attempts)));
    return { value, attempts };
  } catch (error) {
    throw Object.assign(error, { attempts });
  } finally {
    breaker.save();
  }
}
function alreadyNotified(cache, destination, eventId) {
  return (readCached(cache, `sent:${destination}`) ?? []).includes(eventId);
}
function rememberNotified(cache, destination, eventId) {
  const ids = (readCached(cache, `sent:${destination}`) ?? []).filter((id) => id !== eventId);
  writeCached(cache, `sent:${destination}`, [...ids, eventId].slice(-RECENT_IDS), 24 * 60 * 60 * 1e3);
}
function countDelivery(cache, eventId) {
  const seen = readCached(cache, "deliveries") ?? [];
  const previous = seen.find(([id]) => id === eventId)?.[1] ?? 0;
  const next = [...seen.filter(([id]) => id !== eventId), [eventId, previous + 1]];
  writeCached(cache, "deliveries", next.slice(-60), 60 * 60 * 1e3);
  return previous + 1;
}

// event-streams/onboarding-workflow/settings.ts
var import_zod2 = require("zod");
var DESTINATION_NAMES = [
  "hubspot",
  "slack",
  "salesforce",
  "jira",
  "segment",
  "teams",
  "provisioning"
];
var DEFAULT_DESTINATIONS = ["hubspot", "slack"];
var UNRESOLVED_KEYWORD = /^(##|@@)[A-Za-z0-9_]+(##|@@)$/;
function configuredValue(value) {
  if (typeof value !== "string") return void 0;
  const trimmed = value.trim();
  return trimmed === "" || UNRESOLVED_KEYWORD.test(trimmed) ? void 0 : trimmed;
}
var text2 = import_zod2.z.string().min(1);
var url = import_zod2.z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ""));
var apiName = import_zod2.z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,79}$/);
var headerName = import_zod2.z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/);
var DEFAULT_PROVISIONING_MAPPING = "user_id=userId,email=email,given_name=givenName,family_name=familyName,title=title,department=department,manager_id=managerId,employee_number=employeeNumber,action=step,event_id=eventId,occurred_at=occurredAt";
function parseMapping(value) {
  const entries = [];
  for (const pair of value.split(",").map((p) => p.trim())) {
    if (pair === "") continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*=\s*([A-Za-z]+)$/.exec(pair);
    if (!match || !PROVISIONING_SOURCES.includes(match[2])) return void 0;
    entries.push({ target: match[1], source: match[2] });
  }
  const targets = entries.map((e) => e.target);
  const collides = targets.some(
    (t, i) => targets.indexOf(t) !== i || targets.some((other) => other.startsWith(`${t}.`))
  );
  return entries.length === 0 || collides ? void 0 : entries;
}
var mapping = import_zod2.z.string().transform((value, ctx) => {
  const parsed = parseMapping(value);
  if (!parsed) ctx.addIssue({ code: "custom", message: "invalid mapping" });
  return parsed ?? [];
});
var SETTINGS = {
  hubspot: {
    HUBSPOT_TOKEN: { schema: text2, secret: true },
    HUBSPOT_BASE_URL: { schema: url, default: "https://api.hubapi.com" }
  },
  slack: {
    SLACK_WEBHOOK_URL: { schema: url, secret: true }
  },
  salesforce: {
    SALESFORCE_LOGIN_URL: { schema: url },
    SALESFORCE_CLIENT_ID: { schema: text2, secret: true },
    SALESFORCE_CLIENT_SECRET: { schema: text2, secret: true },
    SALESFORCE_EXTERNAL_ID_FIELD: { schema: apiName, default: "Auth0_User_Id__c" },
    SALESFORCE_OFFBOARD: { schema: import_zod2.z.enum(["deactivate", "delete"]), default: "deactivate" },
    SALESFORCE_ACTIVE_FIELD: { schema: apiName, default: "Active__c" }
  },
  jira: {
    JIRA_BASE_URL: { schema: url },
    JIRA_EMAIL: { schema: text2, secret: true },
    JIRA_API_TOKEN: { schema: text2, secret: true },
    JIRA_PROJECT_KEY: { schema: import_zod2.z.string().regex(/^[A-Z][A-Z0-9_]{1,9}$/) },
    JIRA_ISSUE_TYPE: { schema: text2, default: "Task" }
  },
  segment: {
    SEGMENT_WRITE_KEY: { schema: text2, secret: true },
    SEGMENT_API_URL: { schema: url, default: "https://api.segment.io" }
  },
  teams: {
    TEAMS_WEBHOOK_URL: { schema: url, secret: true }
  },
  provisioning: {
    PROVISIONING_URL: { schema: url },
    PROVISIONING_AUTH_VALUE: { schema: text2, secret: true },
    PROVISIONING_AUTH_HEADER: { schema: headerName, default: "Authorization" },
    PROVISIONING_BODY_MAPPING: { schema: mapping, default: DEFAULT_PROVISIONING_MAPPING }
  }
};
function secretValues(secrets) {
  const plain2 = /* @__PURE__ */ new Set(["DESTINATIONS"]);
  for (const spec of Object.values(SETTINGS)) {
    for (const [key, s] of Object.entries(spec)) {
      if (!s.secret) plain2.add(key);
    }
  }
  return Object.entries(secrets).filter(([key, value]) => !plain2.has(key) && typeof value === "string").map(([, value]) => value);
}
function enabledDestinations(raw) {
  const value = configuredValue(raw);
  if (value === void 0) return { names: [...DEFAULT_DESTINATIONS], unknown: [] };
  const listed = [
    ...new Set(
      value.toLowerCase().split(/[\s,]+/).filter(Boolean)
    )
  ];
  if (listed.length === 1 && listed[0] === "none") return { names: [], unknown: [] };
  return {
    names: listed.filter((n) => DESTINATION_NAMES.includes(n)),
    unknown: listed.filter((n) => !DESTINATION_NAMES.includes(n))
  };
}
function readDestination(destination, secrets) {
  const spec = SETTINGS[destination];
  const shape = {};
  const input = {};
  for (const [key, s] of Object.entries(spec)) {
    shape[key] = s.schema;
    input[key] = configuredValue(secrets[key]) ?? s.default;
  }
  const parsed = import_zod2.z.object(shape).safeParse(input);
  if (parsed.success) return { settings: parsed.data };
  const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
  return {
    missing: keys.map((key) => `${key} ${input[key] === void 0 ? "is not set" : "is invalid"}`).join("; ")
  };
}
function readSettings(secrets) {
  const { names, unknown } = enabledDestinations(secrets.DESTINATIONS);
  const settings = { enabled: [], problems: [] };
  for (const name of unknown) {
    settings.problems.push({
      name,
      missing: `DESTINATIONS lists "${name}", which is not one of ${DESTINATION_NAMES.join(", ")}`
    });
  }
  for (const name of names) {
    const result = readDestination(name, secrets);
    if ("missing" in result) settings.problems.push({ name, missing: result.missing });
    else {
      settings.enabled.push(name);
      settings[name] = result.settings;
    }
  }
  return settings;
}

// event-streams/onboarding-workflow/handler.ts
var DEFAULT_OPTIONS = {
  deadlineMs: 15e3,
  requestTimeoutMs: 5e3,
  breakerThreshold: 5,
  breakerCooldownMs: 3e4,
  attemptsPerExecution: 2,
  maxInlineWaitMs: 2e3
};
function describeFailure(error) {
  if (error instanceof import_cockatiel2.BrokenCircuitError)
    return { kind: "retryable", code: "circuit-open", message: "circuit open" };
  if (error instanceof DestinationError)
    return {
      kind: error.kind,
      code: error.details.code,
      status: error.details.status,
      message: error.message
    };
  return {
    kind: "retryable",
    code: "unexpected",
    message: error instanceof Error ? error.message : String(error)
  };
}
async function runDestination(destination, event, api, options, deadline, log, delivery) {
  const started = Date.now();
  const base = {
    msg: "destination",
    event_id: event.eventId,
    type: event.eventType,
    step: event.step,
    user_id: event.profile.userId,
    destination: destination.name,
    delivery
  };
  if (!destination.wants(event)) {
    log.info({ ...base, outcome: "skipped-no-relevant-change", attempt: 0, duration_ms: 0 });
    return { destination: destination.name, outcome: "skipped", redeliver: false };
  }
  if (destination.kind === "notification" && alreadyNotified(api.cache, destination.name, event.eventId)) {
    log.info({ ...base, outcome: "skipped-already-sent", attempt: 0, duration_ms: 0 });
    return { destination: destination.name, outcome: "skipped", redeliver: false };
  }
  const breaker = loadBreaker(api.cache, destination.name, options);
  try {
    const { value, attempts } = await runWithPolicies(
      breaker,
      options,
      deadline.remainingMs,
      () => destination.apply(event, {
        signal: deadline.signal,
        requestTimeoutMs: options.requestTimeoutMs,
        cache: api.cache
      })
    );
    if (destination.kind === "notification") rememberNotified(api.cache, destination.name, event.eventId);
    log.info({ ...base, outcome: value, attempt: attempts, duration_ms: Date.now() - started });
    return { destination: destination.name, outcome: value, redeliver: false };
  } catch (error) {
    const failure = describeFailure(error);
    const redeliver = destination.kind === "record" && isRetryable(error);
    log.error({
      ...base,
      outcome: failure.kind === "permanent" ? "failed-permanent" : "failed-retryable",
      will_redeliver: redeliver,
      attempt: error.attempts ?? 1,
      duration_ms: Date.now() - started,
      error: failure
    });
    return { destination: destination.name, outcome: "failed", redeliver };
  }
}
function createHandler(options = DEFAULT_OPTIONS) {
  return async function onExecuteEventStream2(event, api) {
    const started = Date.now();
    const secrets = event.secrets ?? {};
    const log = createLogger(secretValues(secrets));
    const parsed = parseMessage(event.message);
    if (parsed.kind !== "user-event") {
      const line = {
        msg: "event",
        outcome: `ignored-${parsed.kind}`,
        event_id: parsed.id,
        type: parsed.type
      };
      if (parsed.kind === "malformed") log.error({ ...line, problems: parsed.problems });
      else log.info(line);
      return;
    }
    const lifecycle = toLifecycleEvent(parsed.event);
    const delivery = countDelivery(api.cache, lifecycle.eventId);
    const deadlineAt = started + options.deadlineMs;
    const deadline = {
      signal: AbortSignal.timeout(options.deadlineMs),
      remainingMs: () => deadlineAt - Date.now()
    };
    const results = await Promise.all(
      buildDestinations(readSettings(secrets)).map(
        (destination) => {
          if ("missing" in destination) {
            log.error({
              msg: "destination",
              event_id: lifecycle.eventId,
              destination: destination.name,
              outcome: "failed-misconfigured",
              error: { message: destination.missing }
            });
            const redeliver = !NOTIFICATION_DESTINATIONS.has(destination.name);
            return { destination: destination.name, outcome: "misconfigured", redeliver };
          }
          return runDestination(destination, lifecycle, api, options, deadline, log, delivery);
        }
      )
    );
    const redeliverFor = results.filter((r) => r.redeliver).map((r) => r.destination);
    log.info({
      msg: "event",
      event_id: lifecycle.eventId,
      type: lifecycle.eventType,
      step: lifecycle.step,
      user_id: lifecycle.profile.userId,
      delivery,
      outcome: redeliverFor.length ? "redeliver" : "done",
      destinations: Object.fromEntries(results.map((r) => [r.destination, r.outcome])),
      duration_ms: Date.now() - started
    });
    if (redeliverFor.length) {
      throw new Error(`Event ${lifecycle.eventId} must be redelivered for: ${redeliverFor.join(", ")}`);
    }
  };
}

// event-streams/onboarding-workflow/index.ts
var onExecuteEventStream = createHandler();
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  onExecuteEventStream
});
