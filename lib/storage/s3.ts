import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { awsEndpoints } from '../config';
import { NotFoundError } from '../errors';
import { traced } from '../tracing';

/** The S3 adapter: one client per container; locally it talks path-style to the S3 server. */

let client: S3Client | undefined;

export function s3(): S3Client {
  if (!client) {
    const { region, s3: endpoint } = awsEndpoints();
    client = traced(new S3Client({
      region,
      endpoint,
      forcePathStyle: Boolean(endpoint),
      // The local S3 server does not speak the SDK's default streaming checksum trailers; real S3 keeps them.
      ...(endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
    }));
  }
  return client;
}

export interface ObjectInfo {
  size: number;
  versionId?: string;
  etag?: string;
  metadata: Record<string, string>;
}

export async function headObject(bucket: string, key: string): Promise<ObjectInfo | undefined> {
  try {
    const out = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: out.ContentLength ?? 0, versionId: out.VersionId, etag: out.ETag, metadata: out.Metadata ?? {} };
  } catch (error) {
    if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
    throw error;
  }
}

/** Streams the object to a local file (the .xlsx reader needs random access to the zip directory). */
export async function downloadToFile(bucket: string, key: string, path: string, versionId?: string): Promise<void> {
  try {
    const out = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    await pipeline(out.Body as Readable, createWriteStream(path));
  } catch (error) {
    if (error instanceof NoSuchKey) throw new NotFoundError(`the uploaded file ${key} is gone`, { cause: error });
    throw error;
  }
}

export const PRESIGNED_URL_SECONDS = 15 * 60;

/** A presigned PUT; the metadata (and the length, when given) are part of the signature, so the uploader cannot change them. */
export async function presignPut(bucket: string, key: string, metadata: Record<string, string>, contentLength?: number): Promise<string> {
  return getSignedUrl(s3(), new PutObjectCommand({ Bucket: bucket, Key: key, Metadata: metadata, ContentLength: contentLength }), {
    expiresIn: PRESIGNED_URL_SECONDS,
    // The metadata headers must be sent as signed headers, not hoisted into the query string.
    unhoistableHeaders: new Set([...Object.keys(metadata).map((k) => `x-amz-meta-${k}`), ...(contentLength ? ['content-length'] : [])]),
  });
}

export async function presignGet(bucket: string, key: string, downloadName?: string): Promise<string> {
  return getSignedUrl(
    s3(),
    new GetObjectCommand({
      Bucket: bucket,
      Key: key,
      ResponseContentDisposition: downloadName ? `attachment; filename*=UTF-8''${encodeURIComponent(downloadName)}` : undefined,
    }),
    { expiresIn: PRESIGNED_URL_SECONDS },
  );
}
