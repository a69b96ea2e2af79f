/** The shapes a list file is read into, whatever its format. */

import type { LeadField } from '../../leads/columns';
import type { CellContent } from './cell-text';

export type ListFormat = 'xlsx' | 'csv';

/** The list's format by its file name (an S3 key will do), or undefined for one we do not read (.xls, .ods). */
export function formatOf(fileName: string): ListFormat | undefined {
  const extension = /\.([^./\\]+)$/.exec(fileName.normalize('NFKC').trim())?.[1]?.toLowerCase();
  if (extension === 'xlsx' || extension === 'xlsm') return 'xlsx';
  if (extension === 'csv') return 'csv';
  return undefined;
}

export interface ReadLimits {
  /** Data rows (non-empty rows below the header). The default is Excel's own sheet limit. */
  maxRows: number;
  /** Sum of the workbook's parts once inflated, as its zip directory declares them. */
  maxUncompressedBytes: number;
  /** Inflated size over compressed size, for the whole workbook. Real workbooks stay well under 20. */
  maxCompressionRatio: number;
  /** How far down the header row may be, below title rows. */
  headerSearchRows: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = {
  maxRows: 1_048_576,
  maxUncompressedBytes: 1024 ** 3,
  maxCompressionRatio: 100,
  headerSearchRows: 20,
};

/** One row as a format reader saw it, before the header gives its columns meaning. */
export interface SheetRow {
  /** 1-based, as the spreadsheet numbers it (for CSV, the record's position). */
  rowNumber: number;
  /** By column position, 0 for column A; a hole is an empty cell. */
  cells: (CellContent | undefined)[];
}

/** What the header row must name depends on what the list does: register people, or update known leads. */
export type HeaderKind = 'register' | 'update';

export interface ListHeader {
  rowNumber: number;
  /** Each header cell's text, trimmed; '' for a blank header cell between labelled ones. */
  labels: string[];
  /** The lead field each column holds, by position; undefined for a column that holds none. */
  fields: (LeadField | undefined)[];
  /**
   * The key under which each column not mapped to a field appears in ListRow.extra, by position: its label, with
   * " (2)" and so on for a repeated label, or "column M" for a blank one; undefined for a field column.
   */
  extraKeys: (string | undefined)[];
}

export interface ListRow {
  /** 1-based, as the spreadsheet shows it, so the user can find the row. */
  rowNumber: number;
  /** The text of each header column, as the user sees it; '' when empty. Same length as the header's labels. */
  cells: string[];
  /** Non-empty text of each field column. A field the header has but the row leaves empty is absent. */
  values: Partial<Record<LeadField, string>>;
  /** Non-empty text of the other columns, under the header's extraKeys. */
  extra: Record<string, string>;
  /** What could not be read, per cell, e.g. "error cell #N/A in column メールアドレス". */
  errors: string[];
}

export function isListHeader(item: ListHeader | ListRow): item is ListHeader {
  return 'labels' in item;
}

/** Spreadsheet column name for a 0-based position: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  }
  return name;
}
