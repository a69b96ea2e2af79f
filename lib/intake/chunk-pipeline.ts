import { notifyListAssignments } from '../assignment/by-list';
import { configuredMatchMode } from '../leads/match-key';
import { log } from '../log';
import { recordMetric } from '../metrics';
import { rejectionsKey as rejectionsKeyOf } from '../storage/layout';
import { downloadToFile } from '../storage/s3';
import { japanDateOf } from '../text/japan-time';
import { commitChunk, type IntakeMetrics } from './chunk-commit';
import { finishImport, keepHeaderLabels, keepTotalRows, type ImportRecord } from './import-record';
import { formatOf, isListHeader, readList, type ListHeader } from './reader';
import { Registrar, type PreparedChunk, type PreparedRow } from './register-list';
import { writeRejectionsWorkbook } from './rejections-workbook';
import { putRowNotes, type RowNote } from './row-notes';
import { judgeListRow, type JudgedRow } from './row-rules';
import { emptyCounts, isImportKind, type ImportCounts } from './schema';
import { updateRows, type UpdateRow } from './update-list';
import { mayChangeOwners } from './uploads';
import { SAFETY_MARGIN_MS, type IntakeRuntime } from './runtime';

/**
 * The rows of one import, chunk by chunk, from its last checkpoint to the end of the file (or until the
 * invocation's time runs low). A chunk goes in two stages: its writes, then its commit (row notes, then checkpoint
 * and counters in one transaction). While one chunk writes, the next is read from the file and its people are
 * looked up in the table; while it commits, the next chunk writes. Commits go one at a time, in row order. Writes
 * that run ahead of the checkpoint are safe: each carries its row's marker, so a replay after a crash counts them as
 * the first attempt would have. An update list's chunk waits for the previous chunk's commit.
 */

const DEFAULT_CHUNK_ROWS = 500;


export interface ImportWork {
  runtime: IntakeRuntime;
  record: ImportRecord;
  /** The lease holder: this invocation. */
  owner: string;
  /** Where the uploaded file is downloaded to. */
  path: string;
  leaseFor: () => number;
  /** This invocation holds the campaign's intake lock. */
  exclusive: boolean;
  /** No history of the campaign existed when the lock was first taken. */
  freshCampaign: boolean;
}

interface ChunkOutcome {
  delta: ImportCounts;
  notes: RowNote[];
  metrics: IntakeMetrics;
}

const noMetrics = (): IntakeMetrics => ({ invited: 0, responded: 0, invitedResponded: 0, newLeads: 0, knownLeads: 0 });

/** A register row as the registrar takes it: the row rules give every accepted register row a name and a match key. */
function preparedRow(row: Extract<JudgedRow, { ok: true }>): PreparedRow {
  const { draft, matchKey, arisenOn } = row.accepted;
  const name = draft.name;
  if (!matchKey || !name) throw new Error(`row ${row.rowNumber} was accepted for a register list without a name or match key`);
  return { rowNumber: row.rowNumber, cells: row.cells, draft: { ...draft, name }, matchKey, arisenOn };
}

function updateRow(row: Extract<JudgedRow, { ok: true }>): UpdateRow {
  const { draft, matchKey, leadId, version, owner, listed } = row.accepted;
  return { rowNumber: row.rowNumber, cells: row.cells, draft, matchKey, leadId, version, owner, listed };
}

function add(target: ImportCounts, delta: ImportCounts): void {
  for (const key of Object.keys(delta) as (keyof ImportCounts)[]) target[key] += delta[key];
}

