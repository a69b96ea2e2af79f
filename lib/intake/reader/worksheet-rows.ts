/**
 * Rows of a worksheet part, streamed: memory holds the rows of one chunk of the part, whatever its length. The part
 * is parsed from its text decoded across chunk boundaries (see part-text.ts).
 *
 * Read here rather than by exceljs's WorksheetReader, which refuses a valid sheet whose rows or cells carry no `r`
 * attribute (it is optional: database clients and some exporters leave it out, and position then follows document
 * order), keeps only the last `<t>` of an inline string (its furigana, or its last rich-text run; read here as the
 * shared strings are, see string-item.ts), and resolves entities a second time in string cells (`&amp;lt;` came out
 * as `<`). Values are otherwise taken as exceljs took them, so cell-text.ts turns them into what the user sees the
 * same way: a formula's cached result is a number unless the cell says it is a string (so an error result is NaN,
 * and a formula's TRUE reads 1); a number carries the format of its cell's own style (`s`).
 *
 * Hyperlinks are not read: `<hyperlinks>` follows `<sheetData>`, so no streamed row could have them, and a linked
 * cell holds its own value, which is the text the user sees.
 */

import { cellContent, type CellContent, type CellFormat } from './cell-text';
import type { SheetRow } from './list';
import { partText } from './part-text';
import { StringItemText } from './string-item';
import { createXmlParser } from './xml-parser';

/** What a cell refers to outside the worksheet part. */
export interface SheetContext {
  sharedString(index: number): string | undefined;
  /** The number format code of a cell style (an index into the styles' cellXfs), when it has one. */
  numberFormat(styleId: number): string | undefined;
  date1904: boolean;
}

/** Excel's own limits: a reference past them is not a sheet Excel wrote or could open. */
const MAX_ROW = 1_048_576;
const MAX_COLUMN = 16_384;
const CELL_REFERENCE = /^([A-Za-z]{1,3})\d*$/;

interface CellInProgress {
  column: number;
  type: string;
  styleId: number;
  value?: string;
  formula?: string;
  inline?: string;
}

export async function* readWorksheetRows(xml: AsyncIterable<Buffer>, sheet: SheetContext): AsyncGenerator<SheetRow> {
  const ready: SheetRow[] = [];
  const item = new StringItemText();
  let inSheetData = false;
  let row: SheetRow | undefined;
  let previousRow = 0;
  let nextColumn = 1;
  let cell: CellInProgress | undefined;
  /** The element of the cell whose text is being collected. */
  let collecting: 'v' | 'f' | 'is' | undefined;

  const parser = createXmlParser({
    open(name, attributes) {
      if (collecting === 'is') {
        item.open(name);
      } else if (cell) {
        if (name === 'v') cell.value = '';
        else if (name === 'f') cell.formula = '';
        if (name === 'v' || name === 'f' || name === 'is') collecting = name;
      } else if (row && name === 'c') {
        const column = attributes.r === undefined ? nextColumn : columnOf(attributes.r);
        nextColumn = column + 1;
        cell = { column, type: attributes.t ?? 'n', styleId: attributes.s === undefined ? 0 : parseInt(attributes.s, 10) };
      } else if (inSheetData && name === 'row') {
        const rowNumber = attributes.r === undefined ? previousRow + 1 : rowNumberOf(attributes.r);
        row = { rowNumber, cells: [] };
        nextColumn = 1;
      } else if (name === 'sheetData') {
        inSheetData = true;
      }
    },
    text(text) {
      if (!cell || collecting === undefined) return;
      if (collecting === 'is') item.text(text);
      else if (collecting === 'v') cell.value += text;
      else cell.formula += text;
    },
    close(name) {
      if (collecting === 'is') {
        if (name !== 'is') {
          item.close(name);
          return;
        }
        if (cell) cell.inline = item.take();
        collecting = undefined;
      } else if (collecting !== undefined && name === collecting) {
        collecting = undefined;
      } else if (cell && name === 'c') {
        const content = contentOf(cell, sheet);
        if (content !== undefined && row) row.cells[cell.column - 1] = content;
        cell = undefined;
      } else if (row && name === 'row') {
        ready.push(row);
        previousRow = row.rowNumber;
        row = undefined;
      } else if (name === 'sheetData') {
        inSheetData = false;
      }
    },
  });

  for await (const text of partText(xml)) {
    parser.write(text);
    yield* ready.splice(0);
  }
  parser.close();
  yield* ready.splice(0);
}

/** The cell's text as the user sees it, or undefined for a cell with no value (formatted but empty). */
function contentOf(cell: CellInProgress, sheet: SheetContext): CellContent | undefined {
  const text = cell.inline ?? cell.value;
  const format = (): CellFormat => ({ numFmt: sheet.numberFormat(cell.styleId), date1904: sheet.date1904 });
  if (cell.formula !== undefined) {
    const isString = cell.type === 'str' || cell.type === 'inlineStr';
    const result = text === undefined ? undefined : isString ? text : parseFloat(text);
    return cellContent({ formula: cell.formula, result }, format());
  }
  if (text === undefined) return undefined;
  switch (cell.type) {
    case 's': {
      const shared = sheet.sharedString(parseInt(text, 10));
      return shared === undefined ? undefined : cellContent(shared);
    }
    case 'inlineStr':
    case 'str':
      return cellContent(text);
    case 'e':
      return cellContent({ error: text });
    case 'b':
      return cellContent(parseInt(text, 10) !== 0);
    case 'd':
      return cellContent(isoDate(text));
    default:
      return cellContent(parseFloat(text), format());
  }
}

/**
 * A `t="d"` cell holds an ISO 8601 date (exceljs parsed it as a number: 2024-04-01 read 2024). Without a zone it is
 * the wall-clock time the user typed, so it is read as UTC, which is how cell-text.ts reads every date; text that is
 * not a date is kept as it is.
 */
function isoDate(text: string): Date | string {
  const zoned = !text.includes('T') || /(?:Z|[+-]\d\d:?\d\d)$/.test(text) ? text : `${text}Z`;
  const date = new Date(zoned);
  return Number.isNaN(date.getTime()) ? text : date;
}

function rowNumberOf(reference: string): number {
  const rowNumber = /^\d+$/.test(reference) ? Number(reference) : Number.NaN;
  if (!(rowNumber >= 1 && rowNumber <= MAX_ROW)) throw new Error(`row reference "${reference}" is not a row of a sheet`);
  return rowNumber;
}

/** The 1-based column of a cell reference (B7 → 2). */
function columnOf(reference: string): number {
  const letters = CELL_REFERENCE.exec(reference)?.[1];
  let column = 0;
  for (const letter of letters?.toUpperCase() ?? '') column = column * 26 + (letter.charCodeAt(0) - 64);
  if (!(column >= 1 && column <= MAX_COLUMN)) throw new Error(`cell reference "${reference}" is not a cell of a sheet`);
  return column;
}
