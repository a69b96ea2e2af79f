import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { escapeXml, workbookParts, type ZipPart } from './workbooks';

/** Lists as marketers upload them, built in code. */

export const HEADER = ['*名前', 'メールアドレス', '名刺会社', '組織', '役職', '電話番号'];

export async function xlsx(rows: unknown[][], header: unknown[] = HEADER): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('リスト');
  sheet.addRow(header);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

export async function readWorkbook(buffer: ArrayBuffer | Buffer): Promise<Map<string, unknown[][]>> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(buffer as ArrayBuffer);
  const sheets = new Map<string, unknown[][]>();
  workbook.eachSheet((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
    sheets.set(sheet.name, rows);
  });
  return sheets;
}

const csvCell = (value: unknown) => {
  const text = String(value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function csv(rows: unknown[][], encoding: 'utf8' | 'utf8bom' | 'sjis', header: unknown[] = HEADER): Buffer {
  const text = [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
  if (encoding === 'sjis') return iconv.encode(text, 'Shift_JIS');
  return Buffer.concat([encoding === 'utf8bom' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

/** One person of a Japanese list, by the lead field each value goes to. */
export interface JapanesePerson {
  name: string;
  nameKana: string;
  email: string;
  company: string;
  department: string;
  title: string;
}

const FAMILY = [
  ['𠮷田', 'ヨシダ'],
  ['髙橋', 'タカハシ'],
  ['渡邊', 'ワタナベ'],
  ['齋藤', 'サイトウ'],
  ['山﨑', 'ヤマザキ'],
  ['長谷川', 'ハセガワ'],
  ['さくら', 'サクラ'],
  ['ヤマモト', 'ヤマモト'],
  ['𩸽村', 'ホッケムラ'],
  ['葛\u{E0100}城', 'カツラギ'],
  ['德永', 'トクナガ'],
  ['辻\u{E0100}', 'ツジ'],
  ['並木', 'ナミキ'],
] as const;
const GIVEN = [
  ['太郎', 'タロウ'],
  ['はなこ', 'ハナコ'],
  ['ケンジ', 'ケンジ'],
  ['𠀋一', 'ジョウイチ'],
  ['美咲', 'ミサキ'],
  ['ﾀﾛｳ', 'ﾀﾛｳ'],
  ['Ｊｏｈｎ', 'ジョン'],
  ['凜', 'リン'],
  ['𡈽子', 'ツチコ'],
  ['愛', 'アイ'],
  ['翔太', 'ショウタ'],
] as const;
const COMPANIES = ['株式会社𠮷野家具', '㈱髙島屋商事', 'ＮＴＴネクスト株式会社', 'ｶﾌﾞｼｷｶﾞｲｼｬ ﾃｽﾄ', 'さくら工業', 'ヤマト運輸サービス', '合同会社🍣寿司', '有限会社①技研'];
const DEPARTMENTS = ['営業１課', 'マーケティング部', '情報システム部', 'ｼｽﾃﾑ開発部', '総務・人事部'];
const TITLES = ['課長', '部長代理', 'シニアマネージャー', 'ＣＴＯ', '主任'];

const fullWidthDigits = (n: number): string => String(n).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/**
 * People whose names, readings and companies mix every kind of character a Japanese list holds: kanji (some outside
 * the BMP, four bytes in UTF-8, such as 𠮷, and one with an ideographic variation selector), hiragana, katakana,
 * half- and full-width forms, circled and parenthesised signs, an emoji. Deterministic, and every e-mail unique.
 */
export function japanesePeople(count: number): JapanesePerson[] {
  return Array.from({ length: count }, (_, i) => {
    const [family, familyKana] = FAMILY[i % FAMILY.length]!;
    const [given, givenKana] = GIVEN[(i * 7 + 3) % GIVEN.length]!;
    return {
      name: `${family} ${given}${fullWidthDigits(i)}`,
      nameKana: `${familyKana} ${givenKana}`,
      email: `jp${i}@example.com`,
      company: `${COMPANIES[(i * 5) % COMPANIES.length]}${i % 97}`,
      department: DEPARTMENTS[(i * 3) % DEPARTMENTS.length]!,
      title: TITLES[(i * 11) % TITLES.length]!,
    };
  });
}

/**
 * A hand-made workbook of these people, its Japanese text in both places a sheet keeps text: names, companies and
 * titles in the shared string table (as Excel writes them), readings, e-mails and departments as inline strings (as
 * database clients and exporters write them).
 */
export function japaneseWorkbook(people: JapanesePerson[]): ZipPart[] {
  const shared = new Map<string, number>();
  const sharedCell = (text: string): string => {
    if (!shared.has(text)) shared.set(text, shared.size);
    return `<c t="s"><v>${shared.get(text)}</v></c>`;
  };
  const inlineCell = (text: string): string => `<c t="inlineStr"><is><t>${escapeXml(text)}</t></is></c>`;
  const row = (n: number, cells: string[]): string => {
    const columns = 'ABCDEF';
    return `<row r="${n}">${cells.map((cell, i) => cell.replace('<c ', `<c r="${columns[i]}${n}" `)).join('')}</row>`;
  };
  const rows = [
    row(1, [sharedCell('名前'), inlineCell('名前（カナ）'), inlineCell('メールアドレス'), sharedCell('名刺会社'), inlineCell('組織'), sharedCell('役職')]),
    ...people.map((p, i) =>
      row(i + 2, [sharedCell(p.name), inlineCell(p.nameKana), inlineCell(p.email), sharedCell(p.company), inlineCell(p.department), sharedCell(p.title)]),
    ),
  ];
  return workbookParts({
    sheets: [{ name: '参加者リスト', rows: rows.join('') }],
    sharedStrings: [...shared.keys()].map((text) => `<si><t>${escapeXml(text)}</t></si>`),
  });
}
