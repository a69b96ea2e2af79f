import { writeFile } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { CANONICAL_LABEL, LEAD_FIELDS, matchColumn } from '../../lib/leads/columns';
import { cellContent } from '../../lib/intake/reader/cell-text';
import { CsvRecordParser } from '../../lib/intake/reader/csv';
import { createChunkDecoder } from '../../lib/intake/reader/text-encoding';
import { checkExpansion } from '../../lib/intake/reader/zip-directory';
import {
  DamagedWorkbookError,
  ListFileError,
  MalformedCsvError,
  NoHeaderRowError,
  NotACsvFileError,
  NotAWorkbookError,
  TooManyRowsError,
  ZipBombError,
  formatOf,
  isListHeader,
  readList,
  type ListFormat,
  type ListHeader,
  type ListRow,
  type ReadLimits,
  type ReadListOptions,
} from '../../lib/intake/reader';
import { scratchDirectory, workbookParts, writeWorkbook, writeZip } from '../support/workbooks';

let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
beforeAll(async () => {
  scratch = await scratchDirectory();
});
afterAll(async () => {
  await scratch.remove();
});

interface ReadResult {
  header: ListHeader;
  rows: ListRow[];
}

async function read(
  filePath: string,
  format: ListFormat,
  limits?: Partial<ReadLimits>,
  options?: ReadListOptions,
): Promise<ReadResult> {
  let header: ListHeader | undefined;
  const rows: ListRow[] = [];
  for await (const item of readList(filePath, format, limits, options)) {
    if (isListHeader(item)) {
      expect(header).toBeUndefined();
      header = item;
    } else {
      expect(header).toBeDefined();
      rows.push(item);
    }
  }
  if (!header) throw new Error('no header yielded');
  return { header, rows };
}

/** Reads until the reader throws; returns the error and what was yielded before it. */
async function readFailure(
  filePath: string,
  format: ListFormat,
  limits?: Partial<ReadLimits>,
  options?: ReadListOptions,
): Promise<{ error: unknown; yielded: (ListHeader | ListRow)[] }> {
  const yielded: (ListHeader | ListRow)[] = [];
  try {
    for await (const item of readList(filePath, format, limits, options)) yielded.push(item);
  } catch (error) {
    return { error, yielded };
  }
  throw new Error(`expected ${filePath} to fail, but it was read`);
}

describe('column dictionary', () => {
  it('matches labels whatever their width, case, spacing, brackets and required marks', () => {
    expect(matchColumn('*名前')).toBe('name');
    expect(matchColumn('氏名＊')).toBe('name');
    expect(matchColumn(' Full Name ')).toBe('name');
    expect(matchColumn('名前（カナ）')).toBe('nameKana');
    expect(matchColumn('名前(カナ)')).toBe('nameKana');
    expect(matchColumn('氏名　（ｶﾅ）')).toBe('nameKana');
    expect(matchColumn('ﾌﾘｶﾞﾅ')).toBe('nameKana');
    expect(matchColumn('メール　アドレス')).toBe('email');
    expect(matchColumn('Ｅ－ｍａｉｌ')).toBe('email');
    expect(matchColumn('EMAIL')).toBe('email');
    expect(matchColumn('メールアドレス（必須）')).toBe('email');
    expect(matchColumn('【必須】会社名')).toBe('company');
    expect(matchColumn('ＴＥＬ')).toBe('phone');
    expect(matchColumn('携帯')).toBe('mobile');
    expect(matchColumn('リードＩＤ')).toBe('leadId');
    expect(matchColumn('最終アクション日')).toBe('lastActionAt');
    expect(matchColumn('最終アクション結果')).toBe('lastActionResult');
    expect(matchColumn('備考')).toBeUndefined();
    expect(matchColumn('名前カナ備考')).toBeUndefined();
    expect(matchColumn('')).toBeUndefined();
    expect(matchColumn(' * ')).toBeUndefined();
  });

  it('writes the seed product labels on export, and reads every one back to its field', () => {
    expect(CANONICAL_LABEL).toMatchObject({
      name: '名前',
      nameKana: '名前（カナ）',
      email: 'メールアドレス',
      company: '名刺会社',
      department: '組織',
      title: '役職',
      phone: '電話番号',
      owner: 'リード担当者',
      ownerTeam: 'リード担当組織',
      stage: 'リードステージ',
      memo: '共有メモ',
      leadId: 'リードID',
      version: 'バージョン',
    });
    for (const field of LEAD_FIELDS) expect(matchColumn(CANONICAL_LABEL[field])).toBe(field);
  });
});

