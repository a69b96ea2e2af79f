import { forEachConcurrently } from '../async';
import { batchGet, keyString, updateItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { allShards, keys } from '../table/keys';
import { queryAll, queryPages } from '../table/queries';
import { campaignIdsOf, campaignsJoined } from './campaign-count';
import { packExtra, packMemo } from './packed-text';
import { leadFromItem, leadIndexKeys } from './model';

/**
 * Gives every lead what was added after it was written:
 * - the keys of the newer indexes: its owner's untouched leads (GSI10, the work queue's and the morning digest's "not
 *   acted on since it was given"), and the next-action lists (GSI8/GSI9) where it has a next action. Until then an
 *   old lead given to a rep and never called is missing from the rep's queue. Each lead is written only if its
 *   version is still the one read (a lead written meanwhile has its keys from that write), and only when a key is
 *   missing.
 * - its campaign set (./campaign-count.ts), from the histories it has: until then its list count is counted from its
 *   histories. Only campaigns it has histories of are added, and adding one twice changes nothing, so this runs beside
 *   live writes; run again, it also makes good a set that misses a history (an import that crashed between the two
 *   and was given up).
 * - its extra columns and memo packed (./packed-text.ts) when they are long and still stored plain, in the same write.
 * Once, after upgrading a deployment whose leads predate these; it may run again.
 */
export async function backfillLeadIndexes(): Promise<{ leads: number; updated: number; campaignSets: number }> {
  const added = new Set([...keys.leadNextActionAttributes, ...keys.leadUntouchedAttributes]);
  let leads = 0;
  let updated = 0;
  let campaignSets = 0;
  for (const shard of allShards()) {
    for await (const page of queryPages<Item>({ index: 'gsi4', partition: keys.leadsRecentPartition(shard) }, 500)) {
      leads += page.length;
      const sets = await batchGet<Item>(page.map((item) => keys.leadCampaigns(item.leadId as string)));
      await forEachConcurrently(page, 8, async (item) => {
        const leadId = item.leadId as string;
        if (await campaignSetMadeGood(leadId, sets.get(keyString(keys.leadCampaigns(leadId))))) campaignSets++;
        const wanted: Item = Object.fromEntries(Object.entries(leadIndexKeys(leadFromItem(item))).filter(([name, value]) => added.has(name) && item[name] !== value));
        if (item.extra !== undefined && !(item.extra instanceof Uint8Array)) {
          const packed = packExtra(item.extra as Record<string, string>);
          if (packed instanceof Uint8Array) wanted.extra = packed;
        }
        if (typeof item.memo === 'string') {
          const packed = packMemo(item.memo);
          if (packed instanceof Uint8Array) wanted.memo = packed;
        }
        if (Object.keys(wanted).length === 0) return;
        try {
          await updateItem({ key: keys.lead(leadId), changes: { set: wanted }, condition: 'version = :v', values: { ':v': item.version } });
          updated++;
        } catch (error) {
          if (!(error instanceof ConditionFailedError)) throw error;
        }
      });
    }
  }
  return { leads, updated, campaignSets };
}

/** Adds to the lead's campaign set (`set`, as read) the campaigns of its histories it lacks; whether it wrote. */
async function campaignSetMadeGood(leadId: string, set: Item | undefined): Promise<boolean> {
  const histories = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.membershipPrefix, consistent: true });
  const has = campaignIdsOf(set);
  const missing = histories.map((history) => history.campaignId as string).filter((campaignId) => !has.has(campaignId));
  if (set && missing.length === 0) return false;
  await updateItem(campaignsJoined(leadId, missing));
  return true;
}
