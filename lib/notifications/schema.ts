import * as z from 'zod';
import { booleanParam, cursorParam, idParam, limitParam } from '../schema/params';
import { EMAIL_STATUSES, NOTIFICATION_KINDS } from './model';

/** Notifications over HTTP (api.md field names). */

export const NotificationSchema = z.object({
  notificationId: z.string(),
  userId: z.string(),
  kind: z.enum(NOTIFICATION_KINDS),
  title: z.string(),
  body: z.string(),
  /** At most 1,000; `leadCount` has the full number. */
  leadIds: z.array(z.string()),
  leadCount: z.number().int(),
  link: z.string().optional(),
  dealId: z.string().optional(),
  read: z.boolean(),
  readAt: z.string().optional(),
  emailStatus: z.enum(EMAIL_STATUSES),
  emailAttempts: z.number().int(),
  nextAttemptAt: z.string().optional(),
  sentAt: z.string().optional(),
  emailError: z.string().optional(),
  createdAt: z.string(),
});

export const NotificationListQuery = z.strictObject({
  unread: booleanParam.optional().describe('true: only unread; false: only read'),
  limit: limitParam,
  cursor: cursorParam,
});

export const NotificationPage = z.object({
  items: z.array(NotificationSchema),
  nextCursor: z.string().nullable(),
  unreadCount: z.number().int(),
});

export const NotificationIdParams = z.object({ notificationId: idParam });

export const ReadAllResultSchema = z.object({ marked: z.number().int(), unreadCount: z.number().int() });
