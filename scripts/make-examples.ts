import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CANONICAL_LABEL } from '../lib/leads/columns';

/**
 * `npx tsx scripts/make-examples.ts`: writes the example lists in examples/ (committed, so a newcomer has files to
 * drop). A seminar's invitation list, its participant list as marketing gets it back from the venue (full-width
 * e-mails, upper case, (株) and ㈱, phones typed as numbers, one person twice), and an update list for the same
 * people. Every address is at example.com, every name made up. examples/README.md says what each row shows.
 */

const L = CANONICAL_LABEL;
const OUT = join(__dirname, '..', 'examples');

type Row = (string | number | undefined)[];

const INVITATION_HEADER = [L.name, L.nameKana, L.email, L.company, L.department, L.title, L.phone];
const INVITATION: Row[] = [
  ['長谷川 隆', 'ハセガワ タカシ', 'hasegawa@example.com', '株式会社フリーダム', '営業部', '課長', '03-1234-5678'],
  ['海田 弘和', 'カイダ ヒロカズ', 'kaida@example.com', 'NNTネクスト株式会社', '情報システム部', '部長', '03-2345-6789'],
  ['三沢 慎吾', 'ミサワ シンゴ', 'misawa@example.com', '和歌山ワイズ株式会社', '経営企画室', '室長', '073-123-4567'],
  ['棚橋 太郎', 'タナハシ タロウ', 'tanahashi@example.com', '株式会社イーゼスサイド', '総務部', '', '06-3456-7890'],
  ['佐藤 美咲', 'サトウ ミサキ', 'sato.misaki@example.com', '株式会社みらい物流', 'DX推進部', '主任', '045-234-5678'],
  ['鈴木 健一', 'スズキ ケンイチ', 'suzuki.k@example.com', '北斗電機株式会社', '生産管理部', '係長', '052-345-6789'],
  ['高橋 由美', 'タカハシ ユミ', 'takahashi.y@example.com', '有限会社高橋商店', '', '代表取締役', '092-456-7890'],
  ['田中 誠', 'タナカ マコト', 'tanaka.m@example.com', '東邦ソリューションズ株式会社', '営業企画部', '部長代理', '03-5678-9012'],
  ['伊藤 さくら', 'イトウ サクラ', 'ito.sakura@example.com', '株式会社さくらメディカル', '経理部', '', '011-567-8901'],
  ['渡辺 大輔', 'ワタナベ ダイスケ', 'watanabe.d@example.com', '渡辺建設株式会社', '工務部', '課長', '022-678-9012'],
  ['山本 恵', 'ヤマモト メグミ', 'yamamoto.m@example.com', '株式会社ヤマモトフーズ', '品質保証部', '', '075-789-0123'],
  ['中村 翔', 'ナカムラ ショウ', 'nakamura.s@example.com', '中村精工株式会社', '技術部', '主任', '048-890-1234'],
];

const PARTICIPANT_HEADER = [L.name, L.email, L.company, L.department, L.title, L.phone, '来場日', 'アンケート：関心度'];
const PARTICIPANT: Row[] = [
  // Invited and came, written as the venue typed them: full-width, upper case, (株) and ㈱, a phone as a number.
  ['長谷川 隆', 'ＨＡＳＥＧＡＷＡ＠ｅｘａｍｐｌｅ．ｃｏｍ', '(株)フリーダム', '営業部', '課長', 312345678, '2026-04-10', '高'],
  ['海田　弘和', 'Kaida@Example.com', 'NNTネクスト㈱', '情報システム部', '部長', '03-2345-6789', '2026-04-10', '中'],
  ['三沢 慎吾', ' misawa@example.com ', '和歌山ワイズ(株)', '経営企画室', '室長', 731234567, '2026-04-10', '高'],
  ['佐藤 美咲', 'sato.misaki@example.com', '㈱みらい物流', 'DX推進部', '主任', '045-234-5678', '2026-04-10', '高'],
  ['田中 誠', 'TANAKA.M@EXAMPLE.COM', '東邦ソリューションズ(株)', '営業企画部', '部長代理', 356789012, '2026-04-10', '低'],
  ['渡辺 大輔', 'watanabe.d@example.com', '渡辺建設㈱', '工務部', '課長', '022-678-9012', '2026-04-10', '中'],
  // Walk-ins: came without an invitation.
  ['小林 直樹', 'kobayashi.n@example.com', '株式会社コバヤシ技研', '開発部', '部長', '03-8901-2345', '2026-04-10', '高'],
  ['加藤 彩', 'ｋａｔｏ．ａｙａ＠ｅｘａｍｐｌｅ．ｃｏｍ', '(株)アヤテック', '人事部', '', 661234567, '2026-04-10', '中'],
  ['吉田 剛', 'yoshida.t@example.com', '吉田製作所株式会社', '製造部', '工場長', '0561-23-4567', '2026-04-10', '中'],
  ['山田 花', 'yamada.hana@example.com', '株式会社山田デザイン', '', '代表', 9012345678, '2026-04-10', '高'],
  ['松本 亮', 'matsumoto.r@example.com', '松本物産㈱', '営業部', '', '03-9012-3456', '2026-04-10', '低'],
  // The same person again, written another way: merged into the row above, listed on the report's second sheet.
  ['松本　亮', 'MATSUMOTO.R@example.com', '松本物産株式会社', '営業部', '', '', '2026-04-10', '低'],
];

const UPDATE_HEADER = [L.email, L.title, L.mobile, L.classification, L.memo];
const UPDATE: Row[] = [
  ['hasegawa@example.com', '部長', '090-1111-2222', 'ホット', '4月のセミナー後、見積りを希望'],
  ['kaida@example.com', '', '080-2222-3333', 'ホット', '情報システム部で検討中、予算は下期'],
  ['misawa@example.com', '', '', 'ウォーム', '資料送付済み'],
  ['sato.misaki@example.com', '課長', '', 'ホット', '物流センターのDX、来期導入'],
  ['tanaka.m@example.com', '', '', 'コールド', '情報収集のみ'],
  ['kobayashi.n@example.com', '', '070-3333-4444', 'ホット', 'デモ希望（5月中）'],
  ['kato.aya@example.com', '人事部長', '', 'ウォーム', '採用管理にも関心'],
  ['yoshida.t@example.com', '', '', 'ウォーム', '工場の見学会に招待'],
  ['yamada.hana@example.com', '', '', 'ホット', '小規模プランの見積り'],
  ['matsumoto.r@example.com', '営業部長', '', 'コールド', ''],
];

async function writeList(fileName: string, sheetName: string, header: string[], rows: Row[]): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  // A fixed date in the workbook, not the day it was regenerated.
  workbook.created = workbook.modified = new Date('2026-04-01T00:00:00Z');
  workbook.creator = 'examples';
  const sheet = workbook.addWorksheet(sheetName);
  sheet.addRow(header).font = { bold: true };
  for (const row of rows) sheet.addRow(row);
  sheet.columns.forEach((column) => (column.width = 22));
  await workbook.xlsx.writeFile(join(OUT, fileName));
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  await writeList('invitation.xlsx', '招待リスト', INVITATION_HEADER, INVITATION);
  await writeList('participants.xlsx', '参加者リスト', PARTICIPANT_HEADER, PARTICIPANT);
  await writeList('update.xlsx', 'リスト更新', UPDATE_HEADER, UPDATE);
  process.stdout.write(`wrote examples/invitation.xlsx (${INVITATION.length} rows), participants.xlsx (${PARTICIPANT.length}), update.xlsx (${UPDATE.length})\n`);
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