export async function workImport(work: ImportWork): Promise<'finished' | 'paused'> {
  const { runtime, record, owner, leaseFor, exclusive } = work;
  const kind = record.kind;
  // Only uploads of a known kind are ever run (./uploads.ts refuses the others).
  if (!isImportKind(kind)) throw new Error(`import ${record.importId} is of no list kind: ${kind}`);
  const matchMode = runtime.matchMode ?? configuredMatchMode();
  const chunkSize = runtime.chunkSize ?? DEFAULT_CHUNK_ROWS;
  await downloadToFile(runtime.bucket, record.key, work.path, record.versionId);

  const counts: ImportCounts = { ...emptyCounts(), ...record.counts };
  let checkpoint = record.checkpointRow ?? 0;
  // This invocation's pace, for the rows-per-second metric (a long import is read by several invocations).
  const firstRow = checkpoint;
  const startedAt = Date.now();
  const recordPace = () => recordMetric.importRate(checkpoint - firstRow, Date.now() - startedAt);
  let header: ListHeader | undefined;
  let chunk: JudgedRow[] = [];
  const registrar =
    kind === 'update'
      ? undefined
      : new Registrar({
          importId: record.importId,
          campaignId: record.campaignId!,
          kind,
          now: runtime.now(),
          defaultArisenOn: japanDateOf(record.createdAt),
          exclusive,
          freshCampaign: work.freshCampaign,
        });
  const ownerChanges = kind === 'update' ? await mayChangeOwners(record) : undefined;
  let writing: Promise<unknown> = Promise.resolve();
  let committing: Promise<void> = Promise.resolve();
  let committedBefore: Promise<void> = Promise.resolve();

  const writeChunk = async (rows: JudgedRow[], prepared?: PreparedChunk): Promise<ChunkOutcome> => {
    const now = runtime.now();
    const delta = emptyCounts();
    delta.rows = rows.length;
    const notes: RowNote[] = [];
    const metrics = noMetrics();
    const accepted: Extract<JudgedRow, { ok: true }>[] = [];
    for (const row of rows) {
      if (row.ok) accepted.push(row);
      else {
        delta.rejected++;
        notes.push({ rowNumber: row.rowNumber, outcome: 'rejected', code: row.rejection.code, reason: row.rejection.reason, cells: row.cells });
      }
    }
    const result =
      kind === 'update'
        ? await updateRows({ importId: record.importId, actorId: record.uploadedBy ?? 'system', now, matchMode, mayChangeOwners: ownerChanges! }, accepted.map(updateRow))
        : await registrar!.register(prepared!, now);
    add(delta, result.counts);
    notes.push(...result.notes);
    if ('metrics' in result) Object.assign(metrics, result.metrics);
    return { delta, notes, metrics };
  };

  const commitOutcome = async (rows: JudgedRow[], { delta, notes, metrics }: ChunkOutcome) => {
    const now = runtime.now();
    await putRowNotes(record.importId, notes, now);
    const toRow = rows[rows.length - 1]!.rowNumber;
    await commitChunk({ importId: record.importId, owner, fromRow: checkpoint, toRow, counts: delta, campaignId: record.campaignId, metrics, leaseUntil: leaseFor(), now, campaignLock: exclusive });
    add(counts, delta);
    checkpoint = toRow;
  };

  const commit = async () => {
    if (chunk.length === 0) return;
    const rows = chunk;
    chunk = [];
    const prepared = registrar?.prepare(rows.filter((r) => r.ok).map(preparedRow));
    await writing;
    await (kind === 'update' ? committing : committedBefore);
    const writes = writeChunk(rows, prepared);
    const previousCommit = committing;
    committing = (async () => {
      // Settles only once everything before it has, even when one of them fails.
      const [outcome, before] = await Promise.allSettled([writes, previousCommit]);
      if (before.status === 'rejected') throw before.reason;
      if (outcome.status === 'rejected') throw outcome.reason;
      await commitOutcome(rows, outcome.value);
    })();
    committedBefore = previousCommit;
    writing = writes;
    // Awaited by the next chunk, a pause or the end of the file.
    writes.catch(() => undefined);
    committing.catch(() => undefined);
  };

  const format = formatOf(record.fileName)!;
  // Invitation and participant lists both register people; an update list only changes known leads.
  const listKind = kind === 'update' ? 'update' : 'register';
  if (record.totalRows === undefined) {
    // A first reading counts the rows, so the import record says how many the file holds (the uploader sees
    // "rows done of rows") before anything is written, and a file with more rows than the limit (a CSV can hold any
    // number) is refused before writing anything rather than after the first million rows. Reading is a few per
    // cent of an import's time (bench:ingest, ratio b).
    let totalRows = 0;
    for await (const item of readList(work.path, format, runtime.limits, { kind: listKind })) if (!isListHeader(item)) totalRows++;
    await keepTotalRows(record.importId, totalRows);
    record.totalRows = totalRows;
  }
  try {
    for await (const item of readList(work.path, format, runtime.limits, { startAfterRow: checkpoint, kind: listKind })) {
      if (isListHeader(item)) {
        header = item;
        if (!record.headerLabels) {
          await keepHeaderLabels(record.importId, item.labels);
          record.headerLabels = item.labels;
        }
        continue;
      }
      chunk.push(judgeListRow(item, { kind: listKind, matchMode }));
      if (chunk.length >= chunkSize) {
        await commit();
        if (runtime.remainingMs() < SAFETY_MARGIN_MS) {
          await committing;
          recordPace();
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
  recordPace();

  const now = runtime.now();
  let rejectionsKey: string | undefined;
  if (counts.rejected > 0 || counts.merged > 0) {
    rejectionsKey = rejectionsKeyOf(record.importId);
    await writeRejectionsWorkbook({ bucket: runtime.bucket, key: rejectionsKey, importId: record.importId, labels: header?.labels ?? record.headerLabels ?? [] });
  }
  // Owners given leads by the list hear of it once, for the whole file, before the import reads as finished.
  if (kind === 'update') await notifyListAssignments({ importId: record.importId, uploadedBy: record.uploadedBy ?? 'system', fileName: record.fileName, createdAt: record.createdAt });
  await finishImport({ importId: record.importId, owner, status: counts.rejected > 0 ? 'completed_with_errors' : 'succeeded', rejectionsKey, now });
  log.info('import finished', { importId: record.importId, counts });
  return 'finished';
}
