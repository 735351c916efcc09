/**
 * Validate data against the Auth0 Management API OpenAPI 3.1 description in ../shared/reference.
 *
 * OpenAPI 3.1 schemas are JSON Schema 2020-12, so we use ajv's 2020 build and add the whole
 * document as one schema: `#/components/schemas/...` refs then resolve inside it unchanged.
 *
 *   const v = responseValidator('get', '/connections/{id}');   // 2xx response body
 *   expectValid(v, body);                                       // jest-friendly, lists all errors
 *   const ev = schemaValidator('EventStreamCloudEventUserCreatedCloudEvent');
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const OPENAPI_PATH = path.resolve(
  __dirname,
  '../../../shared/reference/auth0-management-api.openapi.json',
);

const DOC_ID = 'auth0-management-api.openapi.json';

interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown> };
}
interface OpenApiOperation {
  operationId?: string;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

export interface SchemaCheck {
  /** Human-readable name (operation + part) used in error messages. */
  name: string;
  validate: ValidateFunction;
}

let cached: { doc: OpenApiDoc; ajv: Ajv2020 } | undefined;

function load(): { doc: OpenApiDoc; ajv: Ajv2020 } {
  if (cached) return cached;
  const doc = JSON.parse(fs.readFileSync(OPENAPI_PATH, 'utf8')) as OpenApiDoc;
  // strict: false — the document carries OpenAPI-only keywords (discriminator, example) ajv does not know.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // Auth0-specific formats (connection-id, event-stream-id, user-id, ...) are identifiers whose shape
  // the document does not define: accept any string for them rather than guess.
  for (const format of collectFormats(doc.components)) {
    if (!ajv.formats[format]) ajv.addFormat(format, true);
  }
  ajv.addSchema({ $id: DOC_ID, components: doc.components });
  cached = { doc, ajv };
  return cached;
}

function collectFormats(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, out));
  else if (node && typeof node === 'object') {
    const rec = node as Record<string, unknown>;
    if (typeof rec.format === 'string') out.add(rec.format);
    Object.values(rec).forEach((v) => collectFormats(v, out));
  }
  return out;
}

/** Rewrites local refs so a schema taken out of the document still resolves against it. */
function anchor(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(anchor);
  if (schema && typeof schema === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(schema)) {
      out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${DOC_ID}${v}` : anchor(v);
    }
    return out;
  }
  return schema;
}

function compile(name: string, schema: unknown): SchemaCheck {
  const { ajv } = load();
  return { name, validate: ajv.compile(anchor(schema) as object) };
}

function operation(method: string, apiPath: string): OpenApiOperation {
  const { doc } = load();
  const op = doc.paths[apiPath]?.[method.toLowerCase()];
  if (!op) throw new Error(`OpenAPI has no operation ${method.toUpperCase()} ${apiPath}`);
  return op;
}

/** A validator for one named component schema, e.g. 'EventStreamCloudEventUserCreatedCloudEvent'. */
export function schemaValidator(componentName: string): SchemaCheck {
  const { doc } = load();
  if (!(componentName in doc.components.schemas)) throw new Error(`OpenAPI has no schema ${componentName}`);
  return compile(componentName, { $ref: `#/components/schemas/${componentName}` });
}

/** The JSON request body schema of an operation (path as written in the document, e.g. '/connections/{id}'). */
export function requestValidator(method: string, apiPath: string): SchemaCheck {
  const schema = operation(method, apiPath).requestBody?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${apiPath} has no JSON request body schema`);
  return compile(`${method.toUpperCase()} ${apiPath} request`, schema);
}

/** The JSON response schema for a status (default: the first 2xx that has a JSON body). */
export function responseValidator(method: string, apiPath: string, status?: number): SchemaCheck {
  const responses = operation(method, apiPath).responses ?? {};
  const code =
    status !== undefined
      ? String(status)
      : Object.keys(responses).find((c) => c.startsWith('2') && responses[c]?.content?.['application/json']);
  const schema = code ? responses[code]?.content?.['application/json']?.schema : undefined;
  if (!code || !schema)
    throw new Error(`${method.toUpperCase()} ${apiPath} has no JSON response schema for ${status ?? '2xx'}`);
  return compile(`${method.toUpperCase()} ${apiPath} ${code} response`, schema);
}

export function formatErrors(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`,
  );
}

/** Returns the list of validation errors (empty when valid). */
export function check(validator: SchemaCheck, data: unknown): string[] {
  return validator.validate(data) ? [] : formatErrors(validator.validate.errors);
}

/** Throws with every validation error listed, so a failing test says what is wrong. */
export function expectValid(validator: SchemaCheck, data: unknown): void {
  const errors = check(validator, data);
  if (errors.length) {
    throw new Error(
      `${validator.name} does not match the OpenAPI schema:\n  ${errors.slice(0, 20).join('\n  ')}`,
    );
  }
}
