import { newId } from '../ids';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { withoutTableAttributes } from '../table/attributes';
import { batchGet, getItem, putItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryPage } from '../table/queries';
import type { Campaign, CampaignCreate, CampaignListQuery, CampaignPatch } from './schema';

/**
 * Campaigns live at CAMPAIGN#{id}/CAMPAIGN. They appear in GSI1 (all campaigns, newest first) and GSI2 (by status).
 * Their metric counters are a separate item (CAMPAIGN#{id}/METRICS) so that imports and actions bumping counters
 * never collide with a person editing the campaign.
 */

type CampaignItem = Campaign & Item;

function toItem(campaign: Campaign): Item {
  return {
    ...keys.campaign(campaign.campaignId),
    ...keys.campaignsIndex(campaign.campaignId),
    ...keys.campaignsByStatusIndex(campaign.status, campaign.campaignId),
    entity: ENTITY.campaign,
    ...campaign,
  };
}

function toCampaign(item: CampaignItem): Campaign {
  return withoutTableAttributes<Campaign>(item);
}

export async function createCampaign(input: CampaignCreate, caller: Caller, now = new Date()): Promise<Campaign> {
  const timestamp = now.toISOString();
  const campaign: Campaign = {
    campaignId: newId(now.getTime()),
    ...input,
    createdBy: caller.userId,
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  await putItem(toItem(campaign), { condition: ITEM_ABSENT });
  return campaign;
}

export async function getCampaign(campaignId: string): Promise<Campaign | undefined> {
  const item = await getItem<CampaignItem>(keys.campaign(campaignId));
  return item ? toCampaign(item) : undefined;
}

/** Several campaigns by id, in one batch read; ids of campaigns that do not exist are left out. */
export async function getCampaigns(campaignIds: string[]): Promise<Map<string, Campaign>> {
  const items = await batchGet<CampaignItem>(campaignIds.map((id) => keys.campaign(id)));
  return new Map([...items.values()].map((item) => [item.campaignId, toCampaign(item)]));
}

export async function requireCampaign(campaignId: string): Promise<Campaign> {
  const campaign = await getCampaign(campaignId);
  if (!campaign) throw new NotFoundError(`no campaign ${campaignId}`);
  return campaign;
}

export async function updateCampaign(
  campaignId: string,
  patch: Omit<CampaignPatch, 'version'>,
  expectedVersion: number,
  now = new Date(),
): Promise<Campaign> {
  const current = await requireCampaign(campaignId);
  const stale = (version: number | undefined) =>
    new ConflictError(`campaign ${campaignId} has changed since version ${expectedVersion}`, {
      extensions: { currentVersion: version },
    });
  if (current.version !== expectedVersion) throw stale(current.version);

  const next: Campaign = { ...current, version: current.version + 1, updatedAt: now.toISOString() };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete (next as Record<string, unknown>)[field];
    else if (value !== undefined) (next as Record<string, unknown>)[field] = value;
  }
  if (next.startDate && next.endDate && next.startDate > next.endDate) {
    throw new ValidationError('the campaign would end before it starts', [
      { path: 'body.endDate', message: `endDate ${next.endDate} is before startDate ${next.startDate}` },
    ]);
  }
  try {
    await putItem(toItem(next), {
      condition: 'version = :expected',
      values: { ':expected': expectedVersion },
      returnItemOnConflict: true,
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw stale(error.item?.version as number | undefined);
    throw error;
  }
  return next;
}

export async function listCampaigns(query: CampaignListQuery, startKey?: Item) {
  const statuses = query.status;
  const page =
    statuses?.length === 1
      ? await queryPage<CampaignItem>({
          index: 'gsi2',
          partition: keys.campaignsByStatusPartition(statuses[0]!),
          descending: true,
          limit: query.limit,
          startKey,
        })
      : await queryPage<CampaignItem>({
          index: 'gsi1',
          partition: keys.campaignsPartition,
          descending: true,
          limit: query.limit,
          startKey,
          filter: statuses
            ? {
                expression: `#status IN (${statuses.map((_, i) => `:s${i}`).join(', ')})`,
                names: { '#status': 'status' },
                values: Object.fromEntries(statuses.map((s, i) => [`:s${i}`, s])),
              }
            : undefined,
        });
  return { items: page.items.map(toCampaign), lastKey: page.lastKey };
}
