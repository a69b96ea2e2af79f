import { batchWrite, getItem, putRequest, updateItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ENTITY, keys } from '../table/keys';
import { queryAll, queryPage } from '../table/queries';
import type { Strategy } from './distribution';
import type { SkipReason } from './schema';

/**
 * The journal of assignment operations: each operation and its plan are recorded before any lead moves, listed in a
 * sparse "unfinished" index while they apply, and marked applied at the end. What a crash leaves behind is found
 * there and finished (lib/assignment/assign.ts, resumeAbandonedAssignments).
 */

export interface Move {
  leadId: string;
  to: string;
  /** The version the plan was made from. */
  version: number;
}

export interface AssignmentRecord {
  assignmentId: string;
  actorId: string;
  status: 'applying' | 'applied' | 'failed';
  /** Resumes tried so far after the request that made it stopped; at MAX_RESUMES the operation ends failed. */
  resumes?: number;
  /** A sweep is resuming it until then (epoch ms): two sweeps at once never resume one operation twice. */
  turnUntil?: number;
  /** Why it failed, for the operator (an error's name, never data). */
  reason?: string;
  strategy?: Strategy;
  /** The campaign the filter named, for the notification. */
  campaignId?: string;
  planParts: number;
  /** Skipped while planning; the apply step may skip more. */
  skipped: { leadId: string; reason: SkipReason }[];
  /** Where the leads came from when an update list assigned them. */
  importId?: string;
  fileName?: string;
  createdAt: string;
  finishedAt?: string;
  result?: AssignmentOutcome;
}

export interface AssignmentOutcome {
  assigned: number;
  owners: { ownerId: string; count: number }[];
  skippedCount: number;
}

/** Moves per plan item: a plan of 20,000 leads is 20 items, well under the 400 KB an item may hold. */
export const PLAN_PART = 1000;

/** Records the operation and its plan (status `applying`, listed as unfinished). */
export async function recordOperation(record: AssignmentRecord, moves: Move[]): Promise<void> {
  // The plan first: an operation found in the unfinished index always has its whole plan.
  const parts: Item[] = [];
  for (let offset = 0, part = 0; offset < moves.length; offset += PLAN_PART, part++) {
    parts.push({ ...keys.assignmentPlan(record.assignmentId, part), entity: ENTITY.assignmentPlan, moves: moves.slice(offset, offset + PLAN_PART) });
  }
  await batchWrite(parts.map(putRequest));
  await updateItem({
    key: keys.assignment(record.assignmentId),
    changes: { set: { ...record, entity: ENTITY.assignment, ...keys.unfinishedAssignmentsIndex(record.createdAt, record.assignmentId) } },
  });
}

export const getOperation = (assignmentId: string) => getItem<AssignmentRecord & Item>(keys.assignment(assignmentId));

/** The operation's planned moves, in plan order. */
export async function plannedMoves(assignmentId: string): Promise<Move[]> {
  const parts = await queryAll<{ moves: Move[] }>({ partition: keys.assignmentPartition(assignmentId), sortPrefix: keys.assignmentPlanPrefix });
  return parts.flatMap((part) => part.moves);
}

/** Marks the operation applied with its outcome, out of the unfinished index. */
export async function finishOperation(assignmentId: string, result: AssignmentOutcome, now: Date): Promise<void> {
  await updateItem({
    key: keys.assignment(assignmentId),
    changes: { set: { status: 'applied', finishedAt: now.toISOString(), result }, remove: keys.unfinishedAssignmentsAttributes },
  });
}

/**
 * Operations still applying whose turn came before `olderThan`: the ones a crash left behind. The index sorts them
 * by when they may be tried next (their creation at first; later, after a failed resume, a while after it), so one
 * that keeps failing waits behind the others instead of blocking them.
 */
export async function unfinishedAssignments(olderThan: Date, limit = 10): Promise<string[]> {
  const page = await queryPage<Item>({ index: 'gsi2', partition: keys.unfinishedAssignmentsPartition, sortBefore: olderThan.toISOString(), limit });
  return page.items.map((item) => item.assignmentId as string);
}

/**
 * Takes the operation's turn for one sweep: only while it is applying and no other sweep holds a live turn on it.
 * False when someone else has it (or it has ended).
 */
export async function takeTurn(assignmentId: string, now: Date, holdMs: number): Promise<boolean> {
  try {
    await updateItem({
      key: keys.assignment(assignmentId),
      changes: { set: { turnUntil: now.getTime() + holdMs } },
      condition: '#status = :applying AND (attribute_not_exists(turnUntil) OR turnUntil < :now)',
      names: { '#status': 'status' },
      values: { ':applying': 'applying', ':now': now.getTime() },
    });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}

/** A resume failed: counted, and the operation's next turn put off until `nextTurn`. Returns the resumes so far. */
export async function putOffOperation(assignmentId: string, reason: string, nextTurn: Date): Promise<number> {
  const record = await updateItem<AssignmentRecord>({
    key: keys.assignment(assignmentId),
    changes: { set: { reason, ...keys.unfinishedAssignmentsIndex(nextTurn.toISOString(), assignmentId) }, add: { resumes: 1 } },
    condition: '#status = :applying',
    names: { '#status': 'status' },
    values: { ':applying': 'applying' },
  });
  return record.resumes ?? 1;
}

/** Ends an operation that cannot go on as failed, with the reason, out of the unfinished index. */
export async function failOperation(assignmentId: string, reason: string, now: Date): Promise<void> {
  await updateItem({
    key: keys.assignment(assignmentId),
    changes: { set: { status: 'failed', reason, finishedAt: now.toISOString() }, remove: keys.unfinishedAssignmentsAttributes },
  });
}

/** Where round robin over this set of owners starts next time, so no owner is always dealt the first lead. */
export async function rotationStart(ownerSetKey: string): Promise<number> {
  return (await getItem<{ next?: number }>(keys.assignmentRotation(ownerSetKey)))?.next ?? 0;
}

export async function advanceRotation(ownerSetKey: string, dealt: number): Promise<void> {
  await updateItem({ key: keys.assignmentRotation(ownerSetKey), changes: { set: { entity: ENTITY.assignmentRotation }, add: { next: dealt } } });
}
