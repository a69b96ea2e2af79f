import {
  compareCounters,
  computeMetrics,
  emptyCounters,
  readCounters,
  readCountersOf,
  type CampaignMetrics,
  type CampaignsMetricsQuery,
  type ComparedMetricsSchema,
  type Counters,
} from '../campaigns/metrics';
import { getCampaigns, listCampaigns, requireCampaign } from '../campaigns/repository';
import type { Campaign } from '../campaigns/schema';
import type * as z from 'zod';
import { dealFromItem } from '../deals/model';
import { ForbiddenError, NotFoundError } from '../errors';
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
 * GET /campaigns/metrics: many campaigns' metrics side by side, each computed as GET /campaigns/{id}/metrics
 * computes one (computeMetrics), from one batch read of their counters (and of the campaigns, when named by id; a
 * status page reads them from its index query). An unknown id is a 404 naming it.
 */
export async function campaignsMetrics(query: CampaignsMetricsQuery, startKey?: Item): Promise<{ items: ComparedMetrics[]; lastKey?: Item }> {
  if (query.ids) {
    const ids = query.ids;
    const [found, counters] = await Promise.all([getCampaigns(ids), readCountersOf(ids)]);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) throw new NotFoundError(`no campaign ${missing.join(', ')}`, { extensions: { missing } });
    return { items: ids.map((id) => compared(found.get(id)!, counters.get(id)!)) };
  }
  const page = await listCampaigns({ status: [query.status!], limit: query.limit }, startKey);
  const counters = await readCountersOf(page.items.map((c) => c.campaignId));
  return { items: page.items.map((c) => compared(c, counters.get(c.campaignId)!)), lastKey: page.lastKey };
}

type ComparedMetrics = z.infer<typeof ComparedMetricsSchema>;

const compared = (campaign: Campaign, counters: Counters): ComparedMetrics => ({
  ...computeMetrics(campaign, counters),
  name: campaign.name,
  status: campaign.status,
});

/**
 * The counters recomputed from the items, with queries only (never a scan): the campaign's histories (GSI5v2, every
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

