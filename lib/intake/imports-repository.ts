import { ConflictError } from '../errors';
import {
  batchWrite,
  ConditionFailedError,
  getItem,
  putItem,
  putRequest,
  query,
  tableName,
  toAttributes,
  transactWrite,
  TransactionConflictError,
  updateItem,
  type Item,
} from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { queryPage } from '../table/pages';
import type { Import, ImportCounts, ImportStatus } from './schema';

/**
 * Import records (IMPORT#{id}), the object → import claim that makes a redelivered S3 event the same import, the
 * lease that lets one invocation at a time work an import, and the per-chunk checkpoint that commits an import's
 * progress together with the campaign's counters, so that a retried chunk is never counted twice.
 */

export interface ImportRecord extends Import {
  rejectionsKey?: string;
  lease?: { owner: string; until: number };
  /** The header row's labels, kept for the rejections workbook of a resumed import. */
  headerLabels?: string[];
}

/** Counters on the campaign's METRICS item that list intake moves (issue: campaign effectiveness). */
export interface IntakeMetrics {
  invited: number;
  responded: number;
  newLeads: number;
  knownLeads: number;
}

export interface RowNote {
  rowNumber: number;
  outcome: 'rejected' | 'merged';
  code?: string;
  reason: string;
  /** The row's cells as uploaded, under the header's labels, for the rejections workbook. */
  cells: string[];
  mergedIntoRow?: number;
  /** For a version conflict: the lead as it is now, so the user sees what changed. */
  current?: Record<string, string>;
}

const PUBLIC_OMIT = ['PK', 'SK', 'entity', 'GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'lease', 'rejectionsKey', 'expiresAt', 'headerLabels'];

export function toImport(record: ImportRecord | Item): Import {
  const out: Item = { ...record };
  for (const k of PUBLIC_OMIT) delete out[k];
  out.hasRejections = Boolean((record as ImportRecord).rejectionsKey);
  return out as unknown as Import;
}

/** Rows, rejections and merges are kept for 30 days (they hold personal data); the counts stay forever. */
const ROW_NOTE_TTL_SECONDS = 30 * 24 * 3600;

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
    await putItem(recordItem(record), { condition: 'attribute_not_exists(PK)', returnItemOnConflict: true });
    return record;
  } catch (error) {
    if (error instanceof ConditionFailedError) return (error.item as unknown as ImportRecord | undefined) ?? (await getImportRecord(record.importId))!;
    throw error;
  }
}

export async function getImportRecord(importId: string): Promise<ImportRecord | undefined> {
  return getItem<ImportRecord>(keys.import(importId));
}

export async function listImports(filter: { campaignId?: string; limit: number }, startKey?: Item) {
  const page = filter.campaignId
    ? await queryPage<ImportRecord & Item>({
        index: 'gsi1',
        partition: keys.importsByCampaignIndex(filter.campaignId, '').GSI1PK,
        descending: true,
        limit: filter.limit,
        startKey,
      })
    : await queryPage<ImportRecord & Item>({ index: 'gsi2', partition: keys.importsIndex('').GSI2PK, descending: true, limit: filter.limit, startKey });
  return { items: page.items.map(toImport), lastKey: page.lastKey };
}

const FINISHED: ImportStatus[] = ['succeeded', 'completed_with_errors', 'failed'];

/**
 * Takes the import for this invocation: only when it is not finished and nobody else holds a live lease. A second
 * delivery of the same event while the first runs gets undefined and stops.
 */
