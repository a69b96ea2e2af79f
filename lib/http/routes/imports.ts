import { ImportCreatedSchema, ImportCreateSchema, ImportIdParams, ImportListQuery, ImportPage, ImportSchema, RejectionsLinkSchema } from '../../intake/schema';
import { PERMISSIONS } from '../../users/roles';
import { defineRoute, type RouteDefinition } from '../route';

/** Imports: list intake through a presigned upload. Served by functions/http/imports.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- imports (list intake) ------------------------------------------------------------------------------------
  createImport: defineRoute({
    operationId: 'createImport',
    method: 'POST',
    path: '/imports',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Start an import and get a presigned upload URL',
    body: ImportCreateSchema,
    response: ImportCreatedSchema,
    successStatus: 201,
    idempotent: true,
  }),
  listImports: defineRoute({
    operationId: 'listImports',
    method: 'GET',
    path: '/imports',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'List imports',
    query: ImportListQuery,
    response: ImportPage,
  }),
  getImport: defineRoute({
    operationId: 'getImport',
    method: 'GET',
    path: '/imports/{importId}',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Read an import',
    params: ImportIdParams,
    response: ImportSchema,
  }),
  getImportRejections: defineRoute({
    operationId: 'getImportRejections',
    method: 'GET',
    path: '/imports/{importId}/rejections',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Get a link to the workbook of rejected and merged rows',
    params: ImportIdParams,
    response: RejectionsLinkSchema,
  }),
} satisfies Record<string, RouteDefinition>;
