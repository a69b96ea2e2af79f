import * as z from 'zod';
import type { RouteDefinition } from './route';

/**
 * The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. OpenAPI 3.1 schemas are
 * JSON Schema 2020-12, which is what zod emits.
 */

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  return rest;
};

const problem = { $ref: '#/components/schemas/Problem' };

function parameters(route: RouteDefinition) {
  const out: unknown[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const object = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(object.properties ?? {})) {
      out.push({ name, in: location, required: location === 'path' || (object.required ?? []).includes(name), schema: property });
    }
  }
  if (route.method === 'PATCH') {
    out.push({ name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'the version being edited (or `version` in the body)' });
  }
  if (route.idempotent) {
    out.push({ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 128 } });
  }
  return out;
}

export function openApiDocument(routes: readonly RouteDefinition[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const status = String(route.successStatus ?? 200);
    const errors = route.public
      ? {}
      : {
          '400': { description: 'Malformed request', content: { 'application/problem+json': { schema: problem } } },
          '401': { description: 'No or bad token', content: { 'application/problem+json': { schema: problem } } },
          '403': { description: 'Role or ownership forbids it', content: { 'application/problem+json': { schema: problem } } },
          '422': { description: 'Breaks the schema or a business rule', content: { 'application/problem+json': { schema: problem } } },
        };
    const content = route.response ? { content: { 'application/json': { schema: jsonSchema(route.response, 'output') } } } : {};
    const otherSuccesses = Object.fromEntries(Object.entries(route.otherSuccesses ?? {}).map(([code, description]) => [code, { description, ...content }]));
    const ownProblems = Object.fromEntries(
      Object.entries(route.problems ?? {}).map(([code, description]) => [code, { description, content: { 'application/problem+json': { schema: problem } } }]),
    );
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.group],
      ...(route.public ? { security: [] } : {}),
      ...(route.roles ? { 'x-roles': route.roles } : {}),
      parameters: parameters(route),
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
        : {}),
      responses: {
        [status]: { description: 'Success', ...content },
        ...otherSuccesses,
        ...errors,
        ...ownProblems,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Inside-sales lead backend',
      version: '1.0.0',
      description: 'Campaign lists in, deduplicated leads out; assignment, actions, conversion and campaign results.',
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Problem: {
          type: 'object',
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
    },
    security: [{ bearer: [] }],
    paths,
  };
}
