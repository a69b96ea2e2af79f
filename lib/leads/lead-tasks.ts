import { forEachConcurrently } from '../async';
import type { Item } from '../table/client';
import { keys } from '../table/keys';
import { queryAll } from '../table/queries';
import { txUpdate, type TransactionWrite } from '../table/transaction';
import { LEAD_TASK_REVISION, taskFromItem, taskIndexKeys, withAssignee, type Task } from './task-model';

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
