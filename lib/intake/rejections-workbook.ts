import { PassThrough } from 'node:stream';
import { uploadStream } from '../storage/s3-upload';
import { rowNotes } from './row-notes';
import { WorkbookWriter } from '../text/workbook-writer';

/**
 * The report a marketer fixes and re-uploads: every rejected row as it was uploaded, with the reason beside it,
 * and on a second sheet the rows merged into an earlier row of the same person. Written as a stream straight to S3,
 * so a file with a million rejected rows never sits in memory. Values are written as text cells, never formulas.
 */

export async function writeRejectionsWorkbook(input: { bucket: string; key: string; importId: string; labels: string[] }): Promise<void> {
  const body = new PassThrough();
  const upload = uploadStream(input.bucket, input.key, body, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const workbook = new WorkbookWriter({ stream: body, useSharedStrings: false, useStyles: true });
  const rejected = workbook.addWorksheet('取り込めなかった行');
  const merged = workbook.addWorksheet('統合された行');
  rejected.addRow(['行番号', '理由', ...input.labels, '現在の値（競合時）']).commit();
  merged.addRow(['行番号', '統合先の行', ...input.labels]).commit();
  for await (const page of rowNotes(input.importId)) {
    for (const note of page) {
      if (note.outcome === 'rejected') {
        const current = note.current ? Object.entries(note.current).map(([k, v]) => `${k}: ${v}`).join(' / ') : '';
        rejected.addRow([note.rowNumber, note.reason, ...note.cells, current]).commit();
      } else {
        merged.addRow([note.rowNumber, note.mergedIntoRow ?? '', ...note.cells]).commit();
      }
    }
  }
  rejected.commit();
  merged.commit();
  await workbook.commit();
  await upload;
}
