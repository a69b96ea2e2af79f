import { Readable } from 'node:stream';
import { isListHeader, readList, type ListHeader, type ListRow } from '../../lib/intake/reader';
import { readSharedStrings } from '../../lib/intake/reader/shared-strings';
import { japanesePeople, japaneseWorkbook } from '../support/lists';
import { escapeXml, scratchDirectory, writeZip } from '../support/workbooks';

/** How a workbook part's XML is read: its text exact, however its bytes are cut into chunks. */

let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
beforeAll(async () => {
  scratch = await scratchDirectory();
});
afterAll(async () => {
  await scratch.remove();
});

async function readRows(filePath: string): Promise<{ header: ListHeader; rows: ListRow[] }> {
  let header: ListHeader | undefined;
  const rows: ListRow[] = [];
  for await (const item of readList(filePath, 'xlsx')) {
    if (isListHeader(item)) header = item;
    else rows.push(item);
  }
  if (!header) throw new Error('no header yielded');
  return { header, rows };
}

const TEXTS = [
  '𠮷田 太郎',
  '髙橋　はなこ',
  'ヤマザキ ｹﾝｼﾞ',
  'ＮＴＴネクスト株式会社',
  '合同会社🍣寿司 ①',
  '葛\u{E0100}城 𩸽子',
  'mixed ascii と かな',
];

/** The part's bytes in chunks cut inside every character of more than one byte: each chunk ends on its first byte. */
function cutInsideEveryCharacter(xml: string): Readable {
  const chunks: Buffer[] = [];
  let pending: number[] = [];
  for (const character of xml) {
    const bytes = Buffer.from(character, 'utf8');
    pending.push(bytes[0] as number);
    if (bytes.length > 1) {
      chunks.push(Buffer.from(pending));
      pending = [...bytes.subarray(1)];
    }
  }
  chunks.push(Buffer.from(pending));
  return Readable.from(chunks);
}

function oneByteAtATime(xml: string): Readable {
  return Readable.from([...Buffer.from(xml, 'utf8')].map((byte) => Buffer.from([byte])));
}

describe('a part whose chunks cut characters in two', () => {
  it.each([
    ['cut inside every character', cutInsideEveryCharacter],
    ['one byte at a time', oneByteAtATime],
  ])('reads the shared strings exactly (%s)', async (_, chunked) => {
    const items = [
      ...TEXTS.map((text) => `<si><t>${escapeXml(text)}</t></si>`),
      '<si><r><t>山田</t></r><r><t xml:space="preserve"> 太郎</t></r><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>',
    ];
    const xml = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="x">${items.join('')}</sst>`;
    const table = await readSharedStrings(chunked(xml));
    expect(Array.from({ length: table.length }, (_, i) => table.get(i))).toEqual([...TEXTS, '山田 太郎']);
  });

  it('reads a long Japanese list exactly, however the inflater cuts its parts', async () => {
    const people = japanesePeople(2000);
    const file = scratch.path('japanese-list.xlsx');
    await writeZip(file, japaneseWorkbook(people));
    const { rows } = await readRows(file);
    expect(rows).toHaveLength(people.length);
    const misread = rows.flatMap((row, i) => {
      const person = people[i]!;
      const written = [person.name, person.nameKana, person.email, person.company, person.department, person.title];
      return row.cells.join('\t') === written.join('\t') ? [] : [`row ${row.rowNumber}: ${row.cells.join(' / ')}`];
    });
    expect(misread).toEqual([]);
  });
});
