import { ConditionFailedError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { updateItem } from '../table/client';
import { txCheck, type TransactionWrite } from '../table/transaction';
import type { ImportRecord } from './import-record';
import { FINISHED_STATUSES } from './schema';

/**
 * Who may work an import right now. The lease lets one invocation at a time work an import (a redelivered event
 * finds it held and stops); the campaign's intake lock lets one list import at a time write a campaign's histories.
 */

/**
 * Takes the import for this invocation: only when it is not finished and nobody else holds a live lease. A second
 * delivery of the same event while the first runs gets undefined and stops.
 */
export async function acquireLease(importId: string, owner: string, until: number, now: Date): Promise<ImportRecord | undefined> {
  try {
    return await updateItem<ImportRecord>({
      key: keys.import(importId),
      update: 'SET lease = :lease, #status = :running, startedAt = if_not_exists(startedAt, :now)',
      condition:
        `${ITEM_EXISTS} AND NOT #status IN (:s1, :s2, :s3) AND (attribute_not_exists(lease) OR lease.#until < :nowMs OR lease.#owner = :owner)`,
      names: { '#status': 'status', '#until': 'until', '#owner': 'owner' },
      values: {
        ':lease': { owner, until },
        ':running': 'running',
        ':now': now.toISOString(),
        ':nowMs': now.getTime(),
        ':owner': owner,
        ':s1': FINISHED_STATUSES[0],
        ':s2': FINISHED_STATUSES[1],
        ':s3': FINISHED_STATUSES[2],
      },
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) return undefined;
    throw error;
  }
}

export async function releaseLease(importId: string, owner: string): Promise<void> {
  try {
    await updateItem({
      key: keys.import(importId),
      update: 'REMOVE lease',
      condition: 'lease.#owner = :owner',
      names: { '#owner': 'owner' },
      values: { ':owner': owner },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * The campaign's intake lock: list imports of one campaign take turns (imports of different campaigns run side by
 * side). Returns the import holding it when it is someone else's.
 *
 * `holder` names the invocation taking it. The lock item remembers the first invocation that ever held it, and
 * `first` says whether that is this one: every campaign history of a campaign is written under its lock, so the first
 * holder knows that no history of the campaign existed before it (see Registrar: it need not read them).
 */
export async function acquireCampaignLock(
  campaignId: string,
  importId: string,
  holder: string,
  until: number,
  now: Date,
): Promise<{ heldBy?: string; first?: boolean }> {
  try {
    const lock = await updateItem<{ firstHolder: string }>({
      key: keys.campaignIntakeLock(campaignId),
      update: 'SET entity = :entity, importId = :me, #until = :until, firstHolder = if_not_exists(firstHolder, :holder)',
      condition: `${ITEM_ABSENT} OR #until < :now OR importId = :me`,
      names: { '#until': 'until' },
      values: { ':entity': ENTITY.campaignIntakeLock, ':me': importId, ':until': until, ':now': now.getTime(), ':holder': holder },
      returnItemOnConflict: true,
    });
    return { first: lock.firstHolder === holder };
  } catch (error) {
    if (error instanceof ConditionFailedError) return { heldBy: (error.item?.importId as string | undefined) ?? 'another import' };
    throw error;
  }
}

export async function releaseCampaignLock(campaignId: string, importId: string): Promise<void> {
  try {
    await updateItem({ key: keys.campaignIntakeLock(campaignId), update: 'SET #until = :zero', condition: 'importId = :me', names: { '#until': 'until' }, values: { ':zero': 0, ':me': importId } });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * For the transaction of a campaign history written outside list intake (a lead made by hand): no list import of the
 * campaign holds its intake lock now. The holder writes first histories in plain batches, and the lock's first holder
 * reads none but its own (./register-list.ts), so a history written beside it would be overwritten or counted twice.
 * Checked in the same transaction as the history and the campaign's counters, which also tell a later first holder
 * that the campaign has histories.
 */
export const campaignLockFree = (campaignId: string, now: Date): TransactionWrite =>
  txCheck('intakeLock', keys.campaignIntakeLock(campaignId), {
    condition: `${ITEM_ABSENT} OR #until < :now`,
    names: { '#until': 'until' },
    values: { ':now': now.getTime() },
  });

/** The lease was lost (it expired and another invocation took over): this invocation must stop writing. */
export class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
}
