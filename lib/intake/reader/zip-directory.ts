/**
 * Just enough of the zip format to vet an .xlsx before anything is inflated, and then to inflate the few parts we
 * read, one at a time, from their recorded offsets.
 *
 * The central directory at the end of the file is the archive's own table of contents: reading it costs a few
 * kilobytes however large the file, and it declares every entry's compressed and uncompressed size, which is what
 * the zip-bomb check needs. Entries are then opened by the directory's offsets rather than by walking local
 * headers front to back, so a part's size, position and method always come from the one place we vetted, and an
 * entry that inflates past the size the directory declared is stopped at that size.
 */

import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { DamagedWorkbookError, NotAWorkbookError, ZipBombError } from './errors';
import { formatBytes } from './units';

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated; .xlsx writers use nothing else. */
  method: number;
  flags: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface ZipDirectory {
  fileSize: number;
  entries: ReadonlyMap<string, ZipEntry>;
  /** Sums over every entry, directories included (they are zero). */
  totalCompressedBytes: number;
  totalUncompressedBytes: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_EOCD_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const ZIP64_EXTRA_ID = 0x0001;
/** An .xlsx has tens of parts; a directory this large is not a workbook worth reading. */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024;

const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;

/** Compound File (OLE) header: an old .xls, or any workbook Excel saved with a password (it encrypts into OLE). */
const OLE_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

const notAZip = (): NotAWorkbookError =>
  new NotAWorkbookError('the file is not an .xlsx workbook (it is not a zip archive); save it from Excel as .xlsx');

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return bytesRead === length ? buffer : buffer.subarray(0, bytesRead);
}

function u64(buffer: Buffer, offset: number): number {
  const value = buffer.readBigUInt64LE(offset);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw notAZip();
  return Number(value);
}

/** Reads and checks the central directory. Throws NotAWorkbookError for anything that is not a plain zip. */
export async function readZipDirectory(filePath: string): Promise<ZipDirectory> {
  const file = await open(filePath, 'r');
  try {
    const { size: fileSize } = await file.stat();
    const head = await readAt(file, 0, OLE_SIGNATURE.length);
    if (head.equals(OLE_SIGNATURE)) {
      throw new NotAWorkbookError(
        'the file is an old-format .xls workbook or a password-protected workbook; save it from Excel as .xlsx without a password',
      );
    }
    if (fileSize < EOCD_SIZE) throw notAZip();

    // The end record sits in the last 22 bytes unless the archive has a comment; search back over the longest one.
    const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
    const tailStart = fileSize - tailLength;
    const tail = await readAt(file, tailStart, tailLength);
    let eocd = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i -= 1) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tail.length) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw notAZip();

    const diskNumber = tail.readUInt16LE(eocd + 4);
    const directoryDisk = tail.readUInt16LE(eocd + 6);
    let entryCount = tail.readUInt16LE(eocd + 10);
    let directorySize = tail.readUInt32LE(eocd + 12);
    let directoryOffset = tail.readUInt32LE(eocd + 16);

    if (entryCount === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
      // Zip64: the real values live in a second end record, found through a locator just before this one.
      const locatorAt = tailStart + eocd - 20;
      if (locatorAt < 0) throw notAZip();
      const locator = await readAt(file, locatorAt, 20);
      if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_EOCD_LOCATOR_SIGNATURE) throw notAZip();
      const zip64At = u64(locator, 8);
      const zip64 = await readAt(file, zip64At, 56);
      if (zip64.length < 56 || zip64.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) throw notAZip();
      entryCount = u64(zip64, 32);
      directorySize = u64(zip64, 40);
      directoryOffset = u64(zip64, 48);
    } else if (diskNumber !== 0 || directoryDisk !== 0) {
      throw new NotAWorkbookError('the file is one part of a split zip archive, not an .xlsx workbook');
    }

    if (directorySize > MAX_DIRECTORY_BYTES || directoryOffset + directorySize > fileSize) throw notAZip();
    const directory = await readAt(file, directoryOffset, directorySize);
    if (directory.length < directorySize) throw notAZip();
    return { fileSize, ...parseCentralDirectory(directory, entryCount, fileSize) };
  } finally {
    await file.close();
  }
}

