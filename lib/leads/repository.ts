import { ConflictError, NotFoundError } from '../errors';
import type { Caller } from '../users/caller';
import { seesOwnLeadsOnly } from '../users/roles';
import { batchGet, getItem, putItem, type Item } from '../table/client';
import { ConditionFailedError, TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryAll } from '../table/queries';
import { transact, txCheck, txDelete, txPut, type TransactionWrite } from '../table/transaction';
import { erasedKeyOf } from './erased-key';
import { leadFromItem, leadItem, type CampaignMembership, type Lead } from './model';
import { lookupChanges } from './lookups';
import { refuseIfErased } from './tombstone';

/** Leads as stored at LEAD#{id}/LEAD, with the rules every reader and writer shares. */

/** An agent (外注業者) sees only the leads it owns; everyone else sees every lead (api.md). */
export const canSee = (caller: Caller, lead: Pick<Lead, 'ownerId'>): boolean => !seesOwnLeadsOnly(caller.role) || lead.ownerId === caller.userId;

export async function getLead(leadId: string): Promise<{ lead: Lead; item: Item } | undefined> {
  const item = await getItem(keys.lead(leadId));
  return item ? { lead: leadFromItem(item), item } : undefined;
}

/** Several leads by id, in one batch read (strongly consistent); ids of leads that do not exist are left out. */
export async function getLeads(leadIds: string[]): Promise<Map<string, Lead>> {
  if (leadIds.length === 0) return new Map();
  const items = await batchGet<Item>(leadIds.map((leadId) => keys.lead(leadId)));
  return new Map([...items.values()].map((item) => [item.leadId as string, leadFromItem(item)]));
}

/** The lead, or 404 when it does not exist or the caller may not see it (never reveal which). */
export async function requireVisibleLead(caller: Caller, leadId: string): Promise<{ lead: Lead; item: Item }> {
  const found = await getLead(leadId);
  if (!found || !canSee(caller, found.lead)) throw new NotFoundError(`no lead ${leadId}`);
  return found;
}

/** The lead, to be written: 404 as above, and 410 once it was erased on request (or while it is being erased). */
export async function requireWorkableLead(caller: Caller, leadId: string): Promise<{ lead: Lead; item: Item }> {
  const found = await requireVisibleLead(caller, leadId);
  refuseIfErased(found.lead);
  return found;
}

/**
 * Writes that go in the lead's transaction (an owner change moves its tasks), and what else the lead must still be as
 * read for them to hold.
 */
export interface WrittenAlong {
  writes: TransactionWrite[];
  guard?: { condition: string; names?: Record<string, string>; values?: Item };
}

export class StaleLeadError extends Error {
  override readonly name = 'StaleLeadError';
}

export class MatchKeyTakenError extends Error {
  override readonly name = 'MatchKeyTakenError';
}

/** The new dedupe key is a person's who asked to be erased: an edit may not bring them back under another lead. */
export class ErasedPersonError extends Error {
  override readonly name = 'ErasedPersonError';
}

/**
 * Writes `next` over `previous` if nobody changed the lead since `previous.version` was read. When the dedupe key
 * changes (a new e-mail), the LEADKEY claim moves with the lead in the same transaction, or the write is refused
 * because the key belongs to another lead. When a phone changes, its look-up entries (./lookups.ts) move in that
 * same transaction, so a number finds the lead exactly while the lead has it.
 */
export async function saveLead(previous: Lead, next: Lead, attributes: Item = {}, along: WrittenAlong = { writes: [] }): Promise<void> {
  const stored = { ...leadItem(next), ...attributes };
  const lookups = lookupChanges(previous, next);
  const lookupWrites = [...lookups.puts.map((item, i) => txPut(`lookup:${i}`, item)), ...lookups.deletes.map((key, i) => txDelete(`oldLookup:${i}`, key))];
  const asRead = {
    condition: along.guard ? `version = :v AND ${along.guard.condition}` : 'version = :v',
    ...(along.guard?.names ? { names: along.guard.names } : {}),
    values: { ':v': previous.version, ...along.guard?.values },
  };
  try {
    if (next.matchKey === previous.matchKey && lookupWrites.length === 0 && along.writes.length === 0) {
      await putItem(stored, asRead);
      return;
    }
    const ours = { condition: `${ITEM_ABSENT} OR leadId = :leadId`, values: { ':leadId': next.leadId } };
    const claimMoves =
      next.matchKey === previous.matchKey
        ? []
        : [
            txPut('newMatchKey', { ...keys.leadMatchKey(next.matchKey), entity: ENTITY.leadMatchKey, leadId: next.leadId, createdBy: `lead#${next.leadId}`, createdAt: next.updatedAt }, ours),
            txDelete('oldMatchKey', keys.leadMatchKey(previous.matchKey), ours),
            // In the same transaction, so an erasure that lands meanwhile is seen too.
            txCheck('notErased', keys.erasedMatchKey(await erasedKeyOf(next.matchKey)), { condition: ITEM_ABSENT }),
          ];
    await transact([txPut('lead', stored, asRead), ...along.writes, ...claimMoves, ...lookupWrites]);
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new StaleLeadError(`lead ${next.leadId} changed since version ${previous.version}`, { cause: error });
    if (error instanceof TransactionCancelledError) {
      if (error.failed('newMatchKey')) throw new MatchKeyTakenError(`the dedupe key of lead ${next.leadId} belongs to another lead`, { cause: error });
      if (error.failed('notErased')) throw new ErasedPersonError(`the new dedupe key of lead ${next.leadId} is an erased person's`, { cause: error });
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

/** GET /leads/{leadId}/campaigns: the histories of a lead the caller may see. */
export async function visibleCampaignHistory(caller: Caller, leadId: string): Promise<CampaignMembership[]> {
  await requireVisibleLead(caller, leadId);
  return campaignHistory(leadId);
}

/** The lead's campaign histories, newest campaign first (campaign ids are ULIDs). */
export async function campaignHistory(leadId: string): Promise<CampaignMembership[]> {
  const histories = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.membershipPrefix, descending: true });
  return histories.map(toMembership);
}
