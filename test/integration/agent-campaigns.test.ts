import { backfillHistoryOwners } from '../../lib/leads/memberships';
import { deleteItem, updateItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { useLocalStack } from '../support/local-stack';
import { HEADER, xlsx } from '../support/lists';

/**
 * An agent (外注業者) sees a campaign only when one of its own leads is a member, and then without budget, cost,
 * targets or stakeholders (api.md); any other campaign answers 404, as a lead it may not see does. The campaigns it
 * sees follow its leads: given a lead of a campaign (by assignment or by a list that reaches its lead), it sees the
 * campaign; once no lead of it is the agent's, it no longer does.
 */

const stack = useLocalStack();

const full = {
  type: 'seminar',
  category: '自社セミナー',
  status: 'active',
  budgetJpy: 1_200_000,
  actualCostJpy: 900_000,
  targets: { leads: 300, wonAmountJpy: 15_000_000 },
  stakeholders: [{ kind: 'external', name: '運営 次郎', organization: '株式会社イベント企画', email: 'unei@example.com', phone: '03-1234-5678' }],
};
const HIDDEN = ['budgetJpy', 'actualCostJpy', 'targets', 'stakeholders'];

let a: any;
let b: any;
let c: any;
const leadOf: Record<string, string> = {};

async function campaign(name: string) {
  const created = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, ...full } });
  expect(created.status).toBe(201);
  return created.body;
}

async function assign(leadId: string, ownerId: string) {
  const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [leadId], ownerId } });
  expect(res.status).toBe(200);
  expect(res.body.assigned).toBe(1);
}