function parseCentralDirectory(
  directory: Buffer,
  entryCount: number,
  fileSize: number,
): Omit<ZipDirectory, 'fileSize'> {
  const entries = new Map<string, ZipEntry>();
  let totalCompressedBytes = 0;
  let totalUncompressedBytes = 0;
  let at = 0;
  for (let index = 0; index < entryCount; index += 1) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL_HEADER_SIGNATURE) throw notAZip();
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressedSize = directory.readUInt32LE(at + 20);
    let uncompressedSize = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    const nameStart = at + 46;
    const extraStart = nameStart + nameLength;
    const next = extraStart + extraLength + commentLength;
    if (next > directory.length) throw notAZip();
    const rawName = directory.subarray(nameStart, extraStart);
    const name = rawName.toString(flags & FLAG_UTF8 ? 'utf8' : 'latin1');

    // Zip64 extra field: 64-bit values for exactly those of the three that are saturated, in this order.
    if (uncompressedSize === 0xffffffff || compressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
      const extra = directory.subarray(extraStart, extraStart + extraLength);
      let found = false;
      for (let e = 0; e + 4 <= extra.length; ) {
        const id = extra.readUInt16LE(e);
        const size = extra.readUInt16LE(e + 2);
        if (id === ZIP64_EXTRA_ID) {
          let field = e + 4;
          const take = (): number => {
            if (field + 8 > e + 4 + size) throw notAZip();
            const value = u64(extra, field);
            field += 8;
            return value;
          };
          if (uncompressedSize === 0xffffffff) uncompressedSize = take();
          if (compressedSize === 0xffffffff) compressedSize = take();
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = take();
          found = true;
          break;
        }
        e += 4 + size;
      }
      if (!found) throw notAZip();
    }

    if (localHeaderOffset + compressedSize > fileSize) throw notAZip();
    entries.set(name, { name, method, flags, compressedSize, uncompressedSize, localHeaderOffset });
    totalCompressedBytes += compressedSize;
    totalUncompressedBytes += uncompressedSize;
    at = next;
  }
  return { entries, totalCompressedBytes, totalUncompressedBytes };
}

/**
 * Counts inflated bytes and stops the entry once it passes the size the directory declared: the expansion check
 * trusted those sizes, so an entry that lies about its size must not get further than the lie.
 */
class DeclaredSizeGuard extends Transform {
  private seen = 0;

  constructor(private readonly entry: ZipEntry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.entry.uncompressedSize) {
      callback(
        new ZipBombError(
          `the workbook part ${this.entry.name} expands beyond the ${formatBytes(this.entry.uncompressedSize)} its zip directory declares; the file is damaged or built to exhaust memory`,
        ),
      );
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.entry.uncompressedSize) {
      callback(new DamagedWorkbookError(`the workbook is damaged: its part ${this.entry.name} is shorter than declared`));
      return;
    }
    callback();
  }
}

/** The inflated bytes of one entry, as a stream. The caller must consume or destroy it. */
export async function openZipEntry(filePath: string, entry: ZipEntry): Promise<Readable> {
  if (entry.flags & FLAG_ENCRYPTED) {
    throw new NotAWorkbookError('the workbook is encrypted; save it from Excel as .xlsx without a password');
  }
  if (entry.method !== 0 && entry.method !== 8) {
    throw new NotAWorkbookError(
      `the workbook part ${entry.name} uses zip compression method ${entry.method}, which Excel never writes; save it from Excel as .xlsx`,
    );
  }
  const file = await open(filePath, 'r');
  let local: Buffer;
  try {
    local = await readAt(file, entry.localHeaderOffset, 30);
  } finally {
    await file.close();
  }
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) {
    throw new DamagedWorkbookError(`the workbook is damaged: its part ${entry.name} is missing from the zip archive`);
  }
  // Only the name and extra lengths are taken from the local header, to find where the data starts.
  const dataStart = entry.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const guard = new DeclaredSizeGuard(entry);
  if (entry.compressedSize === 0) {
    guard.end();
    return guard;
  }
  const raw = createReadStream(filePath, { start: dataStart, end: dataStart + entry.compressedSize - 1 });
  const source: Readable = entry.method === 0 ? raw : raw.pipe(createInflateRaw());
  raw.on('error', (error) => guard.destroy(error));
  if (source !== raw) {
    // zlib says "invalid distance too far back"; the user needs to hear which part of the workbook is broken.
    source.on('error', (error) =>
      guard.destroy(
        new DamagedWorkbookError(`the workbook is damaged: its part ${entry.name} cannot be decompressed`, {
          cause: error,
        }),
      ),
    );
  }
  // The guard is what the caller holds: when it ends early (error, or the caller stops reading), so does the rest.
  guard.on('close', () => {
    source.destroy();
    raw.destroy();
  });
  return source.pipe(guard);
}

/** Names the expansion problem, if any, before a single byte is inflated. */
export function checkExpansion(
  directory: ZipDirectory,
  limits: { maxUncompressedBytes: number; maxCompressionRatio: number },
): void {
  const { totalUncompressedBytes: expanded, totalCompressedBytes: compressed } = directory;
  // Entries that share compressed bytes inflate the same data many times over (the "overlapping" zip bomb).
  if (compressed > directory.fileSize) {
    throw new ZipBombError(
      'the workbook\'s zip entries overlap (they hold more compressed data than the file does); it looks like a zip bomb',
    );
  }
  if (expanded > limits.maxUncompressedBytes) {
    throw new ZipBombError(
      `the workbook expands to ${formatBytes(expanded)}, more than the ${formatBytes(limits.maxUncompressedBytes)} limit`,
    );
  }
  const ratio = expanded / Math.max(compressed, 1);
  if (ratio > limits.maxCompressionRatio) {
    throw new ZipBombError(
      `the workbook expands ${Math.round(ratio)} times its compressed size, more than the ${limits.maxCompressionRatio} times a real workbook does; it looks like a zip bomb`,
    );
  }
}
