import type { Context } from 'aws-lambda';
import { config } from '../../lib/config';
import { isContinuation, uploadedObjectsOf, type IntakeEvent } from '../../lib/intake/intake-events';
import { importUploadedObject, runImport, type IntakeRuntime } from '../../lib/intake/run-import';
import { log } from '../../lib/log';
import { observedHandler } from '../../lib/observability';
import { invokeAsync } from '../../lib/storage/functions';

/**
 * The intake function: S3 notifications of lists under imports/, and its own continuations of long imports
 * (lib/intake/intake-events.ts). An event that fails every retry goes to the failure queue (./failures.ts).
 */

function runtimeFor(context?: Pick<Context, 'getRemainingTimeInMillis'>): IntakeRuntime {
  const started = Date.now();
  const budget = config.intakeTimeBudgetMs();
  return {
    bucket: config.intakeBucket(),
    now: () => new Date(),
    remainingMs: () => Math.min(context?.getRemainingTimeInMillis?.() ?? 15 * 60_000, budget - (Date.now() - started)),
    continueLater: (importId) => invokeAsync('intake', { continueImport: importId }),
    chunkSize: config.intakeChunkRows(),
    limits: config.intakeMaxRows() === undefined ? undefined : { maxRows: config.intakeMaxRows()! },
  };
}

export const handler = observedHandler(async function intake(event: IntakeEvent, context: Context): Promise<void> {
  const runtime = runtimeFor(context);
  if (isContinuation(event)) {
    await runImport(runtime, event.continueImport);
    return;
  }
  for (const object of uploadedObjectsOf(event)) {
    const importId = await importUploadedObject(runtime, object);
    log.info('intake object handled', { importId });
  }
});
