import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { leadFromItem, type Lead } from '../leads/model';
import { requireApproachAllowed } from '../leads/ng-actions';
import { canSee } from '../leads/repository';
import { refuseIfErased } from '../leads/tombstone';
import { getItem, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { keys } from '../table/keys';
import { queryPage, type QuerySpec } from '../table/queries';
import { transact, txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import type { Caller } from '../users/caller';
import { getUser } from '../users/repository';
import { PERMISSIONS, worksOwnLeadsOnly, type Role } from '../users/roles';
import { nextActionUpdate, nextTaskRevision, tasksOfLead } from '../leads/lead-tasks';
import {
  byOpenThenDue,
  dueWindowRange,
  LEAD_TASK_REVISION,
  leadIdOfTask,
  managesEveryonesTasks,
  newTask,
  refuseIfFull,
  seesTask,
  taskFromItem,
  taskItem,
  type Task,
  type TaskStatus,
} from '../leads/task-model';
import type { TaskCreate, TaskListQuery, TaskPatch } from './schema';

/**
 * The task routes. Who may do what (issue 14): a rep, sales or agent sees and changes only its own tasks, on leads it
 * may see, and creates them only on leads it owns; a manager or an admin sees everyone's and may give a task to any
 * active user whose role works leads. Every write goes with a bump of the lead's task revision, conditional on the
 * owner and revision read (lib/leads/lead-tasks.ts says why), so a write that raced another is read again and judged again.
 */

const MAX_ATTEMPTS = 4;

interface LeadRead {
  lead: Lead;
  item: Item;
}

async function readLead(caller: Caller, leadId: string): Promise<LeadRead> {
  const item = await getItem(keys.lead(leadId), { consistent: true });
  if (!item) throw new NotFoundError(`no lead ${leadId}`);
  const lead = leadFromItem(item);
  if (!canSee(caller, lead)) throw new NotFoundError(`no lead ${leadId}`);
  return { lead, item };
}

/**
 * The lead's side of a task write: its task revision moves on and its next action becomes the earliest of `openAfter`
 * (the lead's open tasks once the write is done), valid only while the lead has the owner and revision read and is
 * not erased.
 */
function leadRevisionWrite({ lead, item }: LeadRead, openAfter: readonly Task[]): TransactionWrite {
  const revision = item[LEAD_TASK_REVISION] as number | undefined;
  const owner = lead.ownerId === undefined ? 'attribute_not_exists(#owner)' : '#owner = :owner';
  const read = revision === undefined ? 'attribute_not_exists(#rev)' : '#rev = :rev';
  const nextAction = nextActionUpdate(lead, openAfter);
  return txUpdate('lead', {
    key: keys.lead(lead.leadId),
    changes: { set: { ...nextTaskRevision(item), ...nextAction.set }, remove: nextAction.remove },
    condition: `${owner} AND ${read} AND attribute_not_exists(#erasure) AND attribute_not_exists(#erased)`,
    names: { '#rev': LEAD_TASK_REVISION, '#owner': 'ownerId', '#erasure': 'erasure', '#erased': 'erased' },
    values: { ...(revision === undefined ? {} : { ':rev': revision }), ...(lead.ownerId === undefined ? {} : { ':owner': lead.ownerId }) },
  });
}


/** A task may be given to an active user whose role works leads (the same people leads may be given to). */
async function requireAssignee(userId: string, path: string): Promise<void> {
  const user = await getUser(userId);
  if (!user) throw new ValidationError('the assignee must be an existing user', [{ path, message: `no user ${userId}` }]);
  if (!user.active) throw new ValidationError('the assignee must be active', [{ path, message: `user ${userId} is inactive` }]);
  if (!(PERMISSIONS.ownLeads as readonly Role[]).includes(user.role)) {
    throw new ValidationError('the assignee must be a user whose role works leads', [{ path, message: `a ${user.role} is not given tasks` }]);
  }
}


/** POST /leads/{leadId}/tasks. */
export async function createTask(caller: Caller, leadId: string, input: TaskCreate, now = new Date()): Promise<Task> {
  for (let attempt = 1; ; attempt++) {
    const read = await readLead(caller, leadId);
    refuseIfErased(read.lead);
    const { lead } = read;
    requireApproachAllowed(lead, input.kind, 'body.kind');
    if (worksOwnLeadsOnly(caller.role)) {
      if (lead.ownerId !== caller.userId) throw new ForbiddenError("only the lead's owner, a manager or an admin may add tasks to it");
      if (input.assigneeId !== undefined && input.assigneeId !== caller.userId) throw new ForbiddenError('a task you add is your own: only a manager or an admin gives tasks to others');
    }
    const assigneeId = input.assigneeId ?? lead.ownerId ?? caller.userId;
    if (input.assigneeId !== undefined) await requireAssignee(assigneeId, 'body.assigneeId');
    const open = (await tasksOfLead(leadId, read.item)).filter((t) => t.status === 'open');
    refuseIfFull(open.length);

    const at = now.toISOString();
    const task = newTask({ leadId, assigneeId, kind: input.kind, title: input.title, dueAt: input.dueAt, ...(input.note ? { note: input.note } : {}), createdBy: caller.userId }, at);
    try {
      await transact([txPut('task', taskItem(task), { condition: ITEM_ABSENT }), leadRevisionWrite(read, [...open, task])]);
      return task;
    } catch (error) {
      // The lead changed owner, or another task write came first: judge again on what is there now.
      if (error instanceof TransactionCancelledError && error.failed('lead') && attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** The caller sees its own tasks; a manager or an admin sees everyone's. */

/** GET /leads/{leadId}/tasks: the caller's visible tasks of a lead it may see, open first by due. */
export async function tasksOfVisibleLead(caller: Caller, leadId: string, status?: TaskStatus): Promise<Task[]> {
  const read = await readLead(caller, leadId);
  const tasks = await tasksOfLead(leadId, read.item);
  return tasks.filter((t) => seesTask(caller, t) && (status === undefined || t.status === status)).sort(byOpenThenDue);
}

async function currentVersionConflict(task: Task, expected: number): Promise<ConflictError> {
  const current = await getItem(keys.task(task.leadId, task.taskId), { consistent: true });
  return new ConflictError(`task ${task.taskId} has changed since version ${expected}`, { extensions: { currentVersion: current ? current.version : undefined } });
}

/** PATCH /tasks/{taskId}: edits at the version the editor saw; closing sets completedAt, reopening clears it. */
export async function editTask(caller: Caller, taskId: string, patch: Omit<TaskPatch, 'version'>, expectedVersion: number, now = new Date()): Promise<Task> {
  const leadId = leadIdOfTask(taskId);
  if (!leadId) throw new NotFoundError(`no task ${taskId}`);
  for (let attempt = 1; ; attempt++) {
    const read = await readLead(caller, leadId).catch((error) => {
      throw error instanceof NotFoundError ? new NotFoundError(`no task ${taskId}`, { cause: error }) : error;
    });
    const item = await getItem(keys.task(leadId, taskId), { consistent: true });
    const task = item ? taskFromItem(item) : undefined;
    if (!task || !seesTask(caller, task)) throw new NotFoundError(`no task ${taskId}`);
    refuseIfErased(read.lead);
    if (task.version !== expectedVersion) throw await currentVersionConflict(task, expectedVersion);

    const at = now.toISOString();
    const next: Task = { ...task, updatedAt: at, version: task.version + 1 };
    if (patch.assigneeId !== undefined && patch.assigneeId !== task.assigneeId) {
      if (!managesEveryonesTasks(caller.role)) throw new ForbiddenError('only a manager or an admin may give a task to someone else');
      await requireAssignee(patch.assigneeId, 'body.assigneeId');
      next.assigneeId = patch.assigneeId;
    }
    if (patch.kind !== undefined && patch.kind !== task.kind) {
      requireApproachAllowed(read.lead, patch.kind, 'body.kind');
      next.kind = patch.kind;
    }
    if (patch.title !== undefined) next.title = patch.title;
    if (patch.dueAt !== undefined) next.dueAt = patch.dueAt;
    if (patch.note === null) delete next.note;
    else if (patch.note !== undefined) next.note = patch.note;
    const otherOpen = (await tasksOfLead(leadId, read.item)).filter((t) => t.status === 'open' && t.taskId !== taskId);
    if (patch.status !== undefined && patch.status !== task.status) {
      next.status = patch.status;
      if (patch.status === 'open') {
        refuseIfFull(otherOpen.length);
        delete next.completedAt;
        delete next.completedByActionId;
      } else {
        next.completedAt = at;
        delete next.completedByActionId;
      }
    }
    try {
      await transact([
        txPut('task', taskItem(next), { condition: 'version = :v', values: { ':v': task.version } }),
        leadRevisionWrite(read, next.status === 'open' ? [...otherOpen, next] : otherOpen),
      ]);
      return next;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed('task')) throw await currentVersionConflict(task, expectedVersion);
      if (attempt < MAX_ATTEMPTS) continue;
      throw error;
    }
  }
}

/** Whose tasks GET /tasks lists: `me` is the caller; someone else's only for a manager or an admin. */
export function assigneeOf(query: TaskListQuery, caller: Caller): string {
  const assigneeId = query.assigneeId === 'me' ? caller.userId : query.assigneeId;
  if (assigneeId !== caller.userId && !managesEveryonesTasks(caller.role)) throw new ForbiddenError(`the ${caller.role} role may list only its own tasks`);
  return assigneeId;
}

/**
 * GET /tasks: one assignee's tasks of one status, by due instant, optionally those due before today (overdue), on
 * today or after today, days as in Japan. Sort keys are `{due instant}#{taskId}`, so each window is one key range.
 */
export async function tasksOfAssignee(assigneeId: string, query: TaskListQuery, startKey: Item | undefined, now = new Date()): Promise<{ items: Task[]; lastKey?: Item }> {
  const window: Partial<QuerySpec> = query.due === undefined ? {} : dueWindowRange(query.due, now);
  const page = await queryPage<Item>({ index: 'gsi1', partition: keys.tasksByAssigneePartition(query.status, assigneeId), ...window, limit: query.limit, startKey });
  return { items: page.items.map(taskFromItem), lastKey: page.lastKey };
}
