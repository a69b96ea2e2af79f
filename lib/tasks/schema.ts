import * as z from 'zod';
import { cursorParam, idParam, isoDate, isoDateTime, limitParam, paginated } from '../schema/params';
import { DUE_WINDOWS, TASK_KINDS, TASK_STATUSES } from '../leads/task-model';

/** Tasks over HTTP (api.md "task"; the routes under "Routes added after the first release"). */

const text = (max: number) => z.string().trim().max(max);
/** A date (some time that day, in Japan) or an instant with an offset. */
const dueAt = z.union([isoDate, isoDateTime]);

export const TaskCreateSchema = z.strictObject({
  kind: z.enum(TASK_KINDS).default('call'),
  title: text(200).min(1),
  dueAt,
  note: text(4000).min(1).optional(),
  /** Defaults to the lead's owner, or the caller when the lead has none. */
  assigneeId: idParam.optional(),
});
export type TaskCreate = z.infer<typeof TaskCreateSchema>;

export const TaskPatchSchema = z
  .strictObject({
    kind: z.enum(TASK_KINDS).optional(),
    title: text(200).min(1).optional(),
    dueAt: dueAt.optional(),
    note: text(4000).min(1).nullable().optional(),
    status: z.enum(TASK_STATUSES).optional(),
    /** Reassignment: a manager or an admin only. */
    assigneeId: idParam.optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((patch) => Object.keys(patch).some((k) => k !== 'version'), { message: 'nothing to change' });
export type TaskPatch = z.infer<typeof TaskPatchSchema>;

export const TaskSchema = z.object({
  taskId: z.string(),
  leadId: z.string(),
  assigneeId: z.string(),
  kind: z.enum(TASK_KINDS),
  title: z.string(),
  dueAt: z.string(),
  status: z.enum(TASK_STATUSES),
  note: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  completedByActionId: z.string().optional(),
  openedByActionId: z.string().optional(),
  version: z.number().int(),
});

/** A task id as the routes take it (a lead id and a ULID, lib/leads/task-model.ts taskIdFor). */
export const taskIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'not a valid task id');
export const TaskIdParams = z.object({ taskId: taskIdParam });

export const LeadTasksQuery = z.strictObject({ status: z.enum(TASK_STATUSES).optional() });
export const LeadTaskList = z.object({ items: z.array(TaskSchema) });

export const TaskListQuery = z.strictObject({
  assigneeId: z.union([z.literal('me'), idParam]).default('me'),
  status: z.enum(TASK_STATUSES).default('open'),
  due: z.enum(DUE_WINDOWS).optional(),
  limit: limitParam,
  cursor: cursorParam,
});
export type TaskListQuery = z.infer<typeof TaskListQuery>;
export const TaskPage = paginated(TaskSchema);