async function agentList(query = ''): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await stack().api('GET', `/campaigns?limit=2${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: 'agent' });
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

const listedIds = async () => (await agentList()).map((x) => x.campaignId);

beforeAll(async () => {
  a = await campaign('外注向け A');
  b = await campaign('外注向け B');
  c = await campaign('外注向け C');
  await stack().upload(`imports/${a.campaignId}/participant/a.xlsx`, await xlsx([['甲 一郎', 'ko@example.com', '株式会社甲', '', '', '']], HEADER));
  await stack().upload(`imports/${b.campaignId}/participant/b.xlsx`, await xlsx([['乙 二郎', 'otsu@example.com', '株式会社乙', '', '', '']], HEADER));
  await stack().upload(`imports/${c.campaignId}/participant/c.xlsx`, await xlsx([['丙 三郎', 'hei@example.com', '株式会社丙', '', '', '']], HEADER));
  for (const [key, id] of [['ko', a.campaignId], ['otsu', b.campaignId], ['hei', c.campaignId]] as const) {
    const found = await stack().api('GET', `/leads?campaignId=${id}`, { as: 'admin' });
    expect(found.body.items).toHaveLength(1);
    leadOf[key] = found.body.items[0].leadId;
  }
  // The agent's lead is a member of A only.
  await assign(leadOf.ko!, 'agent');
}, 120_000);

describe('campaigns an agent sees', () => {
  test('the list holds only the campaigns of its own leads, each without budget, cost, targets or stakeholders', async () => {
    const items = await agentList();
    expect(items.map((x) => x.campaignId)).toEqual([a.campaignId]);
    for (const key of HIDDEN) expect(items[0]).not.toHaveProperty(key);
    expect(items[0]).toMatchObject({ campaignId: a.campaignId, name: '外注向け A', type: 'seminar', status: 'active', version: 1 });
    // A status filter narrows the agent's list as anyone's.
    expect((await agentList('&status=planned')).map((x) => x.campaignId)).toEqual([]);
    expect((await agentList('&status=active')).map((x) => x.campaignId)).toEqual([a.campaignId]);
  });

  test('a campaign of its own lead reads in the reduced view; any other answers 404, like an unknown id', async () => {
    const read = await stack().api('GET', `/campaigns/${a.campaignId}`, { as: 'agent' });
    expect(read.status).toBe(200);
    for (const key of HIDDEN) expect(read.body).not.toHaveProperty(key);
    expect(read.body).toMatchObject({ campaignId: a.campaignId, name: '外注向け A' });

    const other = await stack().api('GET', `/campaigns/${b.campaignId}`, { as: 'agent' });
    const unknown = await stack().api('GET', '/campaigns/01JZZZZZZZZZZZZZZZZZZZZZZZ', { as: 'agent' });
    expect(other.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(other.body.title).toBe(unknown.body.title);
  });

  test('metrics, which show cost and ROI, are not for agents; other roles keep the full campaign', async () => {
    expect((await stack().api('GET', `/campaigns/${a.campaignId}/metrics`, { as: 'agent' })).status).toBe(403);
    for (const as of ['admin', 'marketing', 'manager', 'rep1', 'sales']) {
      const read = await stack().api('GET', `/campaigns/${a.campaignId}`, { as });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(a);
      const page = await stack().api('GET', '/campaigns?limit=500', { as });
      expect(page.body.items.find((x: any) => x.campaignId === b.campaignId)).toEqual(b);
    }
  });

  test("the agent's lead page shows its campaign histories and no campaign's money or contacts", async () => {
    const detail = await stack().api('GET', `/leads/${leadOf.ko}`, { as: 'agent' });
    expect(detail.status).toBe(200);
    expect(detail.body.campaigns.map((m: any) => m.campaignId)).toEqual([a.campaignId]);
    for (const key of [...HIDDEN, 'ownerVersion']) expect(JSON.stringify(detail.body)).not.toContain(`"${key}"`);
  });

  test('a lead of B given to the agent makes B visible; given away again, B is gone', async () => {
    await assign(leadOf.otsu!, 'agent');
    expect(await listedIds()).toEqual([b.campaignId, a.campaignId]);
    const read = await stack().api('GET', `/campaigns/${b.campaignId}`, { as: 'agent' });
    expect(read.status).toBe(200);
    for (const key of HIDDEN) expect(read.body).not.toHaveProperty(key);

    await assign(leadOf.otsu!, 'rep1');
    expect(await listedIds()).toEqual([a.campaignId]);
    expect((await stack().api('GET', `/campaigns/${b.campaignId}`, { as: 'agent' })).status).toBe(404);
  });

  test("a list that reaches the agent's lead shows its campaign; the lead handed over, none of them is seen", async () => {
    await stack().upload(`imports/${c.campaignId}/invitation/c-invited.xlsx`, await xlsx([['甲 一郎', 'ko@example.com', '株式会社甲', '', '', '']], HEADER));
    expect(await listedIds()).toEqual([c.campaignId, a.campaignId]);
    expect((await stack().api('GET', `/campaigns/${c.campaignId}`, { as: 'agent' })).status).toBe(200);

    const handover = await stack().api('POST', `/leads/${leadOf.ko}/handover`, { as: 'manager', body: { ownerId: 'sales' } });
    expect(handover.status).toBe(200);
    expect(await listedIds()).toEqual([]);
    for (const id of [a.campaignId, c.campaignId]) expect((await stack().api('GET', `/campaigns/${id}`, { as: 'agent' })).status).toBe(404);
  });

  test("an owner change moves the histories its lead's campaign set names, and a lead written before the sets has its histories found by query", async () => {
    // hei (campaign C) has a set naming C; the same lead without its set, as leads before the sets were.
    await assign(leadOf.hei!, 'agent');
    expect(await listedIds()).toEqual([c.campaignId]);
    await assign(leadOf.hei!, 'rep1');
    expect(await listedIds()).toEqual([]);

    await deleteItem(keys.leadCampaigns(leadOf.hei!));
    await assign(leadOf.hei!, 'agent');
    expect(await listedIds()).toEqual([c.campaignId]);
    await assign(leadOf.hei!, 'rep1');
    expect(await listedIds()).toEqual([]);
  }, 90_000);

  test('a history written before histories carried owners is given its owner by the backfill, and a second run changes nothing', async () => {
    await assign(leadOf.otsu!, 'agent');
    expect(await listedIds()).toEqual([b.campaignId]);
    // As an older release wrote it: no owner on the history, so the agent cannot see the campaign through it.
    await updateItem({ key: keys.membership(leadOf.otsu!, b.campaignId), changes: { remove: ['ownerId', 'ownerVersion', ...keys.ownedMembershipsAttributes] } });
    expect(await listedIds()).toEqual([]);

    expect(await backfillHistoryOwners(b.campaignId)).toBe(1);
    expect(await listedIds()).toEqual([b.campaignId]);
    expect(await backfillHistoryOwners(b.campaignId)).toBe(1);
    expect(await listedIds()).toEqual([b.campaignId]);
  }, 90_000);
});
