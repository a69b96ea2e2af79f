import { backfillLeadIndexes } from '../../lib/leads/index-backfill';
import { getItem, putItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { intakeHelpers } from '../support/intake';
import { xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail } = intakeHelpers(stack);

/**
 * An exhibition's list brings a dozen survey columns besides the lead's fields. They are kept on the lead under
 * `extra` and stored packed, since every index holds a copy of the lead item (lib/leads/packed-text.ts): through the
 * bucket, the detail, an update list, an assignment, an action and an edit, not one answer is lost or changed.
 */

const QUESTIONS = Array.from({ length: 12 }, (_, q) => `アンケート${q + 1}：ご関心の理由`);
const answer = (person: number, q: number) =>
  [
    '現在はExcelで案件を管理しており、担当者ごとに書式が異なるため集計に時間がかかっている',
    '来期の予算申請に向けて三社ほど比較検討したい。決裁は部長、導入は下期を想定',
    '既存の基幹システムとの連携が必須条件。APIの有無と費用感を知りたい',
    'セミナーの事例紹介が参考になった。同業他社の導入効果を詳しく聞きたい',
  ][(person + q) % 4]! + `（${person}-${q + 1}）`;
const surveyOf = (person: number) => Object.fromEntries(QUESTIONS.map((question, q) => [question, answer(person, q)]));
const HEADER = ['*名前', 'メールアドレス', '名刺会社', ...QUESTIONS];

let campaignId: string;
const leadIds: string[] = [];
const detail = async (leadId: string) => (await stack().api('GET', `/leads/${leadId}`, { as: 'manager' })).body.lead;

beforeAll(async () => {
  campaignId = await newCampaign('展示会アンケート');
  const rows = [0, 1].map((p) => [`展示 ${p}郎`, `tenji${p}@example.com`, `株式会社展示${p}`, ...QUESTIONS.map((_, q) => answer(p, q))]);
  const imported = await importList(campaignId, 'participant', '来場者.xlsx', await xlsx(rows, HEADER));
  expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 2, created: 2, rejected: 0 } });
  for (const p of [0, 1]) leadIds.push((await leadByEmail(`tenji${p}@example.com`))!.leadId);
}, 60_000);

describe('survey columns on a lead', () => {
  test('come through the bucket whole, and are stored packed', async () => {
    for (const p of [0, 1]) expect((await detail(leadIds[p]!)).extra).toEqual(surveyOf(p));
    const stored = await getItem<Record<string, unknown>>(keys.lead(leadIds[0]!));
    expect(stored!.extra).toBeInstanceOf(Uint8Array);
    expect((stored!.extra as Uint8Array).length).toBeLessThan(Buffer.byteLength(JSON.stringify(surveyOf(0))) * 0.7);
  });

  test('an update list changes one answer and clears another; the others stay as they were', async () => {
    const imported = await importList(campaignId, 'update', '修正.xlsx', await xlsx([[leadIds[0], '予算は確保済み', '#clear']], ['リードID', QUESTIONS[1]!, QUESTIONS[2]!]));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 1, updated: 1, rejected: 0 } });
    const expected: Record<string, string> = { ...surveyOf(0), [QUESTIONS[1]!]: '予算は確保済み' };
    delete expected[QUESTIONS[2]!];
    expect((await detail(leadIds[0]!)).extra).toEqual(expected);
    expect((await detail(leadIds[1]!)).extra).toEqual(surveyOf(1));
  });

  test('an assignment, an action and an edit of the lead keep every answer', async () => {
    const assigned = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [leadIds[1]], ownerId: 'rep1' } });
    expect(assigned.body.assigned).toBe(1);
    const logged = await stack().api('POST', `/leads/${leadIds[1]}/actions`, { as: 'rep1', body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在' } });
    expect(logged.status).toBe(201);
    const { version } = await detail(leadIds[1]!);
    const edited = await stack().api('PATCH', `/leads/${leadIds[1]}`, { as: 'rep1', body: { version, memo: '展示会で名刺交換。来月再訪' } });
    expect(edited.status).toBe(200);
    expect(await detail(leadIds[1]!)).toMatchObject({ memo: '展示会で名刺交換。来月再訪', ownerId: 'rep1', lastActionResult: '不在', extra: surveyOf(1) });
  });

  test('a long shared memo is stored packed too, shown in the detail and kept by an action', async () => {
    const memo = Array.from({ length: 6 }, (_, q) => answer(1, q)).join('。');
    const { version } = await detail(leadIds[1]!);
    expect((await stack().api('PATCH', `/leads/${leadIds[1]}`, { as: 'rep1', body: { version, memo } })).status).toBe(200);
    expect(((await getItem<Record<string, unknown>>(keys.lead(leadIds[1]!)))!).memo).toBeInstanceOf(Uint8Array);
    const logged = await stack().api('POST', `/leads/${leadIds[1]}/actions`, { as: 'rep1', body: { campaignId, at: new Date().toISOString(), channel: 'email', content: 'お礼', result: '不在' } });
    expect(logged.status).toBe(201);
    expect(await detail(leadIds[1]!)).toMatchObject({ memo, extra: surveyOf(1), lastActionResult: '不在' });
  });

  test('the list pages show the leads as before (no list shows the answers or the memo)', async () => {
    const page = await stack().api('GET', `/leads?campaignId=${campaignId}`, { as: 'manager' });
    expect(page.status).toBe(200);
    expect(page.body.items.map((i: { leadId: string }) => i.leadId).sort()).toEqual([...leadIds].sort());
    for (const item of page.body.items) {
      expect(item.extra).toBeUndefined();
      expect(item.memo).toBeUndefined();
    }
  });

  test('a lead stored before, with its answers as a map and its memo as text, reads as it was and is packed by backfill:lead-indexes', async () => {
    const stored = (await getItem<Record<string, unknown>>(keys.lead(leadIds[0]!)))!;
    const answers = (await detail(leadIds[0]!)).extra;
    const memo = Array.from({ length: 6 }, (_, q) => answer(0, q)).join('。');
    await putItem({ ...stored, extra: answers, memo });
    expect(((await getItem<Record<string, unknown>>(keys.lead(leadIds[0]!)))!).extra).toEqual(answers);
    expect((await detail(leadIds[0]!)).extra).toEqual(answers);

    expect((await backfillLeadIndexes()).updated).toBe(1);
    const packed = (await getItem<Record<string, unknown>>(keys.lead(leadIds[0]!)))!;
    expect(packed.extra).toBeInstanceOf(Uint8Array);
    expect(packed.memo).toBeInstanceOf(Uint8Array);
    expect((await detail(leadIds[0]!)).memo).toBe(memo);
    expect(packed.version).toBe(stored.version);
    expect((await detail(leadIds[0]!)).extra).toEqual(answers);
    expect((await backfillLeadIndexes()).updated).toBe(0);
  });
});
