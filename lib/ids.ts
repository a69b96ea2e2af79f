import { randomFillSync } from 'node:crypto';
import { ulid } from 'ulid';

/**
 * Ids are ULIDs: sortable by creation time, opaque to clients. The package, left to itself, looks up its random
 * source and asks it for one byte per character on every call (about 50 µs an id); a list import makes one for
 * every new person, so the randomness comes from a pooled buffer instead, refilled from the same source.
 */

const pool = new Uint8Array(4096);
let offset = pool.length;

function randomFraction(): number {
  if (offset === pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  // A byte / 256 picks each of ULID's 32 characters with equal chance, as the package's own source does.
  return pool[offset++]! / 256;
}

/** A new ULID, for `time` (epoch milliseconds) or now. */
export const newId = (time?: number): string => ulid(time, randomFraction);

/**
 * What the API accepts as an id from outside (user ids may be Cognito subs or names like `rep1`): letters, digits,
 * `_` and `-`, at most 64. It also keeps key-injection characters (`#`) out of the table's keys.
 */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const isAcceptableId = (value: string): boolean => ID_PATTERN.test(value);

/** Has the shape of an id this backend makes (a value from outside, such as object metadata, may not). */
export const isId = (value: string): boolean => /^[0-9A-Z]{26}$/.test(value);
