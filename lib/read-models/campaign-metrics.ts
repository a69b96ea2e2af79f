import { compareCounters, computeMetrics, emptyCounters, readCounters, type CampaignMetrics, type Counters } from '../campaigns/metrics';
import { requireCampaign } from '../campaigns/repository';
import { dealFromItem } from '../deals/model';
import { ForbiddenError } from '../errors';
import { batchGet, keyString, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { countAll, queryAll } from '../table/queries';
import type { Caller } from '../users/caller';

/**
 * GET /campaigns/{campaignId}/metrics: the campaign's metrics from its counters and, for an admin who asks, a
 * recount from the items the counters count (histories, actions, deals): a view over several domains.
 */

export async function campaignMetrics(caller: Caller, campaignId: string, options: { recount?: boolean } = {}): Promise<CampaignMetrics> {
  if (options.recount && caller.role !== 'admin') throw new ForbiddenError("only an admin may recount a campaign's metrics");
  const [campaign, counters] = await Promise.all([requireCampaign(campaignId), readCounters(campaignId)]);
  const metrics = computeMetrics(campaign, counters);
  if (!options.recount) return metrics;
  return { ...metrics, recount: compareCounters(counters, await recountCounters(campaignId)) };
}

/**
 * The counters recomputed from the items, with queries only (never a scan): the campaign's histories (GSI5, every
 * shard) give invited, responded and both (invitedResponded); their leads, read by key, tell which the campaign
 * created (the lead's source campaign) and which it only reached; its actions are counted on GSI3; its deals read
 * from GSI4.
 */
export async function recountCounters(campaignId: string): Promise<Counters> {
  const counters = emptyCounters();
  const [histories, actions, deals] = await Promise.all([
    Promise.all(allShards().map((shard) => queryAll({ index: 'gsi5', partition: keys.campaignMembersPartition(campaignId, shard) }))).then((pages) => pages.flat()),
    countAll({ index: 'gsi3', partition: keys.actionsByCampaignPartition(campaignId) }),
    queryAll({ index: 'gsi4', partition: keys.dealsByCampaignPartition(campaignId) }),
  ]);
  const leads = await batchGet<Item>(histories.map((h) => keys.lead(h.leadId as string)));
  for (const history of histories) {
    if (history.invited === true) counters.invited++;
    if (history.responded === true) counters.responded++;
    if (history.invited === true && history.responded === true) counters.invitedResponded++;
    const lead = leads.get(keyString(keys.lead(history.leadId as string)));
    if ((lead?.source as { campaignId?: string } | undefined)?.campaignId === campaignId) counters.newLeads++;
    else counters.knownLeads++;
  }
  counters.actions = actions;
  for (const deal of deals.map(dealFromItem)) {
    counters.deals++;
    if (deal.status === 'won') {
      counters.wonDeals++;
      counters.wonAmountJpy += deal.amountJpy ?? 0;
    }
  }
  return counters;
}

