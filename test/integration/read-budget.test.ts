import { newId } from '../../lib/ids';
import { findLeads } from '../../lib/leads/list';
import { leadItem, newLead, newMembershipItem, type Lead } from '../../lib/leads/model';
import { LeadListQuery } from '../../lib/leads/list-query';
import { batchWrite, putRequest, type Item } from '../../lib/table/client';
import { allShards, keys } from '../../lib/table/keys';
import { ReadBudget } from '../../lib/table/queries';
import { shardedQuery, type ShardedPosition } from '../../lib/table/sharded-query';
import { useLocalStack } from '../support/local-stack';

// A small budget (a deployment setting, 2,000 by default) so a few hundred leads are more than one budget.
const BUDGET = 200;
process.env.READ_BUDGET_ITEMS = String(BUDGET);
process.env.ASSIGN_FILTER_READ_ITEMS = String(BUDGET);
process.env.EXPORT_READ_ITEMS = String(BUDGET);
// The budget under test is the item count; busy cores must not cut a page on time instead.
process.env.READ_BUDGET_MS = '60000';
const stack = useLocalStack();

/**
 * No request reads more than one read budget, whatever its filter: a selective one gets short pages and a cursor
 * that resumes where the read stopped, and following the cursors gives exactly what one unbounded read would.
 * An agent's lists come from its own leads, in every order it may ask for.
 */

const LEADS = BUDGET + 150;
const campaignId = newId();
const at = (i: number) => new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString();
let rare: string;
const agentLeads: Lead[] = [];

function lead(i: number, change: Partial<Lead> = {}): Lead {
  return {
    ...newLead({ leadId: newId(), fields: { name: `予算 ${String(i).padStart(4, '0')}` }, extra: {}, matchKey: `e:budget${i}@example.com`, at: at(i) }),
    ...change,
  };
}

beforeAll(async () => {
  // Every lead is the agent's, most of them new; one in seven carries a product; the oldest carries one nobody else has.
  const leads = Array.from({ length: LEADS }, (_, i) =>
    lead(i, {
      ownerId: 'agent',
      stage: i % 20 === 0 ? 'working' : 'new',
      ...(i % 7 === 0 ? { products: 'SFA' } : {}),
      ...(i === 0 ? { products: 'ZZZ' } : {}),
    }),
  );
  rare = leads[0]!.leadId;
  // A few working leads with names out of creation order, some of them members of a campaign.
  for (const [i, name] of ['田中 三', '青木 一', '佐藤 二', '和田 四'].entries()) {
    const own = lead(LEADS + i, { ownerId: 'agent', stage: 'recycle', name, ...(i % 2 === 0 ? { lastActionAt: at(5000 - i), lastActionResult: '不在' } : {}) });
    agentLeads.push(own);
  }
  const memberships: Item[] = agentLeads
    .filter((_, i) => i !== 1)
    .map((l, i) => newMembershipItem({ leadId: l.leadId, campaignId, flag: 'responded', marker: `m${i}`, arisenOn: `2026-11-0${i + 1}`, at: at(i) }));
  await batchWrite([...leads, ...agentLeads].map((l) => putRequest(leadItem(l))).concat(memberships.map(putRequest)), { concurrency: 8 });
}, 120_000);

