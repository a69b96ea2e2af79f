import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isId, newId } from '../ids';
import { getCampaign } from '../campaigns/repository';
import { log } from '../log';
import { downloadToFile, headObject } from '../storage/s3';
import { getItem, updateItem } from '../table/client';
import { keys } from '../table/keys';
import {
  acquireCampaignLock,
  acquireLease,
  claimImportForObject,
  commitChunk,
  createImportRecord,
  finishImport,
  getImportRecord,
  LeaseLostError,
  putRowNotes,
  releaseCampaignLock,
  releaseLease,
  type ImportRecord,
  type IntakeMetrics,
  type RowNote,
} from './imports-repository';
import { configuredMatchMode, type MatchMode } from '../leads/match-key';
import { formatOf, isListHeader, ListFileError, readList, type ListHeader, type ReadLimits } from './reader';
import { Registrar, type PreparedChunk, type PreparedRow, type RegisterKind } from './register-list';
import { writeRejectionsWorkbook } from './rejections-workbook';
import { judgeRow } from './row-rules';
import { emptyCounts, IMPORT_KINDS, type ImportCounts, type ImportKind } from './schema';
import { updateRows, type UpdateRow } from './update-list';
import { notifyListAssignments } from '../assignment/by-list';

/**
 * One list import from start to finish, or to the point where this invocation's time runs out: then it commits,
 * lets go of the import and asks for a fresh invocation, which resumes after the last committed row.
 */

export interface IntakeRuntime {
  bucket: string;
  now(): Date;
  /** Milliseconds this invocation may still spend. */
  remainingMs(): number;
  /** Starts a fresh invocation that continues the import (async Lambda invoke in the cloud). */
  continueLater(importId: string): Promise<void>;
  limits?: Partial<ReadLimits>;
  chunkSize?: number;
  matchMode?: MatchMode;
}

/** Stop taking new chunks when less than this is left: a chunk and its commit must fit in what remains. */
export const SAFETY_MARGIN_MS = 60_000;
const DEFAULT_CHUNK_ROWS = 500;

export interface UploadedObject {
  key: string;
  versionId?: string;
  etag?: string;
  uploadedBy?: string;
}

/** `imports/{campaignId}/{kind}/{fileName}` → its parts; undefined for a key outside that layout. */
export function parseImportKey(key: string): { campaignId: string; kind: string; fileName: string } | undefined {
  const match = /^imports\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  return match ? { campaignId: match[1]!, kind: match[2]!, fileName: match[3]! } : undefined;
}

const japanDate = (date: Date) => new Date(date.getTime() + 9 * 3600_000).toISOString().slice(0, 10);

/** Records the import for an uploaded object (once, however often the event arrives) and runs it. */
export async function importUploadedObject(runtime: IntakeRuntime, object: UploadedObject): Promise<string> {
  const now = runtime.now();
  const { importId, refused } = await recordUploadedObject(runtime.bucket, object, now);
  if (!refused) await runImport(runtime, importId);
  return importId;
}

/**
 * The import record of an uploaded object, created on the first delivery of its event and found again on every
 * later one. An upload that cannot run (see refusalReason) is ended as failed with the reason, and `refused`.
 */
