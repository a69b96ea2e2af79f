import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { HEADER, readWorkbook, xlsx } from '../support/lists';

const stack = useLocalStack();
const { newCampaign, importList, uploadAs } = intakeHelpers(stack);

/**
 * Every column the export writes comes back through an update list either applied or rejected with the reason:
 * リードステージ (with ステージ理由) is applied by the stage rules, リード担当組織 and the last action are checked
 * against what the lead has, since they come from the owner's user record and from logged actions.
 *
 * Eight participants u0–u7; u0–u3 given to rep1 (team インサイドセールス部); an action logged on u1; u2 moved to
 * 対象外 with a reason through PATCH /leads.
 */
let campaignId: string;
const ids: string[] = [];
const ACTION_AT = '2026-11-20T14:05:30+09:00';

async function lead(i: number) {
  return (await stack().api('GET', `/leads/${ids[i]}`, { as: 'manager' })).body;
}

async function rejectionReasons(importId: string): Promise<unknown[][]> {
  const link = await stack().api('GET', `/imports/${importId}/rejections`, { as: 'marketing' });
  expect(link.status).toBe(200);
  const sheet = (await readWorkbook(await (await fetch(link.body.url)).arrayBuffer())).get('取り込めなかった行')!;
  return sheet.slice(1).map((row) => [row[0], row[1]]);
}

beforeAll(async () => {
  campaignId = await newCampaign('リスト更新の列');
  const people = Array.from({ length: 8 }, (_, i) => [`列 ${i}`, `column${i}@example.com`, `株式会社列${i}`, '', '', '']);
  await importList(campaignId, 'participant', 'people.xlsx', await xlsx(people, HEADER));
  for (let i = 0; i < people.length; i++) {
    const page = await stack().api('GET', `/leads?name=${encodeURIComponent(`列 ${i}`)}`, { as: 'admin' });
    ids.push(page.body.items[0].leadId);
  }
  const assigned = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: ids.slice(0, 4), ownerId: 'rep1' } });
  expect(assigned.status).toBeLessThan(300);
  const logged = await stack().api('POST', `/leads/${ids[1]}/actions`, {
    as: 'rep1',
    body: { campaignId, at: ACTION_AT, channel: 'phone', content: 'ヒアリング', result: '不在' },
  });
  expect(logged.status).toBe(201);
  const { version } = await lead(2);
  const patched = await stack().api('PATCH', `/leads/${ids[2]}`, { as: 'manager', body: { version, stage: 'disqualified', stageReason: '予算なし' } });
  expect(patched.status).toBe(200);
}, 60_000);

