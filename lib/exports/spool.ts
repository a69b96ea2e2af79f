import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The export's rows on local disk, as JSON lines (a page of rows a line), between the pass that reads the leads and the pass that writes
 * the file. The file's header names every extra (survey) column any exported lead has, and which those are is known
 * only once the last lead is read: holding the rows in memory would bound an export by the function's memory, and
 * reading the leads twice would pay the table for every lead twice. The disk is the function's own (its ephemeral
 * storage, infra/exports.ts) and the spool is removed whatever the outcome, so no personal data outlives the export.
 */
export interface RowSpool<T> {
  add(entry: T): Promise<void>;
  /** What was added, in that order; the spool takes no more once it is read. */
  rows(): AsyncIterable<T>;
  /** Bytes written so far. */
  readonly bytes: number;
  remove(): Promise<void>;
}

export async function openRowSpool<T>(name: string): Promise<RowSpool<T>> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const path = join(dir, 'rows.jsonl');
  const out = createWriteStream(path, { encoding: 'utf8' });
  // A write that fails (a full disk) fails the next add or the read, never the process.
  let failure: Error | undefined;
  out.on('error', (error) => (failure = error));
  let bytes = 0;
  let ended = false;
  return {
    get bytes() {
      return bytes;
    },
    async add(entry) {
      if (failure) throw failure;
      if (ended) throw new Error('the spool is being read');
      // JSON escapes line breaks inside values, so every entry is one line.
      const line = JSON.stringify(entry) + '\n';
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    },
    async *rows() {
      ended = true;
      out.end();
      await finished(out);
      const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) if (line !== '') yield JSON.parse(line) as T;
    },
    async remove() {
      // Closed (its file handle too) before the directory goes, so nothing is written into it after.
      out.destroy();
      await finished(out).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
