import type { DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../log';
import { readTableStream } from '../table/stream';

/**
 * The notification dispatcher on the local stack, wired as in the cloud: the table's stream handed to the handler in
 * Lambda's event shape, and the same handler on a timer in place of the cloud's schedule.
 */

type Handler = (event: DynamoDBStreamEvent | { sweep: true }) => Promise<unknown>;

export interface LocalDispatcher {
  stop(): Promise<void>;
}

export async function startLocalDispatcher(options: { endpoint: string; tableName: string; handler: Handler; pollMs?: number; sweepMs?: number }): Promise<LocalDispatcher> {
  const stream = await readTableStream({ endpoint: options.endpoint, tableName: options.tableName, onRecords: options.handler, pollMs: options.pollMs });
  let stopped = false;
  const sweepTimer = setInterval(() => {
    if (stopped) return;
    options.handler({ sweep: true }).catch((error) => log.warn('local outbox sweep failed', { errorName: (error as Error).name }));
  }, options.sweepMs ?? 1000);

  return {
    stop: async () => {
      stopped = true;
      clearInterval(sweepTimer);
      await stream.stop();
    },
  };
}
