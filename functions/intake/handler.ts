import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { awsEndpoints, config } from '../../lib/config';
import { isContinuation, uploadedObjectsOf, type ContinueImportEvent, type IntakeEvent } from '../../lib/intake/intake-events';
import { importUploadedObject, runImport, type IntakeRuntime } from '../../lib/intake/run-import';
import { log } from '../../lib/log';

/**
 * The intake function: S3 notifications of lists under imports/, and its own continuations of long imports
 * (lib/intake/intake-events.ts). An event that fails every retry goes to the failure queue (./failures.ts).
 */

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

export async function handler(event: IntakeEvent, context?: Context): Promise<void> {
  const runtime = runtimeFor(context);
  if (isContinuation(event)) {
    await runImport(runtime, event.continueImport);
    return;
  }
  for (const object of uploadedObjectsOf(event)) {
    const importId = await importUploadedObject(runtime, object);
    log.info('intake object handled', { importId });
  }
}
