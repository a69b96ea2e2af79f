/**
 * The small parts of a workbook that say where its rows are and how to read them: the workbook part (its sheets in
 * tab order, and the date system), the workbook's relationships (which part each sheet is), and the styles (the
 * number format of each cell style, which tells a date from a number). Each is parsed from its text decoded across
 * chunk boundaries (part-text.ts), as the shared strings and the worksheet are.
 *
 * They are read as exceljs 4.4's streaming reader read them, so a list reads as it did when its part parsers did
 * this; the few places where that reader was wrong or brittle are said where they are.
 */

import { partText } from './part-text';
import { createXmlParser, type XmlHandlers } from './xml-parser';

export interface SheetEntry {
  name: string;
  /** The relationship (in the workbook's relationships) that names the sheet's part. */
  rId: string | undefined;
  /** hidden or veryHidden; visible or absent for a sheet the user sees. */
  state: string | undefined;
}

export interface WorkbookPart {
  /** In tab order, the order the workbook part lists them. */
  sheets: SheetEntry[];
  /** The 1904 date system (old Mac workbooks): serial day 0 is 1904-01-01. */
  date1904: boolean;
}

export interface Relationship {
  Id: string;
  Type: string;
  Target: string;
  TargetMode?: string | undefined;
}

/** xsd:boolean's two spellings of true: Excel writes 1, LibreOffice true (exceljs took only 1). */
const XML_TRUE = new Set(['1', 'true']);

export async function readWorkbookPart(xml: AsyncIterable<Buffer>): Promise<WorkbookPart> {
  const sheets: SheetEntry[] = [];
  let date1904 = false;
  let inSheets = false;
  await parsePart(xml, {
    open(name, attributes) {
      if (name === 'sheets') inSheets = true;
      else if (inSheets && name === 'sheet') {
        sheets.push({ name: attributes.name ?? '', rId: attributes['r:id'], state: attributes.state });
      } else if (name === 'workbookPr') date1904 = XML_TRUE.has(attributes.date1904 ?? '');
    },
    close(name) {
      if (name === 'sheets') inSheets = false;
    },
  });
  return { sheets, date1904 };
}

/** A relationship without its id, type or target points nowhere, and is left out; other elements are skipped. */
export async function readRelationships(xml: AsyncIterable<Buffer>): Promise<Relationship[]> {
  const relationships: Relationship[] = [];
  await parsePart(xml, {
    open(name, { Id, Type, Target, TargetMode }) {
      if (name === 'Relationship' && Id !== undefined && Type !== undefined && Target !== undefined) {
        relationships.push({ Id, Type, Target, TargetMode });
      }
    },
  });
  return relationships;
}

/**
 * Number formats Excel leaves implicit by id: those of every locale, and the Japanese ones (Japanese Excel writes
 * dates typed as 2024/4/1 or 2024年4月1日 with ids 14, 31, 57 and so on, and defines none of them in the file).
 * Without them the reader sees serial numbers (45383) instead of dates.
 */
const BUILT_IN_FORMATS: Readonly<Record<number, string>> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'mm-dd-yy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'm/d/yy "h":mm',
  // Japanese
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
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00 ;(#,##0.00)',
  40: '#,##0.00 ;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mmss.0',
  48: '##0.0E+0',
  49: '@',
  // Japanese
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

/** The number format code of each cell style (the styles' cellXfs, which a cell's `s` indexes). */
export class CellStyles {
  constructor(
    /** Each cell style's number format id, by style index. */
    private readonly formatIds: readonly number[] = [],
    /** The formats the workbook defines itself, by id; they take precedence over the built-in ones. */
    private readonly formats: ReadonlyMap<number, string> = new Map(),
  ) {}

  /**
   * The number format code of a cell style, by its index (a cell's `s`); undefined for General. Style 0 is taken as
   * General, as exceljs took it: it is the Normal style, General in every workbook Excel writes.
   */
  numberFormat(styleId: number): string | undefined {
    if (!Number.isInteger(styleId) || styleId <= 0) return undefined;
    const id = this.formatIds[styleId];
    if (!id) return undefined; // no such style, or format 0 (General)
    return this.formats.get(id) || BUILT_IN_FORMATS[id];
  }
}

/**
 * Only the cell styles (cellXfs) and the workbook's own formats (numFmts) are read: fonts, fills and borders do not
 * change what a cell says, and the cell style sheet's (cellStyleXfs) and the conditional formats' (dxfs) entries are
 * not what a cell's `s` points at.
 */
export async function readStyles(xml: AsyncIterable<Buffer>): Promise<CellStyles> {
  const formatIds: number[] = [];
  const formats = new Map<number, string>();
  let inside: 'numFmts' | 'cellXfs' | undefined;
  let depth = 0;
  await parsePart(xml, {
    open(name, attributes) {
      depth += 1;
      if (depth === 2 && (name === 'numFmts' || name === 'cellXfs')) inside = name;
      else if (depth !== 3) return;
      else if (inside === 'cellXfs' && name === 'xf') formatIds.push(parseInt(attributes.numFmtId ?? '', 10));
      else if (inside === 'numFmts' && name === 'numFmt' && attributes.formatCode !== undefined) {
        // A backslash escapes the character after it; exceljs took it off, and the format is read as it read it.
        formats.set(parseInt(attributes.numFmtId ?? '', 10), attributes.formatCode.replace(/\\(.)/g, '$1'));
      }
    },
    close() {
      if (depth === 2) inside = undefined;
      depth -= 1;
    },
  });
  return new CellStyles(formatIds, formats);
}

async function parsePart(xml: AsyncIterable<Buffer>, handlers: Partial<XmlHandlers>): Promise<void> {
  const parser = createXmlParser({ open: () => {}, text: () => {}, close: () => {}, ...handlers });
  for await (const text of partText(xml)) parser.write(text);
  parser.close();
}
