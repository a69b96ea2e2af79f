import { forEachConcurrently } from '../async';
import type { Item } from '../table/client';
import { keys } from '../table/keys';
import { queryAll } from '../table/queries';
import { txUpdate, type TransactionWrite } from '../table/transaction';
import { isClosedStage, nextActionKeys, taskRevisionKept, type Lead } from './model';
import { dueInstantOf, LEAD_TASK_REVISION, taskFromItem, taskIndexKeys, withAssignee, type Task } from './task-model';

/**
 * A lead's open tasks follow the lead to its new owner (assignment, hand-over, an update list's リード担当者), in the
 * transaction that changes the owner.
 *
 * Why nothing is left behind: every task write also bumps the lead item's task revision, on condition that the lead
 * still has the owner it read; every owner change is conditional on the lead's version and on the task revision it
 * read with the tasks. Whichever commits second fails its condition and reads again: a task written after the owner
 * change sees the new owner, and an owner change after a task write sees the task.
 */

/** The condition an owner change adds to its write of the lead: the task revision is the one read with the tasks. */
export function taskRevisionGuard(leadItem: Item): { condition: string; names: Record<string, string>; values: Item } {
  const revision = leadItem[LEAD_TASK_REVISION];
  return revision === undefined
    ? { condition: 'attribute_not_exists(#taskRevision)', names: { '#taskRevision': LEAD_TASK_REVISION }, values: {} }
    : { condition: '#taskRevision = :taskRevision', names: { '#taskRevision': LEAD_TASK_REVISION }, values: { ':taskRevision': revision } };
}

/** The lead's tasks (strongly consistent). A lead never written a task (no revision) is not read. */
export async function tasksOfLead(leadId: string, leadItem?: Item): Promise<Task[]> {
  if (leadItem && leadItem[LEAD_TASK_REVISION] === undefined) return [];
  const items = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.taskPrefix, consistent: true });
  return items.map(taskFromItem);
}

/** The open tasks of each lead, read before an owner change builds its transactions. */
export async function openTasksOfLeads(leads: { leadId: string; item: Item }[]): Promise<Map<string, Task[]>> {
  const out = new Map<string, Task[]>();
  await forEachConcurrently(leads, 8, async ({ leadId, item }) => {
    const open = (await tasksOfLead(leadId, item)).filter((t) => t.status === 'open');
    if (open.length > 0) out.set(leadId, open);
  });
  return out;
}

/** The tasks that move: open, assigned to the owner the lead leaves (a lead with no owner had nobody's tasks). */
export const tasksThatFollow = (open: readonly Task[], fromOwnerId: string | undefined): Task[] =>
  fromOwnerId === undefined ? [] : open.filter((t) => t.status === 'open' && t.assigneeId === fromOwnerId);

/** The writes that give the tasks to the new owner, each valid only over the version read. */
export function taskFollowWrites(tasks: readonly Task[], toOwnerId: string, at: string): TransactionWrite[] {
  return tasks.map((task) => {
    const next = withAssignee(task, toOwnerId, at);
    return txUpdate(`task:${task.taskId}`, {
      key: keys.task(task.leadId, task.taskId),
      changes: { set: { assigneeId: next.assigneeId, updatedAt: next.updatedAt, version: next.version, ...taskIndexKeys(next) } },
      condition: 'version = :taskVersion',
      values: { ':taskVersion': task.version },
    });
  });
}

/*
 * The lead's next action (api.md "lead list item" nextActionAt): when its earliest open task is due. Every write that
 * opens, closes, moves or cancels a task writes it on the lead in the same transaction, over the task revision it
 * read, so the lead and its tasks never disagree.
 */

/** The earliest due of the open tasks, as given (a date or an instant); undefined when none is open. */
export function nextActionOf(open: readonly Task[]): string | undefined {
  let earliest: Task | undefined;
  for (const task of open) {
    if (task.status !== 'open') continue;
    if (!earliest || dueInstantOf(task.dueAt) < dueInstantOf(earliest.dueAt)) earliest = task;
  }
  return earliest?.dueAt;
}

/** The lead as it is stored after a task write that leaves `open` open: with its next action, or without one. */
export function withNextAction(lead: Lead, open: readonly Task[]): Lead {
  const next: Lead = { ...lead };
  const at = nextActionOf(open);
  if (at === undefined) delete next.nextActionAt;
  else next.nextActionAt = at;
  return next;
}

/** The same, as an update of the lead item (for task writes that update the lead rather than put it). */
export function nextActionUpdate(lead: Lead, open: readonly Task[]): { set: Item; remove: string[] } {
  const next = withNextAction(lead, open);
  return next.nextActionAt === undefined
    ? { set: {}, remove: ['nextActionAt', ...keys.leadNextActionAttributes] }
    : { set: { nextActionAt: next.nextActionAt, ...nextActionKeys(next) }, remove: [] };
}

/** The lead item's task revision after one more task write. */
export const nextTaskRevision = (leadItem: Item): Item => ({ [LEAD_TASK_REVISION]: ((leadItem[LEAD_TASK_REVISION] as number | undefined) ?? 0) + 1 });

/**
 * The writes that cancel the lead's open tasks, each valid only over the version read: a lead converted, handed
 * over or disqualified has no work left (issue: "closes its open tasks as cancelled").
 */
export function taskCancelWrites(open: readonly Task[], at: string): TransactionWrite[] {
  return open.map((task) => {
    const next: Task = { ...task, status: 'cancelled', completedAt: at, updatedAt: at, version: task.version + 1 };
    return txUpdate(`cancel:${task.taskId}`, {
      key: keys.task(task.leadId, task.taskId),
      changes: { set: { status: next.status, completedAt: at, updatedAt: at, version: next.version, ...taskIndexKeys(next) } },
      condition: 'version = :taskVersion',
      values: { ':taskVersion': task.version },
    });
  });
}

/**
 * What a stage change does to the lead's tasks, for a write of the whole lead: moving into a closed stage cancels
 * every open task and clears the next action; any other stage leaves them. `guard` is the task-revision condition
 * the lead's write must carry whatever happens, so a task written meanwhile makes the write read again.
 */
export async function tasksOnStageChange(
  previous: Lead,
  next: Lead,
  leadItem: Item,
  at: string,
): Promise<{ lead: Lead; cancelled: Task[]; writes: TransactionWrite[]; attributes: Item; guard: ReturnType<typeof taskRevisionGuard> }> {
  const guard = taskRevisionGuard(leadItem);
  const unchanged = { lead: next, cancelled: [], writes: [], attributes: taskRevisionKept(leadItem), guard };
  if (!isClosedStage(next.stage) || isClosedStage(previous.stage)) return unchanged;
  const open = (await tasksOfLead(previous.leadId, leadItem)).filter((t) => t.status === 'open');
  if (open.length === 0) return { ...unchanged, lead: withNextAction(next, []) };
  return { lead: withNextAction(next, []), cancelled: open, writes: taskCancelWrites(open, at), attributes: nextTaskRevision(leadItem), guard };
}
