/**
 * List files built in code for tests: workbooks written by exceljs the way a user's Excel would hold them, and
 * hand-made zips for what exceljs cannot write (furigana in shared strings, Japanese built-in date formats, Zip64,
 * sizes that lie, zip bombs).
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';

/** A temp directory per test file; `remove` in afterAll. */
export async function scratchDirectory(): Promise<{ path: (name: string) => string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'intake-reader-'));
  return { path: (name) => join(dir, name), remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a one-sheet workbook with exceljs; `configure` sets formats and styles on top of the rows. */
export async function writeWorkbook(
  filePath: string,
  rows: unknown[][],
  configure?: (sheet: ExcelJS.Worksheet) => void,
): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('リスト');
  rows.forEach((row, i) => {
    sheet.getRow(i + 1).values = row as ExcelJS.CellValue[];
  });
  configure?.(sheet);
  await workbook.xlsx.writeFile(filePath);
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-made zips

export interface ZipPart {
  name: string;
  data: Buffer | string;
  /** Store uncompressed instead of deflating. */
  store?: boolean;
  /** The uncompressed size the directory claims, when a test needs it to lie. */
  declaredSize?: number;
  /** Replace the compressed bytes with these (to damage the deflate stream). */
  rawData?: Buffer;
}

const U32_MAX = 0xffffffff;

/** A zip archive of these parts; with zip64, every size and offset goes through the Zip64 records. */
export function zipArchive(parts: ZipPart[], options: { zip64?: boolean } = {}): Buffer {
  const zip64 = options.zip64 === true;
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const data = Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data, 'utf8');
    const compressed = part.rawData ?? (part.store ? data : deflateRawSync(data));
    const method = part.store ? 0 : 8;
    const name = Buffer.from(part.name, 'utf8');
    const size = part.declaredSize ?? data.length;
    const crc = crc32(data);

    const localExtra = zip64 ? zip64Extra([size, compressed.length]) : Buffer.alloc(0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? U32_MAX : compressed.length, 18);
    local.writeUInt32LE(zip64 ? U32_MAX : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(localExtra.length, 28);
    chunks.push(local, name, localExtra, compressed);

    const centralExtra = zip64 ? zip64Extra([size, compressed.length, offset]) : Buffer.alloc(0);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(zip64 ? 45 : 20, 4);
    header.writeUInt16LE(zip64 ? 45 : 20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(method, 10);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(zip64 ? U32_MAX : compressed.length, 20);
    header.writeUInt32LE(zip64 ? U32_MAX : size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt16LE(centralExtra.length, 30);
    header.writeUInt32LE(zip64 ? U32_MAX : offset, 42);
    central.push(header, name, centralExtra);

    offset += local.length + name.length + localExtra.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const directoryOffset = offset;
  const tail: Buffer[] = [];
  if (zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(parts.length), 24);
    record.writeBigUInt64LE(BigInt(parts.length), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(directoryOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(directoryOffset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : parts.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : parts.length, 10);
  end.writeUInt32LE(zip64 ? U32_MAX : directory.length, 12);
  end.writeUInt32LE(zip64 ? U32_MAX : directoryOffset, 16);
  return Buffer.concat([...chunks, directory, ...tail, end]);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((value, i) => extra.writeBigUInt64LE(BigInt(value), 4 + 8 * i));
  return extra;
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-made workbooks

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PACKAGE_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

export interface HandMadeSheet {
  name: string;
  /** The <sheetData> content: <row> elements. */
  rows: string;
  state?: 'hidden' | 'veryHidden';
  /** File name under xl/worksheets/, to prove sheets are found by relationship, not by name. */
  file?: string;
}

export interface HandMadeWorkbook {
  sheets: HandMadeSheet[];
  /** Raw <si> elements of the shared string table. */
  sharedStrings?: string[];
  /** The cellXfs' numFmtIds, by style index, and custom formats by id. */
  styles?: { cellNumFmtIds: number[]; customFormats?: Record<number, string> };
  date1904?: boolean;
}

/** The parts of a minimal .xlsx, in the order Excel writes them (worksheets before shared strings). */
export function workbookParts(book: HandMadeWorkbook): ZipPart[] {
  const sheetFiles = book.sheets.map((sheet, i) => sheet.file ?? `sheet${i + 1}.xml`);
  const rels = [
    ...sheetFiles.map(
      (file, i) => `<Relationship Id="rId${i + 1}" Type="${REL}/worksheet" Target="worksheets/${file}"/>`,
    ),
    `<Relationship Id="rIdS" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>`,
    `<Relationship Id="rIdT" Type="${REL}/styles" Target="styles.xml"/>`,
  ].join('');
  const sheetEntries = book.sheets
    .map(
      (sheet, i) =>
        `<sheet name="${sheet.name}" sheetId="${i + 1}"${sheet.state ? ` state="${sheet.state}"` : ''} r:id="rId${i + 1}"/>`,
    )
    .join('');
  const parts: ZipPart[] = [
    { name: '[Content_Types].xml', data: '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>' },
    {
      name: '_rels/.rels',
      data: `<?xml version="1.0"?><Relationships xmlns="${PACKAGE_REL}"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    },
    {
      name: 'xl/workbook.xml',
      data: `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${REL}"><workbookPr${book.date1904 ? ' date1904="1"' : ''}/><sheets>${sheetEntries}</sheets></workbook>`,
    },
    { name: 'xl/_rels/workbook.xml.rels', data: `<?xml version="1.0"?><Relationships xmlns="${PACKAGE_REL}">${rels}</Relationships>` },
    ...book.sheets.map((sheet, i) => ({
      name: `xl/worksheets/${sheetFiles[i]}`,
      data: `<?xml version="1.0"?><worksheet xmlns="${MAIN}" xmlns:r="${REL}"><sheetData>${sheet.rows}</sheetData></worksheet>`,
    })),
  ];
  if (book.styles) {
    const custom = Object.entries(book.styles.customFormats ?? {});
    const numFmts = custom.length
      ? `<numFmts count="${custom.length}">${custom.map(([id, code]) => `<numFmt numFmtId="${id}" formatCode="${escapeXml(code)}"/>`).join('')}</numFmts>`
      : '';
    const xfs = book.styles.cellNumFmtIds.map((id) => `<xf numFmtId="${id}" fontId="0" fillId="0" borderId="0" xfId="0"/>`).join('');
    parts.push({
      name: 'xl/styles.xml',
      data: `<?xml version="1.0"?><styleSheet xmlns="${MAIN}">${numFmts}<cellXfs count="${book.styles.cellNumFmtIds.length}">${xfs}</cellXfs></styleSheet>`,
    });
  }
  if (book.sharedStrings) {
    parts.push({
      name: 'xl/sharedStrings.xml',
      data: `<?xml version="1.0"?><sst xmlns="${MAIN}" count="${book.sharedStrings.length}" uniqueCount="${book.sharedStrings.length}">${book.sharedStrings.join('')}</sst>`,
    });
  }
  return parts;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function writeZip(filePath: string, parts: ZipPart[], options?: { zip64?: boolean }): Promise<void> {
  await writeFile(filePath, zipArchive(parts, options));
}
