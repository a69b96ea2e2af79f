import { httpHandler } from '../../lib/http/handler';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/me';
import { markAllRead, markRead, myNotifications } from '../../lib/notifications/repository';
import { getPreferences, updatePreferences } from '../../lib/users/preferences';

/** The caller's own things: notifications (通知ポートレット) and preferences. */

export const handler = httpHandler([
  implement(routes.listMyNotifications, async ({ query, caller }) => {
    const scope = scopeOf(`notifications:${caller.userId}`, query);
    const startKey = await startKeyFrom(query.cursor, scope);
    const page = await myNotifications(caller.userId, { limit: query.limit, unread: query.unread, startKey });
    return reply(200, { ...(await pageResponse(page.items, page.lastKey, scope)), unreadCount: page.unreadCount });
  }),

  implement(routes.readNotification, async ({ params, caller }) => reply(200, await markRead(caller.userId, params.notificationId))),

  implement(routes.readAllNotifications, async ({ caller }) => reply(200, await markAllRead(caller.userId))),

  implement(routes.getMyPreferences, async ({ caller }) => reply(200, await getPreferences(caller.userId))),

  implement(routes.updateMyPreferences, async ({ body, caller }) => reply(200, await updatePreferences(caller.userId, body))),
]);
