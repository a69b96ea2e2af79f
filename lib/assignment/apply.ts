import { backoffMs, forEachConcurrently, sleep } from '../async';
import { leadEventItem } from '../leads/events';
import { historiesFollowOwners, type LeadOwner } from '../leads/memberships';
import { leadFromItem, leadOwnerIndexChanges, withOwner, type ListedLead } from '../leads/model';
import { isErasedOrErasing } from '../leads/tombstone';
import { getItems, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { transact, txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import { LEAD_TASK_REVISION, type Task } from '../leads/task-model';
import { openTasksOfLeads, taskFollowWrites, taskRevisionGuard, tasksThatFollow } from '../leads/lead-tasks';
import type { User } from '../users/schema';
import type { AssignmentRecord, Move } from './journal';
import type { SkipReason } from './schema';

/**
 * Step 3 of an assignment: the planned moves written, LEADS_PER_WRITE leads to a transaction. Each lead's owner
 * (conditional on the version it was judged at, and on its task revision) goes with its history event and the moves
 * of its open tasks of the previous owner (lib/leads/lead-tasks.ts), so a lead never has one without the others. A transaction cancelled because one of its leads changed meanwhile is read again and judged again, lead by
 * lead, in the next round. A lead tagged with the operation is done already (a resumed run).
 */

/**
 * Leads per transaction: a lead and its history event are two of the 100 writes a transaction may hold, and each of
 * its open tasks that follows it one more (at most MAX_OPEN_TASKS_PER_LEAD), so a transaction also stops at
 * WRITES_PER_TRANSACTION.
 */
const LEADS_PER_WRITE = 50;
const WRITES_PER_TRANSACTION = 100;
const WRITE_CONCURRENCY = 4;
const MAX_ROUNDS = 6;

/** A lead's extra columns play no part in an assignment (and a lead found by a filter comes without them). */
export type LeadState = ListedLead & { assignmentId?: string; taskRevision?: number };

/** The lead as an assignment judges it: with the operation that last assigned it and its task revision. */
export const leadStateOf = (item: Item): LeadState => ({
  ...leadFromItem(item),
  ...(item.assignmentId ? { assignmentId: item.assignmentId as string } : {}),
  ...(item[LEAD_TASK_REVISION] !== undefined ? { taskRevision: item[LEAD_TASK_REVISION] as number } : {}),
});

export interface Applied {
  leadId: string;
  to: string;
  from?: string;
  lead: LeadState;
}

/** The lead with its new owner, as a transaction write valid only over the version and task revision it was read at. */
function ownerWrite(lead: LeadState, owner: User, record: AssignmentRecord, now: Date): TransactionWrite {
  const next = withOwner(lead, owner, now.toISOString());
  const tasksAsRead = taskRevisionGuard({ [LEAD_TASK_REVISION]: lead.taskRevision });
  // Owner, version and the index keys that follow owner and updatedAt; everything else on the item stays.
  const indexes = leadOwnerIndexChanges(next);
  return txUpdate(`lead:${lead.leadId}`, {
    key: keys.lead(lead.leadId),
    changes: {
      set: { ownerId: next.ownerId, ownerTeam: next.ownerTeam, updatedAt: next.updatedAt, version: next.version, assignmentId: record.assignmentId, ...indexes.set },
      remove: [...(next.ownerTeam ? [] : ['ownerTeam']), ...indexes.remove],
    },
    condition: `version = :expected AND ${tasksAsRead.condition}`,
    names: tasksAsRead.names,
    values: { ':expected': lead.version, ...tasksAsRead.values },
  });
}

/** Every write of one lead's move: its owner, its history event, its open tasks of the owner it leaves. */
function moveWrites(a: Applied, owner: User, record: AssignmentRecord, open: readonly Task[], now: Date): TransactionWrite[] {
  return [ownerWrite(a.lead, owner, record, now), eventWrite(record, a), ...taskFollowWrites(tasksThatFollow(open, a.from), a.to, now.toISOString())];
}

/** The moves in groups of at most LEADS_PER_WRITE leads and WRITES_PER_TRANSACTION writes, a lead never split. */
function transactionsOf(writable: Applied[], writesOf: (a: Applied) => TransactionWrite[]): { group: Applied[]; writes: TransactionWrite[] }[] {
  const out: { group: Applied[]; writes: TransactionWrite[] }[] = [];
  let current: { group: Applied[]; writes: TransactionWrite[] } = { group: [], writes: [] };
  for (const a of writable) {
    const writes = writesOf(a);
    if (current.group.length > 0 && (current.group.length >= LEADS_PER_WRITE || current.writes.length + writes.length > WRITES_PER_TRANSACTION)) {
      out.push(current);
      current = { group: [], writes: [] };
    }
    current.group.push(a);
    current.writes.push(...writes);
  }
  if (current.group.length > 0) out.push(current);
  return out;
}

function eventWrite(record: AssignmentRecord, a: Applied): TransactionWrite {
  return txPut(
    `event:${a.leadId}`,
    leadEventItem({
      eventId: record.assignmentId,
      leadId: a.leadId,
      kind: 'assigned',
      at: record.createdAt,
      actorId: record.actorId,
      fromOwnerId: a.from,
      toOwnerId: a.to,
      ...(record.importId ? { importId: record.importId } : { assignmentId: record.assignmentId }),
    }),
  );
}

export async function readLeads(leadIds: string[]): Promise<Map<string, LeadState>> {
  const found = await getItems<Item>(leadIds.map((id) => keys.lead(id)), { concurrency: 8 });
  return new Map(found.map((item) => [item.leadId as string, leadStateOf(item)]));
}

export async function applyMoves(
  record: AssignmentRecord,
  moves: Move[],
  known: Map<string, LeadState>,
  owners: Map<string, User>,
  now: Date,
): Promise<{ applied: Applied[]; skipped: { leadId: string; reason: SkipReason }[] }> {
  const applied: Applied[] = [];
  const skipped: { leadId: string; reason: SkipReason }[] = [];
  /** The owner and version each applied lead has now. */
  const followers: LeadOwner[] = [];
  let pending = moves;
  let current = known;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`${pending.length} leads kept changing during assignment ${record.assignmentId}`);
    if (round > 0) {
      await sleep(backoffMs(round, 50, 1000));
      current = await readLeads(pending.map((m) => m.leadId));
    }
    const writable: Applied[] = [];
    for (const move of pending) {
      const lead = current.get(move.leadId);
      if (!lead) skipped.push({ leadId: move.leadId, reason: 'not_found' });
      // Written by this operation already (a resumed run): done; the owner it had before is no longer known here.
      else if (lead.assignmentId === record.assignmentId) {
        applied.push({ leadId: move.leadId, to: move.to, lead });
        followers.push({ leadId: move.leadId, ownerId: move.to, version: lead.version });
      }
      else if (isErasedOrErasing(lead)) skipped.push({ leadId: move.leadId, reason: 'erased' });
      else if (lead.stage === 'converted') skipped.push({ leadId: move.leadId, reason: 'converted' });
      else if (lead.ownerId === move.to) skipped.push({ leadId: move.leadId, reason: 'already_owned' });
      else writable.push({ leadId: move.leadId, to: move.to, ...(lead.ownerId ? { from: lead.ownerId } : {}), lead });
    }
    const again: Move[] = [];
    // Read after the task revision the leads were read with: a task written since fails the revision condition.
    const openTasks = await openTasksOfLeads(writable.filter((a) => a.lead.taskRevision !== undefined).map((a) => ({ leadId: a.leadId, item: { [LEAD_TASK_REVISION]: a.lead.taskRevision } })));
    const transactions = transactionsOf(writable, (a) => moveWrites(a, owners.get(a.to)!, record, openTasks.get(a.leadId) ?? [], now));
    await forEachConcurrently(transactions, WRITE_CONCURRENCY, async ({ group, writes }) => {
      try {
        await transact(writes);
        applied.push(...group);
        followers.push(...group.map((a) => ({ leadId: a.leadId, ownerId: a.to, version: a.lead.version + 1 })));
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        again.push(...group.map((a) => ({ leadId: a.leadId, to: a.to, version: a.lead.version })));
      }
    });
    pending = again;
  }
  // Only now that the owners are committed may the histories take them (lib/leads/memberships.ts). A resumed run
  // finds its leads tagged and applied, and runs this again for them: a crash before it loses nothing.
  await historiesFollowOwners(followers);
  // In the order asked for (transactions finish in any order): the digest lists the first leads of the request.
  const order = new Map(moves.map((m, index) => [m.leadId, index]));
  applied.sort((a, b) => order.get(a.leadId)! - order.get(b.leadId)!);
  return { applied, skipped };
}