describe('formatOf', () => {
  it('tells the format from the file name or S3 key', () => {
    expect(formatOf('imports/c1/参加者リスト.xlsx')).toBe('xlsx');
    expect(formatOf('LIST.XLSX')).toBe('xlsx');
    expect(formatOf('template.xlsm')).toBe('xlsx');
    expect(formatOf('list.csv')).toBe('csv');
    expect(formatOf('list.xls')).toBeUndefined();
    expect(formatOf('csv')).toBeUndefined();
    expect(formatOf('list.xlsx.zip')).toBeUndefined();
  });
});

describe('reading an .xlsx list', () => {
  it('finds the header below title rows and reads each cell as the user sees it', async () => {
    const file = scratch.path('participants.xlsx');
    await writeWorkbook(
      file,
      [
        ['DPS Live 参加者リスト'],
        ['2024年4月1日 開催'],
        [],
        ['No.', '名刺会社', '*メールアドレス', '*名前', '名前（カナ）', 'ＴＥＬ', 'リード発生日', '来場', '備考', '', '備考', 'メール'],
        [
          1,
          { richText: [{ text: '株式会社' }, { text: 'フリーダム', font: { bold: true } }] },
          { text: 'mailto:hasegawa@example.com', hyperlink: 'mailto:hasegawa@example.com' },
          '  長谷川　隆　',
          'ハセガワ タカシ',
          312345678,
          new Date(Date.UTC(2024, 3, 1)),
          true,
          { formula: 'D5&"様"', result: '長谷川　隆様' },
          'x',
          '二つ目の備考',
          'other@example.com',
        ],
        [],
        ['   ', '\u3000'],
        [
          2,
          'NNTネクスト株式会社',
          { text: '海田宛メール', hyperlink: 'mailto:kaida@example.com' },
          '海田 弘和',
          null,
          '03-1234-5678',
          new Date(Date.UTC(2024, 3, 1, 9, 30)),
          false,
          { error: '#N/A' },
        ],
      ],
      (sheet) => {
        sheet.getCell('G5').numFmt = 'yyyy/m/d';
        sheet.getCell('G8').numFmt = 'yyyy/m/d h:mm';
        // Row 6 is formatted but empty (a border and a fill on cells with no value); row 7 holds only spaces.
        sheet.getCell('B6').style = { border: { top: { style: 'thin' } } };
        sheet.getCell('C6').fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFFF00' } };
      },
    );

    const result = await read(file, 'xlsx');

    expect(result.header).toEqual({
      rowNumber: 4,
      labels: ['No.', '名刺会社', '*メールアドレス', '*名前', '名前（カナ）', 'ＴＥＬ', 'リード発生日', '来場', '備考', '', '備考', 'メール'],
      fields: [undefined, 'company', 'email', 'name', 'nameKana', 'phone', 'arisenOn', undefined, undefined, undefined, undefined, undefined],
      extraKeys: ['No.', undefined, undefined, undefined, undefined, undefined, undefined, '来場', '備考', 'column J', '備考 (2)', 'メール'],
    });
    expect(result.rows).toEqual([
      {
        rowNumber: 5,
        cells: ['1', '株式会社フリーダム', 'hasegawa@example.com', '長谷川　隆', 'ハセガワ タカシ', '312345678', '2024-04-01', 'TRUE', '長谷川　隆様', 'x', '二つ目の備考', 'other@example.com'],
        values: {
          company: '株式会社フリーダム',
          email: 'hasegawa@example.com',
          name: '長谷川　隆',
          nameKana: 'ハセガワ タカシ',
          phone: '312345678',
          arisenOn: '2024-04-01',
        },
        extra: { 'No.': '1', 来場: 'TRUE', 備考: '長谷川　隆様', 'column J': 'x', '備考 (2)': '二つ目の備考', メール: 'other@example.com' },
        errors: [],
      },
      {
        rowNumber: 8,
        cells: ['2', 'NNTネクスト株式会社', '海田宛メール', '海田 弘和', '', '03-1234-5678', '2024-04-01 09:30', 'FALSE', '', '', '', ''],
        values: {
          company: 'NNTネクスト株式会社',
          email: '海田宛メール',
          name: '海田 弘和',
          phone: '03-1234-5678',
          arisenOn: '2024-04-01 09:30',
        },
        extra: { 'No.': '2', 来場: 'FALSE' },
        errors: ['error cell #N/A in column 備考'],
      },
    ]);
  });

  it('reports a formula without a calculated value as a row error, and keeps data right of the header', async () => {
    const file = scratch.path('formula.xlsx');
    await writeWorkbook(file, [
      ['名前', '会社名'],
      ['山下 新作', { formula: 'UPPER("a")' }, '', '見出しのない列'],
    ]);
    const { rows } = await read(file, 'xlsx');
    expect(rows).toEqual([
      {
        rowNumber: 2,
        cells: ['山下 新作', ''],
        values: { name: '山下 新作' },
        extra: { 'column D': '見出しのない列' },
        errors: ['formula without a calculated value (open the file in Excel and save it again) in column 会社名'],
      },
    ]);
  });

  it('reads what Japanese Excel writes: furigana skipped, built-in date formats, first visible sheet by tab order', async () => {
    const file = scratch.path('japanese-excel.xlsx');
    const cell = (ref: string, attrs: string, inner: string): string => `<c r="${ref}"${attrs}>${inner}</c>`;
    await writeZip(
      file,
      workbookParts({
        sheets: [
          // A hidden lookup sheet stored as sheet1.xml comes first in tab order; the list is on the visible one.
          { name: 'マスタ', state: 'hidden', rows: '<row r="1"><c r="A1" t="s"><v>0</v></c></row>' },
          {
            name: '参加者',
            file: 'sheet7.xml',
            rows:
              `<row r="2">${cell('A2', ' t="s"', '<v>1</v>')}${cell('B2', ' t="s"', '<v>2</v>')}${cell('C2', ' t="s"', '<v>3</v>')}${cell('D2', ' t="s"', '<v>4</v>')}${cell('E2', ' t="s"', '<v>5</v>')}</row>` +
              `<row r="3">${cell('A3', ' t="s"', '<v>6</v>')}${cell('B3', ' t="inlineStr"', '<is><t>taro@example.com</t></is>')}${cell('C3', ' s="1"', '<v>45383</v>')}${cell('D3', ' s="2"', '<v>9012345678</v>')}${cell('E3', ' t="s"', '<v>7</v>')}</row>` +
              `<row r="4">${cell('A4', ' t="s"', '<v>8</v>')}${cell('C4', ' s="3"', '<v>45383.75</v>')}${cell('D4', ' s="4"', '<v>1234567</v>')}${cell('E4', ' t="str"', '<f>TODAY()</f><v>45383</v>')}</row>`,
          },
        ],
        sharedStrings: [
          '<si><t>区分</t></si>',
          '<si><t>氏名</t><rPh sb="0" eb="2"><t>シメイ</t></rPh><phoneticPr fontId="1"/></si>',
          '<si><t>メールアドレス</t></si>',
          '<si><t>登録日</t></si>',
          '<si><t>携帯電話</t></si>',
          '<si><t>住所</t></si>',
          '<si><r><t>山田</t></r><r><rPr><b/></rPr><t xml:space="preserve"> 太郎</t></r><rPh sb="0" eb="2"><t>ヤマダ</t></rPh><rPh sb="3" eb="5"><t>タロウ</t></rPh><phoneticPr fontId="1"/></si>',
          '<si><t>東京都_x000D_\n千代田区</t></si>',
          '<si><t>佐藤</t><rPh sb="0" eb="2"><t>サトウ</t></rPh></si>',
        ],
        styles: { cellNumFmtIds: [0, 31, 164, 22, 165], customFormats: { 164: '0##########', 165: '000-0000' } },
      }),
    );

    const { header, rows } = await read(file, 'xlsx');
    expect(header.rowNumber).toBe(2);
    expect(header.labels).toEqual(['氏名', 'メールアドレス', '登録日', '携帯電話', '住所']);
    expect(header.fields).toEqual(['name', 'email', undefined, 'mobile', undefined]);
    expect(rows).toEqual([
      {
        rowNumber: 3,
        cells: ['山田 太郎', 'taro@example.com', '2024-04-01', '09012345678', '東京都\n千代田区'],
        values: { name: '山田 太郎', email: 'taro@example.com', mobile: '09012345678' },
        extra: { 登録日: '2024-04-01', 住所: '東京都\n千代田区' },
        errors: [],
      },
      {
        rowNumber: 4,
        cells: ['佐藤', '', '2024-04-01 18:00', '123-4567', '45383'],
        values: { name: '佐藤', mobile: '123-4567' },
        extra: { 登録日: '2024-04-01 18:00', 住所: '45383' },
        errors: [],
      },
    ]);
  });

  it('reads dates in a 1904-based workbook and a Zip64 archive', async () => {
    const file = scratch.path('zip64-1904.xlsx');
    await writeZip(
      file,
      workbookParts({
        date1904: true,
        sheets: [
          {
            name: 'S',
            rows:
              '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c><c r="B1" t="inlineStr"><is><t>Company</t></is></c><c r="C1" t="inlineStr"><is><t>Lead date</t></is></c></row>' +
              '<row r="2"><c r="A2" t="inlineStr"><is><t>Ann</t></is></c><c r="B2" t="inlineStr"><is><t>ACME</t></is></c><c r="C2" s="1"><v>43921</v></c></row>',
          },
        ],
        styles: { cellNumFmtIds: [0, 14] },
      }),
      { zip64: true },
    );
    const { rows } = await read(file, 'xlsx');
    expect(rows).toEqual([
      { rowNumber: 2, cells: ['Ann', 'ACME', '2024-04-01'], values: { name: 'Ann', company: 'ACME', arisenOn: '2024-04-01' }, extra: {}, errors: [] },
    ]);
  });

  it('yields only rows after startAfterRow, counting them all', async () => {
    const file = scratch.path('resume.xlsx');
    await writeWorkbook(file, [
      ['名前', 'メール'],
      ['一', 'a1@example.com'],
      ['二', 'a2@example.com'],
      [],
      ['三', 'a3@example.com'],
      ['四', 'a4@example.com'],
    ]);
    const { header, rows } = await read(file, 'xlsx', {}, { startAfterRow: 3 });
    expect(header.rowNumber).toBe(1);
    expect(rows.map((row) => [row.rowNumber, row.values.name])).toEqual([
      [5, '三'],
      [6, '四'],
    ]);

    const { error } = await readFailure(file, 'xlsx', { maxRows: 3 });
    expect(error).toBeInstanceOf(TooManyRowsError);
  });

  it('stops with TooManyRowsError once data rows pass maxRows, after yielding the ones within it', async () => {
    const file = scratch.path('many.xlsx');
    await writeWorkbook(file, [['名前', '会社名'], ...Array.from({ length: 6 }, (_, i) => [`人${i + 1}`, '株式会社A'])]);
    const { error, yielded } = await readFailure(file, 'xlsx', { maxRows: 4 });
    expect(error).toBeInstanceOf(TooManyRowsError);
    expect(error).toBeInstanceOf(ListFileError);
    expect((error as TooManyRowsError).maxRows).toBe(4);
    expect((error as Error).message).toBe(
      'the list has more than 4 rows, the most one file may hold; split it into smaller files',
    );
    expect(yielded.filter((item) => !isListHeader(item)).map((row) => row.rowNumber)).toEqual([2, 3, 4, 5]);
  });

  it('rejects a sheet without a header row in the first rows', async () => {
    const file = scratch.path('no-header.xlsx');
    await writeWorkbook(file, [['会社名', 'メールアドレス'], ['株式会社A', 'a@example.com']]);
    const { error, yielded } = await readFailure(file, 'xlsx');
    expect(error).toBeInstanceOf(NoHeaderRowError);
    expect((error as Error).message).toBe(
      'no header row found in the first 20 rows: expected columns such as 名前 and メールアドレス (or 名刺会社)',
    );
    expect(yielded).toEqual([]);

    const low = scratch.path('low-header.xlsx');
    await writeWorkbook(low, [['タイトル'], [], [], ['名前', 'メールアドレス']]);
    expect((await readFailure(low, 'xlsx', { headerSearchRows: 3 })).error).toBeInstanceOf(NoHeaderRowError);
    expect((await read(low, 'xlsx', { headerSearchRows: 4 })).header.rowNumber).toBe(4);
  });

  it("takes an update list by リードID or the dedupe key's columns alone; a register list still needs a name", async () => {
    const byId = scratch.path('by-id.xlsx');
    await writeWorkbook(byId, [['リード一覧'], ['リードID', '役職'], ['01ABC', '部長']]);
    const read1 = await read(byId, 'xlsx', undefined, { kind: 'update' });
    expect(read1.header).toMatchObject({ rowNumber: 2, fields: ['leadId', 'title'] });
    expect(read1.rows.map((r) => r.values)).toEqual([{ leadId: '01ABC', title: '部長' }]);
    expect((await readFailure(byId, 'xlsx')).error).toBeInstanceOf(NoHeaderRowError);

    const byEmail = scratch.path('by-email.xlsx');
    await writeWorkbook(byEmail, [['メールアドレス', 'リード担当者'], ['a@example.com', 'rep1']]);
    expect((await read(byEmail, 'xlsx', undefined, { kind: 'update' })).header.fields).toEqual(['email', 'owner']);
    const byNameAndCompany = scratch.path('by-name-company.xlsx');
    await writeWorkbook(byNameAndCompany, [['名前', '会社名', '役職'], ['山田 太郎', '株式会社A', '部長']]);
    expect((await read(byNameAndCompany, 'xlsx', undefined, { kind: 'update' })).header.rowNumber).toBe(1);

    // A name alone finds no lead, and a title row is no header, for an update list either.
    const nameOnly = scratch.path('name-only.xlsx');
    await writeWorkbook(nameOnly, [['名前', '役職'], ['山田 太郎', '部長']]);
    const failure = await readFailure(nameOnly, 'xlsx', undefined, { kind: 'update' });
    expect(failure.error).toBeInstanceOf(NoHeaderRowError);
    expect((failure.error as Error).message).toBe(
      'no header row found in the first 20 rows: expected a column リードID, メールアドレス, or 名前 and 名刺会社',
    );
  });

  it('rejects files that are not workbooks', async () => {
    const random = scratch.path('random.xlsx');
    // Deterministic noise: a linear congruential sequence, no PK signature anywhere.
    let seed = 42;
    await writeFile(random, Buffer.from(Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff)));
    const notZip = (await readFailure(random, 'xlsx')).error;
    expect(notZip).toBeInstanceOf(NotAWorkbookError);
    expect((notZip as Error).message).toBe('the file is not an .xlsx workbook (it is not a zip archive); save it from Excel as .xlsx');

    const xls = scratch.path('old.xlsx');
    await writeFile(xls, Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(1024)]));
    const oldFormat = (await readFailure(xls, 'xlsx')).error;
    expect(oldFormat).toBeInstanceOf(NotAWorkbookError);
    expect((oldFormat as Error).message).toMatch(/old-format \.xls workbook or a password-protected workbook/);

    const otherZip = scratch.path('photos.xlsx');
    await writeZip(otherZip, [{ name: 'photo.txt', data: 'not a workbook' }]);
    const zipOnly = (await readFailure(otherZip, 'xlsx')).error;
    expect(zipOnly).toBeInstanceOf(NotAWorkbookError);
    expect((zipOnly as Error).message).toBe('the file is a zip archive but not an .xlsx workbook (it has no xl/workbook.xml)');

    const empty = scratch.path('empty.xlsx');
    await writeFile(empty, '');
    expect((await readFailure(empty, 'xlsx')).error).toBeInstanceOf(NotAWorkbookError);
  });

  const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>名前</t></is></c><c r="B1" t="inlineStr"><is><t>会社名</t></is></c></row>';

  it('rejects a zip bomb from its directory, before inflating it', async () => {
    const file = scratch.path('bomb.xlsx');
    // 8 MB of zeros deflates to about 8 KB: a thousandfold expansion.
    await writeZip(file, [...workbookParts({ sheets: [{ name: 'S', rows: header }] }), { name: 'xl/media/zeros.bin', data: Buffer.alloc(8 * 1024 * 1024) }]);

    const bySize = (await readFailure(file, 'xlsx', { maxUncompressedBytes: 1024 * 1024, maxCompressionRatio: 10_000 })).error;
    expect(bySize).toBeInstanceOf(ZipBombError);
    expect((bySize as Error).message).toBe('the workbook expands to 8 MB, more than the 1 MB limit');

    const byRatio = (await readFailure(file, 'xlsx')).error;
    expect(byRatio).toBeInstanceOf(ZipBombError);
    expect((byRatio as Error).message).toMatch(/^the workbook expands \d+ times its compressed size, more than the 100 times/);
  });

  it('rejects entries that overlap, which inflate the same bytes many times', () => {
    const overlapping = { fileSize: 10_000, entries: new Map(), totalCompressedBytes: 50_000, totalUncompressedBytes: 60_000 };
    expect(() => checkExpansion(overlapping, { maxUncompressedBytes: 1024 ** 3, maxCompressionRatio: 100 })).toThrow(ZipBombError);
  });

  it('stops a part that inflates past the size its directory declares', async () => {
    const file = scratch.path('lying.xlsx');
    const rows = header + '<row r="2"><c r="A2" t="inlineStr"><is><t>長谷川</t></is></c><c r="B2" t="inlineStr"><is><t>A社</t></is></c></row>';
    const parts = workbookParts({ sheets: [{ name: 'S', rows }] }).map((part) =>
      part.name === 'xl/worksheets/sheet1.xml' ? { ...part, declaredSize: 100 } : part,
    );
    await writeZip(file, parts);
    const { error } = await readFailure(file, 'xlsx');
    expect(error).toBeInstanceOf(ZipBombError);
    expect((error as Error).message).toMatch(/^the workbook part xl\/worksheets\/sheet1\.xml expands beyond the 100 bytes its zip directory declares/);
  });

  it('reports a part that cannot be inflated as a damaged workbook', async () => {
    const file = scratch.path('damaged.xlsx');
    const parts = workbookParts({ sheets: [{ name: 'S', rows: header }] }).map((part) =>
      part.name === 'xl/worksheets/sheet1.xml' ? { ...part, rawData: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x00, 0x12]) } : part,
    );
    await writeZip(file, parts);
    const { error } = await readFailure(file, 'xlsx');
    expect(error).toBeInstanceOf(DamagedWorkbookError);
    expect((error as Error).message).toBe('the workbook is damaged: its part xl/worksheets/sheet1.xml cannot be decompressed');
  });
});

