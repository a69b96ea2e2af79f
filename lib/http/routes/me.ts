import { NotificationIdParams, NotificationListQuery, NotificationPage, NotificationSchema, ReadAllResultSchema } from '../../notifications/schema';
import { PERMISSIONS } from '../../users/roles';
import { PreferencesPatchSchema, PreferencesSchema } from '../../users/schema';
import { defineRoute, type RouteDefinition } from '../route';

/** The caller's own things: preferences and notifications. Served by functions/http/me.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- my preferences -------------------------------------------------------------------------------------------
  getMyPreferences: defineRoute({
    operationId: 'getMyPreferences',
    method: 'GET',
    path: '/me/preferences',
    group: 'me',
    roles: PERMISSIONS.keepOwnPreferences,
    summary: 'My preferences: how the morning digest reaches me (by e-mail, in the app), and whether the weekly report does (by e-mail)',
    response: PreferencesSchema,
  }),
  updateMyPreferences: defineRoute({
    operationId: 'updateMyPreferences',
    method: 'PATCH',
    path: '/me/preferences',
    group: 'me',
    roles: PERMISSIONS.keepOwnPreferences,
    summary: 'Change my preferences; the channels not named stay as they are',
    body: PreferencesPatchSchema,
    response: PreferencesSchema,
  }),

  // --- my notifications -----------------------------------------------------------------------------------------
  listMyNotifications: defineRoute({
    operationId: 'listMyNotifications',
    method: 'GET',
    path: '/me/notifications',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'My notifications, newest first, with the unread count',
    query: NotificationListQuery,
    response: NotificationPage,
  }),
  readNotification: defineRoute({
    operationId: 'readNotification',
    method: 'POST',
    path: '/me/notifications/{notificationId}/read',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'Mark one of my notifications read',
    params: NotificationIdParams,
    response: NotificationSchema,
  }),
  readAllNotifications: defineRoute({
    operationId: 'readAllNotifications',
    method: 'POST',
    path: '/me/notifications/read-all',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'Mark all my notifications read',
    response: ReadAllResultSchema,
  }),
} satisfies Record<string, RouteDefinition>;
