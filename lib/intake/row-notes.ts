import { batchWrite, putRequest } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { queryPages } from '../table/queries';

/**
 * Row notes: the rows of an import that need reporting (rejected, or merged into an earlier row of the same
 * person), kept beside the import record until the rejections workbook is written from them.
 */

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

/** Rows, rejections and merges are kept for 30 days (they hold personal data); the counts stay forever. */
const ROW_NOTE_TTL_SECONDS = 30 * 24 * 3600;

export async function putRowNotes(importId: string, notes: RowNote[], now: Date): Promise<void> {
  if (notes.length === 0) return;
  const expiresAt = Math.floor(now.getTime() / 1000) + ROW_NOTE_TTL_SECONDS;
  await batchWrite(notes.map((note) => putRequest({ ...keys.importRow(importId, note.rowNumber), entity: ENTITY.importRow, expiresAt, ...note })));
}

/** Row notes in row order, a page at a time (a file can have many). */
export async function* rowNotes(importId: string): AsyncGenerator<RowNote[]> {
  yield* queryPages<RowNote>({ partition: keys.importPartition(importId), sortPrefix: keys.importRowPrefix }, 500);
}
