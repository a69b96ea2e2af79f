import type { DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../log';
import { dueNotifications } from '../notifications/dispatch';
import { readTableStream } from '../table/stream';

/**
 * The notification dispatcher on the local stack, wired as in the cloud: the table's stream handed to the handler in
 * Lambda's event shape, and the same handler on a timer in place of the cloud's schedule.
 */

type Handler = (event: DynamoDBStreamEvent | { sweep: true }) => Promise<unknown>;

export interface LocalDispatcher {
  /**
   * Resolves when the outbox is quiet: every notification written before the call has been dispatched from the
   * stream, no sweep is running, and no e-mail is due now (a retry scheduled for later does not count).
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startLocalDispatcher(options: { endpoint: string; tableName: string; handler: Handler; pollMs?: number; sweepMs?: number }): Promise<LocalDispatcher> {
  const stream = await readTableStream({ endpoint: options.endpoint, tableName: options.tableName, onRecords: options.handler, pollMs: options.pollMs });
  let stopped = false;
  let sweeping: Promise<unknown> = Promise.resolve();
  const afterSweep: (() => void)[] = [];
  const sweepTimer = setInterval(() => {
    if (stopped) return;
    sweeping = options.handler({ sweep: true })
      .catch((error) => log.warn('local outbox sweep failed', { errorName: (error as Error).name }))
      .finally(() => afterSweep.splice(0).forEach((resolve) => resolve()));
  }, options.sweepMs ?? 1000);

  return {
    idle: async () => {
      for (;;) {
        await stream.drained();
        await sweeping;
        if (stopped || (await dueNotifications(new Date(), 1)).length === 0) return;
        // Something is due: the next sweep sends it (or schedules its retry).
        await new Promise<void>((resolve) => afterSweep.push(resolve));
      }
    },
    stop: async () => {
      stopped = true;
      clearInterval(sweepTimer);
      afterSweep.splice(0).forEach((resolve) => resolve());
      await stream.stop();
    },
  };
}
