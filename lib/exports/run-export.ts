import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { findLeads } from '../leads/list';
import type { ListedLead } from '../leads/model';
import { config } from '../config';
import { log } from '../log';
import { exportKey } from '../storage/layout';
import { uploadStream } from '../storage/s3-upload';
import { ReadBudget } from '../table/queries';
import type { ShardedPosition } from '../table/sharded-query';
import { neutraliseForCsv } from '../text/spreadsheet-safety';
import { getUser } from '../users/repository';
import { EXPORT_COLUMNS } from './columns';
import { getExportRecord, markExport } from './repository';
import { WorkbookWriter } from '../text/workbook-writer';

/**
 * Writes an export: the leads its requester's filter finds, as that requester sees them, page by page into a
 * workbook streamed to S3. Memory holds one page of leads and the upload's buffer, whatever the number of leads.
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

export async function runExport(exportId: string, bucket: string): Promise<void> {
  const record = await getExportRecord(exportId);
  if (!record || record.status === 'succeeded' || record.status === 'failed') return;
  await markExport(exportId, { status: 'running' });
  const key = exportKey(exportId, record.format);
  const body = new PassThrough();
  const contentType = record.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const upload = uploadStream(bucket, key, body, contentType);
  const sink = record.format === 'csv' ? csvSink(body) : xlsxSink(body);
  const ownerEmails = new Map<string, string | undefined>();
  const ownerEmail = async (lead: ListedLead) => {
    if (!lead.ownerId) return undefined;
    if (!ownerEmails.has(lead.ownerId)) ownerEmails.set(lead.ownerId, (await getUser(lead.ownerId))?.email);
    return ownerEmails.get(lead.ownerId);
  };
  try {
    await sink.add(EXPORT_COLUMNS.map((c) => c.label));
    let rows = 0;
    let position: ShardedPosition | undefined;
    const budget = new ReadBudget(config.exportReadItems(), EXPORT_READ_MS);
    do {
      const page = await findLeads({ ...record.filter, limit: PAGE }, record.caller, position, budget);
      for (const { lead } of page.items) {
        const email = await ownerEmail(lead);
        await sink.add(EXPORT_COLUMNS.map((c) => c.value(lead, email)));
        rows++;
      }
      position = page.position;
      if (position && budget.exhausted) throw new ExportTooBroad();
    } while (position);
    await sink.close();
    await upload;
    await markExport(exportId, { status: 'succeeded', rows, key, finishedAt: new Date().toISOString() });
    log.info('export finished', { exportId, rows });
  } catch (error) {
    body.destroy();
    await upload.catch(() => undefined);
    log.error('export failed', { exportId, errorName: (error as Error).name, errorMessage: (error as Error).message });
    const reason =
      error instanceof ExportTooBroad
        ? 'the filter reads too many leads to find the ones it matches; narrow it (campaign, owner, stage) and ask again'
        : 'the export could not be written; please ask for it again';
    await markExport(exportId, { status: 'failed', reason, finishedAt: new Date().toISOString() });
  }
}
