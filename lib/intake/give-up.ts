import { log } from '../log';
import { recordMetric } from '../metrics';
import { updateItem } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_EXISTS } from '../table/expressions';
import { keys } from '../table/keys';
import type { ImportRecord } from './import-record';
import { isContinuation, uploadedObjectsOf, type IntakeEvent } from './intake-events';
import { releaseCampaignLock } from './lease';
import { FINISHED_STATUSES } from './schema';
import { recordUploadedObject } from './uploads';

/**
 * When an intake event has failed every attempt Lambda gives it (or waited longer than its maximum age), Lambda
 * sends a record of it to the intake function's failure queue, and this ends the imports it names as `failed`, with
 * the reason, instead of leaving them `running` for ever. What they committed stays, counted; uploading the file
 * again imports the rest (the rows already in are recognised as known people).
 */

/** The invocation record Lambda sends to an asynchronous function's on-failure destination. */
export interface FailedInvocation {
  requestContext?: { condition?: string; approximateInvokeCount?: number };
  requestPayload?: unknown;
  responsePayload?: { errorType?: string } | null;
}

function reasonFor(failed: FailedInvocation): string {
  const attempts = failed.requestContext?.approximateInvokeCount;
  const cause =
    failed.requestContext?.condition === 'EventAgeExceeded'
      ? 'it could not be run in time'
      : `it failed ${attempts ? `${attempts} times` : 'every attempt'}${failed.responsePayload?.errorType ? ` (${failed.responsePayload.errorType})` : ''}`;
  return `the import stopped because ${cause}; the rows it counted are imported. Upload the file again to import the rest.`;
}

/** Ends the imports of a failed intake event. Throws while one is still held by an invocation. */
export async function giveUpImports(bucket: string, failed: FailedInvocation, now: Date): Promise<void> {
  const event = failed.requestPayload as IntakeEvent | undefined;
  if (!event || typeof event !== 'object') return;
  const reason = reasonFor(failed);
  if (isContinuation(event)) return giveUp(event.continueImport, reason, now);
  if (!('Records' in event)) return;
  for (const object of uploadedObjectsOf(event)) {
    // The import may not even have been recorded yet: record it now, so that the upload is never silently lost.
    const { importId, refused } = await recordUploadedObject(bucket, object, now);
    if (!refused) await giveUp(importId, reason, now);
  }
}

async function giveUp(importId: string, reason: string, now: Date): Promise<void> {
  const outcome = await abandonImport(importId, reason, now);
  log.warn('intake event failed every attempt', { importId, outcome });
}

/** An invocation still holds a live lease on the import: it may yet finish it, so it is not given up now. */
export class ImportStillHeldError extends Error {
  override readonly name = 'ImportStillHeldError';
}

/**
 * Ends as failed an import that nothing will work again (its event failed every attempt), keeping the counts of what
 * it committed. 'finished' when it had ended already, 'missing' when there is no such record. Throws
 * ImportStillHeldError while an invocation's lease on it is live (a crashed invocation's lease runs out by itself).
 */
export async function abandonImport(importId: string, reason: string, now: Date): Promise<'abandoned' | 'finished' | 'missing'> {
  try {
    const record = await updateItem<ImportRecord>({
      key: keys.import(importId),
      update: 'SET #status = :failed, finishedAt = :now, reason = :reason REMOVE lease',
      condition:
        `${ITEM_EXISTS} AND NOT #status IN (:s1, :s2, :s3) AND (attribute_not_exists(lease) OR lease.#until < :nowMs)`,
      names: { '#status': 'status', '#until': 'until' },
      values: {
        ':failed': 'failed',
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':reason': reason,
        ':s1': FINISHED_STATUSES[0],
        ':s2': FINISHED_STATUSES[1],
        ':s3': FINISHED_STATUSES[2],
      },
      returnItemOnConflict: true,
    });
    // Its list imports of the campaign need not wait for the lock to run out.
    if (record.campaignId) await releaseCampaignLock(record.campaignId, importId);
    recordMetric.importEnded(true);
    return 'abandoned';
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const current = error.item as ImportRecord | undefined;
    if (!current) return 'missing';
    if (FINISHED_STATUSES.includes(current.status)) return 'finished';
    throw new ImportStillHeldError(`import ${importId} is held by a live invocation until ${new Date(current.lease!.until).toISOString()}`);
  }
}
