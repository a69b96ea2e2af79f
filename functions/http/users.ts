import { httpHandler } from '../../lib/http/handler';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/users';
import { expectedVersion } from '../../lib/http/versioning';
import { createUser, listUsers, requireUser, updateUser } from '../../lib/users/repository';

/** Users (admin only): POST/GET /users, GET/PATCH /users/{userId}. */

export const handler = httpHandler([
  implement(routes.createUser, async ({ body }) => {
    const user = await createUser(body);
    return reply(201, user, { Location: `/users/${user.userId}` });
  }),

  implement(routes.listUsers, async ({ query }) => {
    const scope = scopeOf('users', query);
    const page = await listUsers(query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getUser, async ({ params }) => reply(200, await requireUser(params.userId))),

  implement(routes.updateUser, async ({ params, body, headers }) => {
    const { version, ...patch } = body;
    return reply(200, await updateUser(params.userId, patch, expectedVersion(headers, version)));
  }),
]);
