/**
 * Rows of an .xlsx list: the first visible worksheet, streamed row by row.
 *
 * Before anything is inflated the zip's directory is vetted (is it a workbook, how large would it become); then
 * the small parts are read whole and the worksheet is streamed row by row (worksheet-rows.ts), so memory holds the
 * shared strings and a chunk's rows at a time, whatever the number of rows. Every part is parsed from its text
 * decoded across chunk boundaries (part-text.ts), never chunk by chunk.
 */

import type { Readable } from 'node:stream';
import { DamagedWorkbookError, ListFileError, NotAWorkbookError } from './errors';
import type { ReadLimits, SheetRow } from './list';
import { readSharedStrings, SharedStringTable } from './shared-strings';
import {
  CellStyles,
  readRelationships,
  readStyles,
  readWorkbookPart,
  type Relationship,
  type SheetEntry,
} from './workbook-parts';
import { readWorksheetRows, type SheetContext } from './worksheet-rows';
import { checkExpansion, openZipEntry, readZipDirectory, type ZipDirectory } from './zip-directory';

const WORKBOOK_PART = 'xl/workbook.xml';
const WORKBOOK_RELS_PART = 'xl/_rels/workbook.xml.rels';
const RELATIONSHIP_TYPE = /\/(worksheet|styles|sharedStrings)$/;

export async function* readWorkbookRows(filePath: string, limits: ReadLimits): AsyncGenerator<SheetRow> {
  const directory = await readZipDirectory(filePath);
  if (!directory.entries.has(WORKBOOK_PART)) {
    throw new NotAWorkbookError('the file is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml)');
  }
  checkExpansion(directory, limits);

  const workbook = await readPart(filePath, directory, WORKBOOK_PART, readWorkbookPart);
  const relationships = await readPart(filePath, directory, WORKBOOK_RELS_PART, readRelationships);

  const sheet = firstVisibleWorksheet(workbook.sheets, relationships);
  const stylesPart = partOfType(relationships, 'styles') ?? 'xl/styles.xml';
  const styles = directory.entries.has(stylesPart)
    ? await readPart(filePath, directory, stylesPart, readStyles)
    : new CellStyles();
  const sharedStringsPart = partOfType(relationships, 'sharedStrings') ?? 'xl/sharedStrings.xml';
  const sharedStrings = directory.entries.has(sharedStringsPart)
    ? await readPart(filePath, directory, sharedStringsPart, readSharedStrings)
    : new SharedStringTable();

  const context: SheetContext = {
    sharedString: (index) => sharedStrings.get(index),
    numberFormat: (styleId) => styles.numberFormat(styleId),
    date1904: workbook.date1904,
  };
  const sheetStream = await openPart(filePath, directory, sheet.part);
  try {
    yield* readWorksheetRows(sheetStream, context);
  } catch (error) {
    throw asListFileError(error, sheet.part);
  } finally {
    sheetStream.destroy();
  }
}

/** The worksheet a user sees first when the file opens on its first tab: hidden sheets hold lookups, not leads. */
function firstVisibleWorksheet(
  sheets: SheetEntry[],
  relationships: Relationship[],
): { entry: SheetEntry; part: string } {
  const worksheets = sheets.flatMap((entry) => {
    const rel = relationships.find((r) => r.Id === entry.rId);
    return rel && rel.Type.endsWith('/worksheet') ? [{ entry, part: partPath(rel.Target) }] : [];
  });
  const sheet = worksheets.find(({ entry }) => !entry.state || entry.state === 'visible') ?? worksheets[0];
  if (!sheet) throw new NotAWorkbookError('the workbook has no worksheet');
  return sheet;
}

function partOfType(relationships: Relationship[], type: 'styles' | 'sharedStrings'): string | undefined {
  const rel = relationships.find((r) => RELATIONSHIP_TYPE.exec(r.Type)?.[1] === type);
  return rel ? partPath(rel.Target) : undefined;
}

/** Relationship targets are relative to the workbook part's folder (xl/), or absolute from the package root. */
function partPath(target: string): string {
  const segments = target.startsWith('/') ? [] : ['xl'];
  for (const segment of target.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '' && segment !== '.') segments.push(segment);
  }
  return segments.join('/');
}

async function openPart(filePath: string, directory: ZipDirectory, name: string): Promise<Readable> {
  const entry = directory.entries.get(name);
  if (!entry) throw new DamagedWorkbookError(`the workbook is damaged: its part ${name} is missing`);
  return openZipEntry(filePath, entry);
}

async function readPart<T>(
  filePath: string,
  directory: ZipDirectory,
  name: string,
  parse: (part: Readable) => Promise<T>,
): Promise<T> {
  const part = await openPart(filePath, directory, name);
  try {
    return await parse(part);
  } catch (error) {
    throw asListFileError(error, name);
  } finally {
    part.destroy();
  }
}

/** Our own errors pass through; anything the XML parser throws means the part is not what it claims. */
function asListFileError(error: unknown, part: string): unknown {
  if (error instanceof ListFileError) return error;
  return new DamagedWorkbookError(`the workbook is damaged: its part ${part} cannot be read`, { cause: error });
}
