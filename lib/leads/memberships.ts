import { forEachConcurrently } from '../async';
import { batchGet, keyString, updateItem, type Item, type UpdateRequest } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_EXISTS } from '../table/expressions';
import { allShards, keys, shardOf } from '../table/keys';
import { queryAll, queryPage, queryPages } from '../table/queries';
import { campaignIdsOf } from './campaign-count';

/**
 * A campaign history carries its lead's owner, indexed by owner (keys.ownedMembershipsIndex), so "is one of this
 * owner's leads a member of this campaign?" is one short query per shard instead of a walk over the campaign's members
 * or the owner's leads. Agents see only such campaigns.
 *
 * The owner on a history follows the lead's: every write that changes an owner (assignment, hand-over, update list)
 * first commits the lead, then reads the lead's histories and sets the new owner on each; every write that gives a
 * lead a history (list register) first writes the history, then reads the lead and sets its owner on it. Whichever of
 * two such writers comes second sees the other's write (both reads are strongly consistent), so a history never keeps
 * an owner its lead has left for good. Each history remembers the lead version its owner was read at and takes only
 * a newer one, so two owner changes of the same lead land in their order whatever order their follow-ups run in.
 * Readers still check the lead's owner before they trust an entry: a follow-up cut short by a crash is run again by
 * the operation's resumption, and until then an entry may be stale, never a leak.
 */

export interface LeadOwner {
  leadId: string;
  ownerId?: string;
  /** The lead's version with this owner. */
  version: number;
}

const OWNER_VERSION = 'ownerVersion';
const FOLLOW_CONCURRENCY = 8;

/**
 * The attributes a history of `campaignId` carries for its lead's owner (none for a lead nobody owns but the version
 * read): for a history written whole, such as one written in the same transaction as its lead.
 */
export function ownerOnHistory(campaignId: string, lead: LeadOwner): Item {
  if (!lead.ownerId) return { [OWNER_VERSION]: lead.version };
  const shard = shardOf(lead.leadId);
  return {
    ownerId: lead.ownerId,
    [OWNER_VERSION]: lead.version,
    ...keys.ownedMembershipsIndex(lead.ownerId, shard, campaignId, lead.leadId),
    // The owner's half of the "responded recently" key; the response brings the other (keys.respondedOrderKey).
    ...keys.respondedByOwnerKey(lead.ownerId, shard),
  };
}

function ownerFollowUpdate(campaignId: string, lead: LeadOwner): UpdateRequest {
  return {
    key: keys.membership(lead.leadId, campaignId),
    changes: lead.ownerId
      ? { set: ownerOnHistory(campaignId, lead) }
      : { set: ownerOnHistory(campaignId, lead), remove: ['ownerId', ...keys.ownedMembershipsAttributes, keys.respondedByOwnerAttribute] },
    condition: `${ITEM_EXISTS} AND (attribute_not_exists(#ownerVersion) OR #ownerVersion < :version)`,
    names: { '#ownerVersion': OWNER_VERSION },
    values: { ':version': lead.version },
  };
}

