import { log } from '../log';
import { abandonImport } from './imports-repository';
import { isContinuation, uploadedObjectsOf, type IntakeEvent } from './intake-events';
import { recordUploadedObject } from './run-import';

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
