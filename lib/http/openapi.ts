import * as z from 'zod';
import type { RouteDefinition } from './route';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. OpenAPI 3.1 schemas are
 * JSON Schema 2020-12, which is what zod emits.
 *
 * Request bodies and responses are named components, so that a generated client reads well: the schemas of
 * SCHEMA_NAMES (lib/http/routes.ts) by their domain names wherever they appear, any other body or response after
 * its route (`CreateUserRequest`, `GetChoicesResponse`). Bodies are converted as zod reads input and responses as
 * it writes output (defaults filled in, no unknown keys), each in a registry of its own, so a schema that is both
 * never stands for the wrong one. Every route declares the problems it can answer (problem.ts's RFC 9457 shape),
 * the ones every route shares as named responses. `redocly lint` holds the document to its recommended rules
 * (test/unit/openapi-lint.test.ts).
 */

export interface OpenApiOptions {
  /** Names of schemas wherever they appear (components): `{ User: UserSchema }`. */
  schemaNames?: Readonly<Record<string, z.ZodType>>;
}

const SCHEMA_URI = (id: string) => `#/components/schemas/${id}`;
const CONVERSION = { unrepresentable: 'any', target: 'draft-2020-12' } as const;

/** Inline JSON Schema for one parameter object (path, query): parameters are listed one by one, never named. */
const inlineSchema = (schema: z.ZodType) => {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io: 'input', ...CONVERSION }) as Record<string, unknown>;
  return rest;
};

const pascal = (operationId: string) => operationId.charAt(0).toUpperCase() + operationId.slice(1);

/** Named schemas in the two directions, converted once each. */
function namedSchemas(routes: readonly RouteDefinition[], names: Readonly<Record<string, z.ZodType>>) {
  const responses = z.registry<{ id: string }>();
  const requests = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(names)) if (!responses.has(schema)) responses.add(schema, { id });
  for (const route of routes) {
    if (route.response && !responses.has(route.response)) responses.add(route.response, { id: `${pascal(route.operationId)}Response` });
    if (route.body && !requests.has(route.body)) requests.add(route.body, { id: `${pascal(route.operationId)}Request` });
  }
  const convert = (registry: typeof responses, io: 'input' | 'output') => {
    const { schemas } = z.toJSONSchema(registry, { io, uri: SCHEMA_URI, ...CONVERSION }) as { schemas: Record<string, Record<string, unknown>> };
    return Object.fromEntries(Object.entries(schemas).map(([id, { $schema, $id, ...schema }]) => [id, schema]));
  };
  const components = { ...convert(responses, 'output'), ...convert(requests, 'input') };
  const ref = (registry: typeof responses, schema: z.ZodType) => ({ $ref: SCHEMA_URI(registry.get(schema)!.id) });
  return {
    components,
    responseRef: (schema: z.ZodType) => ref(responses, schema),
    requestRef: (schema: z.ZodType) => ref(requests, schema),
  };
}

/** The problem replies routes share, by status: named responses of the document. */
const SHARED_PROBLEMS = {
  400: ['BadRequest', 'Malformed request: a body that is not JSON, a path segment that is not valid percent-encoding'],
  401: ['Unauthorized', 'No bearer token, or one that is not valid'],
  403: ['Forbidden', 'The caller has no active user, or its role may not do this'],
  404: ['NotFound', 'No such thing, or one the caller may not see'],
  409: ['Conflict', 'It changed since the version sent (`currentVersion` names the latest), or it is being changed right now'],
  413: ['PayloadTooLarge', 'The request body is too large'],
  422: ['UnprocessableContent', 'Valid JSON that breaks the schema or a business rule; `errors` names each field'],
  429: ['TooManyRequests', 'Throttled (the API, or the database busy): retry later'],
  500: ['InternalServerError', 'Something went wrong on our side; the detail quotes the request id'],
} as const satisfies Record<number, readonly [string, string]>;
type SharedStatus = keyof typeof SHARED_PROBLEMS;

const problemContent = { 'application/problem+json': { schema: { $ref: SCHEMA_URI('Problem') } } };