export async function recordUploadedObject(bucket: string, object: UploadedObject, now: Date): Promise<{ importId: string; refused: boolean }> {
  const info = await headObject(bucket, object.key);
  // S3 quotes the ETag in HeadObject but not in event notifications; the claim must see them as one.
  const etag = (object.etag ?? info?.etag)?.replace(/"/g, '');
  const version = object.versionId ?? info?.versionId ?? etag ?? 'unversioned';
  // An upload through POST /imports names its import in signed metadata; a plain bucket upload gets a new id.
  const announced = info?.metadata['import-id'];
  const announcedRecord = announced && isId(announced) ? await getImportRecord(announced) : undefined;
  const usable = announcedRecord && announcedRecord.status === 'queued' && announcedRecord.key === object.key ? announcedRecord : undefined;
  const importId = await claimImportForObject({ bucket, key: object.key, version }, usable?.importId ?? newId(now.getTime()));

  const parts = parseImportKey(object.key);
  const record = await createImportRecord({
    importId,
    campaignId: parts?.campaignId,
    kind: parts?.kind ?? 'unknown',
    status: 'queued',
    key: object.key,
    fileName: parts?.fileName ?? object.key.slice(object.key.lastIndexOf('/') + 1),
    versionId: object.versionId ?? info?.versionId,
    uploadedBy: usable?.uploadedBy ?? object.uploadedBy,
    counts: emptyCounts(),
    createdAt: now.toISOString(),
    hasRejections: false,
  });
  if (usable && object.versionId && !record.versionId) {
    await updateItem({ key: keys.import(importId), update: 'SET versionId = :v', values: { ':v': object.versionId } });
  }
  const refusal = await refusalReason(parts, info === undefined);
  if (refusal) {
    if (record.status === 'queued') await finishImport({ importId, status: 'failed', reason: refusal, now });
    log.warn('import refused', { importId, reason: refusal });
  }
  return { importId, refused: refusal !== undefined };
}

async function refusalReason(parts: ReturnType<typeof parseImportKey>, gone: boolean): Promise<string | undefined> {
  if (!parts) return 'the file is not under imports/{campaignId}/{invitation|participant|update}/{fileName}';
  if (!(IMPORT_KINDS as readonly string[]).includes(parts.kind)) {
    return `unknown list kind "${parts.kind}": use invitation, participant or update`;
  }
  if (!formatOf(parts.fileName)) return `"${parts.fileName}" is neither an .xlsx workbook nor a .csv file`;
  if (!(await getCampaign(parts.campaignId))) return `no campaign ${parts.campaignId}`;
  if (gone) return 'the uploaded file is no longer in the bucket';
  return undefined;
}

/** Works the import from its last checkpoint; returns when it is finished or handed to a fresh invocation. */
export async function runImport(runtime: IntakeRuntime, importId: string): Promise<void> {
  const owner = newId();
  const leaseFor = () => runtime.now().getTime() + Math.min(runtime.remainingMs(), 15 * 60_000) + 60_000;
  const record = await acquireLease(importId, owner, leaseFor(), runtime.now());
  if (!record) {
    log.info('import not taken: finished, or another invocation holds it', { importId });
    return;
  }
  // Invitation and participant lists of one campaign take turns: the one holding the campaign's intake lock may
  // write its campaign histories with plain batch writes (see register-list.ts).
  const exclusive = record.kind === 'invitation' || record.kind === 'participant';
  let freshCampaign = false;
  if (exclusive && record.campaignId) {
    let { heldBy, first } = await acquireCampaignLock(record.campaignId, importId, owner, leaseFor(), runtime.now());
    if (heldBy) log.info('import waiting for its campaign intake lock', { importId, heldBy });
    while (heldBy && runtime.remainingMs() > SAFETY_MARGIN_MS) {
      await sleep(1000);
      ({ heldBy, first } = await acquireCampaignLock(record.campaignId, importId, owner, leaseFor(), runtime.now()));
    }
    freshCampaign = first === true && (await hasNoHistories(record.campaignId));
    if (heldBy) {
      log.info('import waits for another import of its campaign', { importId, waitingFor: heldBy });
      await releaseLease(importId, owner);
      await sleep(1000);
      await runtime.continueLater(importId);
      return;
    }
  }
  const dir = await mkdtemp(join(tmpdir(), 'intake-'));
  try {
    const outcome = await work(runtime, record, owner, join(dir, 'list'), leaseFor, exclusive, freshCampaign);
    if (outcome === 'paused') {
      if (exclusive && record.campaignId) await releaseCampaignLock(record.campaignId, importId);
      await releaseLease(importId, owner);
      await runtime.continueLater(importId);
      log.info('import paused, continuing in a fresh invocation', { importId });
    }
  } catch (error) {
    if (error instanceof ListFileError) {
      await finishImport({ importId, owner, status: 'failed', reason: error.message, now: runtime.now() });
      log.warn('import failed: the file cannot be read', { importId, reason: error.message });
      return;
    }
    if (error instanceof LeaseLostError) {
      log.warn('import taken over by another invocation', { importId });
      return;
    }
    // Anything else is worth a retry (Lambda retries the async event); let the retry take the import at once.
    await releaseLease(importId, owner).catch(() => undefined);
    throw error;
  } finally {
    if (exclusive && record.campaignId) await releaseCampaignLock(record.campaignId, importId).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The campaign's counters show no history. Being the lock's first holder already says so for every campaign whose
 * lock records its first holder; the counters also cover campaigns whose lock item predates that record.
 */
async function hasNoHistories(campaignId: string): Promise<boolean> {
  const counters = await getItem<Partial<IntakeMetrics>>(keys.campaignMetrics(campaignId));
  return (counters?.invited ?? 0) + (counters?.responded ?? 0) === 0;
}

async function work(
  runtime: IntakeRuntime,
  record: ImportRecord,
  owner: string,
  path: string,
  leaseFor: () => number,
  exclusive: boolean,
  freshCampaign: boolean,
): Promise<'finished' | 'paused'> {
  const kind = record.kind as ImportKind;
  const matchMode = runtime.matchMode ?? configuredMatchMode();
  const chunkSize = runtime.chunkSize ?? DEFAULT_CHUNK_ROWS;
  await downloadToFile(runtime.bucket, record.key, path, record.versionId);

  const counts: ImportCounts = { ...emptyCounts(), ...record.counts };
  let checkpoint = record.checkpointRow ?? 0;
  let header: ListHeader | undefined;
  type Chunk = { rowNumber: number; cells: string[]; verdict: ReturnType<typeof judgeRow> }[];
  let chunk: Chunk = [];
  const registrar =
    kind === 'update'
      ? undefined
      : new Registrar({ importId: record.importId, campaignId: record.campaignId!, kind: kind as RegisterKind, now: runtime.now(), defaultArisenOn: japanDate(new Date(record.createdAt)), exclusive, freshCampaign });
  // A chunk goes in two stages: its writes, then its commit (row notes, then checkpoint and counters in one
  // transaction). While one chunk writes, the next is read from the file and its people are looked up in the table;
  // while it commits, the next chunk writes. Commits go one at a time, in row order. Writes that run ahead of the
  // checkpoint are safe: each carries its row's marker, so a replay after a crash counts them as the first attempt
  // would have. An update list's chunk waits for the previous chunk's commit.
  let writing: Promise<unknown> = Promise.resolve();
  let committing: Promise<void> = Promise.resolve();
  let committedBefore: Promise<void> = Promise.resolve();

  const commit = async () => {
    if (chunk.length === 0) return;
    const rows = chunk;
    chunk = [];
    const prepared = registrar?.prepare(rows.filter((r) => r.verdict.ok).map(preparedRow));
    await writing;
    await (kind === 'update' ? committing : committedBefore);
    const writes = writeChunk(rows, prepared);
    const previousCommit = committing;
    committing = (async () => {
      // Settles only once everything before it has, even when one of them fails.
      const [outcome, before] = await Promise.allSettled([writes, previousCommit]);
      if (before.status === 'rejected') throw before.reason;
      if (outcome.status === 'rejected') throw outcome.reason;
      await commitChunkOutcome(rows, outcome.value);
    })();
    committedBefore = previousCommit;
    writing = writes;
    // Awaited by the next chunk, a pause or the end of the file.
    writes.catch(() => undefined);
    committing.catch(() => undefined);
  };

  type ChunkOutcome = { delta: ImportCounts; notes: RowNote[]; metrics: IntakeMetrics };

  const writeChunk = async (chunk: Chunk, prepared?: PreparedChunk): Promise<ChunkOutcome> => {
    const now = runtime.now();
    const delta = emptyCounts();
    delta.rows = chunk.length;
    const notes: RowNote[] = [];
    const metrics: IntakeMetrics = { invited: 0, responded: 0, newLeads: 0, knownLeads: 0 };
    for (const row of chunk) {
      if (!row.verdict.ok) {
        delta.rejected++;
        notes.push({ rowNumber: row.rowNumber, outcome: 'rejected', code: row.verdict.rejection.code, reason: row.verdict.rejection.reason, cells: row.cells });
      }
    }
    const valid = chunk.filter((r) => r.verdict.ok);
    if (kind === 'update') {
      const result = await updateRows(
        { importId: record.importId, actorId: record.uploadedBy ?? 'system', now, matchMode },
        valid.map((r) => {
          const v = r.verdict as Extract<typeof r.verdict, { ok: true }>;
          return { rowNumber: r.rowNumber, cells: r.cells, draft: v.draft, matchKey: v.matchKey, leadId: v.leadId, version: v.version, owner: v.owner } satisfies UpdateRow;
        }),
      );
      add(delta, result.counts);
      notes.push(...result.notes);
    } else {
      const result = await registrar!.register(prepared!, now);
      add(delta, result.counts);
      notes.push(...result.notes);
      Object.assign(metrics, result.metrics);
    }
    return { delta, notes, metrics };
  };

  const commitChunkOutcome = async (chunk: Chunk, { delta, notes, metrics }: ChunkOutcome) => {
    const now = runtime.now();
    await putRowNotes(record.importId, notes, now);
    const toRow = chunk[chunk.length - 1]!.rowNumber;
    await commitChunk({ importId: record.importId, owner, fromRow: checkpoint, toRow, counts: delta, campaignId: record.campaignId, metrics, leaseUntil: leaseFor(), now, campaignLock: exclusive });
    add(counts, delta);
    checkpoint = toRow;
  };

  const format = formatOf(record.fileName)!;
  if (format === 'csv' && checkpoint === 0) {
    // A CSV, unlike a workbook, can hold more rows than the limit: refuse it before writing anything, rather than
    // importing the first million rows and then failing. Counting is a fraction of the import's time.
    for await (const item of readList(path, format, runtime.limits)) void item;
  }
  try {
    for await (const item of readList(path, format, runtime.limits, { startAfterRow: checkpoint })) {
      if (isListHeader(item)) {
        header = item;
        if (!record.headerLabels) {
          await updateItem({ key: keys.import(record.importId), update: 'SET headerLabels = if_not_exists(headerLabels, :labels)', values: { ':labels': item.labels } });
          record.headerLabels = item.labels;
        }
        continue;
      }
      chunk.push({ rowNumber: item.rowNumber, cells: item.cells, verdict: judgeRow(item, { kind: kind === 'update' ? 'update' : 'register', matchMode }) });
      if (chunk.length >= chunkSize) {
        await commit();
        if (runtime.remainingMs() < SAFETY_MARGIN_MS) {
          await committing;
          return 'paused';
        }
      }
    }
    await commit();
  } finally {
    // Nothing goes on while the import stops or fails: the chunks under way write and commit (or fail) first.
    await committing.catch(() => undefined);
  }
  await writing;
  await committing;

  const now = runtime.now();
  let rejectionsKey: string | undefined;
  if (counts.rejected > 0 || counts.merged > 0) {
    rejectionsKey = `rejections/${record.importId}.xlsx`;
    await writeRejectionsWorkbook({ bucket: runtime.bucket, key: rejectionsKey, importId: record.importId, labels: header?.labels ?? record.headerLabels ?? [] });
  }
  // Owners given leads by the list hear of it once, for the whole file, before the import reads as finished.
  if (kind === 'update') await notifyListAssignments({ importId: record.importId, uploadedBy: record.uploadedBy ?? 'system', fileName: record.fileName, createdAt: record.createdAt });
  await finishImport({
    importId: record.importId,
    owner,
    status: counts.rejected > 0 ? 'completed_with_errors' : 'succeeded',
    rejectionsKey,
    now,
  });
  log.info('import finished', { importId: record.importId, counts });
  return 'finished';
}

function preparedRow(r: { rowNumber: number; cells: string[]; verdict: ReturnType<typeof judgeRow> }): PreparedRow {
  const v = r.verdict as Extract<typeof r.verdict, { ok: true }>;
  return { rowNumber: r.rowNumber, cells: r.cells, draft: v.draft, matchKey: v.matchKey!, arisenOn: v.arisenOn } satisfies PreparedRow;
}

function add(target: ImportCounts, delta: ImportCounts): void {
  for (const key of Object.keys(delta) as (keyof ImportCounts)[]) target[key] += delta[key];
}
