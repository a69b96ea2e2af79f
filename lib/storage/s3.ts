import { GetObjectCommand, HeadObjectCommand, NoSuchKey, NotFound, S3Client } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { awsEndpoints } from '../config';
import { NotFoundError } from '../errors';
import { traced } from '../tracing';

/**
 * The S3 adapter of the workers: one client per container; locally it talks path-style to the S3 server. The API's
 * presigned links are ./s3-links.ts's, without a client.
 */

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
