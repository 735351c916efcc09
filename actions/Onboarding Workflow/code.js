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
  if (typeof body !== "object" || body === null) return void 0;
  const record = body;
  const code = record.category ?? record.errorType ?? record.error ?? record.code;
  return typeof code === "string" ? code : void 0;
}
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
async function request(system, url, options) {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const headers = { accept: "application/json", ...options.headers };
  if (options.json !== void 0) headers["content-type"] = "application/json";
  let response;
  let raw;
  try {
    response = await fetch(url, {
      method: options.method,
      headers,
      body: options.json === void 0 ? void 0 : JSON.stringify(options.json),
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
function toProfile(user) {
  const meta = user.app_metadata ?? {};
  const profile = { userId: user.user_id, blocked: user.blocked === true };
  const fields = [
    ["email", user.email?.toLowerCase()],
    ["givenName", user.given_name],
    ["familyName", user.family_name],
    ["displayName", user.name],
    ["title", meta.title],
    ["department", meta.department],
    ["managerId", meta.manager_id],
    ["employeeNumber", meta.employee_number]
  ];
  for (const [field, value] of fields) {
    const clean = text(value);
    if (clean !== void 0) profile[field] = clean;
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
function changedAny(event, fields) {
  if (event.step !== "update" || !event.previous) return true;
  const before = event.previous;
  return fields.some((field) => before[field] !== event.profile[field]);
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
function contactProperties(event) {
  const properties = {
    [HUBSPOT_PROPERTIES.userId]: event.profile.userId,
    [HUBSPOT_PROPERTIES.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
    [HUBSPOT_PROPERTIES.lastEventId]: event.eventId
  };
  for (const [field, property] of MIRRORED) {
    const value = event.profile[field];
    if (value !== void 0) properties[property] = value.slice(0, MAX_PROPERTY_LENGTH);
    else if (event.previous?.[field] !== void 0 && field !== "email") properties[property] = "";
  }
  return properties;
}
function isNewerThan(event, contact) {
  const appliedAt = Date.parse(contact.properties[HUBSPOT_PROPERTIES.lastEventAt] ?? "");
  if (Number.isNaN(appliedAt)) return true;
  if (event.occurredAtMs !== appliedAt) return event.occurredAtMs > appliedAt;
  return event.eventId > (contact.properties[HUBSPOT_PROPERTIES.lastEventId] ?? "");
}
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
  const call = (method, path, context, json) => request("HubSpot", `${settings.baseUrl}${path}`, {
    method,
    json,
    headers: { authorization: `Bearer ${settings.token}` },
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
  async function latestRecord(userId, context) {
    const live = await find(HUBSPOT_PROPERTIES.userId, userId, false, context);
    if (live) return { contact: live, live: true };
    const tombstone = await find(HUBSPOT_PROPERTIES.userId, userId, true, context);
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
    const latest = await latestRecord(event.profile.userId, context);
    if (latest && !isNewerThan(event, latest.contact)) return "skipped-not-newer";
    const properties = contactProperties(event);
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
    const latest = await latestRecord(event.profile.userId, context);
    if (latest && !isNewerThan(event, latest.contact)) return "skipped-not-newer";
    if (latest && !latest.live) return "already-archived";
    const stamp = {
      [HUBSPOT_PROPERTIES.lastEventAt]: new Date(event.occurredAtMs).toISOString(),
      [HUBSPOT_PROPERTIES.lastEventId]: event.eventId
    };
    if (latest) {
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
    return "tombstoned";
  }
  return {
    name: "hubspot",
    kind: "record",
    wants: (event) => changedAny(
      event,
      MIRRORED.map(([field]) => field)
    ),
    apply: (event, context) => event.step === "offboard" ? offboard(event, context) : upsert(event, context)
  };
}

// event-streams/onboarding-workflow/destinations/slack-text.ts
function escapeMrkdwn(value) {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function truncate(value, max) {
  const chars = Array.from(value);
  return chars.length <= max ? value : `${chars.slice(0, max - 1).join("")}…`;
}

// event-streams/onboarding-workflow/destinations/slack.ts
var HEADLINES = {
  onboard: { emoji: ":wave:", text: "New employee provisioned" },
  offboard: { emoji: ":lock:", text: "Employee deprovisioned" }
};
var fieldText = (label, value) => `*${label}*
${value ? escapeMrkdwn(truncate(value, 300)) : "_not set_"}`;
function who(profile) {
  const fullName = [profile.givenName, profile.familyName].filter(Boolean).join(" ");
  return profile.displayName ?? (fullName || profile.email || profile.userId);
}
function slackMessage(event) {
  const { profile } = event;
  const headline = HEADLINES[event.step];
  const name = escapeMrkdwn(truncate(who(profile), 150));
  return {
    text: `${headline.text}: ${name}`,
    blocks: [
      { type: "header", text: { type: "plain_text", text: `${headline.text}`, emoji: true } },
      {
        type: "section",
        text: { type: "mrkdwn", text: `${headline.emoji} *${name}*`, verbatim: true },
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
  return {
    name: "slack",
    kind: "notification",
    wants: (event) => event.step === "onboard" || event.step === "offboard",
    async apply(event, context) {
      const response = await request("Slack", settings.webhookUrl, {
        method: "POST",
        json: slackMessage(event),
        signal: context.signal,
        timeoutMs: context.requestTimeoutMs
      });
      if (response.status !== 200) throw responseError("Slack", response);
      return "sent";
    }
  };
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
function createRedactor(secretValues) {
  const secrets = [...new Set(secretValues)].filter((value) => value.length >= 8).sort((a, b) => b.length - a.length);
  return (text2) => secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text2);
}
function createLogger(secretValues, sink = console) {
  const redact = createRedactor(secretValues);
  const write = (level, line) => {
    const text2 = redact(JSON.stringify({ level, ...line }));
    if (level === "error") sink.error(text2);
    else sink.log(text2);
  };
  return { info: (line) => write("info", line), error: (line) => write("error", line) };
}

// event-streams/onboarding-workflow/resilience.ts
var import_cockatiel = require("cockatiel");
var BREAKER_TTL_MS = 60 * 60 * 1e3;
var RECENT_IDS = 100;
function readJson(cache, key) {
  try {
    const record = cache.get(key);
    return record ? JSON.parse(record.value) : void 0;
  } catch {
    return void 0;
  }
}
function writeJson(cache, key, value, ttl) {
  try {
    cache.set(key, JSON.stringify(value), ttl ? { ttl } : void 0);
  } catch {
  }
}
function isBreakerState(value) {
  const state = value;
  return typeof state?.ownState?.value === "number" && typeof state.breakerState === "number";
}
function loadBreaker(cache, destination, settings) {
  const key = `breaker:${destination}`;
  const stored = readJson(cache, key);
  const policy = (0, import_cockatiel.circuitBreaker)(
    (0, import_cockatiel.handleWhen)((error) => isRetryable(error)),
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
      if (JSON.stringify(state) !== before) writeJson(cache, key, state, BREAKER_TTL_MS);
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
  return (readJson(cache, `sent:${destination}`) ?? []).includes(eventId);
}
function rememberNotified(cache, destination, eventId) {
  const ids = (readJson(cache, `sent:${destination}`) ?? []).filter((id) => id !== eventId);
  writeJson(cache, `sent:${destination}`, [...ids, eventId].slice(-RECENT_IDS), 24 * 60 * 60 * 1e3);
}
function countDelivery(cache, eventId) {
  const seen = readJson(cache, "deliveries") ?? [];
  const previous = seen.find(([id]) => id === eventId)?.[1] ?? 0;
  const next = [...seen.filter(([id]) => id !== eventId), [eventId, previous + 1]];
  writeJson(cache, "deliveries", next.slice(-60), 60 * 60 * 1e3);
  return previous + 1;
}

// event-streams/onboarding-workflow/settings.ts
var import_zod2 = require("zod");
var configured = import_zod2.z.string().trim().min(1).refine((value) => !/^(##|@@)[A-Za-z0-9_]+(##|@@)$/.test(value), "is an unresolved deploy keyword");
var secretsSchema = import_zod2.z.object({
  HUBSPOT_TOKEN: configured.optional().catch(void 0),
  HUBSPOT_BASE_URL: import_zod2.z.url().optional().catch(void 0),
  SLACK_WEBHOOK_URL: import_zod2.z.url().optional().catch(void 0)
});
function readSettings(secrets) {
  const parsed = secretsSchema.parse(secrets);
  return {
    hubspot: parsed.HUBSPOT_TOKEN ? {
      token: parsed.HUBSPOT_TOKEN,
      baseUrl: (parsed.HUBSPOT_BASE_URL ?? "https://api.hubapi.com").replace(/\/+$/, "")
    } : void 0,
    slack: parsed.SLACK_WEBHOOK_URL ? { webhookUrl: parsed.SLACK_WEBHOOK_URL } : void 0
  };
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
function buildDestinations(settings) {
  return [
    settings.hubspot ? hubspotDestination(settings.hubspot) : { name: "hubspot", missing: "HUBSPOT_TOKEN is not set" },
    settings.slack ? slackDestination(settings.slack) : { name: "slack", missing: "SLACK_WEBHOOK_URL is not set" }
  ];
}
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
      () => destination.apply(event, { signal: deadline.signal, requestTimeoutMs: options.requestTimeoutMs })
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
    const log = createLogger(Object.values(secrets).filter((v) => typeof v === "string"));
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
            return { destination: destination.name, outcome: "misconfigured", redeliver: true };
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
