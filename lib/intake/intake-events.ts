import type { S3Event } from 'aws-lambda';
import { isListKey } from '../storage/layout';
import type { UploadedObject } from './uploads';

/**
 * The two kinds of event the intake function gets, and what each names:
 *  - an S3 notification for objects created under imports/ (at least once: a redelivery finds the same import);
 *  - `{ continueImport: importId }`, sent by the function itself when an import outgrows one invocation's time.
 */

export interface ContinueImportEvent {
  continueImport: string;
}

export type IntakeEvent = S3Event | ContinueImportEvent;

export const isContinuation = (event: unknown): event is ContinueImportEvent =>
  typeof (event as ContinueImportEvent | undefined)?.continueImport === 'string';

/** S3 sends keys URL-encoded, with spaces as `+`. */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

/** The list files an S3 notification announces (objects outside imports/ are not lists). */
export function uploadedObjectsOf(event: S3Event): UploadedObject[] {
  return (event.Records ?? [])
    .map((record) => ({
      key: decodeKey(record.s3.object.key),
      versionId: record.s3.object.versionId,
      etag: record.s3.object.eTag,
      uploadedBy: record.userIdentity?.principalId,
    }))
    .filter((object) => isListKey(object.key));
}
