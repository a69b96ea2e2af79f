import { withoutTableAttributes } from '../table/attributes';
import { instantOfDateOrTime, japanDateOfDateOrTime, japanDayBounds } from '../text/japan-time';
import type { Item } from '../table/client';
import type { QuerySpec } from '../table/queries';
import { ENTITY, keys } from '../table/keys';
import { ValidationError } from '../errors';
import { newId } from '../ids';
import { TASK_REVISION_ATTRIBUTE } from './model';
import type { Caller } from '../users/caller';
import { worksOwnLeadsOnly, type Role } from '../users/roles';

/**
 * Tasks (ToDo, seeds 003 §6 and 004 "フォローアップ ToDo"): what someone has to do next about a lead, by when. A task
 * belongs to a lead and an assignee and is stored with the lead (keys.task); open tasks are the assignee's work list
 * (GSI1, by due instant).
 */

export const TASK_KINDS = ['call', 'email', 'meeting', 'visit', 'other'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];
export const TASK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A lead holds at most this many open tasks, so an owner change moves them all in the lead's own transaction. */
export const MAX_OPEN_TASKS_PER_LEAD = 20;

/** The attribute of the lead item that every task write bumps (see keys.task). */
export const LEAD_TASK_REVISION = TASK_REVISION_ATTRIBUTE;

export interface Task {
  taskId: string;
  leadId: string;
  assigneeId: string;
  kind: TaskKind;
  title: string;
  /** A date `YYYY-MM-DD` (some time that day, in Japan) or an instant with an offset, as given. */
  dueAt: string;
  status: TaskStatus;
  note?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt?: string;
  completedByActionId?: string;
  /** The action whose `nextActionAt` opened this task, or last moved it: such a task is the lead's next action. */
  openedByActionId?: string;
  version: number;
}

/** When a task is due, as UTC ISO: a date is the start of that day in Japan, so it sorts before that day's times. */
export const dueInstantOf = (dueAt: string): string => instantOfDateOrTime(dueAt);

/** The day in Japan a task is due on (`YYYY-MM-DD`). */
export const dueDayOf = (dueAt: string): string => japanDateOfDateOrTime(dueAt);

export { japanDayBounds };

export const DUE_WINDOWS = ['overdue', 'today', 'upcoming'] as const;
export type DueWindow = (typeof DUE_WINDOWS)[number];

/**
 * The sort keys of one due window in an assignee's task partition (`{due instant}#{taskId}`, GSI1), at `now`: each
 * window is one key range, so a list or a count of it reads nothing outside it.
 */
export function dueWindowRange(window: DueWindow, now: Date): Pick<QuerySpec, 'sortBefore' | 'sortBetween'> {
  const { start, end } = japanDayBounds(now);
  if (window === 'overdue') return { sortBefore: start };
  // `{end}#` sorts after every key due before the end of today and before any key due at its end.
  if (window === 'today') return { sortBetween: [start, `${end}#`] };
  return { sortBetween: [end, '\uffff'] };
}

/** Overdue: due on a day before today in Japan; today: due on today; upcoming: due on a later day. */
export function dueWindowOf(dueAt: string, now: Date): DueWindow {
  const { start, end } = japanDayBounds(now);
  const due = dueInstantOf(dueAt);
  return due < start ? 'overdue' : due < end ? 'today' : 'upcoming';
}

/**
 * The task kinds an action of each channel answers: a call is done by a phone action, a meeting by a web meeting or
 * a visit, and any contact answers an `other` task.
 */
const KINDS_ANSWERED_BY: Record<string, readonly TaskKind[]> = {
  phone: ['call', 'other'],
  email: ['email', 'other'],
  web_meeting: ['meeting', 'other'],
  visit: ['visit', 'meeting', 'other'],
  other: ['other'],
};
export const answersKind = (channel: string, kind: TaskKind): boolean => (KINDS_ANSWERED_BY[channel] ?? []).includes(kind);

/** Open first, then by due instant, then by id: the order GET /leads/{leadId}/tasks answers. */
export function byOpenThenDue(a: Task, b: Task): number {
  const open = Number(b.status === 'open') - Number(a.status === 'open');
  if (open !== 0) return open;
  const due = dueInstantOf(a.dueAt).localeCompare(dueInstantOf(b.dueAt));
  return due !== 0 ? due : a.taskId.localeCompare(b.taskId);
}

/**
 * A task id names its lead, so PATCH /tasks/{taskId} finds the task in its lead's partition with one strongly
 * consistent read: `{leadId}-{ULID}`. Clients treat it as opaque.
 */
export const taskIdFor = (leadId: string, unique: string): string => `${leadId}-${unique}`;
export function leadIdOfTask(taskId: string): string | undefined {
  const cut = taskId.lastIndexOf('-');
  return cut > 0 ? taskId.slice(0, cut) : undefined;
}

/** The index keys of the task: its assignee's partition for its status, by due instant. */
export const taskIndexKeys = (task: Task): Item => keys.tasksByAssigneeIndex(task.status, task.assigneeId, dueInstantOf(task.dueAt), task.taskId);

export function taskItem(task: Task): Item {
  return { ...keys.task(task.leadId, task.taskId), ...taskIndexKeys(task), entity: ENTITY.task, ...task };
}

export const taskFromItem = (item: Item): Task => withoutTableAttributes<Task>(item);

/** A manager or an admin sees and gives everyone's tasks; a rep, sales or agent only its own. */
export const managesEveryonesTasks = (role: Role): boolean => !worksOwnLeadsOnly(role);
export const seesTask = (caller: Caller, task: Task): boolean => managesEveryonesTasks(caller.role) || task.assigneeId === caller.userId;

/** A lead holds at most MAX_OPEN_TASKS_PER_LEAD open tasks, so an owner change always fits one transaction. */
export function refuseIfFull(open: number, path = 'body'): void {
  if (open >= MAX_OPEN_TASKS_PER_LEAD) {
    throw new ValidationError(`a lead holds at most ${MAX_OPEN_TASKS_PER_LEAD} open tasks: close one first`, [{ path, message: `the lead has ${open} open tasks` }]);
  }
}

/** A new open task, version 1. */
export function newTask(input: Pick<Task, 'leadId' | 'assigneeId' | 'kind' | 'title' | 'dueAt' | 'createdBy'> & Partial<Pick<Task, 'note' | 'openedByActionId'>> & { unique?: string }, at: string): Task {
  const { unique, ...fields } = input;
  return {
    taskId: taskIdFor(input.leadId, unique ?? newId(Date.parse(at))),
    ...fields,
    status: 'open',
    createdAt: at,
    updatedAt: at,
    version: 1,
  };
}

/** The task given to `assigneeId` at `at`, at a new version: what an owner change and a reassignment write. */
export const withAssignee = (task: Task, assigneeId: string, at: string): Task => ({ ...task, assigneeId, updatedAt: at, version: task.version + 1 });
