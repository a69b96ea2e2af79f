import { backoffMs, sleep } from '../async';
import { counterBump, movesCounters } from '../campaigns/metrics';
import { FAULT_POINTS, faultPoint } from '../faults';
import { TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { transact, txUpdate, type TransactionWrite } from '../table/transaction';
import { LeaseLostError } from './lease';
import type { ImportCounts } from './schema';

/** Counters on the campaign's METRICS item that list intake moves (issue: campaign effectiveness). */
export interface IntakeMetrics {
  invited: number;
  responded: number;
  /** Histories this chunk made both invited and responded. */
  invitedResponded: number;
  newLeads: number;
  knownLeads: number;
}

/**
 * Commits one chunk: the import's checkpoint and counts, and the campaign's counters, in one transaction. The
 * condition on the previous checkpoint makes a replayed chunk (after a crash between writes and commit) commit once.
 */
export async function commitChunk(input: {
  importId: string;
  owner: string;
  fromRow: number;
  toRow: number;
  counts: ImportCounts;
  campaignId?: string;
  metrics: IntakeMetrics;
  leaseUntil: number;
  now: Date;
  /** Renew (and require) the campaign's intake lock in the same transaction. */
  campaignLock?: boolean;
}): Promise<void> {
  await faultPoint(FAULT_POINTS.intakeCommit);
  const countNames = Object.keys(input.counts) as (keyof ImportCounts)[];
  const update = [
    'SET checkpointRow = :toRow, lease.#until = :until',
    // Count names such as `rows` are reserved words in expressions, hence the placeholders.
    ...countNames.map((name) => `counts.#c_${name} = counts.#c_${name} + :c_${name}`),
  ].join(', ');
  const writes: TransactionWrite[] = [
    txUpdate('import', {
      key: keys.import(input.importId),
      update,
      condition: 'lease.#owner = :owner AND (checkpointRow = :fromRow OR (attribute_not_exists(checkpointRow) AND :fromRow = :zero))',
      names: { '#owner': 'owner', '#until': 'until', ...Object.fromEntries(countNames.map((name) => [`#c_${name}`, name])) },
      values: {
        ':toRow': input.toRow,
        ':fromRow': input.fromRow,
        ':zero': 0,
        ':owner': input.owner,
        ':until': input.leaseUntil,
        ...Object.fromEntries(countNames.map((name) => [`:c_${name}`, input.counts[name]])),
      },
    }),
  ];
  if (input.campaignId && input.campaignLock) {
    writes.push(
      txUpdate('campaignLock', {
        key: keys.campaignIntakeLock(input.campaignId),
        update: 'SET #until = :until',
        condition: 'importId = :importId',
        names: { '#until': 'until' },
        values: { ':until': input.leaseUntil, ':importId': input.importId },
      }),
    );
  }
  if (input.campaignId && movesCounters(input.metrics)) writes.push(counterBump(input.campaignId, input.metrics, input.now));
  for (let attempt = 1; ; attempt++) {
    try {
      await transact(writes);
      return;
    } catch (error) {
      if (error instanceof TransactionCancelledError && (error.failed('import') || error.failed('campaignLock'))) {
        throw new LeaseLostError(`import ${input.importId} is no longer ours at row ${input.fromRow}`, { cause: error });
      }
      // An action or a conversion moving the same campaign counters at this instant: nothing was written, go again.
      if (!(error instanceof TransactionCancelledError && error.contended) || attempt >= COMMIT_ATTEMPTS) throw error;
      await sleep(backoffMs(attempt, 20, 10_000));
    }
  }
}

const COMMIT_ATTEMPTS = 6;
