import { ulid } from 'ulid';
import { campaignSetItem } from '../../lib/leads/campaign-count';
import { leadItem, newLead } from '../../lib/leads/model';
import { batchWrite, putRequest, type Item } from '../../lib/table/client';
import { allShards, keys } from '../../lib/table/keys';
import { ReadBudget } from '../../lib/table/queries';
import { shardedQuery, type ShardedPosition } from '../../lib/table/sharded-query';
import { useLocalStack } from '../support/local-stack';
import { callsDuring } from '../support/table-calls';

const stack = useLocalStack();

/**
 * A list page is the merge of eight shards, each read a little past its share of the page. How far past decides how
 * many pages need a second round trip: paging through 800 leads 50 at a time, nearly every page is one Query a shard.
 * The lead ids come from a seeded generator, so the leads fall on the shards the same way every run.
 */

const LEADS = 800;
const PAGE = 50;
const SHARDS = allShards().length;

/** A small linear congruential generator: ids random in shape, the same every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

const request = { index: 'gsi4' as const, partitions: allShards().map((s) => keys.leadsRecentPartition(s)), descending: true };

beforeAll(async () => {
  const random = seeded(16);
  const start = Date.UTC(2026, 10, 1);
  const leads = Array.from({ length: LEADS }, (_, i) => {
    const at = new Date(start + i * 60_000).toISOString();
    return newLead({ leadId: ulid(start + i * 60_000, random), fields: { name: `読み ${i}` }, extra: {}, matchKey: `e:reads${i}@example.com`, at });
  });
  await batchWrite(leads.flatMap((l) => [putRequest(leadItem(l)), putRequest(campaignSetItem(l.leadId, []))]), { concurrency: 8 });
}, 120_000);

test('paging 800 leads over eight shards: every lead once, in order, and at most two pages need a second round trip', async () => {
  const seen: string[] = [];
  const perPage: number[] = [];
  let position: ShardedPosition | undefined;
  do {
    const { result: page, calls } = await callsDuring(() => shardedQuery<Item>({ ...request, limit: PAGE, position, budget: new ReadBudget(10_000, 60_000) }));
    // The local stack's own sweeps query too; only the list's shards count.
    perPage.push(calls.filter((c) => c.command === 'QueryCommand' && request.partitions.includes(c.pk ?? '')).length);
    seen.push(...page.items.map((i) => String(i.updatedAt)));
    position = page.position;
  } while (position && perPage.length < 100);

  expect(seen).toHaveLength(LEADS);
  expect([...seen].sort().reverse()).toEqual(seen);
  expect(new Set(seen).size).toBe(LEADS);
  // The last page may probe the shards it emptied; the others are one Query a shard unless a shard ran dry.
  const full = perPage.slice(0, -1);
  expect(full).toHaveLength(LEADS / PAGE - 1);
  expect(full.every((n) => n >= SHARDS)).toBe(true);
  expect(full.filter((n) => n > SHARDS).length).toBeLessThanOrEqual(2);
});

test('a page reads what its index named eventually consistent, at half the read units: the index is no fresher', async () => {
  const { result: page, calls } = await callsDuring(() => stack().api('GET', '/leads?limit=50', { as: 'manager' }));
  expect(page.status).toBe(200);
  expect(page.body.items).toHaveLength(PAGE);
  expect(page.body.items.every((i: { counts: { campaigns: number } }) => i.counts.campaigns === 0)).toBe(true);
  // The page's extras (owners, deals, campaign sets): one batch read, not strongly consistent.
  const batchReads = calls.flatMap((c) => c.batchConsistency);
  expect(batchReads.length).toBeGreaterThan(0);
  expect(batchReads.every((consistent) => consistent === false)).toBe(true);
});
