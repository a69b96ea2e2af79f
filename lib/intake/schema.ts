import * as z from 'zod';
import { cursorParam, idParam, limitParam, paginated } from '../schema/params';

/** Imports (list intake), as api.md names them. */

export const IMPORT_KINDS = ['invitation', 'participant', 'update'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
export const isImportKind = (kind: string): kind is ImportKind => (IMPORT_KINDS as readonly string[]).includes(kind);
export const IMPORT_STATUSES = ['queued', 'running', 'succeeded', 'completed_with_errors', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];
/** An import in one of these has ended for good. */
export const FINISHED_STATUSES: readonly ImportStatus[] = ['succeeded', 'completed_with_errors', 'failed'];

export const ImportCountsSchema = z.object({
  rows: z.number().int(),
  created: z.number().int(),
  matched: z.number().int(),
  unchanged: z.number().int(),
  updated: z.number().int(),
  rejected: z.number().int(),
  /** Rows that repeat a person already given earlier in the same file. */
  merged: z.number().int(),
});
export type ImportCounts = z.infer<typeof ImportCountsSchema>;

export const emptyCounts = (): ImportCounts => ({ rows: 0, created: 0, matched: 0, unchanged: 0, updated: 0, rejected: 0, merged: 0 });

export const ImportSchema = z.object({
  importId: z.string(),
  campaignId: z.string().optional(),
  /** As given in the object key; an unknown kind fails the import with a reason. */
  kind: z.string(),
  status: z.enum(IMPORT_STATUSES),
  key: z.string(),
  fileName: z.string(),
  versionId: z.string().optional(),
  uploadedBy: z.string().optional(),
  counts: ImportCountsSchema,
  /**
   * The data rows the file holds (non-empty rows below its header), known once the file has been read through and
   * before any row is written; `counts.rows` of `totalRows` is how far the import has got.
   */
  totalRows: z.number().int().optional(),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  reason: z.string().optional(),
  /** Set while an import is continued across invocations: the last spreadsheet row fully processed. */
  checkpointRow: z.number().int().optional(),
  hasRejections: z.boolean(),
});
export type Import = z.infer<typeof ImportSchema>;

/** File names as a person gives them: no folders, nothing that could climb out of the layout. */
const fileName = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((name) => !/[/\\]/.test(name) && name !== '.' && name !== '..', { message: 'a file name, without folders', abort: true })
  .refine((name) => /\.(xlsx|xlsm|csv)$/i.test(name.normalize('NFKC')), 'an .xlsx or .csv file');

export const ImportCreateSchema = z.strictObject({
  campaignId: idParam,
  kind: z.enum(IMPORT_KINDS),
  fileName,
  /** The file's size in bytes: when given, the upload must be exactly that long (the link signs it). */
  sizeBytes: z.number().int().min(1).optional().describe('the size of the file to upload, in bytes; over the deployment\'s limit is a 413'),
});

export const ImportCreatedSchema = z.object({
  importId: z.string(),
  uploadUrl: z.string(),
  key: z.string(),
  /** Headers the PUT must carry: they are part of the signature. */
  uploadHeaders: z.record(z.string(), z.string()),
  expiresAt: z.string(),
});

export const ImportListQuery = z.strictObject({
  campaignId: idParam.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const ImportIdParams = z.object({ importId: idParam });
export const ImportPage = paginated(ImportSchema);
export const RejectionsLinkSchema = z.object({ url: z.string(), expiresAt: z.string(), rejected: z.number().int(), merged: z.number().int() });
