import { newId } from '../ids';
import { log } from '../log';
import { recordMetric } from '../metrics';
import type { Caller } from '../users/caller';
import { getUser } from '../users/repository';
import { applyMoves, readLeads, type Applied, type LeadState } from './apply';
import {
  advanceRotation,
  failOperation,
  finishOperation,
  getOperation,
  plannedMoves,
  PLAN_PART,
  putOffOperation,
  recordOperation,
  takeTurn,
  unfinishedAssignments,
  type AssignmentRecord,
  type Move,
} from './journal';
import { ownerSetKey, planAssignment } from './plan';
import { publishNotifications } from './publish';
import type { AssignmentResult, AssignRequest } from './schema';

/**
 * Assignment (リード担当者の一括変更): any number of leads to one owner, or the leads a filter finds dealt among
 * several owners. Every operation is journaled so that it finishes even if the function dies midway:
 *
 *   1. plan (./plan.ts): read the leads, decide each one's new owner, skip those that cannot move (with why);
 *   2. record (./journal.ts): the operation and its plan (status `applying`, listed as unfinished);
 *   3. apply (./apply.ts): each lead is written conditionally on the version planned from, tagged with the
 *      operation's id, and gets an `assigned` event in its history; a lead changed meanwhile is read again;
 *   4. publish (./publish.ts): one notification per owner (in-app, and an e-mail through the outbox), then the
 *      operation is marked `applied`.
 *
 * Every step can run again: a lead tagged with the operation counts as done, events and notifications have
 * deterministic keys. The dispatcher's sweep resumes operations left `applying` (resumeAbandonedAssignments), so
 * owners hear of every lead they were given, exactly once.
 */

/** Assignment operations still applying after this long were abandoned (the API times out at 30 s). */
const ABANDONED_AFTER_MS = 2 * 60_000;
/** Resumes of one operation before it ends failed; each failed one puts the next off by RESUME_BACKOFF_MS. */
const MAX_RESUMES = 5;
const RESUME_BACKOFF_MS = 5 * 60_000;
/** How long a sweep holds an operation it resumes: a resume of the largest operation takes well under this. */
const TURN_MS = 2 * 60_000;

function outcomeOf(applied: Applied[], skippedCount: number) {
  const counts = new Map<string, number>();
  for (const a of applied) counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
  return { assigned: applied.length, owners: [...counts].map(([ownerId, count]) => ({ ownerId, count })), skippedCount };
}

/** Steps 3 and 4 for a recorded operation: used right after recording, and to resume one left unfinished. */
export async function completeAssignment(record: AssignmentRecord, moves: Move[], known: Map<string, LeadState>, now = new Date()) {
  const ownerIds = [...new Set(moves.map((m) => m.to))];
  const owners = new Map((await Promise.all(ownerIds.map((id) => getUser(id)))).filter((u) => u !== undefined).map((u) => [u.userId, u]));
  const { applied, skipped } = await applyMoves(record, moves, known, owners, now);
  await publishNotifications(record, applied, owners);
  await finishOperation(record.assignmentId, outcomeOf(applied, record.skipped.length + skipped.length), now);
  recordMetric.assignmentApplied(applied.length);
  return { applied, skipped };
}

/** Resumes an operation that was recorded but never finished (the function died or timed out midway). */
export async function resumeAssignment(assignmentId: string, now = new Date()): Promise<void> {
  const record = await getOperation(assignmentId);
  if (!record || record.status !== 'applying') return;
  const moves = await plannedMoves(assignmentId);
  // Planned versions no longer matter: each lead is judged as it is now.
  await completeAssignment(record, moves, await readLeads(moves.map((m) => m.leadId)), now);
  log.info('assignment resumed', { assignmentId, moves: moves.length });
}

/**
 * Finishes the operations a crash left applying. Younger ones are left alone: the request that made them may still
 * be running. One that fails to resume is put off (it waits behind the others) and, after MAX_RESUMES, ends failed
 * with the reason: an operation that cannot go on never blocks the rest.
 */
export async function resumeAbandonedAssignments(now = new Date()): Promise<void> {
  for (const assignmentId of await unfinishedAssignments(new Date(now.getTime() - ABANDONED_AFTER_MS))) {
    // Schedules fire twice and sweeps overlap: only the sweep that takes the operation's turn resumes it.
    if (!(await takeTurn(assignmentId, now, TURN_MS))) continue;
    try {
      await resumeAssignment(assignmentId, now);
    } catch (error) {
      const reason = `resuming failed: ${(error as Error).name}`;
      log.error('resuming an assignment failed', { assignmentId, errorName: (error as Error).name });
      try {
        const resumes = await putOffOperation(assignmentId, reason, new Date(now.getTime() + RESUME_BACKOFF_MS));
        if (resumes >= MAX_RESUMES) await failOperation(assignmentId, `${reason}, ${resumes} times; the leads written so far keep their new owner`, now);
      } catch (bookkeeping) {
        // Finished or failed meanwhile, or the table is unavailable: the next sweep sees it as it is then.
        log.warn('could not put off an assignment', { assignmentId, errorName: (bookkeeping as Error).name });
      }
    }
  }
}

export async function assignLeads(caller: Caller, request: AssignRequest, now = new Date()): Promise<AssignmentResult> {
  const planned = await planAssignment(caller, request);
  const strategy = request.strategy;
  const ownerName = (id: string) => planned.owners.get(id)?.name ?? id;

  if (request.dryRun) {
    const byOwner = new Map<string, string[]>(planned.order.map((id) => [id, []]));
    for (const move of planned.moves) byOwner.get(move.to)!.push(move.leadId);
    return {
      dryRun: true,
      ...(strategy ? { strategy } : {}),
      assigned: planned.moves.length,
      owners: [...byOwner].map(([ownerId, leadIds]) => ({ ownerId, name: ownerName(ownerId), count: leadIds.length, leadIds })),
      skipped: planned.skipped,
    };
  }

  const record: AssignmentRecord = {
    assignmentId: newId(now.getTime()),
    actorId: caller.userId,
    status: 'applying',
    ...(strategy ? { strategy } : {}),
    ...(request.filter?.campaignId ? { campaignId: request.filter.campaignId } : {}),
    planParts: Math.ceil(planned.moves.length / PLAN_PART),
    skipped: planned.skipped.slice(0, 1000),
    createdAt: now.toISOString(),
  };
  if (planned.moves.length > 0) {
    await recordOperation(record, planned.moves);
    // The next round robin over these owners starts where this one stopped.
    if (request.ownerIds) await advanceRotation(ownerSetKey(request.ownerIds), planned.moves.length);
  }
  const { applied, skipped } = planned.moves.length > 0 ? await completeAssignment(record, planned.moves, planned.leads, now) : { applied: [], skipped: [] };

  const counts = new Map<string, number>(planned.order.map((id) => [id, 0]));
  for (const a of applied) counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
  return {
    ...(planned.moves.length > 0 ? { assignmentId: record.assignmentId } : {}),
    dryRun: false,
    ...(strategy ? { strategy } : {}),
    assigned: applied.length,
    owners: [...counts].map(([ownerId, count]) => ({ ownerId, name: ownerName(ownerId), count })),
    skipped: [...planned.skipped, ...skipped],
  };
}
