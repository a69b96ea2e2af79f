import { ConflictError, NotFoundError } from '../errors';
import { recordMetric } from '../metrics';
import { withoutTableAttributes } from '../table/attributes';
import { getItem, putItem, updateItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryPage } from '../table/queries';
import { FINISHED_STATUSES, type Import, type ImportStatus } from './schema';

/**
 * Import records (IMPORT#{id}): what an import is, how far it got and how it ended, and the object → import claim
 * that makes a redelivered S3 event the same import. The lease (./lease.ts), the chunk commit (./chunk-commit.ts)
 * and the row notes (./row-notes.ts) live beside it.
 */

export interface ImportRecord extends Import {
  rejectionsKey?: string;
  lease?: { owner: string; until: number };
  /** The header row's labels, kept for the rejections workbook of a resumed import. */
  headerLabels?: string[];
  /** Whether whoever asked for the upload (POST /imports) could assign leads then: an update list's リード担当者. */
  uploaderMayAssign?: boolean;
}

/** The import as the API shows it: not the lease, the workbook's key or the header kept for a resumed import. */
export function toImport(record: ImportRecord | Item): Import {
  return { ...withoutTableAttributes<Import>(record as Item, 'lease', 'rejectionsKey', 'headerLabels', 'uploaderMayAssign'), hasRejections: Boolean((record as ImportRecord).rejectionsKey) };
}

export async function claimImportForObject(object: { bucket: string; key: string; version: string }, proposedId: string): Promise<string> {
  const claim = await updateItem<{ importId: string }>({
    key: keys.importObject(object.bucket, object.key, object.version),
    update: 'SET importId = if_not_exists(importId, :id), entity = :entity',
    values: { ':id': proposedId, ':entity': ENTITY.importObject },
  });
  return claim.importId;
}

function recordItem(record: ImportRecord): Item {
  return {
    ...keys.import(record.importId),
    ...keys.importsByCampaignIndex(record.campaignId, record.importId),
    ...keys.importsIndex(record.importId),
    entity: ENTITY.import,
    ...record,
  };
}

/** Creates the record unless it exists (a redelivered event); returns the record as stored. */
export async function createImportRecord(record: ImportRecord): Promise<ImportRecord> {
  try {
    await putItem(recordItem(record), { condition: ITEM_ABSENT, returnItemOnConflict: true });
    return record;
  } catch (error) {
    if (error instanceof ConditionFailedError) return (error.item as unknown as ImportRecord | undefined) ?? (await getImportRecord(record.importId))!;
    throw error;
  }
}

export async function getImportRecord(importId: string): Promise<ImportRecord | undefined> {
  return getItem<ImportRecord>(keys.import(importId));
}

/** GET /imports/{importId}: the import as the API shows it. */
export async function requireImport(importId: string): Promise<Import> {
  const record = await getImportRecord(importId);
  if (!record) throw new NotFoundError(`no import ${importId}`);
  return toImport(record);
}

export async function listImports(filter: { campaignId?: string; limit: number }, startKey?: Item) {
  const page = filter.campaignId
    ? await queryPage<ImportRecord & Item>({
        index: 'gsi1',
        partition: keys.importsByCampaignPartition(filter.campaignId),
        descending: true,
        limit: filter.limit,
        startKey,
      })
    : await queryPage<ImportRecord & Item>({ index: 'gsi2', partition: keys.importsPartition, descending: true, limit: filter.limit, startKey });
  return { items: page.items.map(toImport), lastKey: page.lastKey };
}


export async function finishImport(input: {
  importId: string;
  owner?: string;
  status: ImportStatus;
  reason?: string;
  rejectionsKey?: string;
  now: Date;
}): Promise<void> {
  try {
    await updateItem({
      key: keys.import(input.importId),
      update: `SET #status = :status, finishedAt = :now${input.reason ? ', reason = :reason' : ''}${input.rejectionsKey ? ', rejectionsKey = :rk' : ''} REMOVE lease`,
      condition: input.owner ? 'lease.#owner = :owner' : ITEM_EXISTS,
      names: { '#status': 'status', ...(input.owner ? { '#owner': 'owner' } : {}) },
      values: {
        ':status': input.status,
        ':now': input.now.toISOString(),
        ...(input.reason ? { ':reason': input.reason } : {}),
        ...(input.rejectionsKey ? { ':rk': input.rejectionsKey } : {}),
        ...(input.owner ? { ':owner': input.owner } : {}),
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new ConflictError(`import ${input.importId} is no longer held by this invocation`, { cause: error });
    throw error;
  }
  if (FINISHED_STATUSES.includes(input.status)) recordMetric.importEnded(input.status === 'failed');
}

/** Keeps the header row's labels on the record, for the rejections workbook of a resumed import. */
export async function keepHeaderLabels(importId: string, labels: string[]): Promise<void> {
  await updateItem({ key: keys.import(importId), update: 'SET headerLabels = if_not_exists(headerLabels, :labels)', values: { ':labels': labels } });
}

/** Records how many data rows the file holds, once its first reading knows (a resumed import keeps the first count). */
export async function keepTotalRows(importId: string, totalRows: number): Promise<void> {
  await updateItem({ key: keys.import(importId), update: 'SET totalRows = if_not_exists(totalRows, :total)', values: { ':total': totalRows } });
}

/** Records the object version of a presigned upload, learnt only when its event arrives. */
export async function keepObjectVersion(importId: string, versionId: string): Promise<void> {
  await updateItem({ key: keys.import(importId), changes: { set: { versionId } } });
}