export async function acquireLease(importId: string, owner: string, until: number, now: Date): Promise<ImportRecord | undefined> {
  try {
    return await updateItem<ImportRecord>({
      key: keys.import(importId),
      update: 'SET lease = :lease, #status = :running, startedAt = if_not_exists(startedAt, :now)',
      condition:
        'attribute_exists(PK) AND NOT #status IN (:s1, :s2, :s3) AND (attribute_not_exists(lease) OR lease.#until < :nowMs OR lease.#owner = :owner)',
      names: { '#status': 'status', '#until': 'until', '#owner': 'owner' },
      values: {
        ':lease': { owner, until },
        ':running': 'running',
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':owner': owner,
        ':s1': FINISHED[0],
        ':s2': FINISHED[1],
        ':s3': FINISHED[2],
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) return undefined;
    throw error;
  }
}

export async function releaseLease(importId: string, owner: string): Promise<void> {
  try {
    await updateItem({
      key: keys.import(importId),
      update: 'REMOVE lease',
      condition: 'lease.#owner = :owner',
      names: { '#owner': 'owner' },
      values: { ':owner': owner },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * The campaign's intake lock: list imports of one campaign take turns (imports of different campaigns run side by
 * side). Returns the import holding it when it is someone else's.
 *
 * `holder` names the invocation taking it. The lock item remembers the first invocation that ever held it, and
 * `first` says whether that is this one: every campaign history of a campaign is written under its lock, so the first
 * holder knows that no history of the campaign existed before it (see Registrar: it need not read them).
 */
export async function acquireCampaignLock(
  campaignId: string,
  importId: string,
  holder: string,
  until: number,
  now: Date,
): Promise<{ heldBy?: string; first?: boolean }> {
  try {
    const lock = await updateItem<{ firstHolder: string }>({
      key: keys.campaignIntakeLock(campaignId),
      update: 'SET entity = :entity, importId = :me, #until = :until, firstHolder = if_not_exists(firstHolder, :holder)',
      condition: 'attribute_not_exists(PK) OR #until < :now OR importId = :me',
      names: { '#until': 'until' },
      values: { ':entity': 'CampaignIntakeLock', ':me': importId, ':until': until, ':now': now.getTime(), ':holder': holder },
      returnItemOnConflict: true,
    });
    return { first: lock.firstHolder === holder };
  } catch (error) {
    if (error instanceof ConditionFailedError) return { heldBy: (error.item?.importId as string | undefined) ?? 'another import' };
    throw error;
  }
}

export async function releaseCampaignLock(campaignId: string, importId: string): Promise<void> {
  try {
    await updateItem({ key: keys.campaignIntakeLock(campaignId), update: 'SET #until = :zero', condition: 'importId = :me', names: { '#until': 'until' }, values: { ':zero': 0, ':me': importId } });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/** The lease was lost (it expired and another invocation took over): this invocation must stop writing. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}

/**
 * Commits one chunk: the import's checkpoint and counts, and the campaign's counters, in one transaction. The
 * condition on the previous checkpoint makes a replayed chunk (after a crash between writes and commit) commit once.
 */
export async function commitChunk(input: {
  importId: string;
  owner: string;
  fromRow: number;
  toRow: number;
  counts: ImportCounts;
  campaignId?: string;
  metrics: IntakeMetrics;
  leaseUntil: number;
  now: Date;
  /** Renew (and require) the campaign's intake lock in the same transaction. */
  campaignLock?: boolean;
}): Promise<void> {
  const countNames = Object.keys(input.counts) as (keyof ImportCounts)[];
  const update = [
    'SET checkpointRow = :toRow, lease.#until = :until',
    // Count names such as `rows` are reserved words in expressions, hence the placeholders.
    ...countNames.map((name) => `counts.#c_${name} = counts.#c_${name} + :c_${name}`),
  ].join(', ');
  const metricNames = (Object.keys(input.metrics) as (keyof IntakeMetrics)[]).filter((k) => input.metrics[k] !== 0);
  const items = [
    {
      Update: {
        TableName: tableName(),
        Key: toAttributes(keys.import(input.importId)),
        UpdateExpression: update,
        ConditionExpression: 'lease.#owner = :owner AND (checkpointRow = :fromRow OR (attribute_not_exists(checkpointRow) AND :fromRow = :zero))',
        ExpressionAttributeNames: { '#owner': 'owner', '#until': 'until', ...Object.fromEntries(countNames.map((name) => [`#c_${name}`, name])) },
        ExpressionAttributeValues: toAttributes({
          ':toRow': input.toRow,
          ':fromRow': input.fromRow,
          ':zero': 0,
          ':owner': input.owner,
          ':until': input.leaseUntil,
          ...Object.fromEntries(countNames.map((name) => [`:c_${name}`, input.counts[name]])),
        }),
      },
    },
    ...(input.campaignId && input.campaignLock
      ? [
          {
            Update: {
              TableName: tableName(),
              Key: toAttributes(keys.campaignIntakeLock(input.campaignId)),
              UpdateExpression: 'SET #until = :until',
              ConditionExpression: 'importId = :importId',
              ExpressionAttributeNames: { '#until': 'until' },
              ExpressionAttributeValues: toAttributes({ ':until': input.leaseUntil, ':importId': input.importId }),
            },
          },
        ]
      : []),
    ...(input.campaignId && metricNames.length > 0
      ? [
          {
            Update: {
              TableName: tableName(),
              Key: toAttributes(keys.campaignMetrics(input.campaignId)),
              UpdateExpression: `SET entity = :entity, campaignId = :campaignId, updatedAt = :now ADD ${metricNames.map((m) => `#${m} :m_${m}`).join(', ')}`,
              ExpressionAttributeNames: Object.fromEntries(metricNames.map((m) => [`#${m}`, m])),
              ExpressionAttributeValues: toAttributes({
                ':entity': ENTITY.campaignMetrics,
                ':campaignId': input.campaignId,
                ':now': input.now.toISOString(),
                ...Object.fromEntries(metricNames.map((m) => [`:m_${m}`, input.metrics[m]])),
              }),
            },
          },
        ]
      : []),
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      await transactWrite(items);
      return;
    } catch (error) {
      if (error instanceof TransactionConflictError && (error.reasons[0] === 'ConditionalCheckFailed' || (input.campaignLock && error.reasons[1] === 'ConditionalCheckFailed'))) {
        throw new LeaseLostError(`import ${input.importId} is no longer ours at row ${input.fromRow}`, { cause: error });
      }
      // An action or a conversion moving the same campaign counters at this instant: nothing was written, go again.
      const contended = error instanceof TransactionConflictError && error.reasons.includes('TransactionConflict');
      if (!contended || attempt >= COMMIT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt * (0.5 + Math.random())));
    }
  }
}

const COMMIT_ATTEMPTS = 6;

export async function putRowNotes(importId: string, notes: RowNote[], now: Date): Promise<void> {
  if (notes.length === 0) return;
  const expiresAt = Math.floor(now.getTime() / 1000) + ROW_NOTE_TTL_SECONDS;
  await batchWrite(notes.map((note) => putRequest({ ...keys.importRow(importId, note.rowNumber), entity: ENTITY.importRow, expiresAt, ...note })));
}

/** Row notes in row order, a page at a time (a file can have many). */
export async function* rowNotes(importId: string): AsyncGenerator<RowNote[]> {
  let startKey: Item | undefined;
  do {
    const page = await query<RowNote & Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :row)',
      ExpressionAttributeValues: toAttributes({ ':pk': keys.import(importId).PK, ':row': 'ROW#' }),
      Limit: 500,
      startKey,
    });
    yield page.items;
    startKey = page.lastKey;
  } while (startKey);
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
      condition: input.owner ? 'lease.#owner = :owner' : 'attribute_exists(PK)',
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
}

/** An invocation still holds a live lease on the import: it may yet finish it, so it is not given up now. */
export class ImportStillHeldError extends Error {
  override readonly name = 'ImportStillHeldError';
}

/**
 * Ends as failed an import that nothing will work again (its event failed every attempt), keeping the counts of what
 * it committed. 'finished' when it had ended already, 'missing' when there is no such record. Throws
 * ImportStillHeldError while an invocation's lease on it is live (a crashed invocation's lease runs out by itself).
 */
export async function abandonImport(importId: string, reason: string, now: Date): Promise<'abandoned' | 'finished' | 'missing'> {
  try {
    const record = await updateItem<ImportRecord>({
      key: keys.import(importId),
      update: 'SET #status = :failed, finishedAt = :now, reason = :reason REMOVE lease',
      condition:
        'attribute_exists(PK) AND NOT #status IN (:s1, :s2, :s3) AND (attribute_not_exists(lease) OR lease.#until < :nowMs)',
      names: { '#status': 'status', '#until': 'until' },
      values: {
        ':failed': 'failed',
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':reason': reason,
        ':s1': FINISHED[0],
        ':s2': FINISHED[1],
        ':s3': FINISHED[2],
      },
      returnItemOnConflict: true,
    });
    // Its list imports of the campaign need not wait for the lock to run out.
    if (record.campaignId) await releaseCampaignLock(record.campaignId, importId);
    return 'abandoned';
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const current = error.item as ImportRecord | undefined;
    if (!current) return 'missing';
    if (FINISHED.includes(current.status)) return 'finished';
    throw new ImportStillHeldError(`import ${importId} is held by a live invocation until ${new Date(current.lease!.until).toISOString()}`);
  }
}
