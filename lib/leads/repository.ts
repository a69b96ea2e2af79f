import { ConflictError, NotFoundError } from '../errors';
import type { Caller } from '../users/caller';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  ConditionFailedError,
  dynamo,
  getItem,
  putItem,
  query,
  tableName,
  toAttributes,
  transactWrite,
  TransactionConflictError,
  type Item,
} from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { leadFromItem, leadItem, type CampaignMembership, type Lead } from './model';

/** Leads as stored at LEAD#{id}/LEAD, with the rules every reader and writer shares. */

/** An agent (外注業者) sees only the leads it owns; everyone else sees every lead (api.md). */
export const canSee = (caller: Caller, lead: Pick<Lead, 'ownerId'>): boolean => caller.role !== 'agent' || lead.ownerId === caller.userId;

export async function getLead(leadId: string): Promise<{ lead: Lead; item: Item } | undefined> {
  const item = await getItem(keys.lead(leadId));
  return item ? { lead: leadFromItem(item), item } : undefined;
}

/** The lead, or 404 when it does not exist or the caller may not see it (never reveal which). */
export async function requireVisibleLead(caller: Caller, leadId: string): Promise<{ lead: Lead; item: Item }> {
  const found = await getLead(leadId);
  if (!found || !canSee(caller, found.lead)) throw new NotFoundError(`no lead ${leadId}`);
  return found;
}

export class StaleLeadError extends Error {
  override readonly name = 'StaleLeadError';
}

export class MatchKeyTakenError extends Error {
  override readonly name = 'MatchKeyTakenError';
}

/**
 * Writes `next` over `previous` if nobody changed the lead since `previous.version` was read. When the dedupe key
 * changes (a new e-mail), the LEADKEY claim moves with the lead in the same transaction, or the write is refused
 * because the key belongs to another lead.
 */
export async function saveLead(previous: Lead, next: Lead, attributes: Item = {}): Promise<void> {
  const stored = { ...leadItem(next), ...attributes };
  try {
    if (next.matchKey === previous.matchKey) {
      await putItem(stored, { condition: 'version = :v', values: { ':v': previous.version } });
      return;
    }
    await transactWrite([
      { Put: { TableName: tableName(), Item: toAttributes(stored), ConditionExpression: 'version = :v', ExpressionAttributeValues: toAttributes({ ':v': previous.version }) } },
      {
        Put: {
          TableName: tableName(),
          Item: toAttributes({ ...keys.leadMatchKey(next.matchKey), entity: ENTITY.leadMatchKey, leadId: next.leadId, createdBy: `lead#${next.leadId}`, createdAt: next.updatedAt }),
          ConditionExpression: 'attribute_not_exists(PK) OR leadId = :leadId',
          ExpressionAttributeValues: toAttributes({ ':leadId': next.leadId }),
        },
      },
      {
        Delete: {
          TableName: tableName(),
          Key: toAttributes(keys.leadMatchKey(previous.matchKey)),
          ConditionExpression: 'attribute_not_exists(PK) OR leadId = :leadId',
          ExpressionAttributeValues: toAttributes({ ':leadId': next.leadId }),
        },
      },
    ]);
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new StaleLeadError(`lead ${next.leadId} changed since version ${previous.version}`, { cause: error });
    if (error instanceof TransactionConflictError) {
      if (error.reasons[1] === 'ConditionalCheckFailed') throw new MatchKeyTakenError(`the dedupe key of lead ${next.leadId} belongs to another lead`, { cause: error });
      throw new StaleLeadError(`lead ${next.leadId} changed since version ${previous.version}`, { cause: error });
    }
    throw error;
  }
}

/** 409 with the version a client should re-read, as every stale write answers. */
export async function staleLeadConflict(leadId: string, expected: number): Promise<ConflictError> {
  const current = await getLead(leadId);
  return new ConflictError(`lead ${leadId} has changed since version ${expected}`, { extensions: { currentVersion: current?.lead.version } });
}

const MEMBERSHIP_ATTRIBUTES = ['leadId', 'campaignId', 'invited', 'responded', 'followStatus', 'arisenOn', 'completedOn', 'lastActionResult', 'lastActionAt'] as const;

export const toMembership = (item: Item): CampaignMembership =>
  Object.fromEntries(MEMBERSHIP_ATTRIBUTES.filter((k) => item[k] !== undefined).map((k) => [k, item[k]])) as unknown as CampaignMembership;

/** The lead's campaign histories, newest campaign first (campaign ids are ULIDs). */
export async function campaignHistory(leadId: string): Promise<CampaignMembership[]> {
  const out: CampaignMembership[] = [];
  let startKey: Item | undefined;
  do {
    const page = await query<Item>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': keys.lead(leadId).PK, ':prefix': keys.membershipPrefix(leadId).SKPrefix }),
      ScanIndexForward: false,
      startKey,
    });
    out.push(...page.items.map(toMembership));
    startKey = page.lastKey;
  } while (startKey);
  return out;
}

/** How many of the lead's items start with `prefix` (a COUNT query: no items travel). */
export async function countItems(leadId: string, prefix: string): Promise<number> {
  let total = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: toAttributes({ ':pk': keys.lead(leadId).PK, ':prefix': prefix }),
        Select: 'COUNT',
        ExclusiveStartKey: startKey as never,
      }),
    );
    total += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return total;
}
