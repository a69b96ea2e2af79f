import { backoffMs, sleep } from '../async';
import { notificationWrites, NOTIFICATION_WRITE, type Notification } from '../notifications/model';
import { TransactionCancelledError } from '../table/errors';
import { transact } from '../table/transaction';

/**
 * Writes a scheduled job's notification (a day's digest, a week's report) only if it is not there yet, with its unread
 * count, in one transaction: its id is derived from what it stands for, so a second run, or two at once, cannot add
 * another. Answers `alreadySent` when another run wrote it first (the transaction is cancelled on that very
 * condition); a transaction cancelled because another was writing the same items at that instant is tried again, and
 * then sees that write.
 */
const WRITE_ATTEMPTS = 4;

export async function writeNotificationOnce(notification: Notification): Promise<'written' | 'alreadySent'> {
  for (let attempt = 1; ; attempt++) {
    try {
      await transact(notificationWrites(notification));
      return 'written';
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed(NOTIFICATION_WRITE)) return 'alreadySent';
      if (!error.contended || attempt >= WRITE_ATTEMPTS) throw error;
      await sleep(backoffMs(attempt, 50, 1000));
    }
  }
}
