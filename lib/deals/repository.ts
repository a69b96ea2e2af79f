import { backoffMs, sleep } from '../async';
import { counterBump, movesCounters } from '../campaigns/metrics';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { choices } from '../settings/choices';
import { getItem, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { queryPage } from '../table/queries';
import { shardedQuery, type ShardedPosition } from '../table/sharded-query';
import { transact, txPut, type TransactionWrite } from '../table/transaction';
import { worksOwnLeadsOnly } from '../users/roles';
import { wonDealActivity } from '../stats/writes';
import { dealFromItem, dealItem, wonContribution } from './model';
import { DEAL_STATUSES, type Deal, type DealListQuery, type DealPatch } from './schema';

/** Deals (案件): read, list, and edit with versions; a status change keeps the campaign's won counters exact. */

export async function getDeal(dealId: string): Promise<Deal | undefined> {
  const item = await getItem(keys.deal(dealId));
  return item ? dealFromItem(item) : undefined;
}

export async function requireDeal(dealId: string): Promise<Deal> {
  const deal = await getDeal(dealId);
  if (!deal) throw new NotFoundError(`no deal ${dealId}`);
  return deal;
}

export function checkDealStage(stage: string | undefined, path: string): void {
  if (stage === undefined) return;
  const { dealStages } = choices();
  if (!dealStages.includes(stage)) {
    throw new ValidationError('the deal stage is outside the choice list (GET /settings/choices)', [{ path, message: `not one of: ${dealStages.join(', ')}` }]);
  }
}

/**
 * GET /deals: the most selective condition picks the index (campaign → GSI4, owner → GSI1, status → GSI2), the
 * others filter it; with no condition, the three status partitions of GSI2 are merged, newest first.
 */
export async function listDeals(query: DealListQuery, caller: Caller, position?: unknown): Promise<{ items: Deal[]; position?: unknown }> {
  const ownerId = query.ownerId === 'me' ? caller.userId : query.ownerId;
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Item = {};
  const filterOn = (attribute: string, value: string | undefined) => {
    if (value === undefined) return;
    clauses.push(`#${attribute} = :${attribute}`);
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = value;
  };
  let single: { index: 'gsi1' | 'gsi2' | 'gsi4'; partition: string } | undefined;
  if (query.campaignId) {
    single = { index: 'gsi4', partition: keys.dealsByCampaignPartition(query.campaignId) };
    filterOn('ownerId', ownerId);
    filterOn('status', query.status);
  } else if (ownerId) {
    single = { index: 'gsi1', partition: keys.dealsByOwnerPartition(ownerId) };
    filterOn('status', query.status);
  } else if (query.status) {
    single = { index: 'gsi2', partition: keys.dealsByStatusPartition(query.status) };
  }
  const filter = clauses.length ? { expression: clauses.join(' AND '), names, values } : undefined;
  if (single) {
    const page = await queryPage<Item>({ ...single, descending: true, limit: query.limit, filter, startKey: position as Item | undefined });
    return { items: page.items.map(dealFromItem), position: page.lastKey };
  }
  const page = await shardedQuery<Item>({
    index: 'gsi2',
    partitions: DEAL_STATUSES.map((s) => keys.dealsByStatusPartition(s)),
    descending: true,
    limit: query.limit,
    position: position as ShardedPosition | undefined,
  });
  return { items: page.items.map(dealFromItem), position: page.position };
}

/**
 * PATCH /deals/{id} at the version the editor saw. won and lost close the deal (closedAt); open reopens it, to undo
 * a mistaken close. Whatever moves the deal into, out of, or within "won" moves the campaign's wonDeals and
 * wonAmountJpy by the same delta, in the same transaction as the deal.
 */
export async function updateDeal(caller: Caller, dealId: string, patch: Omit<DealPatch, 'version'>, expectedVersion: number, now = new Date()): Promise<Deal> {
  const current = await requireDeal(dealId);
  if (worksOwnLeadsOnly(caller.role) && current.ownerId !== caller.userId) {
    throw new ForbiddenError("only the deal's owner, a manager or an admin may edit it");
  }
  const stale = (version: number | undefined) =>
    new ConflictError(`deal ${dealId} has changed since version ${expectedVersion}`, { extensions: { currentVersion: version } });
  if (current.version !== expectedVersion) throw stale(current.version);
  checkDealStage(patch.stage, 'body.stage');

  const timestamp = now.toISOString();
  const next: Deal = { ...current, updatedAt: timestamp, version: current.version + 1 };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete (next as Record<string, unknown>)[field];
    else if (value !== undefined) (next as Record<string, unknown>)[field] = value;
  }
  if (next.status !== current.status) {
    if (next.status === 'open') delete next.closedAt;
    else next.closedAt = timestamp;
  }

  const before = wonContribution(current);
  const after = wonContribution(next);
  const delta = { wonDeals: after.wonDeals - before.wonDeals, wonAmountJpy: after.wonAmountJpy - before.wonAmountJpy };
  const writes: TransactionWrite[] = [txPut('deal', dealItem(next), { condition: 'version = :v', values: { ':v': current.version } })];
  if (movesCounters(delta)) writes.push(counterBump(next.campaignId, delta, now));
  // The owner's won deals and amount, on the day the deal became won (lib/stats/writes.ts).
  writes.push(...wonDealActivity(current, next, now));
  await transactRetryingContention(writes, () => stale(undefined), async () => stale((await getDeal(dealId))?.version));
  return next;
}

/**
 * Runs a transaction whose versioned write may lose its condition. A lost condition is the caller's conflict; a
 * cancellation only because another transaction held one of the items (the campaign's counters are shared by every
 * action, conversion and import of the campaign) is retried after a short, jittered pause.
 */
async function transactRetryingContention(writes: TransactionWrite[], onGiveUp: () => Error, onStale: () => Promise<Error>, attempts = 8): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transact(writes);
      return;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.anyFailed) throw await onStale();
      if (attempt >= attempts) throw onGiveUp();
      await sleep(backoffMs(attempt, 10, 500));
    }
  }
}
