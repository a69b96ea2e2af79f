import { writeFile } from 'node:fs/promises';
import { isListHeader, readList, type ListRow } from '../../lib/intake/reader';
import { neutraliseForCsv, restoreFromCsv } from '../../lib/text/spreadsheet-safety';
import { scratchDirectory } from '../support/workbooks';

/** Text a spreadsheet would run as a formula when it opens a CSV: half-width and full-width starts, tab, CR. */
const FORMULA_LIKE = ['=1+1', '+81 営業', '-1', '@SUM(1)', '＝HYPERLINK("x")', '＋81', '－1', '＠SUM(1)', '\tx', '\rx'];
/** Text that is not, and text that already starts with an apostrophe (which the round trip must keep). */
const PLAIN = ['鈴木 太郎', "it's", '1-2', '', "'plain", "'=typed by hand", "''+1", "'＝x", '=', '＝'];

describe('the CSV formula guard', () => {
  test.each(FORMULA_LIKE)('%j gets a leading apostrophe', (text) => {
    expect(neutraliseForCsv(text)).toBe(`'${text}`);
  });

  test.each(['鈴木 太郎', "it's", '1-2', '', "'plain"])('%j is written as it is', (text) => {
    expect(neutraliseForCsv(text)).toBe(text);
  });

  test.each([...FORMULA_LIKE, ...PLAIN])('%j comes back as the same text', (text) => {
    expect(restoreFromCsv(neutraliseForCsv(text))).toBe(text);
  });

  test('intake removes exactly the apostrophe the guard added, full-width forms included', () => {
    expect(restoreFromCsv("'＝1+1")).toBe('＝1+1');
    expect(restoreFromCsv("'＠SUM(1)")).toBe('＠SUM(1)');
    expect(restoreFromCsv("'plain")).toBe("'plain");
    expect(restoreFromCsv("''=x")).toBe("'=x");
  });
});

describe('an exported CSV read back by list intake', () => {
  let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
  beforeAll(async () => {
    scratch = await scratchDirectory();
  });
  afterAll(async () => {
    await scratch.remove();
  });

  // The reader turns a line break inside a cell into the LF Excel uses, so a CR-first memo is left out here.
  const memos = [...FORMULA_LIKE, ...PLAIN].filter((text) => !text.includes('\r') && text !== '');

  test('gives back every memo as it was', async () => {
    const cell = (text: string) => {
      const guarded = neutraliseForCsv(text);
      return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
    };
    const file = scratch.path('exported.csv');
    const lines = ['名前,メールアドレス,メモ', ...memos.map((memo, i) => `鈴木 ${i},s${i}@example.com,${cell(memo)}`)];
    await writeFile(file, `\ufeff${lines.join('\r\n')}\r\n`);
    const rows: ListRow[] = [];
    for await (const item of readList(file, 'csv')) if (!isListHeader(item)) rows.push(item);
    expect(rows.map((row) => row.values.memo)).toEqual(memos);
  });
});
