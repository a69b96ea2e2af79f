import { logAction } from '../../lib/actions/log-action';
import { actionsOfActor, actionsOfVisibleLead, actorOf } from '../../lib/actions/repository';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/actions';
import { expectedVersion } from '../../lib/http/versioning';
import { choices } from '../../lib/settings/choices';
import { assigneeOf, createTask, editTask, tasksOfAssignee, tasksOfVisibleLead } from '../../lib/tasks/tasks';

/**
 * Actions: POST/GET /leads/{leadId}/actions, GET /actions, the forms' choice lists at GET /settings/choices; tasks:
 * POST/GET /leads/{leadId}/tasks, PATCH /tasks/{taskId}, GET /tasks.
 */

// Read and validated at cold start: a broken CHOICES setting stops the function here, not on some later request.
choices();

export const handler = httpHandler([
  implement(routes.logAction, async ({ params, body, caller, headers }) =>
    // A client that retries after a lost answer gets the first answer back, not a second action counted twice.
    idempotent({ callerId: caller.userId, scope: `POST /leads/${params.leadId}/actions`, headers, body }, async () => {
      const logged = await logAction(caller, params.leadId, body);
      return reply(201, logged, { Location: `/leads/${params.leadId}/actions` });
    }),
  ),

  implement(routes.listLeadActions, async ({ params, query, caller }) => {
    const scope = scopeOf(`leads/${params.leadId}/actions`, query);
    const page = await actionsOfVisibleLead(caller, params.leadId, query.limit, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.listActions, async ({ query, caller }) => {
    const actorId = actorOf(query, caller);
    // The resolved actor is part of the scope: `me` is someone else for another caller.
    const scope = scopeOf('actions', { ...query, actorId });
    const page = await actionsOfActor(actorId, query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.createTask, async ({ params, body, caller }) => reply(201, await createTask(caller, params.leadId, body), { Location: `/leads/${params.leadId}/tasks` })),

  implement(routes.listLeadTasks, async ({ params, query, caller }) => reply(200, { items: await tasksOfVisibleLead(caller, params.leadId, query.status) })),

  implement(routes.updateTask, async ({ params, body, headers, caller }) => {
    const { version, ...patch } = body;
    return reply(200, await editTask(caller, params.taskId, patch, expectedVersion(headers, version)));
  }),

  implement(routes.listTasks, async ({ query, caller }) => {
    const assigneeId = assigneeOf(query, caller);
    // The resolved assignee is part of the scope: `me` is someone else for another caller.
    const scope = scopeOf('tasks', { ...query, assigneeId });
    const page = await tasksOfAssignee(assigneeId, query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getChoices, async () => reply(200, choices(), { 'cache-control': 'private, max-age=300' })),
]);
