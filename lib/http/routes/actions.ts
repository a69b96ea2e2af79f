import { LeadIdParams } from '../../leads/params';
import { ActionCreateSchema, ActionListQuery, ActionLoggedSchema, ActionPage, ChoicesResponseSchema, LeadActionsQuery } from '../../actions/schema';
import { LeadTaskList, LeadTasksQuery, TaskCreateSchema, TaskIdParams, TaskListQuery, TaskPage, TaskPatchSchema, TaskSchema } from '../../tasks/schema';
import { PERMISSIONS } from '../../users/roles';
import { ERASED_LEAD } from './problems';
import { defineRoute, type RouteDefinition } from '../route';

/** Actions (アクション), the forms' choice lists and tasks (ToDo). Served by functions/http/actions.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- actions (アクション) and the forms' choice lists ------------------------------------------------------------
  logAction: defineRoute({
    operationId: 'logAction',
    method: 'POST',
    path: '/leads/{leadId}/actions',
    group: 'actions',
    roles: PERMISSIONS.logActions,
    summary: "Log an action on a lead, moving its stage and its campaign history",
    params: LeadIdParams,
    body: ActionCreateSchema,
    response: ActionLoggedSchema,
    successStatus: 201,
    idempotent: true,
    problems: ERASED_LEAD,
  }),
  listLeadActions: defineRoute({
    operationId: 'listLeadActions',
    method: 'GET',
    path: '/leads/{leadId}/actions',
    group: 'actions',
    roles: PERMISSIONS.seeLeads,
    summary: "List a lead's actions, newest first",
    params: LeadIdParams,
    query: LeadActionsQuery,
    response: ActionPage,
  }),
  listActions: defineRoute({
    operationId: 'listActions',
    method: 'GET',
    path: '/actions',
    group: 'actions',
    roles: PERMISSIONS.readActions,
    summary: "List a person's actions over a period, latest first",
    query: ActionListQuery,
    response: ActionPage,
  }),
  getChoices: defineRoute({
    operationId: 'getChoices',
    method: 'GET',
    path: '/settings/choices',
    group: 'actions',
    roles: PERMISSIONS.readSettings,
    summary: 'Read the choice lists of the action and deal forms',
    response: ChoicesResponseSchema,
  }),

  // --- tasks (ToDo) -------------------------------------------------------------------------------------------------
  createTask: defineRoute({
    operationId: 'createTask',
    method: 'POST',
    path: '/leads/{leadId}/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary:
      "Add a task to a lead, for the lead's owner (or the caller) unless a manager or an admin names someone; a rep, sales or agent only on its own leads, for itself. A lead holds at most 20 open tasks",
    params: LeadIdParams,
    body: TaskCreateSchema,
    response: TaskSchema,
    successStatus: 201,
    problems: ERASED_LEAD,
  }),
  listLeadTasks: defineRoute({
    operationId: 'listLeadTasks',
    method: 'GET',
    path: '/leads/{leadId}/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: "A lead's tasks the caller may see (a rep, sales or agent: its own), open first by due",
    params: LeadIdParams,
    query: LeadTasksQuery,
    response: LeadTaskList,
    problems: { 404: 'No such lead, or one the caller may not see' },
  }),
  updateTask: defineRoute({
    operationId: 'updateTask',
    method: 'PATCH',
    versioned: true,
    path: '/tasks/{taskId}',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: 'Edit, close (done, cancelled) or reopen a task at the version seen; a manager or an admin may give it to someone else',
    params: TaskIdParams,
    body: TaskPatchSchema,
    response: TaskSchema,
    problems: { 404: 'No such task, or one the caller may not see', 409: 'The task changed since that version', 410: 'Its lead was erased on request' },
  }),
  listTasks: defineRoute({
    operationId: 'listTasks',
    method: 'GET',
    path: '/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: "One person's tasks of a status by due, optionally overdue, due today or upcoming (days in Japan); a rep, sales or agent: only its own",
    query: TaskListQuery,
    response: TaskPage,
  }),
} satisfies Record<string, RouteDefinition>;