/** Sets the lead's owner on its history of one campaign, unless a newer owner is there already. */
async function historyFollows(campaignId: string, lead: LeadOwner): Promise<void> {
  try {
    await updateItem(ownerFollowUpdate(campaignId, lead));
  } catch (error) {
    // A newer owner is on the history already (or the history is gone): nothing to do.
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * After an owner change is committed: every history of each lead takes the lead's new owner. Which histories a lead
 * has, its campaign set says (lib/leads/campaign-count.ts), read in batches of 100 instead of one query per lead. A
 * set may lag its histories only inside list register, which adds the chunk's campaign to the sets before its
 * histories read their leads' owners (lib/intake/register-chunk.ts): a history its set did not name yet when this
 * read it takes the new owner from that read. A lead with no set (written before the sets, not backfilled) has its
 * histories queried, as before.
 */
export async function historiesFollowOwners(leads: LeadOwner[]): Promise<void> {
  const sets = await batchGet<Item>(leads.map((lead) => keys.leadCampaigns(lead.leadId)), { consistent: true, concurrency: FOLLOW_CONCURRENCY });
  const follows: { campaignId: string; lead: LeadOwner }[] = [];
  const unset: LeadOwner[] = [];
  for (const lead of leads) {
    const set = sets.get(keyString(keys.leadCampaigns(lead.leadId)));
    if (set) follows.push(...[...campaignIdsOf(set)].map((campaignId) => ({ campaignId, lead })));
    else unset.push(lead);
  }
  await forEachConcurrently(unset, FOLLOW_CONCURRENCY, async (lead) => {
    const histories = await queryAll<Item>({ partition: keys.leadPartition(lead.leadId), sortPrefix: keys.membershipPrefix, consistent: true });
    follows.push(...histories.map((history) => ({ campaignId: history.campaignId as string, lead })));
  });
  await forEachConcurrently(follows, FOLLOW_CONCURRENCY, ({ campaignId, lead }) => historyFollows(campaignId, lead));
}

/**
 * After histories of `campaignId` were written for these leads (list register): each takes its lead's owner, read
 * now. Leads nobody owns are left as they are: a history is written without an owner.
 */
export async function campaignHistoriesFollowLeads(campaignId: string, leadIds: string[], concurrency = FOLLOW_CONCURRENCY): Promise<void> {
  if (leadIds.length === 0) return;
  const leads = await batchGet<Item>(leadIds.map((leadId) => keys.lead(leadId)), { concurrency });
  const owned = [...leads.values()].filter((lead) => typeof lead.ownerId === 'string');
  await forEachConcurrently(owned, concurrency, (lead) =>
    historyFollows(campaignId, { leadId: lead.leadId as string, ownerId: lead.ownerId as string, version: lead.version as number }),
  );
}

/** An entry of an owner's histories: a lead of the owner (as last followed) in a campaign. */
export interface OwnedMembership {
  campaignId: string;
  leadId: string;
}

const owned = (item: Item): OwnedMembership => ({ campaignId: item.campaignId as string, leadId: item.leadId as string });

/** Up to `perShard` of the owner's histories of one campaign from every shard: 8 short queries in parallel. */
export async function ownedMembershipsOfCampaign(ownerId: string, campaignId: string, perShard: number): Promise<OwnedMembership[]> {
  const pages = await Promise.all(
    allShards().map((shard) =>
      queryPage<Item>({ index: 'gsi1', partition: keys.ownedMembershipsPartition(ownerId, shard), sortPrefix: keys.ownedMembershipsOfCampaignPrefix(campaignId), limit: perShard }),
    ),
  );
  return pages.flatMap((page) => page.items.map(owned));
}

/** One page of an owner's histories in one shard, newest campaign first, of campaigns before `beforeCampaignId`. */
export async function ownedMembershipsBefore(
  ownerId: string,
  shard: number,
  beforeCampaignId: string | undefined,
  limit: number,
): Promise<{ items: OwnedMembership[]; more: boolean }> {
  const page = await queryPage<Item>({
    index: 'gsi1',
    partition: keys.ownedMembershipsPartition(ownerId, shard),
    descending: true,
    limit,
    ...(beforeCampaignId !== undefined ? { sortBefore: beforeCampaignId } : {}),
  });
  return { items: page.items.map(owned), more: page.lastKey !== undefined };
}

/**
 * Gives every history of the campaign its lead's owner: for histories written before histories carried owners
 * (an upgrade), which agents could not see through. Page by page over the campaign's members (GSI5v2), each page's
 * leads read by key; safe to run again, and beside live writes (a history takes an owner only from a newer lead
 * version than the one it has). Returns how many histories it looked at.
 */
export async function backfillHistoryOwners(campaignId: string): Promise<number> {
  let seen = 0;
  for (const shard of allShards()) {
    for await (const histories of queryPages<Item>({ index: 'gsi5', partition: keys.campaignMembersPartition(campaignId, shard) }, 500)) {
      await campaignHistoriesFollowLeads(campaignId, histories.map((history) => history.leadId as string));
      seen += histories.length;
    }
  }
  return seen;
}