async function pages(path: string, as: string) {
  const out: { items: { leadId: string; name: string; followStatus?: string }[]; nextCursor: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: any = await stack().api('GET', `${path}${separator}limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(page.status).toBe(200);
    out.push(page.body);
    cursor = page.body.nextCursor;
  } while (cursor && out.length < 100);
  return out;
}

describe('bounded reads', () => {
  test('a filter that matches one lead of many gets short pages with a cursor, and the cursors find it once', async () => {
    const walked = await pages('/leads?product=ZZZ', 'manager');
    // More leads than one budget lie between the start and the match: the first page stops short of it.
    expect(walked.length).toBeGreaterThan(1);
    expect(walked[0]!.items).toEqual([]);
    expect(walked[0]!.nextCursor).toEqual(expect.any(String));
    expect(walked.flatMap((p) => p.items.map((i) => i.leadId))).toEqual([rare]);
    expect(walked[walked.length - 1]!.nextCursor).toBeNull();
  });

  test('paging a filtered merge of every shard under a small budget gives exactly the unbounded read, in order', async () => {
    const request = {
      index: 'gsi4' as const,
      partitions: allShards().map((s) => keys.leadsRecentPartition(s)),
      descending: true,
      filter: { expression: 'contains(#p, :p)', names: { '#p': 'products' }, values: { ':p': 'SFA' } },
    };
    const whole = await shardedQuery<Item>({ ...request, limit: LEADS, budget: new ReadBudget(100 * LEADS, 60_000) });
    expect(whole.position).toBeUndefined();
    expect(whole.items.length).toBe(Math.ceil(LEADS / 7) - 1);

    const paged: string[] = [];
    let position: ShardedPosition | undefined;
    let short = 0;
    let rounds = 0;
    do {
      const page = await shardedQuery<Item>({ ...request, limit: 40, position, budget: new ReadBudget(120, 60_000) });
      if (page.cutShort) short++;
      expect(page.items.length).toBeLessThanOrEqual(40);
      paged.push(...page.items.map((i) => i.leadId as string));
      position = page.position;
    } while (position && ++rounds < 1000);
    expect(short).toBeGreaterThan(0);
    expect(paged).toEqual(whole.items.map((i) => i.leadId));
  });

  test('an agent sorted by name reads its own leads, in name order across pages', async () => {
    const walked = await pages('/leads?stage=recycle&sort=name', 'agent');
    expect(walked.flatMap((p) => p.items.map((i) => i.name))).toEqual(['佐藤 二', '和田 四', '田中 三', '青木 一']);
    const byAction = await pages('/leads?stage=recycle&sort=lastActionAt', 'agent');
    expect(byAction.flatMap((p) => p.items.map((i) => i.name)).slice(0, 2)).toEqual(['田中 三', '佐藤 二']);
  });

  test("an agent's campaign list holds its own members only, newest first, with their follow status", async () => {
    const walked = await pages(`/leads?campaignId=${campaignId}&stage=recycle`, 'agent');
    expect(walked.flatMap((p) => p.items.map((i) => i.name))).toEqual(['和田 四', '佐藤 二', '田中 三']);
  });

  test('an agent asking to order more of its leads than one budget holds is told to narrow the list', async () => {
    const res = await stack().api('GET', '/leads?sort=name', { as: 'agent' });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/narrow it/);
    // Its plain list pages as usual.
    const plain = await stack().api('GET', '/leads?limit=50', { as: 'agent' });
    expect(plain.status).toBe(200);
    expect(plain.body.items).toHaveLength(50);
  });

  test("an agent's page of 50 over eight shards of its own partition reads little more than the page", async () => {
    // Its owner is the partition's key, not a filter: the page reads a few items past each shard's share, never the
    // read-ahead of a filter (which took 160 items before the merge started).
    const budget = new ReadBudget(10_000, 60_000);
    const page = await findLeads(LeadListQuery.parse({ limit: '50' }), { userId: 'agent', role: 'agent' }, undefined, budget);
    expect(page.items).toHaveLength(50);
    expect(budget.items - budget.remaining).toBeLessThanOrEqual(175);
  });
});

describe('work over many pages stops at its budget with a reason', () => {
  test('an assignment by a filter that reads too much is refused and moves nothing', async () => {
    const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { filter: { product: 'ZZZ' }, ownerIds: ['rep1'], strategy: 'round_robin' } });
    expect(res.status).toBe(422);
    expect(res.body.detail).toMatch(/narrow it/);
    const lead = await stack().api('GET', `/leads/${rare}`, { as: 'manager' });
    expect(lead.body.lead).toMatchObject({ ownerId: 'agent', version: 1 });
  });

  test('an export by such a filter ends failed, saying to narrow it', async () => {
    const started = await stack().api('POST', '/exports', { as: 'manager', body: { filter: { product: 'ZZZ' }, format: 'csv' } });
    expect(started.status).toBe(202);
    await stack().intakeIdle();
    const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as: 'manager' });
    expect(done.body).toMatchObject({ status: 'failed', reason: expect.stringMatching(/narrow it/) });
  });
});