describe('cell text', () => {
  it('writes numbers in plain digits, as Excel holds them', () => {
    expect(cellContent(312345678)).toBe('312345678');
    expect(cellContent(1e21)).toBe('1000000000000000000000');
    expect(cellContent(0.1 + 0.2)).toBe('0.3');
    expect(cellContent(1.5e-7)).toBe('0.00000015');
    expect(cellContent(-0)).toBe('0');
    expect(cellContent(-42.5)).toBe('-42.5');
    expect(cellContent(1234567, { numFmt: '#,##0' })).toBe('1234567');
    expect(cellContent(9012345678, { numFmt: '00000000000' })).toBe('09012345678');
    expect(cellContent(312345678, { numFmt: '0#-####-####' })).toBe('03-1234-5678');
    expect(cellContent(123, { numFmt: '"TEL "0000' })).toBe('TEL 0123');
    expect(cellContent(1234567890123, { numFmt: '000-0000' })).toBe('123456789-0123');
    expect(cellContent(0, { numFmt: '##' })).toBe('');
  });

  it('writes dates and times from their serial numbers without a time zone', () => {
    expect(cellContent(45383, { numFmt: 'yyyy/m/d' })).toBe('2024-04-01');
    expect(cellContent(45383.5, { numFmt: 'yyyy"年"m"月"d"日" h:mm' })).toBe('2024-04-01 12:00');
    expect(cellContent(45383.000011574, { numFmt: 'yyyy/m/d h:mm:ss' })).toBe('2024-04-01 00:00:01');
    expect(cellContent(0.375, { numFmt: 'h:mm' })).toBe('09:00');
    expect(cellContent(45383, { numFmt: '0.00E+00' })).toBe('45383');
    expect(cellContent(45383, { numFmt: '"日付"0' })).toBe('45383');
  });

  it('names what cannot be read', () => {
    expect(cellContent({ error: '#REF!' })).toEqual({ problem: 'error cell #REF!' });
    expect(cellContent({ formula: 'VLOOKUP(A1,B:C,2)', result: Number.NaN })).toEqual({ problem: 'formula whose result is an error' });
    expect(cellContent({ sharedFormula: 'A2', result: 'x' })).toBe('x');
    expect(cellContent({ text: '', hyperlink: 'mailto:Taro.Yamada@example.com?subject=%E3%81%94%E6%8B%9D' })).toBe(
      'Taro.Yamada@example.com',
    );
  });
});

