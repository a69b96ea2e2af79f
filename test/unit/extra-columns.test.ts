import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { PACK_ABOVE_BYTES, packExtra, unpackExtra } from '../../lib/leads/extra-columns';
import { leadFromItem, leadItem, newLead } from '../../lib/leads/model';

/** Survey answers as an exhibition's list brings them: a dozen columns of Japanese prose, each answer its own. */
const ANSWERS = [
  '現在はExcelで案件を管理しており、担当者ごとに書式が異なるため集計に時間がかかっている',
  '来期の予算申請に向けて、三社ほど比較検討したい。決裁は部長、導入は下期を想定',
  '既存の基幹システムとの連携が必須条件。APIの有無と費用感を知りたい',
  'セミナーの事例紹介が参考になった。同業他社の導入効果を詳しく聞きたい',
  '営業部門20名、インサイドセールス5名。名刺情報の取り込みに課題がある',
  '情報収集の段階。資料を送ってほしい。電話は平日の午後なら対応可能',
];
const survey = (n: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: n }, (_, q) => [`アンケート${q + 1}：ご関心の理由`, `${ANSWERS[q % ANSWERS.length]!}（回答${q + 1}）`]));

describe('extra columns as the lead item stores them', () => {
  test('a dozen survey answers are packed to about half their size and read back as they were', () => {
    const extra = survey(12);
    const json = Buffer.byteLength(JSON.stringify(extra));
    const packed = packExtra(extra);
    expect(packed).toBeInstanceOf(Uint8Array);
    expect((packed as Uint8Array).length).toBeLessThan(json * 0.6);
    expect(unpackExtra(packed)).toEqual(extra);
  });

  test('a few short columns stay a map; the first past the threshold is packed', () => {
    expect(packExtra({ 来場ブース: 'A-3' })).toEqual({ 来場ブース: 'A-3' });
    expect(packExtra({})).toEqual({});
    const atThreshold = { 備考: 'あ'.repeat((PACK_ABOVE_BYTES - Buffer.byteLength(JSON.stringify({ 備考: '' }))) / 3) };
    expect(Buffer.byteLength(JSON.stringify(atThreshold))).toBeLessThanOrEqual(PACK_ABOVE_BYTES);
    expect(packExtra(atThreshold)).toEqual(atThreshold);
    const past = { 備考: `${atThreshold.備考}あ` };
    expect(unpackExtra(packExtra(past))).toEqual(past);
    expect(packExtra(past)).toBeInstanceOf(Uint8Array);
  });

  test('a lead goes through the table and back with its packed columns, and one stored before as a map reads as before', () => {
    const lead = newLead({ leadId: '01JLEAD', fields: { name: '展示 太郎' }, extra: survey(12), matchKey: 'e:tenji@example.com', at: '2026-12-02T00:00:00.000Z' });
    const stored = unmarshall(marshall(leadItem(lead), { removeUndefinedValues: true, convertClassInstanceToMap: false }));
    expect(stored.extra).toBeInstanceOf(Uint8Array);
    expect(leadFromItem(stored)).toEqual(lead);

    const before = { ...stored, extra: survey(12) };
    expect(leadFromItem(before).extra).toEqual(survey(12));
    expect(leadFromItem({ ...stored, extra: undefined }).extra).toEqual({});
  });

  test('a packed value in a format this code does not know is refused, not read as empty', () => {
    expect(() => unpackExtra(Uint8Array.from([9, 1, 2, 3]))).toThrow(/unknown format \(9\)/);
  });
});
