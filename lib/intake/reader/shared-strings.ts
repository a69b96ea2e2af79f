/**
 * The workbook's shared string table, read to plain text and kept packed.
 *
 * Read here rather than by exceljs because Japanese Excel stores the reading (furigana) typed through the IME next
 * to the text: `<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>`. exceljs's streaming reader keeps the
 * last `<t>` it meets, so it returns ヤマダ for a cell that shows 山田. Phonetic runs are skipped; rich-text runs
 * are joined, since only the text matters to a list.
 *
 * The table is the one part of a workbook that must stay in memory while rows stream (cells refer to it by index),
 * and it grows with the list: names, e-mail addresses and memos are mostly unique. Held as JS strings cut from the
 * XML parser's chunks it took about 4 times its UTF-8 size (each string kept its whole chunk alive); packed into one
 * UTF-8 buffer it takes its UTF-8 size plus 4 bytes an entry.
 */

import { parseSax } from './exceljs-internals';

/** `_x000D_` is how OOXML writes a character XML cannot carry; `_x005F_` escapes a literal underscore. */
const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

export function unescapeOoxml(text: string): string {
  return text.includes('_x') ? text.replace(OOXML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

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

  /** The array exceljs's worksheet reader indexes into (`sharedStrings[index]`), backed by this table. */
  asArray(): unknown[] {
    return new Proxy<unknown[]>([], {
      get: (target, key) => {
        if (typeof key === 'string') {
          const index = Number(key);
          if (Number.isInteger(index)) return this.get(index);
        }
        return Reflect.get(target, key);
      },
    });
  }
}

export async function readSharedStrings(xml: AsyncIterable<Buffer>): Promise<SharedStringTable> {
  const table = new SharedStringTable();
  let parts: string[] = [];
  let inText = false;
  let phoneticDepth = 0;
  for await (const events of parseSax(xml)) {
    for (const event of events) {
      switch (event.eventType) {
        case 'opentag':
          if (event.value.name === 'si') parts = [];
          else if (event.value.name === 'rPh') phoneticDepth += 1;
          else if (event.value.name === 't') inText = phoneticDepth === 0;
          break;
        case 'text':
          if (inText) parts.push(event.value);
          break;
        case 'closetag':
          if (event.value.name === 't') inText = false;
          else if (event.value.name === 'rPh') phoneticDepth -= 1;
          else if (event.value.name === 'si') table.add(unescapeOoxml(parts.join('')));
          break;
      }
    }
  }
  return table;
}
