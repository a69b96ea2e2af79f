import { createHash } from 'node:crypto';
import { config } from '../config';
import { encodeTime } from 'ulid';
import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { txPut, txUpdate, type TransactionWrite } from '../table/transaction';

/**
 * Notifications (通知): what a user sees in the app and, through the outbox, receives by e-mail.
 *
 * A notification is written in the same transaction as the change it announces (an assignment's commit, a hand-over,
 * a conversion). While its e-mail is due it also sits in the outbox index (GSI2 `OUTBOX`); the dispatcher
 * (lib/notifications/dispatch.ts) sends it, marks it sent and takes it out of the outbox, or schedules a retry.
 */

export const NOTIFICATION_KINDS = ['leads_assigned', 'lead_handed_over', 'deal_assigned', 'daily_digest', 'weekly_report'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** `none`: the notification has no e-mail (its user turned that channel off). */
export const EMAIL_STATUSES = ['pending', 'sent', 'failed', 'none'] as const;
export type EmailStatus = (typeof EMAIL_STATUSES)[number];

/** The e-mail of a notification, rendered when the notification is written (see lib/notifications/mail.ts). */
export interface NotificationMail {
  subject: string;
  text: string;
  html: string;
}

/** In-app notifications keep at most this many lead ids; `leadCount` always has the full number. */
export const MAX_NOTIFICATION_LEAD_IDS = 1000;

export interface Notification {
  notificationId: string;
  userId: string;
  kind: NotificationKind;
  title: string;
  body: string;
  leadIds: string[];
  leadCount: number;
  /** Where the front-end shows what the notification is about. */
  link?: string;
  /** The operation that caused it (assignment id, import id, lead id of a hand-over, deal id). */
  sourceId: string;
  dealId?: string;
  read: boolean;
  readAt?: string;
  emailStatus: EmailStatus;
  emailAttempts: number;
  /** When the next send attempt is due (while pending). */
  nextAttemptAt?: string;
  sentAt?: string;
  /** Why the last attempt failed: an error name, never the provider's text (it may quote addresses). */
  emailError?: string;
  /** The e-mail still to send; absent once sent or failed, and on a notification without e-mail. */
  mail?: NotificationMail;
  /**
   * `false` on a notification that is only an e-mail (its user turned the in-app channel off): kept for the outbox,
   * born read, never counted unread and never listed.
   */
  inApp?: false;
  createdAt: string;
}

/** How a notification reaches its user: by e-mail, in the app, or both. */
export interface NotificationChannels {
  email: boolean;
  inApp: boolean;
}

/**
 * A notification id that sorts by time (ULID time part) and is the same every time the same source notifies the
 * same user: a retried or replayed write finds its notification already there instead of adding a second one.
 */
export function notificationIdFor(sourceId: string, userId: string, kind: NotificationKind, at: Date): string {
  const digest = createHash('sha256').update(`${kind}\u0000${sourceId}\u0000${userId}`).digest();
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let random = '';
  for (let i = 0; i < 16; i++) random += alphabet[digest[i]! % 32];
  return encodeTime(at.getTime(), 10) + random;
}

/** When a notification goes (epoch seconds, for the table's TTL): its title and body name leads and people. */
export const notificationExpiry = (createdAt: string): number => Math.floor(Date.parse(createdAt) / 1000) + config.notificationRetentionDays() * 86_400;

export function notificationItem(notification: Notification): Item {
  return {
    ...keys.notification(notification.userId, notification.notificationId),
    expiresAt: notificationExpiry(notification.createdAt),
    ...(notification.emailStatus === 'pending'
      ? keys.outboxIndex(notification.nextAttemptAt ?? notification.createdAt, notification.userId, notification.notificationId)
      : {}),
    entity: ENTITY.notification,
    ...notification,
  };
}

/**
 * A new notification, e-mail pending and due now. `channels` (both by default) may leave out the e-mail (no mail, no
 * outbox) or the in-app notice (listed nowhere, born read). `idAt` is the instant the id's time part names, when the
 * notification stands for a fixed moment rather than the write (a day's digest): every write for that moment then
 * makes the same id, whenever it runs.
 */
export function newNotification(input: {
  userId: string;
  kind: NotificationKind;
  sourceId: string;
  title: string;
  body: string;
  leadIds: string[];
  leadCount?: number;
  link?: string;
  dealId?: string;
  mail: NotificationMail;
  now: Date;
  channels?: NotificationChannels;
  idAt?: Date;
}): Notification {
  const createdAt = input.now.toISOString();
  const channels = input.channels ?? { email: true, inApp: true };
  if (!channels.email && !channels.inApp) throw new Error('a notification reaches its user by e-mail, in the app, or both');
  return {
    notificationId: notificationIdFor(input.sourceId, input.userId, input.kind, input.idAt ?? input.now),
    userId: input.userId,
    kind: input.kind,
    title: input.title,
    body: input.body,
    leadIds: input.leadIds.slice(0, MAX_NOTIFICATION_LEAD_IDS),
    leadCount: input.leadCount ?? input.leadIds.length,
    ...(input.link ? { link: input.link } : {}),
    sourceId: input.sourceId,
    ...(input.dealId ? { dealId: input.dealId } : {}),
    read: !channels.inApp,
    ...(channels.inApp ? {} : { inApp: false as const }),
    emailAttempts: 0,
    ...(channels.email ? { emailStatus: 'pending' as const, nextAttemptAt: createdAt, mail: input.mail } : { emailStatus: 'none' as const }),
    createdAt,
  };
}

/** The label of a notification's write in a transaction: a replay that finds it there fails on this label. */
export const NOTIFICATION_WRITE = 'notification';

/**
 * The two writes that add a notification, for the caller's transaction: the notification (only if it is not there
 * yet, so a replay adds nothing) and +1 on the user's unread count (none for an e-mail-only notification, born read).
 * A replay cancels the whole transaction with a failed NOTIFICATION_WRITE; callers that may replay treat that as
 * "already done".
 */
export function notificationWrites(notification: Notification): TransactionWrite[] {
  return [
    txPut(NOTIFICATION_WRITE, notificationItem(notification), { condition: ITEM_ABSENT }),
    ...(notification.read
      ? []
      : [txUpdate('unreadCount', { key: keys.notificationCounter(notification.userId), changes: { set: { entity: ENTITY.notificationCounter }, add: { unread: 1 } } })]),
  ];
}

/** The notification as the API shows it (the rendered e-mail and the outbox keys stay inside). */
export function notificationFromItem(item: Item): Omit<Notification, 'mail'> {
  return withoutTableAttributes(item, 'mail', 'leaseUntil');
}
