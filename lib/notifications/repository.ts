import { NotFoundError } from '../errors';
import { getItem, type Item } from '../table/client';
import { ConditionFailedError, TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { queryPage, queryPages } from '../table/queries';
import { transact, txUpdate } from '../table/transaction';
import { notificationFromItem } from './model';

/** A user's notifications: newest first, the unread count, marking read. Nobody reads another user's. */

export async function unreadCount(userId: string): Promise<number> {
  const counter = await getItem<{ unread?: number }>(keys.notificationCounter(userId));
  return Math.max(0, counter?.unread ?? 0);
}

/** What the app lists: not the e-mail-only notifications (their user turned the in-app channel off), which the outbox keeps. */
const SHOWN_IN_APP = 'attribute_not_exists(#inApp)';

export async function listNotifications(userId: string, options: { limit: number; unread?: boolean; startKey?: Item }) {
  const page = await queryPage<Item>({
    partition: keys.userPartition(userId),
    sortPrefix: keys.notificationPrefix,
    descending: true,
    limit: options.limit,
    startKey: options.startKey,
    filter:
      options.unread === undefined
        ? { expression: SHOWN_IN_APP, names: { '#inApp': 'inApp' } }
        : { expression: `${SHOWN_IN_APP} AND #read = :read`, names: { '#inApp': 'inApp', '#read': 'read' }, values: { ':read': !options.unread } },
  });
  return { items: page.items.map(notificationFromItem), lastKey: page.lastKey };
}

/** GET /me/notifications: a page of the user's notifications and how many are unread. */
export async function myNotifications(userId: string, options: { limit: number; unread?: boolean; startKey?: Item }) {
  const [page, unread] = await Promise.all([listNotifications(userId, options), unreadCount(userId)]);
  return { ...page, unreadCount: unread };
}

const markReadWrites = (userId: string, notificationIds: string[], at: string) => [
  ...notificationIds.map((notificationId) =>
    txUpdate(`read:${notificationId}`, {
      key: keys.notification(userId, notificationId),
      changes: { set: { read: true, readAt: at } },
      condition: '#read = :false',
      names: { '#read': 'read' },
      values: { ':false': false },
    }),
  ),
  txUpdate('unreadCount', { key: keys.notificationCounter(userId), changes: { add: { unread: -notificationIds.length } } }),
];

/** Marks one notification read; reading it twice changes nothing (the count moves only with the flag). */
export async function markRead(userId: string, notificationId: string, now = new Date()) {
  const item = await getItem<Item>(keys.notification(userId, notificationId));
  if (!item) throw new NotFoundError(`no notification ${notificationId}`);
  if (item.read !== true) {
    try {
      await transact(markReadWrites(userId, [notificationId], now.toISOString()));
    } catch (error) {
      // Read meanwhile by another request: the flag and the count are already right.
      if (!(error instanceof TransactionCancelledError) || !error.failed(`read:${notificationId}`)) throw error;
    }
  }
  return notificationFromItem((await getItem<Item>(keys.notification(userId, notificationId)))!);
}

/**
 * Marks every unread notification read, in transactions of up to 99 flags plus the count moved by exactly as many.
 * A notification arriving meanwhile keeps its unread count: the counter is never simply set to zero.
 */
export async function markAllRead(userId: string, now = new Date()): Promise<{ marked: number; unreadCount: number }> {
  let marked = 0;
  const unread = { partition: keys.userPartition(userId), sortPrefix: keys.notificationPrefix, filter: { expression: '#read = :false', names: { '#read': 'read' }, values: { ':false': false } } };
  for await (const page of queryPages<Item>(unread)) {
    const ids = page.map((item) => item.notificationId as string);
    for (let offset = 0; offset < ids.length; offset += 99) {
      const batch = ids.slice(offset, offset + 99);
      marked += await markBatch(userId, batch, now.toISOString());
    }
  }
  return { marked, unreadCount: await unreadCount(userId) };
}

async function markBatch(userId: string, ids: string[], at: string): Promise<number> {
  try {
    await transact(markReadWrites(userId, ids, at));
    return ids.length;
  } catch (error) {
    if (!(error instanceof TransactionCancelledError) && !(error instanceof ConditionFailedError)) throw error;
    // One of them was read meanwhile: mark one at a time, so each flag moves the count once.
    let marked = 0;
    for (const id of ids) {
      try {
        await transact(markReadWrites(userId, [id], at));
        marked++;
      } catch (inner) {
        if (!(inner instanceof TransactionCancelledError)) throw inner;
      }
    }
    return marked;
  }
}
