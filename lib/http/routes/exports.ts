import { ExportCreateSchema, ExportIdParams, ExportSchema } from '../../exports/schema';
import { PERMISSIONS } from '../../users/roles';
import { defineRoute, type RouteDefinition } from '../route';

/** List export. Served by functions/http/exports.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- exports (list export) ------------------------------------------------------------------------------------
  createExport: defineRoute({
    operationId: 'createExport',
    method: 'POST',
    path: '/exports',
    group: 'exports',
    roles: PERMISSIONS.exportLists,
    summary: 'Export the leads a filter finds, as .xlsx or .csv',
    body: ExportCreateSchema,
    response: ExportSchema,
    successStatus: 202,
    idempotent: true,
  }),
  getExport: defineRoute({
    operationId: 'getExport',
    method: 'GET',
    path: '/exports/{exportId}',
    group: 'exports',
    roles: PERMISSIONS.exportLists,
    summary: 'Read an export: its status, and a download link once done',
    params: ExportIdParams,
    response: ExportSchema,
  }),
} satisfies Record<string, RouteDefinition>;
