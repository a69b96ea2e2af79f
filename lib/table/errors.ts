import type { Item } from './item';

/**
 * What the table adapter throws besides the product's own errors (lib/errors.ts): a lost condition, and a cancelled
 * transaction that says which of its labelled writes failed. Repositories decide what each means (a duplicate, a
 * stale version, already done); nothing outside lib/table reads the SDK's cancellation reasons.
 */

/** A conditional write lost: the caller decides what that means (duplicate, stale version, already done). */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(readonly item?: Item, options?: { cause?: unknown }) {
    super('condition check failed', options);
  }
}

/** Why one write of a transaction stopped it, as DynamoDB reports it ('None' for a write that was fine). */
export interface CancelledWrite {
  label: string;
  code: string;
}

/**
 * A transaction was cancelled. Every write carried a label (lib/table/transaction.ts): `failed('lead')` says whether
 * the write labelled `lead` lost its condition; `contended` whether another transaction held one of the items at that
 * instant (nothing was written; going again usually succeeds).
 */
export class TransactionCancelledError extends Error {
  override readonly name = 'TransactionCancelledError';
  constructor(readonly writes: CancelledWrite[], options?: { cause?: unknown }) {
    super(`transaction cancelled: ${writes.map((w) => `${w.label}=${w.code}`).join(', ')}`, options);
  }

  /** The write (or any of the writes) with this label lost its condition. */
  failed(label: string): boolean {
    return this.writes.some((w) => w.label === label && w.code === 'ConditionalCheckFailed');
  }

  /** Some write lost its condition. */
  get anyFailed(): boolean {
    return this.writes.some((w) => w.code === 'ConditionalCheckFailed');
  }

  /** Another transaction was writing one of these items at the same instant. */
  get contended(): boolean {
    return this.writes.some((w) => w.code === 'TransactionConflict');
  }
}
