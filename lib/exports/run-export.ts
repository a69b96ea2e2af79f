import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { findLeads } from '../leads/list';
import type { ListedLead } from '../leads/model';
import { config } from '../config';
import { FAULT_POINTS, faultPoint } from '../faults';
import { log } from '../log';
import { exportKey } from '../storage/layout';
import { uploadStream } from '../storage/s3-upload';
import { ReadBudget } from '../table/queries';
import type { ShardedPosition } from '../table/sharded-query';
import { neutraliseForCsv } from '../text/spreadsheet-safety';
import { getUser } from '../users/repository';
import { EXPORT_COLUMNS, MAX_EXPORT_EXTRA_COLUMNS } from './columns';
import { openRowSpool, type RowSpool } from './spool';
import { getExportRecord, markExport, type ExportRecord } from './repository';
import { WorkbookWriter } from '../text/workbook-writer';

/**
 * Writes an export: the leads its requester's filter finds, as that requester sees them, in two passes. The first
 * reads them page by page into a spool on local disk (./spool.ts), learning which extra columns they have; the
 * second writes the file, header first, streamed to S3. Memory holds one page of leads, the extra columns' labels
 * and the upload's buffer, whatever the number of leads.
 */

const PAGE = 500;

/**
 * What one export may read (config.exportReadItems, a million by default): its function has 15 minutes; a filter the indexes serve poorly stops well before that
 * with a reason the requester can act on, instead of dying with the export left running.
 */
export const EXPORT_READ_MS = 10 * 60_000;

class ExportTooBroad extends Error {
  override readonly name = 'ExportTooBroad';
}

class TooManyExtraColumns extends Error {
  override readonly name = 'TooManyExtraColumns';
}

/** A spooled row: the export's own columns' values (null where empty, as JSON keeps it), and the lead's extra columns. */
type SpooledRow = [values: (string | number | null)[], extra: Record<string, string>];

interface RowSink {
  add(values: (string | number | undefined)[]): Promise<void>;
  close(): Promise<void>;
}

function xlsxSink(body: PassThrough): RowSink {
  const workbook = new WorkbookWriter({ stream: body, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('リード');
  return {
    // Every value is a typed string or number cell: Excel shows "=1+1" as text and never runs it.
    add: async (values) => sheet.addRow(values.map((v) => v ?? null)).commit(),
    close: async () => {
      sheet.commit();
      await workbook.commit();
    },
  };
}

function csvSink(body: PassThrough): RowSink {
  const cell = (value: string | number | undefined) => {
    const text = neutraliseForCsv(value === undefined ? '' : String(value));
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  // A BOM so Excel opens the UTF-8 file with the right encoding.
  body.write('\ufeff');
  return {
    add: async (values) => {
      if (!body.write(values.map(cell).join(',') + '\r\n')) await once(body, 'drain');
    },
    close: async () => void body.end(),
  };
}

/** Pass one: the leads into the spool; the extra columns' labels they have, in the order first met. */
async function spoolLeads(record: ExportRecord, spool: RowSpool<SpooledRow[]>): Promise<{ rows: number; labels: string[] }> {
  const ownerEmails = new Map<string, string | undefined>();
  const ownerEmail = async (lead: ListedLead) => {
    if (!lead.ownerId) return undefined;
    if (!ownerEmails.has(lead.ownerId)) ownerEmails.set(lead.ownerId, (await getUser(lead.ownerId))?.email);
    return ownerEmails.get(lead.ownerId);
  };
  const labels = new Set<string>();
  let rows = 0;
  let position: ShardedPosition | undefined;
  const budget = new ReadBudget(config.exportReadItems(), EXPORT_READ_MS);
  do {
    const page = await findLeads({ ...record.filter, limit: PAGE }, record.caller, position, budget, { withExtra: true });
    const spooled: SpooledRow[] = [];
    for (const { lead, extra = {} } of page.items) {
      for (const label of Object.keys(extra)) labels.add(label);
      const email = await ownerEmail(lead);
      spooled.push([EXPORT_COLUMNS.map((c) => c.value(lead, email) ?? null), extra]);
    }
    // A page a line: one write and, in pass two, one line to parse per page instead of per lead.
    await spool.add(spooled);
    rows += spooled.length;
    if (labels.size > MAX_EXPORT_EXTRA_COLUMNS) throw new TooManyExtraColumns();
    position = page.position;
    if (position && budget.exhausted) throw new ExportTooBroad();
  } while (position);
  return { rows, labels: [...labels] };
}

/** Pass two: the header and the spooled rows, streamed to S3 as the file asked for. */
async function writeFile(record: ExportRecord, bucket: string, key: string, spool: RowSpool<SpooledRow[]>, labels: string[]): Promise<void> {
  const body = new PassThrough();
  const contentType = record.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const upload = uploadStream(bucket, key, body, contentType);
  try {
    const sink = record.format === 'csv' ? csvSink(body) : xlsxSink(body);
    await sink.add([...EXPORT_COLUMNS.map((c) => c.label), ...labels]);
    for await (const page of spool.rows()) {
      for (const [values, extra] of page) await sink.add([...values.map((v) => v ?? undefined), ...labels.map((label) => extra[label])]);
    }
    await sink.close();
    await upload;
  } catch (error) {
    body.destroy();
    await upload.catch(() => undefined);
    throw error;
  }
}

export async function runExport(exportId: string, bucket: string): Promise<void> {
  const record = await getExportRecord(exportId);
  if (!record || record.status === 'succeeded' || record.status === 'failed') return;
  await markExport(exportId, { status: 'running' });
  const key = exportKey(exportId, record.format);
  const spool = await openRowSpool<SpooledRow[]>('export');
  try {
    const { rows, labels } = await spoolLeads(record, spool);
    await faultPoint(FAULT_POINTS.exportWrite);
    await writeFile(record, bucket, key, spool, labels);
    await markExport(exportId, { status: 'succeeded', rows, key, finishedAt: new Date().toISOString() });
    log.info('export finished', { exportId, rows, extraColumns: labels.length, spoolBytes: spool.bytes });
  } catch (error) {
    log.error('export failed', { exportId, errorName: (error as Error).name, errorMessage: (error as Error).message });
    const reason =
      error instanceof ExportTooBroad
        ? 'the filter reads too many leads to find the ones it matches; narrow it (campaign, owner, stage) and ask again'
        : error instanceof TooManyExtraColumns
          ? `these leads have more than ${MAX_EXPORT_EXTRA_COLUMNS} different extra columns, more than a sheet holds; narrow the filter (a campaign) and ask again`
          : 'the export could not be written; please ask for it again';
    await markExport(exportId, { status: 'failed', reason, finishedAt: new Date().toISOString() });
  } finally {
    await spool.remove();
  }
}
