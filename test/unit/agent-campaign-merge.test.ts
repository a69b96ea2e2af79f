import { ownCampaignIds } from '../../lib/read-models/campaigns-seen';
import type { OwnedMembership } from '../../lib/leads/memberships';
import { allShards, shardOf } from '../../lib/table/keys';

/** The merge of an owner's eight shards of histories into its campaigns, newest first, against an in-memory index. */

function index(entries: OwnedMembership[]) {
  const reads: number[] = [];
  const readShard = async (_owner: string, shard: number, before: string | undefined, limit: number) => {
    reads.push(shard);
    const rows = entries
      .filter((e) => shardOf(e.leadId) === shard && (before === undefined || `${e.campaignId}#${e.leadId}` < before))
      .sort((x, y) => (`${y.campaignId}#${y.leadId}` < `${x.campaignId}#${x.leadId}` ? -1 : 1));
    return { items: rows.slice(0, limit), more: rows.length > limit };
  };
  return { readShard, reads };
}

async function everyPage(entries: OwnedMembership[], limit: number) {
  const { readShard, reads } = index(entries);
  const seen: string[] = [];
  let before: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await ownCampaignIds('agent', limit, before, readShard);
    seen.push(...out.campaignIds.map((c) => c.campaignId));
    if (out.next === undefined) return { seen, reads };
    before = out.next;
  }
  throw new Error('never ended');
}

const campaignId = (i: number) => `C${String(i).padStart(4, '0')}`;

test('every campaign once, newest first, across pages, however its leads spread over the shards', async () => {
  // Campaign i has i % 7 * 9 leads (0 for some), so some campaigns fill whole shard pages and others have one lead.
  const entries: OwnedMembership[] = [];
  for (let i = 0; i < 60; i++) for (let n = 0; n < (i % 7) * 9; n++) entries.push({ campaignId: campaignId(i), leadId: `L${i}-${n}` });
  const expected = [...new Set(entries.map((e) => e.campaignId))].sort().reverse();
  for (const limit of [1, 3, 50]) expect((await everyPage(entries, limit)).seen).toEqual(expected);
});

test('a page reads a bounded number of shard pages, even for a campaign with thousands of leads', async () => {
  const entries = Array.from({ length: 5000 }, (_, n) => ({ campaignId: campaignId(n % 2), leadId: `L${n}` }));
  const { readShard, reads } = index(entries);
  const out = await ownCampaignIds('agent', 50, undefined, readShard);
  expect(reads.length).toBeLessThanOrEqual(3 * allShards().length);
  // Cut short by its budget, the page says where to go on from; the campaigns it has are right.
  const all = await everyPage(entries, 50);
  expect(all.seen).toEqual([campaignId(1), campaignId(0)]);
  expect(out.campaignIds.map((c) => c.campaignId)).toEqual(all.seen.slice(0, out.campaignIds.length));
});

test('no histories: an empty page and no position', async () => {
  const { readShard } = index([]);
  expect(await ownCampaignIds('agent', 50, undefined, readShard)).toEqual({ campaignIds: [] });
});
