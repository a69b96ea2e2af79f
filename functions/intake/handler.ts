import type { S3Event } from 'aws-lambda';
import { log } from '../../lib/log';

/**
 * Entry point for objects landing under imports/ in the intake bucket. The list import itself (read, dedupe,
 * write, report) lives in lib/intake/ and is wired in here as it is built.
 */
export async function handler(event: S3Event): Promise<void> {
  for (const record of event.Records ?? []) {
    log.info('intake object received', { key: decodeURIComponent(record.s3.object.key.replace(/\+/g, ' ')) });
  }
}
