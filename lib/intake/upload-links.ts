import { getCampaign } from '../campaigns/repository';
import { config } from '../config';
import { NotFoundError, PayloadTooLargeError, ValidationError } from '../errors';
import { newId } from '../ids';
import { listKey } from '../storage/layout';
import { presignGet, presignPut, PRESIGNED_URL_SECONDS } from '../storage/s3-links';
import type { Caller } from '../users/caller';
import { PERMISSIONS } from '../users/roles';
import { createImportRecord, getImportRecord } from './import-record';
import { emptyCounts, type ImportKind } from './schema';

/**
 * The links of POST /imports and GET /imports/{importId}/rejections: the API's half of uploads, apart from the
 * bucket events' half (./uploads.ts) so that the API function bundles the link signer and not the S3 client.
 */

const linkExpiry = () => new Date(Date.now() + PRESIGNED_URL_SECONDS * 1000).toISOString();

/** POST /imports: the import, queued for the caller, and a presigned PUT to the place its kind of list goes. */
export async function requestUpload(caller: Caller, input: { campaignId: string; kind: ImportKind; fileName: string; sizeBytes?: number }, now = new Date()) {
  if (input.sizeBytes !== undefined && input.sizeBytes > config.maxUploadBytes()) throw tooLarge(input.sizeBytes);
  if (!(await getCampaign(input.campaignId))) {
    throw new ValidationError(`no campaign ${input.campaignId}`, [{ path: 'body.campaignId', message: 'no such campaign' }]);
  }
  const importId = newId(now.getTime());
  const key = listKey(input.campaignId, input.kind, input.fileName);
  await createImportRecord({
    importId,
    campaignId: input.campaignId,
    kind: input.kind,
    status: 'queued',
    key,
    fileName: input.fileName,
    uploadedBy: caller.userId,
    uploaderMayAssign: (PERMISSIONS.assignLeads as readonly string[]).includes(caller.role),
    counts: emptyCounts(),
    createdAt: now.toISOString(),
    hasRejections: false,
  });
  const metadata = { 'import-id': importId };
  const uploadUrl = await presignPut(config.intakeBucket(), key, metadata, input.sizeBytes);
  return { importId, uploadUrl, key, uploadHeaders: { 'x-amz-meta-import-id': importId }, expiresAt: linkExpiry() };
}

/** GET /imports/{importId}/rejections: a link to the workbook of the rows the import rejected or merged. */
export async function rejectionsLink(importId: string) {
  const record = await getImportRecord(importId);
  if (!record) throw new NotFoundError(`no import ${importId}`);
  if (!record.rejectionsKey) throw new NotFoundError(`import ${importId} has no rejected or merged rows`);
  const url = await presignGet(config.intakeBucket(), record.rejectionsKey, `rejections-${record.fileName.replace(/\.[^.]+$/, '')}.xlsx`);
  return { url, expiresAt: linkExpiry(), rejected: record.counts.rejected, merged: record.counts.merged };
}

export const megabytes = (bytes: number) => (bytes >= 1024 * 1024 ? `${Math.ceil(bytes / (1024 * 1024))} MB` : `${Math.ceil(bytes / 1024)} KB`);

const tooLarge = (bytes: number) =>
  new PayloadTooLargeError(`the file is ${megabytes(bytes)}; lists up to ${megabytes(config.maxUploadBytes())} are accepted`, {
    extensions: { maxBytes: config.maxUploadBytes() },
  });

