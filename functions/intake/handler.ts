import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, S3Event } from 'aws-lambda';
import { awsEndpoints, config } from '../../lib/config';
import { importUploadedObject, runImport, type IntakeRuntime } from '../../lib/intake/run-import';
import { log } from '../../lib/log';

/**
 * The intake function. Two kinds of event reach it:
 *  - an S3 notification for an object under imports/ (at least once: a redelivery finds the same import);
 *  - `{ continueImport: importId }`, sent by itself when an import outgrows one invocation's time.
 */

export interface ContinueImportEvent {
  continueImport: string;
}

type Continuation = (event: ContinueImportEvent) => Promise<void>;

let lambda: LambdaClient | undefined;
let localContinuation: Continuation | undefined;

/** The local stack routes continuations back into this process instead of through Lambda. */
export function setLocalContinuation(continuation: Continuation | undefined): void {
  localContinuation = continuation;
}

async function continueLater(importId: string): Promise<void> {
  if (localContinuation) return localContinuation({ continueImport: importId });
  const functionName = process.env.SELF_FUNCTION_NAME;
  if (!functionName) throw new Error('SELF_FUNCTION_NAME is not set: cannot continue a long import');
  lambda ??= new LambdaClient({ region: awsEndpoints().region });
  await lambda.send(
    new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ continueImport: importId })) }),
  );
}

/**
 * INTAKE_TIME_BUDGET_MS caps an invocation's working time below Lambda's own limit (tests force it tiny);
 * INTAKE_CHUNK_ROWS sets how many rows are committed at a time.
 */
function runtimeFor(context?: Pick<Context, 'getRemainingTimeInMillis'>): IntakeRuntime {
  const started = Date.now();
  const budget = Number(process.env.INTAKE_TIME_BUDGET_MS ?? Infinity);
  return {
    bucket: config.intakeBucket(),
    now: () => new Date(),
    remainingMs: () => Math.min(context?.getRemainingTimeInMillis?.() ?? 15 * 60_000, budget - (Date.now() - started)),
    continueLater,
    chunkSize: process.env.INTAKE_CHUNK_ROWS ? Number(process.env.INTAKE_CHUNK_ROWS) : undefined,
    // A deployment may accept fewer rows per file than Excel's maximum (the default).
    limits: process.env.INTAKE_MAX_ROWS ? { maxRows: Number(process.env.INTAKE_MAX_ROWS) } : undefined,
  };
}

const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, ' '));

export async function handler(event: S3Event | ContinueImportEvent, context?: Context): Promise<void> {
  const runtime = runtimeFor(context);
  if ('continueImport' in event) {
    await runImport(runtime, event.continueImport);
    return;
  }
  for (const record of event.Records ?? []) {
    const key = decodeKey(record.s3.object.key);
    if (!key.startsWith('imports/')) continue;
    const importId = await importUploadedObject(runtime, {
      key,
      versionId: record.s3.object.versionId,
      etag: record.s3.object.eTag,
      uploadedBy: record.userIdentity?.principalId,
    });
    log.info('intake object handled', { importId });
  }
}
