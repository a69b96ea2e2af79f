import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { resumeAbandonedAssignments } from '../../lib/assignment/assign';
import { log } from '../../lib/log';
import { observedHandler } from '../../lib/observability';
import { dispatchNotification, sweepOutbox } from '../../lib/notifications/dispatch';
import { forgetExpiredNotification } from '../../lib/notifications/expiry';
import { ENTITY } from '../../lib/table/keys';

/**
 * The notification dispatcher, the outbox's consumer. Two triggers, one function:
 * - the table's stream (filtered to notifications written with a pending e-mail): sends each one at once;
 * - a schedule (every minute): sends what is due again (retries with backoff, anything the stream missed) and
 *   finishes assignment operations a crash left half done.
 * The local stack calls this same handler from its stream poller and its timer (lib/local/dispatcher.ts).
 */

export function pendingNotificationOf(record: DynamoDBRecord): { userId: string; notificationId: string } | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image?.entity?.S !== ENTITY.notification || image.emailStatus?.S !== 'pending') return undefined;
  const userId = image.userId?.S;
  const notificationId = image.notificationId?.S;
  return userId && notificationId ? { userId, notificationId } : undefined;
}

/** A notification the table's TTL deleted while it was still unread (its expiry must come off the unread count). */
export function expiredUnreadNotificationOf(record: DynamoDBRecord): { userId: string; notificationId: string } | undefined {
  const image = record.dynamodb?.OldImage;
  const byTtl = record.userIdentity?.type === 'Service' && record.userIdentity.principalId === 'dynamodb.amazonaws.com';
  if (record.eventName !== 'REMOVE' || !byTtl || image?.entity?.S !== ENTITY.notification || image.read?.BOOL !== false) return undefined;
  const userId = image.userId?.S;
  const notificationId = image.notificationId?.S;
  return userId && notificationId ? { userId, notificationId } : undefined;
}

export type DispatcherEvent = DynamoDBStreamEvent | { sweep: true } | { source: 'aws.events' };

export const handler = observedHandler(async function dispatcher(event: DispatcherEvent): Promise<DynamoDBBatchResponse | void> {
  if ('Records' in event) {
    // Report only the records that failed, so the ones already sent are not delivered to us again.
    const batchItemFailures: DynamoDBBatchResponse['batchItemFailures'] = [];
    for (const record of event.Records) {
      const pending = pendingNotificationOf(record);
      const expired = expiredUnreadNotificationOf(record);
      if (!pending && !expired) continue;
      try {
        if (pending) await dispatchNotification(pending.userId, pending.notificationId);
        if (expired) await forgetExpiredNotification(expired.userId, expired.notificationId);
      } catch (error) {
        log.error('dispatch failed', { notificationId: (pending ?? expired)!.notificationId, errorName: (error as Error).name });
        if (record.dynamodb?.SequenceNumber) batchItemFailures.push({ itemIdentifier: record.dynamodb.SequenceNumber });
      }
    }
    return { batchItemFailures };
  }

  const now = new Date();
  await resumeAbandonedAssignments(now);
  const tally = await sweepOutbox(now);
  if (tally.sent + tally.failed + tally.retry_scheduled > 0) log.info('outbox swept', tally);
});
