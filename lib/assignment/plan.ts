import { createHash } from 'node:crypto';
import { config } from '../config';
import { ValidationError } from '../errors';
import { findLeads } from '../leads/list';
import type { ListedLead } from '../leads/model';
import { leadStateOf } from './apply';
import type { LeadListQuery } from '../leads/list-query';
import type { LeadFilter } from '../leads/schema';
import { isErasedOrErasing } from '../leads/tombstone';
import { getItems, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { countAll, ReadBudget } from '../table/queries';
import type { ShardedPosition } from '../table/sharded-query';
import type { Caller } from '../users/caller';
import type { User } from '../users/schema';
import { balanced, dealingOrder, roundRobin } from './distribution';
import { rotationStart, type Move } from './journal';
import { requireOwners } from './owners';
import { MAX_LEADS_PER_ASSIGNMENT, type AssignRequest, type SkipReason } from './schema';

/**
 * Step 1 of an assignment: read the leads, decide each one's new owner, and skip those that cannot move (with why).
 * Reads only; nothing is written until the plan is recorded.
 */

export interface Plan {
  moves: Move[];
  skipped: { leadId: string; reason: SkipReason }[];
  leads: Map<string, ListedLead>;
  owners: Map<string, User>;
  /** The owners in the order they were dealt to. */
  order: string[];
}

async function leadsByIds(leadIds: string[]): Promise<Map<string, ListedLead>> {
  const found = await getItems<Item>(leadIds.map((id) => keys.lead(id)), { concurrency: 8 });
  return new Map(found.map((item) => [item.leadId as string, leadStateOf(item)]));
}

/**
 * What an assignment by filter may read to find its leads: twice the most it may move (config.assignFilterReadItems),
 * and well inside the API's 29 seconds. A filter the indexes serve poorly (a product nobody has, over every lead)
 * stops there with a 422.
 */
export const ASSIGN_FILTER_READ_MS = 15_000;

/** Every lead the list filter finds, as the caller sees them; refuses a filter that finds too many or reads too much. */
async function leadsByFilter(filter: LeadFilter, caller: Caller): Promise<ListedLead[]> {
  const out: ListedLead[] = [];
  const seen = new Set<string>();
  const budget = new ReadBudget(config.assignFilterReadItems(), ASSIGN_FILTER_READ_MS);
  let position: ShardedPosition | undefined;
  do {
    const page = await findLeads({ ...filter, limit: 500 } as LeadListQuery, caller, position, budget);
    // Each lead once, whatever the filter: a lead moved twice in one operation could never be written.
    for (const { lead } of page.items) if (!seen.has(lead.leadId) && seen.add(lead.leadId)) out.push(lead);
    if (out.length > MAX_LEADS_PER_ASSIGNMENT) {
      throw new ValidationError(`the filter finds more than ${MAX_LEADS_PER_ASSIGNMENT} leads; narrow it and assign in parts`, [
        { path: 'body.filter', message: 'matches too many leads' },
      ]);
    }
    position = page.position;
    if (position && budget.exhausted) {
      throw new ValidationError('the filter reads too many leads to find the ones it matches; narrow it (campaign, owner, stage) and assign in parts', [
        { path: 'body.filter', message: 'reads too many leads' },
      ]);
    }
  } while (position);
  return out;
}

/** Open leads (new + working) of one owner: COUNT queries on the owner × stage index, no items read. */
export async function countOpenLeads(ownerId: string): Promise<number> {
  const partitions = ['new', 'working'].flatMap((stage) => allShards().map((shard) => keys.leadsByOwnerStagePartition(ownerId, stage, shard)));
  const counts = await Promise.all(partitions.map((partition) => countAll({ index: 'gsi2', partition })));
  return counts.reduce((a, b) => a + b, 0);
}

/** The same set of owners, however ordered, is one rotation. */
export const ownerSetKey = (ownerIds: string[]) => createHash('sha256').update([...new Set(ownerIds)].sort().join(',')).digest('base64url').slice(0, 22);

export async function planAssignment(caller: Caller, request: AssignRequest): Promise<Plan> {
  const skipped: Plan['skipped'] = [];
  const moves: Move[] = [];
  const leads = new Map<string, ListedLead>();

  if (request.leadIds) {
    const owners = await requireOwners([request.ownerId!], 'body.ownerId');
    const ids = [...new Set(request.leadIds)];
    const found = await leadsByIds(ids);
    for (const leadId of ids) {
      const lead = found.get(leadId);
      if (!lead) skipped.push({ leadId, reason: 'not_found' });
      else if (isErasedOrErasing(lead)) skipped.push({ leadId, reason: 'erased' });
      else if (lead.stage === 'converted') skipped.push({ leadId, reason: 'converted' });
      else if (lead.ownerId === request.ownerId) skipped.push({ leadId, reason: 'already_owned' });
      else {
        leads.set(leadId, lead);
        moves.push({ leadId, to: request.ownerId!, version: lead.version });
      }
    }
    return { moves, skipped, leads, owners, order: [request.ownerId!] };
  }

  const ownerIds = [...new Set(request.ownerIds!)];
  const owners = await requireOwners(ownerIds, 'body.ownerIds');
  const eligible: ListedLead[] = [];
  for (const lead of await leadsByFilter(request.filter!, caller)) {
    if (isErasedOrErasing(lead)) skipped.push({ leadId: lead.leadId, reason: 'erased' });
    else if (lead.stage === 'converted') skipped.push({ leadId: lead.leadId, reason: 'converted' });
    // A lead already with one of these owners stays there: dealing it again would only churn.
    else if (lead.ownerId && owners.has(lead.ownerId)) skipped.push({ leadId: lead.leadId, reason: 'already_owned' });
    else eligible.push(lead);
  }
  const order = dealingOrder(ownerIds, await rotationStart(ownerSetKey(ownerIds)));
  const ids = eligible.map((l) => l.leadId);
  const dealt =
    request.strategy === 'balanced'
      ? balanced(ids, order, new Map(await Promise.all(order.map(async (id) => [id, await countOpenLeads(id)] as const))))
      : roundRobin(ids, order);
  for (const lead of eligible) leads.set(lead.leadId, lead);
  for (const [to, leadIds] of dealt) for (const leadId of leadIds) moves.push({ leadId, to, version: leads.get(leadId)!.version });
  return { moves, skipped, leads, owners, order };
}
