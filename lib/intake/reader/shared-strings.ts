/**
 * The workbook's shared string table, read to plain text (see string-item.ts for what text means) and kept packed.
 *
 * Read here rather than by exceljs because exceljs's streaming reader keeps the last `<t>` of an item, which in
 * Japanese Excel's files is the furigana (ヤマダ for a cell that shows 山田), and decodes each chunk of the part on
 * its own (see part-text.ts).
 *
 * The table is the one part of a workbook that must stay in memory while rows stream (cells refer to it by index),
 * and it grows with the list: names, e-mail addresses and memos are mostly unique. Held as JS strings cut from the
 * XML parser's chunks it took about 4 times its UTF-8 size (each string kept its whole chunk alive); packed into one
 * UTF-8 buffer it takes its UTF-8 size plus 4 bytes an entry.
 */

import { partText } from './part-text';
import { StringItemText } from './string-item';
import { createXmlParser } from './xml-parser';

export class SharedStringTable {
  private bytes = Buffer.allocUnsafe(64 * 1024);
  /** ends[i] is where string i ends in bytes; it starts where string i - 1 ends. */
  private ends = new Uint32Array(4096);
  private used = 0;
  private size = 0;

  get length(): number {
    return this.size;
  }

  add(text: string): void {
    const needed = this.used + Buffer.byteLength(text);
    if (needed > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    this.used += this.bytes.write(text, this.used);
    if (this.size === this.ends.length) {
      const grown = new Uint32Array(this.ends.length * 2);
      grown.set(this.ends);
      this.ends = grown;
    }
    this.ends[this.size] = this.used;
    this.size += 1;
  }

  get(index: number): string | undefined {
    if (!(index >= 0 && index < this.size)) return undefined;
    const start = index === 0 ? 0 : (this.ends[index - 1] as number);
    return this.bytes.toString('utf8', start, this.ends[index]);
  }
}

export async function readSharedStrings(xml: AsyncIterable<Buffer>): Promise<SharedStringTable> {
  const table = new SharedStringTable();
  const item = new StringItemText();
  let inItem = false;
  const parser = createXmlParser({
    open(name) {
      if (name === 'si') inItem = true;
      else if (inItem) item.open(name);
    },
    text(text) {
      if (inItem) item.text(text);
    },
    close(name) {
      if (name === 'si') {
        table.add(item.take());
        inItem = false;
      } else if (inItem) item.close(name);
    },
  });
  for await (const text of partText(xml)) parser.write(text);
  parser.close();
  return table;
}
