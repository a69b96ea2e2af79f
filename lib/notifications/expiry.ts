import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { transact, txPut, txUpdate } from '../table/transaction';

/**
 * A notification is deleted by the table's TTL when its retention ends (config.notificationRetentionDays). If it was
 * still unread, the user's unread count must drop by one, as if it had been read: the stream's record of the
 * deletion brings it here. Stream records arrive at least once, so the expiry is marked, once, in the same
 * transaction as the count; a redelivered record finds the mark and changes nothing.
 */

const MARK_WRITE = 'expiryMark';

export async function forgetExpiredNotification(userId: string, notificationId: string, now = new Date()): Promise<'counted' | 'already'> {
  try {
    await transact([
      // The mark lives a week, long past any redelivery of the stream record.
      txPut(MARK_WRITE, { ...keys.notificationExpired(userId, notificationId), entity: ENTITY.notificationExpired, expiresAt: Math.floor(now.getTime() / 1000) + 7 * 86_400 }, { condition: ITEM_ABSENT }),
      txUpdate('unreadCount', { key: keys.notificationCounter(userId), changes: { add: { unread: -1 } } }),
    ]);
    return 'counted';
  } catch (error) {
    if (error instanceof TransactionCancelledError && error.failed(MARK_WRITE)) return 'already';
    throw error;
  }
}
