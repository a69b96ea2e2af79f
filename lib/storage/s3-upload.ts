import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { s3 } from './s3';

/**
 * Multipart upload from a stream, so a large workbook never sits whole in memory. Apart from lib/storage/s3.ts so
 * that only the workers that write files (the export worker, the intake's rejections) bundle lib-storage.
 */
export async function uploadStream(bucket: string, key: string, body: Readable, contentType: string): Promise<void> {
  await new Upload({ client: s3(), params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType }, queueSize: 2 }).done();
}
