import type { Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { txUpdate, type TransactionWrite } from '../table/transaction';
import { addInto, bucketOf, type Histogram } from './histogram';

/**
 * A user's activity counters of one day in Japan (USERSTATS#{userId} / DAY#{YYYY-MM-DD}): what the manager's view
 * adds up. Every counter is a flat number attribute moved with ADD, so the first write of a day creates the item and
 * no write needs to know what is there: `channel:phone`, `result:アポ獲得` and `firstTouchBucket:42` rather than maps
 * (ADD on a path inside a map fails while the map is absent).
 */

export interface ActivityCounters {
  actions: number;
  byChannel: Record<string, number>;
  byResult: Record<string, number>;
  effectiveCalls: number;
  /** Distinct leads acted on, per day: a lead counts once a day however many actions it had. */
  leadsTouched: number;
  firstTouches: number;
  /** The first touches' durations (minutes from assignment to the first action), by histogram bucket. */
  firstTouchMinutes: Histogram;
  handovers: number;
  conversions: number;
  wonDeals: number;
  wonAmountJpy: number;
}

const SCALARS = ['actions', 'effectiveCalls', 'leadsTouched', 'firstTouches', 'handovers', 'conversions', 'wonDeals', 'wonAmountJpy'] as const;
type Scalar = (typeof SCALARS)[number];

const CHANNEL = 'channel:';
const RESULT = 'result:';
const BUCKET = 'firstTouchBucket:';

export const emptyActivity = (): ActivityCounters => ({
  actions: 0,
  byChannel: {},
  byResult: {},
  effectiveCalls: 0,
  leadsTouched: 0,
  firstTouches: 0,
  firstTouchMinutes: new Map(),
  handovers: 0,
  conversions: 0,
  wonDeals: 0,
  wonAmountJpy: 0,
});

/** What one write adds to a day (negative to undo: a won deal reopened). */
export interface ActivityDelta {
  actions?: number;
  channel?: string;
  result?: string;
  effectiveCalls?: number;
  leadsTouched?: number;
  /** A first touch after this many minutes. */
  firstTouchAfterMinutes?: number;
  handovers?: number;
  conversions?: number;
  wonDeals?: number;
  wonAmountJpy?: number;
}

const DELTA_SCALARS = ['actions', 'effectiveCalls', 'leadsTouched', 'handovers', 'conversions', 'wonDeals', 'wonAmountJpy'] as const satisfies readonly (keyof ActivityDelta & Scalar)[];

/** The flat attributes a delta adds. */
export function deltaAttributes(delta: ActivityDelta): Record<string, number> {
  const add: Record<string, number> = {};
  for (const name of DELTA_SCALARS) if (delta[name]) add[name] = delta[name]!;
  if (delta.channel !== undefined) add[`${CHANNEL}${delta.channel}`] = delta.actions ?? 1;
  if (delta.result !== undefined) add[`${RESULT}${delta.result}`] = delta.actions ?? 1;
  if (delta.firstTouchAfterMinutes !== undefined) {
    add.firstTouches = 1;
    add[`${BUCKET}${bucketOf(delta.firstTouchAfterMinutes)}`] = 1;
  }
  return add;
}

/** The label of a day's counter write in a transaction. */
export const ACTIVITY_WRITE = 'activityCounters';

/** Moves a user's counters of one day, in the transaction of the write they count. */
export function activityBump(userId: string, day: string, delta: ActivityDelta, now: Date, label = ACTIVITY_WRITE): TransactionWrite {
  return txUpdate(label, {
    key: keys.userStatsDay(userId, day),
    changes: { set: { entity: ENTITY.userStats, userId, day, updatedAt: now.toISOString() }, add: deltaAttributes(delta) },
  });
}

/** A day's counters as stored, read back (attributes of no counter are ignored). */
export function countersFromItem(item: Item): ActivityCounters {
  const counters = emptyActivity();
  for (const [attribute, value] of Object.entries(item)) {
    if (typeof value !== 'number') continue;
    if ((SCALARS as readonly string[]).includes(attribute)) counters[attribute as Scalar] = value;
    else if (attribute.startsWith(CHANNEL)) counters.byChannel[attribute.slice(CHANNEL.length)] = value;
    else if (attribute.startsWith(RESULT)) counters.byResult[attribute.slice(RESULT.length)] = value;
    else if (attribute.startsWith(BUCKET)) counters.firstTouchMinutes.set(Number(attribute.slice(BUCKET.length)), value);
  }
  return counters;
}

const addRecord = (target: Record<string, number>, source: Record<string, number>) => {
  for (const [k, n] of Object.entries(source)) target[k] = (target[k] ?? 0) + n;
};

/** Adds `source` into `target`: a period is the sum of its days. */
export function addActivity(target: ActivityCounters, source: ActivityCounters): ActivityCounters {
  for (const name of SCALARS) target[name] += source[name];
  addRecord(target.byChannel, source.byChannel);
  addRecord(target.byResult, source.byResult);
  addInto(target.firstTouchMinutes, source.firstTouchMinutes);
  return target;
}

/**
 * The counters as flat name → number, zeros left out: how a stored day and a recounted one are compared. Channel,
 * result and bucket names carry their prefix.
 */
export function flatCounters(counters: ActivityCounters): Record<string, number> {
  const flat: Record<string, number> = {};
  for (const name of SCALARS) if (counters[name] !== 0) flat[name] = counters[name];
  for (const [k, n] of Object.entries(counters.byChannel)) if (n !== 0) flat[`${CHANNEL}${k}`] = n;
  for (const [k, n] of Object.entries(counters.byResult)) if (n !== 0) flat[`${RESULT}${k}`] = n;
  for (const [b, n] of counters.firstTouchMinutes) if (n !== 0) flat[`${BUCKET}${b}`] = n;
  return flat;
}
