/**
 * The parts of exceljs's streaming reader (4.4) that intake drives directly, typed.
 *
 * `WorkbookReader.parse()` walks the zip front to back and takes parts in whatever order the file stores them. Excel
 * stores the worksheet before the shared strings, so exceljs inflates the whole sheet into a temp file first,
 * without any limit, and it picks worksheets by file name (sheet1.xml) rather than by tab order. So the zip is read
 * here (see zip-directory.ts) and the small parts are handed to the reader's own part parsers: workbook,
 * relationships and styles, each as text decoded across chunk boundaries (see part-text.ts). The shared strings and
 * the worksheet are read by our own parsers. exceljs stopped releasing at 4.4.0; the unit tests exercise every
 * member used here, so an upgrade that moves one fails loudly.
 */

import ExcelJS from 'exceljs';
import type { Readable } from 'node:stream';

export interface SheetEntry {
  id: number;
  name: string;
  rId: string;
  state?: string;
}

export interface Relationship {
  Id: string;
  Type: string;
  Target: string;
  TargetMode?: string;
}

export interface WorkbookReaderParts {
  model?: { sheets?: SheetEntry[] };
  workbookRels?: Relationship[];
  properties?: { model?: { date1904?: boolean } };
  styles: {
    model?: Record<string, unknown[] | undefined>;
    index?: { numFmt?: Record<number, string> };
    /** The cell style (cellXfs entry) by index, with its number format code resolved; null when there is none. */
    getStyleModel(id: number): { numFmt?: string } | null;
  };
  /** Each takes the part's decoded text as a stream (exceljs listens for `data` events). */
  _parseWorkbook(text: Readable): Promise<void>;
  _parseRels(text: Readable): Promise<void>;
  _parseStyles(text: Readable): Promise<void>;
}

/** Styles are kept (exceljs drops them by default): a number format is what tells a date from a number. */
const READER_OPTIONS = { styles: 'cache' } as const;

export function createWorkbookReader(filePath: string): WorkbookReaderParts {
  return new ExcelJS.stream.xlsx.WorkbookReader(filePath, READER_OPTIONS) as unknown as WorkbookReaderParts;
}

/**
 * Number formats Excel leaves implicit by id and exceljs only knows for en-US. Japanese Excel writes dates typed as
 * 2024/4/1 or 2024年4月1日 with these ids; without them the reader sees serial numbers (45383) instead of dates.
 */
const JAPANESE_BUILTIN_FORMATS: Readonly<Record<number, string>> = {
  27: '[$-411]ge.m.d',
  28: '[$-411]ggge"年"m"月"d"日"',
  29: '[$-411]ggge"年"m"月"d"日"',
  30: 'm/d/yy',
  31: 'yyyy"年"m"月"d"日"',
  32: 'h"時"mm"分"',
  33: 'h"時"mm"分"ss"秒"',
  34: 'yyyy"年"m"月"',
  35: 'm"月"d"日"',
  36: '[$-411]ge.m.d',
  50: '[$-411]ge.m.d',
  51: '[$-411]ggge"年"m"月"d"日"',
  52: 'yyyy"年"m"月"',
  53: 'm"月"d"日"',
  54: '[$-411]ggge"年"m"月"d"日"',
  55: 'yyyy"年"m"月"',
  56: 'm"月"d"日"',
  57: '[$-411]ge.m.d',
  58: '[$-411]ggge"年"m"月"d"日"',
};

/**
 * Call after `_parseStyles`. Adds the Japanese built-in formats (formats the workbook defines itself take
 * precedence), and empty lists for style parts a minimal styles.xml leaves out: exceljs indexes into them for
 * every styled cell and would fail on the first one.
 */
export function prepareStyles(reader: WorkbookReaderParts): void {
  const { model, index } = reader.styles;
  if (model) {
    for (const part of ['styles', 'fonts', 'fills', 'borders', 'numFmts']) model[part] ??= [];
  }
  const known = index?.numFmt;
  if (!known) return;
  for (const [id, code] of Object.entries(JAPANESE_BUILTIN_FORMATS)) {
    known[Number(id)] ??= code;
  }
}

/**
 * The number format code of a cell style, by its index (a cell's `s`). Style 0 is taken as General, as exceljs took
 * it: it is the Normal style, General in every workbook Excel writes.
 */
export function numberFormatOf(reader: WorkbookReaderParts, styleId: number): string | undefined {
  return Number.isInteger(styleId) && styleId > 0 ? (reader.styles.getStyleModel(styleId)?.numFmt ?? undefined) : undefined;
}
