import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { config } from '../../lib/config';
import { giveUpImports, ImportStillHeldError, type FailedInvocation } from '../../lib/intake/give-up';
import { log } from '../../lib/log';
import { observedHandler } from '../../lib/observability';

/**
 * Reads the intake function's failure queue: each message is Lambda's record of an intake event that failed every
 * attempt, and the imports it names end as `failed` with the reason (lib/intake/give-up.ts). A message whose import
 * an invocation still holds (a crashed invocation's lease has not run out yet) is left on the queue for later.
 */
export const handler = observedHandler(async function endFailedImports(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const message of event.Records) {
    try {
      await giveUpImports(config.intakeBucket(), JSON.parse(message.body) as FailedInvocation, new Date());
    } catch (error) {
      if (error instanceof ImportStillHeldError) log.info('failed import still held; trying again later', { messageId: message.messageId });
      else log.error('could not end a failed import', { messageId: message.messageId, errorName: (error as Error).name });
      batchItemFailures.push({ itemIdentifier: message.messageId });
    }
  }
  return { batchItemFailures };
});