describe('reading a .csv list', () => {
  const rows = [
    ['会社名', '*名前', 'メールアドレス', '電話番号', '備考'],
    ['㈱髙橋商事', '髙橋　一郎', 'takahashi@example.com', '0312345678', '①初回'],
  ];
  const asCsv = (table: string[][]): string => table.map((row) => row.join(',')).join('\r\n') + '\r\n';
  const expected: ListRow = {
    rowNumber: 2,
    cells: ['㈱髙橋商事', '髙橋　一郎', 'takahashi@example.com', '0312345678', '①初回'],
    values: { company: '㈱髙橋商事', name: '髙橋　一郎', email: 'takahashi@example.com', phone: '0312345678' },
    extra: { 備考: '①初回' },
    errors: [],
  };

  it.each([
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(asCsv(rows))])],
    ['UTF-8 without BOM', Buffer.from(asCsv(rows))],
    ['Shift_JIS (cp932)', iconv.encode(asCsv(rows), 'cp932')],
  ])('reads %s', async (_, bytes) => {
    const file = scratch.path(`encoding-${bytes.length}-${bytes[0]}.csv`);
    await writeFile(file, bytes);
    const { header, rows: got } = await read(file, 'csv');
    expect(header.labels).toEqual(['会社名', '*名前', 'メールアドレス', '電話番号', '備考']);
    expect(got).toEqual([expected]);
  });

  it('decodes characters split across read chunks, in UTF-8 and in Shift_JIS', async () => {
    // Each row is 3-byte UTF-8 (2-byte Shift_JIS) characters, so 64 KB chunk edges fall inside characters.
    const people = Array.from({ length: 3000 }, (_, i) => [`髙橋${i}`, `株式会社あいうえお${i}`]);
    const text = asCsv([['名前', '会社名'], ...people]);
    for (const [name, bytes] of [
      ['split-utf8.csv', Buffer.from(text)],
      ['split-sjis.csv', iconv.encode(text, 'cp932')],
    ] as const) {
      const file = scratch.path(name);
      await writeFile(file, bytes);
      expect(bytes.length).toBeGreaterThan(64 * 1024);
      const { rows: got } = await read(file, 'csv');
      expect(got.map((row) => row.cells)).toEqual(people);
      expect(got.at(-1)?.rowNumber).toBe(3001);
    }
  });

  it("decodes Shift_JIS as cp932: every double-byte code as iconv-lite's cp932 table has it, control bytes as themselves", () => {
    const decode = (bytes: Buffer): string => {
      const decoder = createChunkDecoder('cp932');
      return decoder.write(bytes) + decoder.end();
    };
    // The built-in decoder reads the user-defined area whole, as Windows does; iconv-lite's table stops at F940.
    const userDefined = (lead: number, trail: number) => lead === 0xf9 && trail > 0x40;
    const decodeOrInvalid = (bytes: Buffer): string => {
      try {
        return decode(bytes);
      } catch (error) {
        expect(error).toEqual(new TypeError('invalid Shift_JIS byte sequence'));
        return 'invalid';
      }
    };
    let compared = 0;
    const differences: string[] = [];
    for (let lead = 0x81; lead <= 0xfc; lead += 1) {
      if (lead >= 0xa0 && lead <= 0xdf) continue; // single-byte katakana
      for (let trail = 0x40; trail <= 0xfc; trail += 1) {
        if (trail === 0x7f || userDefined(lead, trail)) continue;
        const bytes = Buffer.from([lead, trail]);
        const expected = iconv.decode(bytes, 'cp932');
        const got = decodeOrInvalid(bytes);
        if (got !== (expected.includes('\ufffd') ? 'invalid' : expected)) differences.push(`${bytes.toString('hex')}: ${got}`);
        compared += 1;
      }
    }
    expect(differences).toEqual([]);
    expect(compared).toBeGreaterThan(11_000);
    expect(decode(Buffer.from([0xf9, 0x41, 0xf9, 0xfc]))).toBe('\ue69d\ue757');
    expect(decode(iconv.encode('㈱①Ⅰⅰ№髙﨑～－∥￢', 'cp932'))).toBe('㈱①Ⅰⅰ№髙﨑～－∥￢');
    // Every single byte Windows reads as itself, control bytes too (the ^Z DOS tools end a file with).
    const singles = Buffer.from([...Array.from({ length: 0x80 }, (_, i) => i), ...Array.from({ length: 0x3f }, (_, i) => 0xa1 + i)]);
    expect(decode(singles)).toBe(iconv.decode(singles, 'cp932'));
    // A character cut between two chunks comes out whole with the second; one cut off at the end is invalid.
    const decoder = createChunkDecoder('cp932');
    expect(decoder.write(Buffer.from([0x41, 0x87]))).toBe('A');
    expect(decoder.write(Buffer.from([0x40, 0x88]))).toBe('①');
    expect(() => decoder.end()).toThrow('invalid Shift_JIS byte sequence');
  });

  it('parses quoted fields with commas, line breaks and doubled quotes; skips blank rows but counts them', async () => {
    const file = scratch.path('quoted.csv');
    const text =
      'No.,名前,メール,会社名,メモ\r\n' +
      '1,"山田, 太郎",yamada@example.com,"株式会社""ABC""","一行目\r\n二行目"\r\n' +
      '\r\n' +
      ',,,,\n' +
      '2,佐藤,sato@example.com,,"末尾"\n' +
      '3,"鈴木"一郎 ,suzuki@example.com, "前後の空白" ,say "hi",extra';
    await writeFile(file, text);
    const { header, rows: got } = await read(file, 'csv');
    expect(header.fields).toEqual([undefined, 'name', 'email', 'company', 'memo']);
    expect(got).toEqual([
      {
        rowNumber: 2,
        cells: ['1', '山田, 太郎', 'yamada@example.com', '株式会社"ABC"', '一行目\n二行目'],
        values: { name: '山田, 太郎', email: 'yamada@example.com', company: '株式会社"ABC"', memo: '一行目\n二行目' },
        extra: { 'No.': '1' },
        errors: [],
      },
      {
        rowNumber: 5,
        cells: ['2', '佐藤', 'sato@example.com', '', '末尾'],
        values: { name: '佐藤', email: 'sato@example.com', memo: '末尾' },
        extra: { 'No.': '2' },
        errors: [],
      },
      {
        rowNumber: 6,
        cells: ['3', '鈴木一郎', 'suzuki@example.com', '"前後の空白"', 'say "hi"'],
        values: { name: '鈴木一郎', email: 'suzuki@example.com', company: '"前後の空白"', memo: 'say "hi"' },
        extra: { 'No.': '3', 'column F': 'extra' },
        errors: [],
      },
    ]);
  });

  it('splits records the same however the text is cut into chunks', () => {
    const text = 'a,"b\r\nc""d",e\r\nf,g\rh,"i"\n\n"j,k"\r\n';
    const whole = new CsvRecordParser();
    const expected = [...whole.push(text), ...whole.end()];
    expect(expected).toEqual([['a', 'b\r\nc"d', 'e'], ['f', 'g'], ['h', 'i'], [''], ['j,k']]);
    const byChar = new CsvRecordParser();
    const pieces = [...text].flatMap((ch) => byChar.push(ch));
    expect([...pieces, ...byChar.end()]).toEqual(expected);
  });

  it('applies startAfterRow and maxRows to CSV rows too', async () => {
    const file = scratch.path('limits.csv');
    await writeFile(file, asCsv([['名前', '会社名'], ['一', 'A'], ['二', 'B'], ['三', 'C']]));
    const { rows: got } = await read(file, 'csv', {}, { startAfterRow: 3 });
    expect(got.map((row) => row.rowNumber)).toEqual([4]);
    const { error, yielded } = await readFailure(file, 'csv', { maxRows: 2 });
    expect(error).toBeInstanceOf(TooManyRowsError);
    expect(yielded).toHaveLength(3);
  });

  it('rejects binary files, workbooks named .csv, unclosed quotes and text that changes encoding', async () => {
    const binary = scratch.path('binary.csv');
    await writeFile(binary, Buffer.from([0x00, 0x01, 0x02, 0x03, 0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
    const notText = (await readFailure(binary, 'csv')).error;
    expect(notText).toBeInstanceOf(NotACsvFileError);
    expect((notText as Error).message).toBe('the file is not a CSV text file (it contains binary data)');

    const workbook = scratch.path('workbook.csv');
    await writeWorkbook(workbook, [['名前', '会社名']]);
    const renamed = (await readFailure(workbook, 'csv')).error;
    expect(renamed).toBeInstanceOf(NotACsvFileError);
    expect((renamed as Error).message).toBe('the file is not a CSV text file: it is a zip archive, perhaps an .xlsx workbook named .csv');

    const unclosed = scratch.path('unclosed.csv');
    await writeFile(unclosed, '名前,会社名\r\n山田,"株式会社A\r\n佐藤,B\r\n');
    const { error: openQuote, yielded } = await readFailure(unclosed, 'csv');
    expect(openQuote).toBeInstanceOf(MalformedCsvError);
    expect((openQuote as MalformedCsvError).rowNumber).toBe(2);
    expect((openQuote as Error).message).toBe('the quoted field that starts on row 2 is never closed (a " is missing)');
    expect(yielded).toHaveLength(1);

    // Enough UTF-8 to settle the encoding, then a row pasted in from a Shift_JIS file.
    const mixed = scratch.path('mixed.csv');
    const utf8Rows = Array.from({ length: 4000 }, (_, i) => `名前${i},株式会社${i}`).join('\n');
    await writeFile(mixed, Buffer.concat([Buffer.from(`名前,会社名\n${utf8Rows}\n`), iconv.encode('鈴木,株式会社B\n', 'cp932')]));
    const changed = (await readFailure(mixed, 'csv')).error;
    expect(changed).toBeInstanceOf(NotACsvFileError);
    expect((changed as Error).message).toMatch(/^the file's text stops being valid UTF-8 around row [\d,]+; save the whole file again as CSV UTF-8$/);
  });
});
