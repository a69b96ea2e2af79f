import { forEachConcurrently } from '../async';
import { updateItem, type Item, type UpdateRequest } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { countAll } from '../table/queries';
import { txUpdate, type TransactionWrite } from '../table/transaction';

/**
 * The list's campaign count (api.md, lead list item `counts.campaigns`) without counting each lead's histories: every
 * lead keeps, beside its histories, the set of campaigns it has a history of (keys.leadCampaigns), and a page reads
 * those sets in the one batch read it makes for its owners and deals.
 *
 * Why a set and not a counter: adding a campaign the set holds already changes nothing, so a writer may add it
 * again after a retry, on a replayed chunk or beside another import of the same campaign, and the count stays exact
 * with no read and no condition; two imports adding at once commute.
 * Why beside the lead and not on it: the lead item is written whole, conditional on its version (edits, actions,
 * conversions, erasure). A count on it would be lost to a put read before the count moved, or would have to move the
 * version and make all of those writes conflict with every import that touches the lead.
 *
 * Every write that creates a history adds its campaign: list register once the chunk's histories are written (again
 * on every replay of the chunk, so a crash between the two is made good by the replay), POST /leads in the history's
 * own transaction. Histories are never deleted (an erased lead keeps them and is in no list). A lead made by hand
 * without a campaign gets an empty set item, so every lead written since has one.
 *
 * A lead written before the sets existed has none until `npm run backfill:lead-indexes` gives it one (which may run
 * again, beside live writes: it only adds campaigns the lead has histories of). Until then its count is counted from
 * its histories, as before: exact, one COUNT query for such a lead.
 */

const CAMPAIGN_IDS = 'campaignIds';

/** The update that records the lead's histories of these campaigns (none: the lead's set item, empty). */
export function campaignsJoined(leadId: string, campaignIds: readonly string[]): UpdateRequest {
  return {
    key: keys.leadCampaigns(leadId),
    changes: { set: { entity: ENTITY.leadCampaigns, leadId }, ...(campaignIds.length > 0 ? { add: { [CAMPAIGN_IDS]: new Set(campaignIds) } } : {}) },
  };
}

/** The same, in the transaction that writes the history (or the lead). */
export const campaignsJoinedWrite = (leadId: string, campaignIds: readonly string[]): TransactionWrite => txUpdate('campaigns', campaignsJoined(leadId, campaignIds));

/** After histories of `campaignId` were written for these leads (list register). */
export async function leadsJoinedCampaign(campaignId: string, leadIds: readonly string[], concurrency: number): Promise<void> {
  await forEachConcurrently([...new Set(leadIds)], concurrency, async (leadId) => {
    await updateItem(campaignsJoined(leadId, [campaignId]));
  });
}

/** The set item written whole, for a lead written whole with its histories (a benchmark's or a demo's seed). */
export const campaignSetItem = (leadId: string, campaignIds: readonly string[]): Item => ({
  ...keys.leadCampaigns(leadId),
  entity: ENTITY.leadCampaigns,
  leadId,
  ...(campaignIds.length > 0 ? { [CAMPAIGN_IDS]: new Set(campaignIds) } : {}),
});

/** The campaigns a lead's set item names (none when it has no set yet). */
export function campaignIdsOf(item: Item | undefined): Set<string> {
  const ids = item?.[CAMPAIGN_IDS];
  return ids instanceof Set ? (ids as Set<string>) : new Set();
}

/**
 * Each lead's campaign count, from its set item as the page read it (`found`, by lead id); a lead without one yet
 * (written before the sets existed, not backfilled) has its histories counted.
 */
export async function campaignCounts(leadIds: readonly string[], found: (leadId: string) => Item | undefined): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const unset: string[] = [];
  for (const leadId of leadIds) {
    const item = found(leadId);
    if (item) counts.set(leadId, campaignIdsOf(item).size);
    else unset.push(leadId);
  }
  await Promise.all(
    [...new Set(unset)].map(async (leadId) => counts.set(leadId, await countAll({ partition: keys.leadPartition(leadId), sortPrefix: keys.membershipPrefix }))),
  );
  return counts;
}
