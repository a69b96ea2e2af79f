import * as z from 'zod';
import { defineRoute, type RouteDefinition } from '../route';

/** The routes that need no token: the health check and the OpenAPI document. Served by functions/http/system.ts; lib/http/routes.ts assembles every group's table. */

export const HealthSchema = z.object({ status: z.literal('ok'), time: z.string() });

export const routes = {
  // --- system ---------------------------------------------------------------------------------------------------
  health: defineRoute({
    operationId: 'health',
    method: 'GET',
    path: '/health',
    group: 'system',
    public: true,
    summary: 'Check that the API is up',
    response: HealthSchema,
  }),
  openapi: defineRoute({
    operationId: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    group: 'system',
    public: true,
    summary: 'Read the OpenAPI 3.1 document of this API',
  }),
} satisfies Record<string, RouteDefinition>;
