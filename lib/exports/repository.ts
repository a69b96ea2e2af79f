import { NotFoundError } from '../errors';
import type { Caller } from '../users/caller';
import type { LeadFilter } from '../leads/schema';
import { getItem, putItem, updateItem } from '../table/client';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import type { Export } from './schema';

/** Export records (EXPORT#{id}): who asked, with which role and filter, and how far the file got. */

export interface ExportRecord extends Omit<Export, 'url' | 'expiresAt'> {
  filter: LeadFilter;
  /** The requester as they were when asking: the export sees exactly what they could see. */
  caller: Caller;
  key?: string;
}

/** Export files hold personal data: the record (and S3's lifecycle the file) goes after a week. */
const TTL_SECONDS = 7 * 24 * 3600;

export async function createExportRecord(record: ExportRecord): Promise<void> {
  const expiresAt = Math.floor(new Date(record.createdAt).getTime() / 1000) + TTL_SECONDS;
  await putItem({ ...keys.export(record.exportId), entity: ENTITY.export, expiresAt, ...record }, { condition: ITEM_ABSENT });
}

export async function getExportRecord(exportId: string): Promise<ExportRecord | undefined> {
  return getItem<ExportRecord>(keys.export(exportId));
}

/** Only the person who asked (or an admin) may fetch an export: it is their view of the leads. */
export async function requireOwnExport(caller: Caller, exportId: string): Promise<ExportRecord> {
  const record = await getExportRecord(exportId);
  if (!record || (record.requestedBy !== caller.userId && caller.role !== 'admin')) throw new NotFoundError(`no export ${exportId}`);
  return record;
}

export async function markExport(exportId: string, change: Partial<Pick<ExportRecord, 'status' | 'rows' | 'key' | 'finishedAt' | 'reason'>>): Promise<void> {
  await updateItem({ key: keys.export(exportId), changes: { set: change } });
}
