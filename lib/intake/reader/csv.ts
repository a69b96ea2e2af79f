/**
 * Rows of a .csv list, streamed: bytes are decoded chunk by chunk and split into records by a small RFC 4180 state
 * machine, so memory holds one chunk and the record in progress.
 *
 * RFC 4180 as Excel writes and reads it: fields separated by commas, records by CRLF (LF or a lone CR also end a
 * record), a field in double quotes may hold commas, line breaks and doubled quotes (""). Where Excel is lenient
 * (a quote inside an unquoted field, text after a closing quote) we keep the characters as Excel would show them.
 */

import { restoreFromCsv } from '../../text/spreadsheet-safety';
import { createReadStream } from 'node:fs';
import { MalformedCsvError, NotACsvFileError } from './errors';
import type { SheetRow } from './list';
import { createChunkDecoder, detectCsvEncoding, type CsvEncoding } from './text-encoding';
import { formatCount } from './units';

/** A record this long is an unclosed quote swallowing the file, not a row anyone typed. */
const MAX_RECORD_CHARS = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

enum State {
  /** At the start of a field: a quote here opens a quoted field. */
  FieldStart,
  Unquoted,
  Quoted,
  /** Inside a quoted field, just after a quote: a second quote is a literal one, anything else closes the field. */
  QuoteInQuoted,
}

/** Splits decoded text into records; text may be cut anywhere, including between a CR and its LF. */
export class CsvRecordParser {
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private recordChars = 0;
  /** A CR ended the last record; an LF right after it belongs to the same line break. */
  private afterCr = false;
  /** Records completed so far, which is the row number of the last one. */
  private records = 0;
  private quotedFieldRow = 0;

  /** Complete records in this piece of text; an unfinished one carries over to the next call. */
  push(text: string): string[][] {
    const done: string[][] = [];
    if (text === '') return done;
    let i = 0;
    if (this.afterCr && text.charCodeAt(0) === LF) i = 1;
    this.afterCr = false;
    let runStart = i; // start of characters not yet copied into this.field
    let recordStart = i; // start of the record in progress, for the runaway-record check
    for (; i < text.length; i += 1) {
      const c = text.charCodeAt(i);
      if (this.state === State.FieldStart) {
        if (c === QUOTE) {
          this.state = State.Quoted;
          this.quotedFieldRow = this.records + 1;
          runStart = i + 1;
          continue;
        }
        // Anything else starts an unquoted field, and is read as part of it below.
        this.state = State.Unquoted;
        runStart = i;
      }
      switch (this.state) {
        case State.Unquoted:
          if (c === COMMA) {
            this.endField(text.slice(runStart, i));
            runStart = i + 1;
          } else if (c === CR || c === LF) {
            this.endField(text.slice(runStart, i));
            done.push(this.endRecord());
            i = this.lineEnd(text, i);
            runStart = i + 1;
            recordStart = i + 1;
          }
          break;
        case State.Quoted:
          if (c === QUOTE) {
            this.field += text.slice(runStart, i);
            this.state = State.QuoteInQuoted;
          }
          break;
        case State.QuoteInQuoted:
          if (c === QUOTE) {
            // "" inside quotes: the second quote is the literal; keep scanning the quoted field from it.
            this.state = State.Quoted;
            runStart = i;
          } else if (c === COMMA) {
            this.endField('');
            runStart = i + 1;
          } else if (c === CR || c === LF) {
            this.endField('');
            done.push(this.endRecord());
            i = this.lineEnd(text, i);
            runStart = i + 1;
            recordStart = i + 1;
          } else {
            // "abc"def: Excel shows abcdef; the rest is read as unquoted text.
            this.state = State.Unquoted;
            runStart = i;
          }
          break;
      }
    }
    // Keep the unfinished field's characters for the next piece of text.
    if (this.state === State.Unquoted || this.state === State.Quoted) this.field += text.slice(runStart);
    this.recordChars += text.length - recordStart;
    if (this.recordChars > MAX_RECORD_CHARS) {
      const row = this.records + 1;
      throw new MalformedCsvError(
        `row ${formatCount(row)} runs past ${formatCount(MAX_RECORD_CHARS)} characters: a quoted field is probably never closed`,
        row,
      );
    }
    return done;
  }

  /** The last record, when the text does not end with a line break. */
  end(): string[][] {
    if (this.state === State.Quoted) {
      throw new MalformedCsvError(
        `the quoted field that starts on row ${formatCount(this.quotedFieldRow)} is never closed (a " is missing)`,
        this.quotedFieldRow,
      );
    }
    if (this.state === State.FieldStart && this.fields.length === 0) return [];
    this.endField('');
    return [this.endRecord()];
  }

  /** Row number of the record in progress, for messages. */
  get currentRow(): number {
    return this.records + 1;
  }

  private endField(rest: string): void {
    this.fields.push(this.field + rest);
    this.field = '';
    this.state = State.FieldStart;
  }

  /**
   * The index of the last character of the line break at `i`: a CRLF is one break. A CR that ends this piece of
   * text may be followed by the LF in the next piece; `afterCr` remembers to skip it.
   */
  private lineEnd(text: string, i: number): number {
    if (text.charCodeAt(i) !== CR) return i;
    if (text.charCodeAt(i + 1) === LF) return i + 1;
    if (i + 1 === text.length) this.afterCr = true;
    return i;
  }

  private endRecord(): string[] {
    const record = this.fields;
    this.fields = [];
    this.records += 1;
    this.recordChars = 0;
    return record;
  }
}

export async function* readCsvRows(filePath: string): AsyncGenerator<SheetRow> {
  const encoding = await detectCsvEncoding(filePath);
  const decoder = createChunkDecoder(encoding);
  const parser = new CsvRecordParser();
  let rowNumber = 0;
  const stream = createReadStream(filePath, { highWaterMark: CHUNK_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      for (const record of parser.push(decode(() => decoder.write(chunk), encoding, parser.currentRow))) {
        rowNumber += 1;
        yield { rowNumber, cells: record.map(cellText) };
      }
    }
    for (const record of parser.push(decode(() => decoder.end(), encoding, parser.currentRow)).concat(parser.end())) {
      rowNumber += 1;
      yield { rowNumber, cells: record.map(cellText) };
    }
  } finally {
    stream.destroy();
  }
}

/**
 * Trimmed like an Excel cell's text; a line break inside quotes becomes the LF Excel uses within a cell; the
 * apostrophe our exports put before formula-like text is taken off again.
 */
function cellText(field: string): string {
  const text = restoreFromCsv(field.trim());
  return text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
}

function decode(read: () => string, encoding: CsvEncoding, row: number): string {
  try {
    return read();
  } catch (error) {
    const name = encoding === 'cp932' ? 'Shift_JIS' : encoding.toUpperCase();
    throw new NotACsvFileError(
      `the file's text stops being valid ${name} around row ${formatCount(row)}; save the whole file again as CSV UTF-8`,
      { cause: error },
    );
  }
}
