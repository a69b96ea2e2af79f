import { getLead, saveLead } from '../../lib/leads/repository';
import type { Lead } from '../../lib/leads/model';
import { updateItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';

const stack = useLocalStack();

/**
 * One campaign followed from its lists to a won deal, every number computed by hand:
 * - an earlier seminar creates m0 and m1;
 * - the campaign's invitation list has m0–m5 (invited 6: new 4, known 2), its participant list m0, m2, m3 and m6
 *   (responded 4; m6 is new: new leads 5, known 2); m0, m2 and m3 were invited and came (3 of 6), m6 walked in;
 * - five actions for the campaign (and one for the other campaign, which does not count here);
 * - two conversions (deals 2), one won for 2,000,000 then corrected to 2,400,000, one lost.
 * Budget 1,000,000, actual cost 600,000; targets: leads 10, actions 20, deals 2, won deals 1, won amount 3,000,000.
 */
let campaign: string;
let earlier: string;
const ids: Record<string, string> = {};

const person = (i: number) => [`鈴木 ${i}`, `m${i}@example.com`, `メトリクス${i}株式会社`, '', '', ''];

async function setOwner(leadId: string, ownerId: string) {
  const found = (await getLead(leadId))!;
  const next: Lead = { ...found.lead, ownerId, updatedAt: new Date().toISOString(), version: found.lead.version + 1 };
  await saveLead(found.lead, next);
}

async function act(leadId: string, campaignId: string, day: number) {
  const logged = await stack().api('POST', `/leads/${leadId}/actions`, {
    as: 'rep1',
    body: { campaignId, at: `2026-11-${String(day).padStart(2, '0')}T10:00:00+09:00`, channel: 'phone', content: '製品説明', result: '興味あり' },
  });
  expect(logged.status).toBe(201);
}

async function convert(leadId: string, name: string, amountJpy: number) {
  const converted = await stack().api('POST', `/leads/${leadId}/convert`, {
    as: 'rep1',
    body: { campaignId: campaign, account: { new: {} }, deal: { name, ownerId: 'sales', amountJpy }, notify: false },
  });
  expect(converted.status).toBe(201);
  return converted.body.deal as { dealId: string; version: number };
}

const metrics = async (as = 'marketing', recount = false) => stack().api('GET', `/campaigns/${campaign}/metrics${recount ? '?recount=true' : ''}`, { as });

beforeAll(async () => {
  earlier = (await stack().api('POST', '/campaigns', { as: 'marketing', body: { name: '春の展示会', type: 'exhibition' } })).body.campaignId;
  campaign = (
    await stack().api('POST', '/campaigns', {
      as: 'marketing',
      body: {
        name: '秋のDXセミナー',
        type: 'seminar',
        budgetJpy: 1_000_000,
        actualCostJpy: 600_000,
        targets: { leads: 10, actions: 20, deals: 2, wonDeals: 1, wonAmountJpy: 3_000_000 },
      },
    })
  ).body.campaignId;
  await stack().upload(`imports/${earlier}/participant/earlier.xlsx`, await xlsx([person(0), person(1)]));
  await stack().upload(`imports/${campaign}/invitation/invited.xlsx`, await xlsx([0, 1, 2, 3, 4, 5].map(person)));
  await stack().upload(`imports/${campaign}/participant/came.xlsx`, await xlsx([0, 2, 3, 6].map(person)));
  for (let i = 0; i < 7; i++) {
    ids[`m${i}`] = (await stack().api('GET', `/leads?name=${encodeURIComponent(`鈴木 ${i}`)}`, { as: 'admin' })).body.items[0].leadId;
  }
  for (const m of ['m0', 'm2', 'm3']) await setOwner(ids[m]!, 'rep1');
}, 60_000);

describe('GET /campaigns/{id}/metrics', () => {
  test('intake counters only, before any action', async () => {
    const { status, body } = await metrics();
    expect(status).toBe(200);
    expect(body).toMatchObject({ invited: 6, responded: 4, invitedResponded: 3, walkIns: 1, participationRate: 0.5, newLeads: 5, knownLeads: 2, actions: 0, deals: 0, roi: -1 });
  });

  test('after actions, conversions and closing the deals, every number matches the hand-computed one, and a recount agrees', async () => {
    for (const day of [1, 2, 3]) await act(ids.m0!, campaign, day);
    for (const day of [4, 5]) await act(ids.m2!, campaign, day);
    await act(ids.m0!, earlier, 6);
    const won = await convert(ids.m0!, 'メトリクス0 基幹案件', 2_000_000);
    const lost = await convert(ids.m2!, 'メトリクス2 小規模案件', 500_000);
    expect((await stack().api('PATCH', `/deals/${won.dealId}`, { as: 'sales', body: { version: 1, status: 'won' } })).status).toBe(200);
    // A won deal's amount corrected afterwards moves the won amount too.
    expect((await stack().api('PATCH', `/deals/${won.dealId}`, { as: 'sales', body: { version: 2, amountJpy: 2_400_000 } })).status).toBe(200);
    expect((await stack().api('PATCH', `/deals/${lost.dealId}`, { as: 'manager', body: { version: 1, status: 'lost' } })).status).toBe(200);
    // Reopened and won again: still one won deal.
    expect((await stack().api('PATCH', `/deals/${won.dealId}`, { as: 'manager', body: { version: 3, status: 'open' } })).status).toBe(200);
    expect((await stack().api('PATCH', `/deals/${won.dealId}`, { as: 'manager', body: { version: 4, status: 'won' } })).status).toBe(200);

    const { body } = await metrics('sales');
    expect(body).toEqual({
      campaignId: campaign,
      invited: 6,
      responded: 4,
      invitedResponded: 3, // m0, m2, m3
      walkIns: 1, // m6
      participationRate: 0.5, // 3 / 6: the invited who came
      newLeads: 5,
      knownLeads: 2,
      actions: 5,
      deals: 2,
      wonDeals: 1,
      wonAmountJpy: 2_400_000,
      budgetJpy: 1_000_000,
      actualCostJpy: 600_000,
      roi: 3, // (2,400,000 − 600,000) / 600,000
      costPerLeadJpy: 120_000, // 600,000 / 5 new leads
      costPerDealJpy: 300_000, // 600,000 / 2 deals
      progress: { leads: 0.5, actions: 0.25, deals: 1, wonDeals: 1, wonAmountJpy: 0.8 },
    });

    const recounted = await metrics('admin', true);
    expect(recounted.status).toBe(200);
    expect(recounted.body.recount).toEqual({
      counters: { invited: 6, responded: 4, invitedResponded: 3, newLeads: 5, knownLeads: 2, actions: 5, deals: 2, wonDeals: 1, wonAmountJpy: 2_400_000 },
      agrees: true,
      differences: {},
    });

    const other = (await stack().api('GET', `/campaigns/${earlier}/metrics?recount=true`, { as: 'admin' })).body;
    expect(other).toMatchObject({ invited: 0, responded: 2, participationRate: null, newLeads: 2, knownLeads: 0, actions: 1, deals: 0, roi: null, costPerLeadJpy: null, costPerDealJpy: null });
    expect(other.progress).toEqual({ leads: null, actions: null, deals: null, wonDeals: null, wonAmountJpy: null });
    expect(other.recount.agrees).toBe(true);
  });

  test('a recount reports a counter that drifted, and leaves it as it is', async () => {
    await updateItem({ key: keys.campaignMetrics(campaign), update: 'ADD actions :one', values: { ':one': 1 } });
    const first = (await metrics('admin', true)).body;
    expect(first.actions).toBe(6);
    expect(first.recount).toMatchObject({ agrees: false, differences: { actions: { counter: 6, recount: 5 } } });
    expect((await metrics()).body.actions).toBe(6);
    await updateItem({ key: keys.campaignMetrics(campaign), update: 'ADD actions :minus', values: { ':minus': -1 } });
    expect((await metrics('admin', true)).body.recount.agrees).toBe(true);
  });

  test('a cost of 0 gives no ROI, never an infinite one; only an admin recounts; agents do not read metrics', async () => {
    const { body: current } = await stack().api('GET', `/campaigns/${campaign}`, { as: 'marketing' });
    await stack().api('PATCH', `/campaigns/${campaign}`, { as: 'marketing', body: { version: current.version, actualCostJpy: 0 } });
    const { body } = await metrics();
    expect(body).toMatchObject({ actualCostJpy: 0, roi: null, costPerLeadJpy: 0, costPerDealJpy: 0 });
    expect(JSON.stringify(body)).not.toMatch(/Infinity|NaN/);
    expect((await metrics('manager', true)).status).toBe(403);
    expect((await metrics('agent')).status).toBe(403);
    expect((await stack().api('GET', '/campaigns/01NOSUCHCAMPAIGN0000000000/metrics', { as: 'marketing' })).status).toBe(404);
  });
});

describe('participation: the invited who came, and the walk-ins beside them', () => {
  // Three invited, and six came: the three invited and three who walked in. Either list may arrive first.
  test.each([
    ['the invitation list first', ['invitation', 'participant']],
    ['the participant list first', ['participant', 'invitation']],
  ])('%s: participation is 1, never 2, and a recount agrees', async (_, order) => {
    const tag = order[0] === 'invitation' ? 'ip' : 'pi';
    const guest = (i: number) => [`渡辺 ${tag}${i}`, `${tag}${i}@example.com`, `来場${i}株式会社`, '', '', ''];
    const lists: Record<string, string[][]> = { invitation: [0, 1, 2].map(guest), participant: [0, 1, 2, 3, 4, 5].map(guest) };
    const seminar = (await stack().api('POST', '/campaigns', { as: 'marketing', body: { name: `来場者 ${tag}`, type: 'seminar' } })).body.campaignId;
    for (const kind of order) await stack().upload(`imports/${seminar}/${kind}/${kind}.xlsx`, await xlsx(lists[kind]!));

    const { body } = await stack().api('GET', `/campaigns/${seminar}/metrics?recount=true`, { as: 'admin' });
    expect(body).toMatchObject({ invited: 3, responded: 6, invitedResponded: 3, walkIns: 3, participationRate: 1, newLeads: 6, knownLeads: 0 });
    expect(body.recount).toEqual({
      counters: { invited: 3, responded: 6, invitedResponded: 3, newLeads: 6, knownLeads: 0, actions: 0, deals: 0, wonDeals: 0, wonAmountJpy: 0 },
      agrees: true,
      differences: {},
    });
  });
});
