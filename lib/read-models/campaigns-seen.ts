import { getCampaign, getCampaigns, listCampaigns, requireCampaign } from '../campaigns/repository';
import { agentView, type AgentCampaign, type Campaign, type CampaignListQuery } from '../campaigns/schema';
import { NotFoundError } from '../errors';
import { ownedMembershipsBefore, ownedMembershipsOfCampaign, type OwnedMembership } from '../leads/memberships';
import { getLeads } from '../leads/repository';
import { allShards } from '../table/keys';
import type { Item } from '../table/client';
import type { Caller } from '../users/caller';
import { seesOwnLeadsOnly } from '../users/roles';

/**
 * Campaigns as the caller may see them. Everyone reads every campaign whole, except an agent (外注業者), which sees a
 * campaign only when one of its own leads is a member, and then without budget, cost, targets or stakeholders
 * (api.md). A campaign an agent may not see answers 404, as a lead it may not see does: its existence does not leak.
 *
 * "One of its own leads is a member" is read from the owner's histories (lib/leads/memberships.ts): a few entries of
 * the campaign in each of the owner's eight shards, then the leads they name, read by key, must still be the agent's.
 * The entries only point the way; the lead read decides, so an entry left behind by an interrupted owner change shows
 * nothing.
 */

/** Entries of one campaign read from each shard to find a lead the agent still owns. */
const CANDIDATES_PER_SHARD = 2;
/** An agent's list page: at most this many campaigns, and at most ROUNDS_PER_PAGE rounds of eight queries. */
const AGENT_PAGE_MAX = 50;
const ENTRIES_PER_SHARD = 20;
const ROUNDS_PER_PAGE = 3;

export async function campaignSeenBy(caller: Caller, campaignId: string): Promise<Campaign | AgentCampaign> {
  if (!seesOwnLeadsOnly(caller.role)) return requireCampaign(campaignId);
  const [campaign, visible] = await Promise.all([getCampaign(campaignId), ownsAMember(caller.userId, campaignId)]);
  if (!campaign || !visible) throw new NotFoundError(`no campaign ${campaignId}`);
  return agentView(campaign);
}

/** Whether one of these entries names a lead `ownerId` owns now (the leads read by key, strongly consistent). */
async function ownedNow(ownerId: string, entries: OwnedMembership[]): Promise<Set<string>> {
  const leads = await getLeads([...new Set(entries.map((e) => e.leadId))]);
  return new Set(entries.filter((e) => leads.get(e.leadId)?.ownerId === ownerId).map((e) => e.campaignId));
}

/** At most 8 queries of CANDIDATES_PER_SHARD items and one batch read of their leads. */
async function ownsAMember(ownerId: string, campaignId: string): Promise<boolean> {
  const entries = await ownedMembershipsOfCampaign(ownerId, campaignId, CANDIDATES_PER_SHARD);
  return entries.length > 0 && (await ownedNow(ownerId, entries)).has(campaignId);
}

/** Where an agent's campaign list stands: the campaign id the next page starts below (newest first). */
export interface AgentListPosition {
  before?: string;
}

export async function listCampaignsSeenBy(
  caller: Caller,
  query: CampaignListQuery,
  position?: Item,
): Promise<{ items: (Campaign | AgentCampaign)[]; lastKey?: Item }> {
  if (!seesOwnLeadsOnly(caller.role)) return listCampaigns(query, position);
  const { campaignIds, next } = await ownCampaignIds(caller.userId, Math.min(query.limit, AGENT_PAGE_MAX), (position as AgentListPosition | undefined)?.before);
  const campaigns = await getCampaigns(campaignIds.map((c) => c.campaignId));
  const verified = await ownedNow(caller.userId, campaignIds.flatMap((c) => c.entries));
  const items: AgentCampaign[] = [];
  for (const { campaignId } of campaignIds) {
    const campaign = campaigns.get(campaignId);
    if (!campaign || (query.status && !query.status.includes(campaign.status))) continue;
    // Every entry read of it was left behind by an owner change: look further into that campaign alone.
    if (!verified.has(campaignId) && !(await ownsAMember(caller.userId, campaignId))) continue;
    items.push(agentView(campaign));
  }
  return { items, ...(next !== undefined ? { lastKey: { before: next } satisfies AgentListPosition } : {}) };
}

/**
 * The campaigns of the owner's histories, newest first, below `before`: a merge of the owner's eight shards that
 * jumps from campaign to campaign. Each round reads ENTRIES_PER_SHARD entries of every shard; every campaign at or
 * above the highest "last campaign read" of the shards that have more is then known (each shard has shown all of its
 * entries above that campaign, and at least one of that campaign if it holds any), so those are handed out and the
 * next round starts below them, skipping the rest of their entries. A page costs at most ROUNDS_PER_PAGE rounds; a
 * page cut short by that budget still carries the position to go on from.
 */
export async function ownCampaignIds(
  ownerId: string,
  limit: number,
  before?: string,
  readShard: typeof ownedMembershipsBefore = ownedMembershipsBefore,
): Promise<{ campaignIds: { campaignId: string; entries: OwnedMembership[] }[]; next?: string }> {
  const out: { campaignId: string; entries: OwnedMembership[] }[] = [];
  let bound = before;
  for (let round = 0; round < ROUNDS_PER_PAGE; round++) {
    const shards = await Promise.all(allShards().map((shard) => readShard(ownerId, shard, bound, ENTRIES_PER_SHARD)));
    // The lowest campaign a shard with more entries has shown; below the highest of these, campaigns are not known yet.
    const floors = shards.filter((s) => s.more && s.items.length > 0).map((s) => s.items[s.items.length - 1]!.campaignId);
    const floor = floors.length > 0 ? floors.reduce((a, b) => (a > b ? a : b)) : undefined;
    const byCampaign = new Map<string, OwnedMembership[]>();
    for (const entry of shards.flatMap((s) => s.items)) {
      if (floor !== undefined && entry.campaignId < floor) continue;
      byCampaign.set(entry.campaignId, [...(byCampaign.get(entry.campaignId) ?? []), entry]);
    }
    const known = [...byCampaign.keys()].sort().reverse();
    for (const campaignId of known) {
      if (out.length === limit) return { campaignIds: out, next: out[out.length - 1]!.campaignId };
      out.push({ campaignId, entries: byCampaign.get(campaignId)!.slice(0, CANDIDATES_PER_SHARD) });
    }
    if (floor === undefined) return { campaignIds: out };
    bound = floor;
    if (out.length === limit) break;
  }
  return { campaignIds: out, next: bound };
}
