import { eventually } from '../support/waiting';
import { useLocalStack, type SentMail } from '../support/local-stack';
import { xlsx } from '../support/lists';

const stack = useLocalStack();

/**
 * The standard flow of seed 000 §3.1, end to end through the real paths a team takes: marketing plans a campaign and
 * drops its invitation and participant lists into the bucket; the manager assigns the new leads by filter; reps log
 * actions that move stages; one lead is converted (new account, deal for field sales, owner told by e-mail), another
 * handed over; the deal is won. Then the campaign's numbers are read from the API and checked by hand.
 *
 * Invited: p0–p4 (5). Participants: p0, p1, p2 and p5 (4; p5 was not invited: 3 invited came). All six are new leads.
 * Actions on this campaign: p0 ×2, p1 ×1, p2 ×1 (4). One deal, won for 3,000,000 yen.
 * Budget 800,000, actual cost 500,000; targets: leads 10, actions 8, deals 2, won deals 1, won amount 2,000,000.
 */

const person = (i: number) => [`高橋 ${i}`, `flow${i}@example.com`, `株式会社フロー${i}`, '営業部', '', ''];

async function mailTo(address: string, subjectPart: string): Promise<SentMail[]> {
  return (await stack().sentMail()).filter((m) => m.destination.to.includes(address) && m.subject.includes(subjectPart));
}


