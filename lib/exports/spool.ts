import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The export's rows on local disk, one JSON line each, between the pass that reads the leads and the pass that writes
 * the file. The file's header names every extra (survey) column any exported lead has, and which those are is known
 * only once the last lead is read: holding the rows in memory would bound an export by the function's memory, and
 * reading the leads twice would pay the table for every lead twice. The disk is the function's own (its ephemeral
 * storage, infra/exports.ts) and the spool is removed whatever the outcome, so no personal data outlives the export.
 */
export interface RowSpool<T> {
  add(row: T): Promise<void>;
  /** The rows in the order added; the spool takes no more rows once they are read. */
  rows(): AsyncIterable<T>;
  /** Bytes written so far. */
  readonly bytes: number;
  remove(): Promise<void>;
}

export async function openRowSpool<T>(name: string): Promise<RowSpool<T>> {
  const dir = await mkdtemp(join(tmpdir(), `${name}-`));
  const path = join(dir, 'rows.jsonl');
  const out = createWriteStream(path, { encoding: 'utf8' });
  let bytes = 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    out.end();
    await once(out, 'close');
  };
  return {
    get bytes() {
      return bytes;
    },
    async add(row) {
      // JSON escapes line breaks inside values, so every row is one line.
      const line = JSON.stringify(row) + '\n';
      bytes += Buffer.byteLength(line);
      if (!out.write(line)) await once(out, 'drain');
    },
    async *rows() {
      await close();
      const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
      for await (const line of lines) if (line !== '') yield JSON.parse(line) as T;
    },
    async remove() {
      if (!closed) {
        closed = true;
        out.destroy();
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
