import { newId } from '../ids';
import { config } from '../config';
import type { LeadFilter } from '../leads/schema';
import { presignGet, PRESIGNED_URL_SECONDS } from '../storage/s3-links';
import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import type { Caller } from '../users/caller';
import { worksOwnLeadsOnly } from '../users/roles';
import { startExportWorker } from './invoke';
import { createExportRecord, requireOwnExport, type ExportRecord } from './repository';
import type { Export } from './schema';

/**
 * POST /exports and GET /exports/{exportId}: an export is asked for, worked asynchronously (./run-export.ts) and
 * fetched by the one who asked, through a presigned link once it is written.
 */

/** What a client sees of the record: not the filter, the requester's role or the object key. */
const view = (record: ExportRecord): Export => withoutTableAttributes<Export>(record as unknown as Item, 'filter', 'caller', 'key');

export async function requestExport(caller: Caller, input: { filter: LeadFilter; format: Export['format'] }, now = new Date()): Promise<Export> {
  // A role that works only its own leads exports only those (api.md); an agent's lists are its own anyway.
  const filter = worksOwnLeadsOnly(caller.role) ? { ...input.filter, owner: 'me' } : input.filter;
  const record: ExportRecord = {
    exportId: newId(now.getTime()),
    format: input.format,
    status: 'queued',
    requestedBy: caller.userId,
    rows: 0,
    createdAt: now.toISOString(),
    filter,
    caller,
  };
  await createExportRecord(record);
  await startExportWorker(record.exportId);
  return view(record);
}

/** The export's status and, once it has succeeded, a link to download it. */
export async function exportStatus(caller: Caller, exportId: string): Promise<Export> {
  const record = await requireOwnExport(caller, exportId);
  if (record.status !== 'succeeded' || !record.key) return view(record);
  const url = await presignGet(config.intakeBucket(), record.key, `leads-${record.exportId}.${record.format}`);
  return { ...view(record), url, expiresAt: new Date(Date.now() + PRESIGNED_URL_SECONDS * 1000).toISOString() };
}
