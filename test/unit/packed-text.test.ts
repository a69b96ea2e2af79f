import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { PACK_ABOVE_BYTES, packExtra, packMemo, unpackExtra, unpackMemo } from '../../lib/leads/packed-text';
import { leadFromItem, leadItem, listedLeadFromItem, newLead } from '../../lib/leads/model';

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

describe('long lead text as the lead item stores it', () => {
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

  test('a long memo is packed and read back as it was; a short one, or none, stays as it is', () => {
    const memo = ANSWERS.join('。');
    const packed = packMemo(memo);
    expect(packed).toBeInstanceOf(Uint8Array);
    expect((packed as Uint8Array).length).toBeLessThan(Buffer.byteLength(memo) * 0.8);
    expect(unpackMemo(packed)).toBe(memo);
    expect(packMemo('来月再訪')).toBe('来月再訪');
    expect(unpackMemo('来月再訪')).toBe('来月再訪');
    expect(packMemo(undefined)).toBeUndefined();

    const lead = newLead({ leadId: '01JLEAD', fields: { name: '展示 太郎', memo }, extra: {}, matchKey: 'e:tenji@example.com', at: '2026-12-02T00:00:00.000Z' });
    const stored = unmarshall(marshall(leadItem(lead), { removeUndefinedValues: true, convertClassInstanceToMap: false }));
    expect(stored.memo).toBeInstanceOf(Uint8Array);
    expect(leadFromItem(stored)).toEqual(lead);
    expect(listedLeadFromItem(stored)).toMatchObject({ memo });
    expect(listedLeadFromItem(stored)).not.toHaveProperty('extra');
  });

  test('each attribute reads back its own kind, and a format this code does not know is refused', () => {
    expect(() => unpackExtra(Uint8Array.from([9]))).toThrow(/unknown format/);
    expect(typeof unpackMemo(packMemo(ANSWERS.join('')))).toBe('string');
    expect(typeof unpackExtra(packExtra(survey(12)))).toBe('object');
  });
});
