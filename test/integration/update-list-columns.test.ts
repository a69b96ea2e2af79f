import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { HEADER, xlsx } from '../support/lists';

const stack = useLocalStack();
const { newCampaign, importList } = intakeHelpers(stack);

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
});