/** Which problems a route can answer, from what it takes: each status with its own description, or the shared one. */
function problemsOf(route: RouteDefinition): Record<string, unknown> {
  const takesInput = Boolean(route.params || route.query || route.body || route.versioned || route.idempotent);
  const statuses = new Set<number>([400, 429, 500]);
  if (!route.public) [401, 403].forEach((s) => statuses.add(s));
  if (!route.public && takesInput) statuses.add(422);
  if (route.params) statuses.add(404);
  if (route.body) statuses.add(413);
  // A stale version; an Idempotency-Key whose first request is still running.
  if (route.versioned || route.idempotent) statuses.add(409);
  for (const status of Object.keys(route.problems ?? {})) statuses.add(Number(status));
  return Object.fromEntries(
    [...statuses]
      .sort((a, b) => a - b)
      .map((status) => {
        const own = route.problems?.[status];
        if (own) return [String(status), { description: own, content: problemContent }];
        return [String(status), { $ref: `#/components/responses/${SHARED_PROBLEMS[status as SharedStatus][0]}` }];
      }),
  );
}

function parameters(route: RouteDefinition) {
  const out: unknown[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const object = inlineSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      out.push({ name, in: location, required: location === 'path' || (object.required ?? []).includes(name), schema: property });
    }
  }
  if (route.versioned) {
    out.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the version being edited, as its ETag (or `version` in the body)' });
  }
  if (route.idempotent) {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      schema: { type: 'string', maxLength: 128 },
      description: 'the same key and body within 24 h answer the first answer again, and do nothing twice',
    });
  }
  return out;
}

/** Drops components nothing reaches from the paths (a named schema no route uses). */
function reachable(paths: unknown, schemas: Record<string, unknown>): Record<string, unknown> {
  const kept = new Set<string>(['Problem']);
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(SCHEMA_URI(''))) {
        const id = value.slice(SCHEMA_URI('').length);
        if (!kept.has(id)) {
          kept.add(id);
          walk(schemas[id]);
        }
      } else walk(value);
    }
  };
  walk(paths);
  return Object.fromEntries(Object.entries(schemas).filter(([id]) => kept.has(id)));
}

export function openApiDocument(routes: readonly RouteDefinition[], options: OpenApiOptions = {}) {
  const named = namedSchemas(routes, options.schemaNames ?? {});
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const status = String(route.successStatus ?? 200);
    const content = route.response
      ? { content: { 'application/json': { schema: named.responseRef(route.response) } } }
      : route.produces
        ? { content: { [route.produces]: { schema: { type: 'string' } } } }
        : {};
    const otherSuccesses = Object.fromEntries(Object.entries(route.otherSuccesses ?? {}).map(([code, description]) => [code, { description, ...content }]));
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.group],
      ...(route.public ? { security: [] } : {}),
      ...(route.roles ? { 'x-roles': route.roles } : {}),
      parameters: parameters(route),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: named.requestRef(route.body) } } } } : {}),
      responses: {
        [status]: { description: 'Success', ...content },
        ...otherSuccesses,
        ...problemsOf(route),
      },
    };
  }
  const tags = [...new Set(routes.map((route) => route.group))].map((name) => ({ name, description: TAG_DESCRIPTIONS[name] ?? name }));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inside-sales lead backend',
      version: '1.0.0',
      description:
        'Campaign lists in, deduplicated leads out; assignment, actions, conversion and campaign results. Every route but the public ones needs `Authorization: Bearer <JWT>`; errors are `application/problem+json` (RFC 9457).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: '/', description: 'The API that served this document' },
      { url: 'http://127.0.0.1:{port}', description: 'The local stack (`npm start`)', variables: { port: { default: '3000', description: 'API_PORT' } } },
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com',
        description: "The cloud API: the stack's ApiUrl output",
        variables: { apiId: { default: 'api-id', description: 'the HTTP API id' }, region: { default: 'ap-northeast-1' } },
      },
    ],
    tags,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        ...reachable(paths, named.components),
        Problem: {
          type: 'object',
          description: 'An RFC 9457 problem document: every refusal and failure of the API.',
          required: ['type', 'title', 'status', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.values(SHARED_PROBLEMS)
          .filter(([name]) => JSON.stringify(paths).includes(`"#/components/responses/${name}"`))
          .map(([name, description]) => [name, { description, content: problemContent }]),
      ),
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/** What each route group (tag) is about, for readers of the reference. */
const TAG_DESCRIPTIONS: Record<string, string> = {
  system: 'Health and this document',
  docs: 'The reference page for people',
  users: 'Users and their roles (admin only)',
  campaigns: 'Campaigns and their effectiveness (効果測定)',
  imports: 'List intake: uploads and their results',
  leads: 'Leads: search, detail, edits, assignment, hand-over, erasure, my work queue',
  exports: 'List export as .xlsx or .csv',
  me: "The caller's own notifications and preferences",
  actions: 'Actions (アクション) on leads, tasks (ToDo), the forms’ choice lists',
  deals: 'Conversion (案件化), deals and accounts',
  stats: "The manager's view: activity statistics and the pipeline",
};
