/**
 * Reading an uploaded list file, row by row, with memory bounded by one row rather than by the file.
 *
 * `readList` yields the header first, then each non-empty row below it in the header's terms. Row numbers are the
 * spreadsheet's, so a report can say "row 1,204: no e-mail address" and the user finds that row. Every reason to
 * reject a file is a ListFileError with a message meant for the person who uploaded it.
 */

import { CANONICAL_LABEL } from '../../leads/columns';
import { readCsvRows } from './csv';
import { NoHeaderRowError, TooManyRowsError } from './errors';
import { headerFrom, listRowFrom } from './header';
import { DEFAULT_READ_LIMITS, type HeaderKind, type ListFormat, type ListHeader, type ListRow, type ReadLimits, type SheetRow } from './list';
import { formatCount } from './units';
import { readWorkbookRows } from './workbook';

export { CANONICAL_LABEL, matchColumn, type LeadField } from '../../leads/columns';
export * from './errors';
export { DEFAULT_READ_LIMITS, isListHeader, type HeaderKind, type ListFormat, type ListHeader, type ListRow, type ReadLimits } from './list';

export interface ReadListOptions {
  /** Rows up to this spreadsheet row number are read (and counted) but not yielded: a resumed import skips them. */
  startAfterRow?: number;
  /** Which columns make a header row (see ./header.ts); register lists by default. */
  kind?: HeaderKind;
}

const EXPECTED_COLUMNS: Record<HeaderKind, string> = {
  register: `columns such as ${CANONICAL_LABEL.name} and ${CANONICAL_LABEL.email} (or ${CANONICAL_LABEL.company})`,
  update: `a column ${CANONICAL_LABEL.leadId}, ${CANONICAL_LABEL.email}, or ${CANONICAL_LABEL.name} and ${CANONICAL_LABEL.company}`,
};

export { formatOf } from './list';

export async function* readList(
  filePath: string,
  format: ListFormat,
  limits: Partial<ReadLimits> = {},
  options: ReadListOptions = {},
): AsyncGenerator<ListHeader | ListRow> {
  const resolved = resolveLimits(limits);
  const startAfterRow = options.startAfterRow ?? 0;
  const kind = options.kind ?? 'register';
  const rows: AsyncGenerator<SheetRow> =
    format === 'xlsx' ? readWorkbookRows(filePath, resolved) : readCsvRows(filePath);

  let header: ListHeader | undefined;
  let dataRows = 0;
  for await (const row of rows) {
    if (header === undefined) {
      // Leaving the loop closes the reader (and its file) before the error is thrown.
      if (row.rowNumber > resolved.headerSearchRows) break;
      header = headerFrom(row, kind);
      if (header) yield header;
      continue;
    }
    const listRow = listRowFrom(header, row);
    if (listRow === undefined) continue;
    dataRows += 1;
    if (dataRows > resolved.maxRows) {
      throw new TooManyRowsError(
        `the list has more than ${formatCount(resolved.maxRows)} rows, the most one file may hold; split it into smaller files`,
        resolved.maxRows,
      );
    }
    if (listRow.rowNumber > startAfterRow) yield listRow;
  }
  if (header === undefined) {
    throw new NoHeaderRowError(
      `no header row found in the first ${formatCount(resolved.headerSearchRows)} rows: expected ${EXPECTED_COLUMNS[kind]}`,
    );
  }
}

function resolveLimits(limits: Partial<ReadLimits>): ReadLimits {
  const resolved = { ...DEFAULT_READ_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ReadLimits, number | undefined][]) {
    if (value === undefined) continue;
    // A caller's mistake, not the user's file: fail loudly rather than read without a limit.
    if (!(value > 0)) throw new RangeError(`read limit ${key} must be positive, got ${value}`);
    resolved[key] = value;
  }
  return resolved;
}