it('runs a campaign from its lists to a won deal, and reads its effectiveness', async () => {
  const api = stack().api;
  const created = await api('POST', '/campaigns', {
    as: 'marketing',
    body: {
      name: '冬の導入事例セミナー',
      type: 'seminar',
      budgetJpy: 800_000,
      actualCostJpy: 500_000,
      targets: { leads: 10, actions: 8, deals: 2, wonDeals: 1, wonAmountJpy: 2_000_000 },
    },
  });
  expect(created.status).toBe(201);
  const campaignId = created.body.campaignId;

  // Marketing: invitation list, then participant list, into the bucket.
  await stack().upload(`imports/${campaignId}/invitation/invited.xlsx`, await xlsx([0, 1, 2, 3, 4].map(person)));
  await stack().upload(`imports/${campaignId}/participant/attended.xlsx`, await xlsx([0, 1, 2, 5].map(person)));
  const imports = (await api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' })).body.items;
  expect(imports.map((i: any) => i.status)).toEqual(['succeeded', 'succeeded']);

  // Manager: the campaign's unassigned participants, round robin between two reps.
  const assigned = await api('POST', '/leads/assign', {
    as: 'manager',
    body: { filter: { campaignId, responded: 'true', owner: 'unassigned' }, ownerIds: ['rep1', 'rep2'], strategy: 'round_robin' },
  });
  expect(assigned.status).toBe(200);
  expect(assigned.body.assigned).toBe(4);
  expect(assigned.body.owners.map((o: any) => o.count)).toEqual([2, 2]);
  await eventually(async () => {
    expect(await mailTo('rep1@example.com', 'リード割り当て')).toHaveLength(1);
    expect(await mailTo('rep2@example.com', 'リード割り当て')).toHaveLength(1);
  });

  const leads = (await api('GET', `/leads?campaignId=${campaignId}&limit=50`, { as: 'manager' })).body.items as any[];
  const lead = (i: number) => leads.find((l) => l.name === `高橋 ${i}`)!;
  const owner = (i: number) => lead(i).ownerId as string;
  expect([0, 1, 2, 5].map(owner).sort()).toEqual(['rep1', 'rep1', 'rep2', 'rep2']);
  expect(lead(3).ownerId).toBeUndefined();

  // Reps: actions; the first moves a new lead to working; a disqualification needs its reason.
  const act = (i: number, body: Record<string, unknown>) =>
    api('POST', `/leads/${lead(i).leadId}/actions`, {
      as: owner(i),
      body: { campaignId, at: '2026-11-20T10:00:00+09:00', channel: 'phone', content: '製品説明', result: '興味あり', ...body },
    });
  expect((await act(0, {})).status).toBe(201);
  expect((await api('GET', `/leads/${lead(0).leadId}`, { as: owner(0) })).body.lead.stage).toBe('working');
  expect((await act(0, { at: '2026-11-21T15:00:00+09:00', channel: 'web_meeting', content: 'ヒアリング', result: 'アポ獲得' })).status).toBe(201);
  expect((await act(1, { stage: 'disqualified' })).status).toBe(422);
  expect((await act(1, { result: '見込みなし', stage: 'disqualified', stageReason: '予算なし' })).status).toBe(201);
  expect((await act(2, { content: 'お礼' })).status).toBe(201);
  // Someone else's lead is not a rep's to act on.
  const foreign = await api('POST', `/leads/${lead(2).leadId}/actions`, {
    as: owner(2) === 'rep1' ? 'rep2' : 'rep1',
    body: { campaignId, at: '2026-11-20T10:00:00+09:00', channel: 'phone', content: '製品説明', result: '興味あり' },
  });
  expect(foreign.status).toBe(403);

  // p0 is qualified: converted into a new account and a deal for field sales, who is told.
  const converted = await api('POST', `/leads/${lead(0).leadId}/convert`, {
    as: owner(0),
    headers: { 'idempotency-key': 'flow-convert-p0' },
    body: { campaignId, account: { new: {} }, deal: { name: 'フロー0 全社導入', ownerId: 'sales', amountJpy: 2_500_000 }, notify: true },
  });
  expect(converted.status).toBe(201);
  const deal = converted.body.deal;
  const again = await api('POST', `/leads/${lead(0).leadId}/convert`, {
    as: owner(0),
    headers: { 'idempotency-key': 'flow-convert-p0' },
    body: { campaignId, account: { new: {} }, deal: { name: 'フロー0 全社導入', ownerId: 'sales', amountJpy: 2_500_000 }, notify: true },
  });
  expect(again.body.deal.dealId).toBe(deal.dealId);
  expect((await api('GET', `/leads/${lead(0).leadId}`, { as: 'manager' })).body.lead.stage).toBe('converted');

  // p2 goes to field sales by hand-over.
  const handedOver = await api('POST', `/leads/${lead(2).leadId}/handover`, { as: owner(2), body: { ownerId: 'sales', note: '決裁者と面談希望' } });
  expect(handedOver.status).toBe(200);
  expect(handedOver.body).toMatchObject({ stage: 'handed_over', ownerId: 'sales' });

  // Field sales wins the deal at a revised amount.
  const won = await api('PATCH', `/deals/${deal.dealId}`, { as: 'sales', body: { version: deal.version, status: 'won', amountJpy: 3_000_000 } });
  expect(won.status).toBe(200);

  await eventually(async () => {
    expect(await mailTo('sales@example.com', '案件化')).toHaveLength(1);
    expect(await mailTo('sales@example.com', '営業引継ぎ')).toHaveLength(1);
  });
  const dealMail = (await mailTo('sales@example.com', '案件化'))[0]!;
  expect(dealMail.body.text).toContain('フロー0 全社導入');
  expect(dealMail.body.text).toContain('冬の導入事例セミナー');
  expect(dealMail.body.text).toContain('ヒアリング');

  const { body: metrics } = await api('GET', `/campaigns/${campaignId}/metrics`, { as: 'marketing' });
  expect(metrics).toMatchObject({
    invited: 5,
    responded: 4,
    invitedResponded: 3,
    walkIns: 1,
    participationRate: 0.6, // 3 of the 5 invited came
    newLeads: 6,
    knownLeads: 0,
    actions: 4,
    deals: 1,
    wonDeals: 1,
    wonAmountJpy: 3_000_000,
    budgetJpy: 800_000,
    actualCostJpy: 500_000,
    roi: 5, // (3,000,000 − 500,000) / 500,000
    costPerDealJpy: 500_000,
    progress: { leads: 0.6, actions: 0.5, deals: 0.5, wonDeals: 1, wonAmountJpy: 1.5 },
  });
  expect(metrics.costPerLeadJpy).toBeCloseTo(500_000 / 6, 0);
  const recount = await api('GET', `/campaigns/${campaignId}/metrics?recount=true`, { as: 'admin' });
  expect(recount.body.recount.agrees).toBe(true);

  // Every step left its trace in the lead's history.
  const history = await api('GET', `/leads/${lead(2).leadId}/history`, { as: 'manager' });
  expect(history.body.items.map((e: any) => e.kind)).toEqual(['assigned', 'handed_over']);
}, 120_000);
