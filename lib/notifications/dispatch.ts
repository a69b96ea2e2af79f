import { newId } from '../ids';
import { config } from '../config';
import { log } from '../log';
import { recordMetric } from '../metrics';
import { forEachConcurrently } from '../async';
import { isPermanentMailError, sendMail } from '../storage/mail';
import { updateItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { keys } from '../table/keys';
import { queryPage } from '../table/queries';
import { getUser } from '../users/repository';
import type { Notification } from './model';

/**
 * The outbox dispatcher: sends a notification's e-mail at most once per successful attempt, however often it is
 * asked to. Each attempt first takes a lease on the notification with a conditional write (still pending, due, and
 * no live lease), so a duplicated stream record, a retried invocation or the sweep running beside the stream
 * trigger find nothing to do. Then it sends, and marks the notification sent (out of the outbox) or schedules the
 * next attempt with exponential backoff; after the last attempt, or on a refusal no retry can fix, it is `failed`.
 *
 * The one gap no outbox closes: SES accepted the mail and the process died before marking it sent. The lease
 * expires and the mail goes out again; that window is the one write after the send.
 */

const LEASE_MS = 60_000;

export type DispatchOutcome = 'sent' | 'retry_scheduled' | 'failed' | 'skipped';

export async function dispatchNotification(userId: string, notificationId: string, now = new Date()): Promise<DispatchOutcome> {
  const lease = newId();
  let notification: Notification & Item;
  try {
    notification = await updateItem<Notification & Item>({
      key: keys.notification(userId, notificationId),
      update: 'SET leaseUntil = :until, leaseId = :lease ADD emailAttempts :one',
      condition: 'emailStatus = :pending AND nextAttemptAt <= :now AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
      values: { ':until': new Date(now.getTime() + LEASE_MS).toISOString(), ':lease': lease, ':one': 1, ':pending': 'pending', ':now': now.toISOString() },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) return 'skipped'; // sent, failed, not yet due, or being sent right now
    throw error;
  }

  const recipient = await getUser(userId);
  const mail = notification.mail;
  let failure: unknown;
  if (!recipient?.active) {
    failure = Object.assign(new Error('the recipient is not an active user'), { name: 'RecipientInactive' });
  } else if (!mail) {
    failure = Object.assign(new Error('the notification has no e-mail to send'), { name: 'NoMail' });
  } else {
    try {
      await sendMail(recipient.email, mail);
    } catch (error) {
      failure = error;
    }
  }

  const mine = { ':lease': lease };
  if (!failure) {
    await updateItem({
      key: keys.notification(userId, notificationId),
      // The rendered mail (it quotes leads) is not kept once it is sent.
      changes: { set: { emailStatus: 'sent', sentAt: new Date().toISOString() }, remove: ['mail', 'leaseUntil', 'leaseId', 'nextAttemptAt', 'emailError', ...keys.outboxAttributes] },
      condition: 'leaseId = :lease',
      values: mine,
    });
    recordMetric.mailSent();
    log.info('notification e-mail sent', { notificationId, kind: notification.kind, attempts: notification.emailAttempts });
    return 'sent';
  }

  const errorName = (failure as Error).name || 'Error';
  const attempts = notification.emailAttempts;
  const permanent = errorName === 'RecipientInactive' || errorName === 'NoMail' || isPermanentMailError(failure);
  if (permanent || attempts >= config.mailMaxAttempts()) {
    await updateItem({
      key: keys.notification(userId, notificationId),
      changes: { set: { emailStatus: 'failed', emailError: errorName }, remove: ['mail', 'leaseUntil', 'leaseId', 'nextAttemptAt', ...keys.outboxAttributes] },
      condition: 'leaseId = :lease',
      values: mine,
    });
    recordMetric.mailFailed();
    log.warn('notification e-mail failed for good', { notificationId, attempts, errorName });
    return 'failed';
  }
  const delay = Math.min(3_600_000, config.mailRetryBaseMs() * 2 ** (attempts - 1));
  const nextAttemptAt = new Date(Date.now() + delay).toISOString();
  await updateItem({
    key: keys.notification(userId, notificationId),
    changes: { set: { nextAttemptAt, emailError: errorName, ...keys.outboxIndex(nextAttemptAt, userId, notificationId) }, remove: ['leaseUntil', 'leaseId'] },
    condition: 'leaseId = :lease',
    values: mine,
  });
  log.warn('notification e-mail failed; retry scheduled', { notificationId, attempts, errorName, nextAttemptAt });
  return 'retry_scheduled';
}

/** Notifications whose e-mail is due by `now`, oldest first: the retries, and anything the stream trigger missed. */
export async function dueNotifications(now: Date, limit = 100): Promise<{ userId: string; notificationId: string }[]> {
  const page = await queryPage<Item>({ index: 'gsi2', partition: keys.outboxPartition, sortUpTo: `${now.toISOString()}#\uffff`, limit });
  return page.items.map((item) => ({ userId: item.userId as string, notificationId: item.notificationId as string }));
}

/** One pass over the outbox: every due e-mail gets one attempt. */
export async function sweepOutbox(now = new Date(), concurrency = 4): Promise<Record<DispatchOutcome, number>> {
  const tally: Record<DispatchOutcome, number> = { sent: 0, retry_scheduled: 0, failed: 0, skipped: 0 };
  const due = await dueNotifications(now);
  await forEachConcurrently(due, concurrency, async ({ userId, notificationId }) => {
    tally[await dispatchNotification(userId, notificationId, now)]++;
  });
  return tally;
}
