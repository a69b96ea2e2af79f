/**
 * Which encoding a CSV upload is in, and a decoder for it. Excel on Japanese Windows saves "CSV" as Shift_JIS
 * (cp932) and "CSV UTF-8" as UTF-8 with a BOM; other tools write UTF-8 without one. UTF-8 is strict enough to test
 * for: Shift_JIS text almost never decodes as valid UTF-8, so the file is read as UTF-8 unless its bytes say
 * otherwise, and as cp932 (Shift_JIS with the NEC and IBM extensions Windows uses, such as ㈱ and ①) when they do.
 */

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { NotACsvFileError } from './errors';

export type CsvEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'cp932';

const SAMPLE_BYTES = 64 * 1024;
/** Non-ASCII bytes that decoded as UTF-8 before we stop looking: far past any chance of Shift_JIS doing so. */
const ENOUGH_EVIDENCE = 16 * 1024;

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const OLE_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);

export async function detectCsvEncoding(filePath: string): Promise<CsvEncoding> {
  const sample = await readSample(filePath);
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  if (sample.subarray(0, 4).equals(ZIP_MAGIC)) {
    throw new NotACsvFileError('the file is not a CSV text file: it is a zip archive, perhaps an .xlsx workbook named .csv');
  }
  if (sample.subarray(0, 4).equals(OLE_MAGIC)) {
    throw new NotACsvFileError('the file is not a CSV text file: it is an old-format .xls workbook named .csv');
  }
  if (looksBinary(sample)) throw new NotACsvFileError('the file is not a CSV text file (it contains binary data)');
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8';

  if (await decodesAsUtf8(filePath)) return 'utf-8';
  // Stream mode leaves a character cut off at the end of the sample undecoded instead of replacing it.
  if (shiftJisDecoder().write(sample).includes('\ufffd')) {
    throw new NotACsvFileError('the file is not a CSV text file: its text is neither UTF-8 nor Shift_JIS');
  }
  return 'cp932';
}

async function readSample(filePath: string): Promise<Buffer> {
  const file = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    const { bytesRead } = await file.read(buffer, 0, SAMPLE_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** NUL never appears in UTF-8 or Shift_JIS text, nor do most control characters (tab, CR, LF, FF, ^Z do). */
function looksBinary(sample: Buffer): boolean {
  let control = 0;
  for (const byte of sample) {
    if (byte === 0) return true;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1a) control += 1;
  }
  return control > sample.length / 100;
}

/** Reads until the bytes prove or disprove UTF-8. An all-ASCII file is read to the end (it is UTF-8 either way). */
async function decodesAsUtf8(filePath: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decodes = (chunk?: Buffer): boolean => {
    try {
      // stream: true carries a character split across chunks over to the next one instead of failing on it.
      decoder.decode(chunk, { stream: chunk !== undefined });
      return true;
    } catch {
      return false; // the only thing decode throws for: bytes that are not UTF-8
    }
  };
  let nonAscii = 0;
  const stream = createReadStream(filePath, { highWaterMark: SAMPLE_BYTES });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (!decodes(chunk)) return false;
      for (const byte of chunk) if (byte >= 0x80) nonAscii += 1;
      if (nonAscii >= ENOUGH_EVIDENCE) return true;
    }
    return decodes();
  } finally {
    stream.destroy();
  }
}

export interface ChunkDecoder {
  /** Text of the chunk; a character split at its end comes out with the next chunk. Throws on invalid bytes. */
  write(chunk: Buffer): string;
  end(): string;
}

export function createChunkDecoder(encoding: CsvEncoding): ChunkDecoder {
  if (encoding === 'cp932') {
    const decoder = shiftJisDecoder();
    // The decoder replaces bytes it cannot decode; U+FFFD cannot be written in Shift_JIS, so it marks exactly those.
    const checked = (text: string): string => {
      if (text.includes('\ufffd')) throw new TypeError('invalid Shift_JIS byte sequence');
      return text;
    };
    return { write: (chunk) => checked(decoder.write(chunk)), end: () => checked(decoder.end()) };
  }
  // The BOM, when there is one, is dropped by TextDecoder (ignoreBOM defaults to false).
  const decoder = new TextDecoder(encoding, { fatal: true });
  return { write: (chunk) => decoder.decode(chunk, { stream: true }), end: () => decoder.decode() };
}

/**
 * cp932 is decoded by Node's built-in WHATWG TextDecoder rather than by a package: its 'shift_jis' is the Encoding
 * Standard's Shift_JIS, which is Windows-31J (cp932) with the NEC and IBM extensions (㈱, ①, Ⅰ, 髙, 﨑), decoded by
 * ICU, which Node's official builds and Lambda's Node runtimes carry in full. A decoding package brings its tables
 * for every encoding it knows into the bundle (iconv-lite's were about 480 KB of the intake's) for this one.
 *
 * Every double-byte code decodes as iconv-lite's cp932 decoded it, but for the user-defined area: F941–F9FC are read
 * as U+E69D–U+E757, as Windows reads them, where iconv-lite's table stopped at F940. Of the single bytes, ICU's
 * converter rotates three control bytes (0x1A, the ^Z old DOS tools end a file with, reads U+001C; 0x1C reads
 * U+007F; 0x7F reads U+001A); they are mapped back. A lone 0x80 is not text to ICU, so a file with one is not read as
 * Shift_JIS (Windows reads it as U+0080, a control character no one types).
 */
function shiftJisDecoder(): { write(chunk: Buffer): string; end(): string } {
  const decoder = new TextDecoder('shift_jis');
  return {
    write: (chunk) => restoreControls(decoder.decode(chunk, { stream: true })),
    end: () => restoreControls(decoder.decode()),
  };
}

const CONTROL_BYTES = [0x1a, 0x1c, 0x7f];

/** What the built-in decoder makes of each control byte, when it is not the byte's own code point. */
const CONTROL_FIXES: ReadonlyMap<string, string> = (() => {
  const decoded = [...new TextDecoder('shift_jis').decode(Uint8Array.from(CONTROL_BYTES))];
  const wanted = CONTROL_BYTES.map((byte) => String.fromCharCode(byte));
  // Only a reordering of the same control characters is undone; anything else is left as the decoder gives it.
  if (decoded.length !== wanted.length || [...decoded].sort().join('') !== [...wanted].sort().join('')) return new Map();
  return new Map(decoded.flatMap((got, i) => (got === wanted[i] ? [] : [[got, wanted[i] as string] as const])));
})();
const CONTROLS = /[\x1a\x1c\x7f]/g;

function restoreControls(text: string): string {
  return CONTROL_FIXES.size === 0 ? text : text.replace(CONTROLS, (ch) => CONTROL_FIXES.get(ch) ?? ch);
}
