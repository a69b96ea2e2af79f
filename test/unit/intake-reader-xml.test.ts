import { Readable } from 'node:stream';
import { isListHeader, readList, type ListHeader, type ListRow } from '../../lib/intake/reader';
import { readSharedStrings } from '../../lib/intake/reader/shared-strings';
import { readWorksheetRows, type SheetContext } from '../../lib/intake/reader/worksheet-rows';
import { japanesePeople, japaneseWorkbook } from '../support/lists';
import { escapeXml, scratchDirectory, workbookParts, writeZip } from '../support/workbooks';

/** How a workbook part's XML is taken apart and read: its text whatever the chunks, and rows without references. */

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

const NO_WORKBOOK: SheetContext = { sharedString: () => undefined, numberFormat: () => undefined, date1904: false };

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

  it.each([
    ['cut inside every character', cutInsideEveryCharacter],
    ['one byte at a time', oneByteAtATime],
  ])('reads the worksheet inline strings and string results exactly (%s)', async (_, chunked) => {
    const rows = TEXTS.map(
      (text, i) =>
        `<row r="${i + 1}"><c r="A${i + 1}" t="inlineStr"><is><t>${escapeXml(text)}</t></is></c>` +
        `<c r="B${i + 1}" t="str"><f>A${i + 1}&amp;"様"</f><v>${escapeXml(text)}様</v></c></row>`,
    );
    const xml = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="x"><sheetData>${rows.join('')}</sheetData></worksheet>`;
    const got: string[][] = [];
    for await (const row of readWorksheetRows(chunked(xml), NO_WORKBOOK)) got.push(row.cells as string[]);
    expect(got).toEqual(TEXTS.map((text) => [text, `${text}様`]));
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

describe('a worksheet whose rows and cells carry no reference', () => {
  it('places them in document order, after the last reference given', async () => {
    const file = scratch.path('no-references.xlsx');
    const text = (value: string): string => `<c t="inlineStr"><is><t>${value}</t></is></c>`;
    await writeZip(
      file,
      workbookParts({
        sheets: [
          {
            name: 'export',
            rows:
              `<row>${text('名前')}${text('メールアドレス')}<c t="s"><v>0</v></c>${text('登録日')}${text('来場')}${text('備考')}</row>` +
              `<row><c t="s"><v>1</v></c>${text('a@example.com')}${text('A社')}<c s="1"><v>45383</v></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row>` +
              `<row r="5"><c r="B5" t="inlineStr"><is><t>b@example.com</t></is></c>${text('B社')}<c t="str"><f>TODAY()</f><v>x</v></c></row>` +
              `<row>${text('佐藤')}<c/>${text('C社')}<c t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="F6"><v>0.5</v></c></row>`,
          },
        ],
        sharedStrings: ['<si><t>会社名</t></si>', '<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>'],
        styles: { cellNumFmtIds: [0, 14] },
      }),
    );
    const { header, rows } = await readRows(file);
    expect(header).toMatchObject({ rowNumber: 1, labels: ['名前', 'メールアドレス', '会社名', '登録日', '来場', '備考'] });
    expect(rows.map((row) => [row.rowNumber, row.cells, row.errors])).toEqual([
      [2, ['山田', 'a@example.com', 'A社', '2024-04-01', 'TRUE', ''], ['error cell #N/A in column 備考']],
      [5, ['', 'b@example.com', 'B社', 'x', '', ''], []],
      [6, ['佐藤', '', 'C社', '', '', '0.5'], ['formula whose result is an error in column 登録日']],
    ]);
  });
});

describe('cell types exceljs misread', () => {
  it('reads an inline string as a shared string is read: runs joined, furigana skipped, entities resolved once', async () => {
    const file = scratch.path('inline-rich.xlsx');
    await writeZip(
      file,
      workbookParts({
        sheets: [
          {
            name: 'S',
            rows:
              '<row r="1"><c r="A1" t="inlineStr"><is><t>名前</t></is></c><c r="B1" t="inlineStr"><is><t>会社名</t></is></c><c r="C1" t="inlineStr"><is><t>備考</t></is></c></row>' +
              '<row r="2"><c r="A2" t="inlineStr"><is><r><t>山田</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 太郎</t></r><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></is></c>' +
              '<c r="B2" t="inlineStr"><is><t>A&amp;lt;B&gt;社</t></is></c><c r="C2" t="inlineStr"><is><t>一行目_x000D_\n二行目</t></is></c></row>',
          },
        ],
      }),
    );
    const { rows } = await readRows(file);
    expect(rows.map((row) => row.cells)).toEqual([['山田 太郎', 'A&lt;B>社', '一行目\n二行目']]);
  });

  it('reads an ISO date cell (t="d") as the date it names, not as its year', async () => {
    const file = scratch.path('iso-dates.xlsx');
    await writeZip(
      file,
      workbookParts({
        sheets: [
          {
            name: 'S',
            rows:
              '<row r="1"><c r="A1" t="inlineStr"><is><t>名前</t></is></c><c r="B1" t="inlineStr"><is><t>会社名</t></is></c><c r="C1" t="inlineStr"><is><t>リード発生日</t></is></c></row>' +
              '<row r="2"><c r="A2" t="inlineStr"><is><t>一</t></is></c><c r="B2" t="inlineStr"><is><t>A</t></is></c><c r="C2" t="d"><v>2024-04-01T09:30:00</v></c></row>' +
              '<row r="3"><c r="A3" t="inlineStr"><is><t>二</t></is></c><c r="B3" t="inlineStr"><is><t>B</t></is></c><c r="C3" t="d"><v>2024-04-01</v></c></row>',
          },
        ],
      }),
    );
    const { rows } = await readRows(file);
    expect(rows.map((row) => row.values.arisenOn)).toEqual(['2024-04-01 09:30', '2024-04-01']);
  });
});
