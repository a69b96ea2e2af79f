import * as z from 'zod';
import { idParam } from '../schema/params';
import { LeadFilterSchema } from '../leads/schema';

/** List export (リスト出力): the lead list's conditions in, a workbook out. */

export const EXPORT_FORMATS = ['xlsx', 'csv'] as const;
export const EXPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

export const ExportCreateSchema = z.strictObject({
  /** The same conditions as GET /leads, as query-string values (e.g. `{ "owner": "me", "stage": "new,working" }`). */
  filter: LeadFilterSchema.default({ sort: 'updatedAt' }),
  format: z.enum(EXPORT_FORMATS).default('xlsx'),
});

export const ExportSchema = z.object({
  exportId: z.string(),
  format: z.enum(EXPORT_FORMATS),
  status: z.enum(EXPORT_STATUSES),
  requestedBy: z.string(),
  rows: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().optional(),
  reason: z.string().optional(),
  /** A presigned download link, once it has succeeded. */
  url: z.string().optional(),
  expiresAt: z.string().optional(),
});
export type Export = z.infer<typeof ExportSchema>;

export const ExportIdParams = z.object({ exportId: idParam });
