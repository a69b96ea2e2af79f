import { getCampaign } from '../campaigns/repository';
import { config } from '../config';
import { isId, newId } from '../ids';
import { log } from '../log';
import { parseListKey } from '../storage/layout';
import { headObject } from '../storage/s3';
import { getUser } from '../users/repository';
import { PERMISSIONS } from '../users/roles';
import { claimImportForObject, createImportRecord, finishImport, getImportRecord, keepObjectVersion } from './import-record';
// The reader's format rule alone: the API function that presigns uploads must not bundle the workbook reader.
import { formatOf } from './reader/list';
import { megabytes } from './upload-links';
import { emptyCounts, isImportKind } from './schema';

/**
 * Accepting an upload: a list dropped into the bucket (an S3 event) or announced through POST /imports (./upload-links.ts: a presigned
 * PUT whose signed metadata names its import) becomes exactly one import record, however often its event arrives.
 * An upload that cannot run is recorded too, ended as failed with the reason, so that no upload is silently lost.
 */

export interface UploadedObject {
  key: string;
  versionId?: string;
  etag?: string;
  uploadedBy?: string;
}

/**
 * May this import change owners (an update list's リード担当者)? Only when a user allowed to assign asked for the
 * upload (checked then) and still may now (checked again as the import runs: a role taken away in between counts).
 * A file put straight into the bucket names no product user (its uploader is an AWS principal), so it may register
 * and update leads but never reassign them.
 */
export async function mayChangeOwners(record: { uploadedBy?: string; uploaderMayAssign?: boolean }): Promise<boolean> {
  if (!record.uploaderMayAssign || !record.uploadedBy) return false;
  const uploader = await getUser(record.uploadedBy);
  return uploader !== undefined && uploader.active && (PERMISSIONS.assignLeads as readonly string[]).includes(uploader.role);
}

/**
 * The import record of an uploaded object, created on the first delivery of its event and found again on every
 * later one. An upload that cannot run (see refusalReason) is ended as failed with the reason, and `refused`.
 */
export async function recordUploadedObject(bucket: string, object: UploadedObject, now: Date): Promise<{ importId: string; refused: boolean }> {
  const info = await headObject(bucket, object.key);
  // S3 quotes the ETag in HeadObject but not in event notifications; the claim must see them as one.
  const etag = (object.etag ?? info?.etag)?.replace(/"/g, '');
  // An upload through POST /imports names its import in signed metadata; a plain bucket upload gets a new id.
  const announced = info?.metadata['import-id'];
  const announcedRecord = announced && isId(announced) ? await getImportRecord(announced) : undefined;
  // Without object versions (the local S3 server keeps none; the cloud's bucket is versioned) the content's ETag
  // stands for the version. For an announced upload the announcing import is part of it: the same file sent again
  // through a new link is a new import of its own, not the earlier one found again (its record would stay queued).
  const unversioned = announcedRecord?.key === object.key ? `${announcedRecord.importId}:${etag}` : etag;
  const version = object.versionId ?? info?.versionId ?? unversioned ?? 'unversioned';
  const usable = announcedRecord && announcedRecord.status === 'queued' && announcedRecord.key === object.key ? announcedRecord : undefined;
  const importId = await claimImportForObject({ bucket, key: object.key, version }, usable?.importId ?? newId(now.getTime()));
  // A link serves one import: another object uploaded with it (its import has started, or is for another key) is
  // recorded as refused, credited to whoever asked for the link. A redelivered event of the first object claims
  // the announced import itself, and is not this.
  const reusedLink = announcedRecord !== undefined && !usable && importId !== announcedRecord.importId;

  const parts = parseListKey(object.key);
  const record = await createImportRecord({
    importId,
    campaignId: parts?.campaignId,
    kind: parts?.kind ?? 'unknown',
    status: 'queued',
    key: object.key,
    fileName: parts?.fileName ?? object.key.slice(object.key.lastIndexOf('/') + 1),
    versionId: object.versionId ?? info?.versionId,
    uploadedBy: usable?.uploadedBy ?? (reusedLink ? announcedRecord.uploadedBy : object.uploadedBy),
    counts: emptyCounts(),
    createdAt: now.toISOString(),
    hasRejections: false,
  });
  if (usable && object.versionId && !record.versionId) await keepObjectVersion(importId, object.versionId);
  const refusal = reusedLink
    ? 'the upload link was used already: one link serves one import; ask POST /imports for another'
    : await refusalReason(parts, info === undefined, info?.size ?? 0);
  if (refusal) {
    if (record.status === 'queued') await finishImport({ importId, status: 'failed', reason: refusal, now });
    log.warn('import refused', { importId, reason: refusal });
  }
  return { importId, refused: refusal !== undefined };
}

async function refusalReason(parts: ReturnType<typeof parseListKey>, gone: boolean, size: number): Promise<string | undefined> {
  if (!parts) return 'the file is not under imports/{campaignId}/{invitation|participant|update}/{fileName}';
  if (!isImportKind(parts.kind)) {
    return `unknown list kind "${parts.kind}": use invitation, participant or update`;
  }
  if (!formatOf(parts.fileName)) return `"${parts.fileName}" is neither an .xlsx workbook nor a .csv file`;
  if (!(await getCampaign(parts.campaignId))) return `no campaign ${parts.campaignId}`;
  if (gone) return 'the uploaded file is no longer in the bucket';
  // Checked before anything is downloaded: the function's temporary disk holds the file whole.
  if (size > config.maxUploadBytes()) return `the file is ${megabytes(size)}; lists up to ${megabytes(config.maxUploadBytes())} are accepted`;
  return undefined;
}