describe('update list columns (リスト更新)', () => {
  test('a list of only リードID and 役職 updates the title', async () => {
    const imported = await importList(campaignId, 'update', 'titles.xlsx', await xlsx([[ids[7], '部長']], ['リードID', '役職']));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 1, updated: 1, rejected: 0 } });
    expect((await lead(7)).lead.title).toBe('部長');
  });

  test('リードステージ: 対象外 with a reason applies; without one, 案件化 and 営業引継ぎ are rejected with the reason', async () => {
    const before = await lead(3);
    const rows = [
      [ids[3], '対象外', '競合導入済み'],
      [ids[4], '対象外', ''],
      [ids[5], '案件化', ''],
      [ids[6], 'handed_over', ''],
      [ids[0], '新規', ''],
      [ids[7], 'recycle', '時期尚早'],
    ];
    const imported = await importList(campaignId, 'update', 'stages.xlsx', await xlsx(rows, ['リードID', 'リードステージ', 'ステージ理由']));
    expect(imported).toMatchObject({ status: 'completed_with_errors', counts: { rows: 6, updated: 2, unchanged: 1, rejected: 3 } });

    expect((await lead(3)).lead).toMatchObject({ stage: 'disqualified', stageReason: '競合導入済み' });
    expect((await lead(7)).lead).toMatchObject({ stage: 'recycle', stageReason: '時期尚早' });
    for (const i of [4, 5, 6]) expect((await lead(i)).lead.stage).toBe('new');
    expect(await rejectionReasons(imported.importId)).toEqual([
      [3, '対象外にするにはステージ理由が必要です'],
      [4, '案件化は案件化の操作でだけ設定できます（リストでは設定できません）'],
      [5, '営業引継ぎは引継ぎの操作でだけ設定できます（リストでは設定できません）'],
    ]);

    // Written as PATCH /leads writes a stage edit (u2 above): the lead at its next version, found in the stage's
    // list, and the same history (assignment only: a stage edit records no event by either way).
    expect((await lead(3)).lead.version).toBe(before.lead.version + 1);
    const disqualified = await stack().api('GET', `/leads?stage=disqualified&campaignId=${campaignId}`, { as: 'manager' });
    expect(disqualified.body.items.map((item: { leadId: string }) => item.leadId).sort()).toEqual([ids[2], ids[3]].sort());
    const history = async (i: number) => (await stack().api('GET', `/leads/${ids[i]}/history`, { as: 'manager' })).body.items.map((e: { kind: string }) => e.kind);
    expect(await history(3)).toEqual(['assigned']);
    expect(await history(3)).toEqual(await history(2));
  });

  test.each(['xlsx', 'csv'] as const)('an exported list (%s) uploaded back unedited is all unchanged, with no rejection', async (format) => {
    const started = await stack().api('POST', '/exports', { as: 'manager', body: { filter: { campaignId }, format } });
    expect(started.status).toBe(202);
    await stack().intakeIdle();
    const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as: 'manager' });
    expect(done.body).toMatchObject({ status: 'succeeded', rows: 8 });
    const file = Buffer.from(await (await fetch(done.body.url)).arrayBuffer());
    const header = format === 'xlsx' ? (await readWorkbook(file)).get('リード')![0] : file.toString('utf8').replace(/^\ufeff/, '').split('\r\n')[0]!.split(',');
    expect(header).toEqual(expect.arrayContaining(['リードステージ', 'ステージ理由', 'リード担当組織', '最終アクション日', '最終アクション結果']));

    const imported = await importList(campaignId, 'update', `unedited.${format}`, file);
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 8, unchanged: 8, updated: 0, rejected: 0 } });
  });

  test('a changed 最終アクション日, 最終アクション結果 or リード担当組織 is rejected with the reason; the values the lead has pass', async () => {
    const before = await lead(1);
    expect(before.lead).toMatchObject({ ownerTeam: 'インサイドセールス部', lastActionResult: '不在' });
    const header = ['リードID', 'リード担当組織', '最終アクション日', '最終アクション結果', '役職'];
    const rows = [
      // As a person sees them: the date in Japan time, typed the way Excel shows it.
      [ids[1], 'インサイドセールス部', '2026/11/20 14:05:30', '不在', '課長'],
      [ids[1], '', '', '興味あり', ''],
      [ids[1], '', '2026-11-21', '', ''],
      [ids[0], '営業部', '', '', ''],
    ];
    const imported = await importList(campaignId, 'update', 'derived.xlsx', await xlsx(rows, header));
    expect(imported).toMatchObject({ status: 'completed_with_errors', counts: { rows: 4, updated: 1, rejected: 3 } });
    expect(await rejectionReasons(imported.importId)).toEqual([
      [3, '最終アクション結果はアクションの記録から決まるため、リストでは変更できません（現在の値: 不在）'],
      [4, '最終アクション日はアクションの記録から決まるため、リストでは変更できません（現在の値: 2026-11-20 14:05:30）'],
      [5, 'リード担当組織はリード担当者のユーザー情報から決まるため、リストでは変更できません（リード担当者の組織: インサイドセールス部）'],
    ]);
    const after = await lead(1);
    expect(after.lead).toMatchObject({ title: '課長', ownerTeam: 'インサイドセールス部', lastActionAt: before.lead.lastActionAt, lastActionResult: '不在' });
  });

  test('リード担当組織 beside a new リード担当者 must be the new owner’s team', async () => {
    const header = ['リードID', 'リード担当者', 'リード担当組織'];
    const rows = [
      [ids[4], 'sales@example.com', 'フィールドセールス部'],
      [ids[5], 'sales@example.com', 'インサイドセールス部'],
    ];
    const imported = await uploadAs('manager', campaignId, 'update', 'owners.xlsx', await xlsx(rows, header));
    expect(imported).toMatchObject({ status: 'completed_with_errors', counts: { rows: 2, updated: 1, rejected: 1 } });
    expect((await lead(4)).lead).toMatchObject({ ownerId: 'sales', ownerTeam: 'フィールドセールス部' });
    expect((await lead(5)).lead.ownerId).toBeUndefined();
    expect(await rejectionReasons(imported.importId)).toEqual([
      [3, 'リード担当組織はリード担当者のユーザー情報から決まるため、リストでは変更できません（リード担当者の組織: フィールドセールス部）'],
    ]);
  });

  test('a reason goes with its stage: a new one is needed to move on, and a stage that needs one keeps it', async () => {
    const header = ['リードID', 'リードステージ', 'ステージ理由', 'リード発生日'];
    const rows = [
      [ids[2], 'リサイクル', '', ''], // 対象外 (予算なし) → リサイクル: the old reason explains the old stage only
      [ids[3], '', '#CLEAR', ''],
      [ids[0], '見込み', '', ''],
      [ids[5], '', '', '2026-04-01'],
      [ids[2], '対応中', '', ''],
    ];
    const imported = await importList(campaignId, 'update', 'reasons.xlsx', await xlsx(rows, header));
    expect(imported).toMatchObject({ status: 'completed_with_errors', counts: { rows: 5, updated: 1, rejected: 4 } });
    expect(await rejectionReasons(imported.importId)).toEqual([
      [2, 'リサイクルにするにはステージ理由が必要です'],
      [3, '対象外のリードのステージ理由は空にできません'],
      [4, 'リードステージが正しくありません: 見込み（新規・対応中・対象外・リサイクルのいずれか）'],
      [5, 'リード発生日はキャンペーン履歴の日付のため、更新リストでは変更できません（列を削除してください）'],
    ]);
    const back = (await lead(2)).lead;
    expect(back.stage).toBe('working');
    expect(back.stageReason).toBeUndefined();
    expect((await lead(3)).lead).toMatchObject({ stage: 'disqualified', stageReason: '競合導入済み' });
  });
});
