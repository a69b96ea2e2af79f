import { isUntouched, type Lead } from '../leads/model';
import { isEffectiveCall } from '../settings/choices';
import { getItem } from '../table/client';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { txCheck, txPut, type TransactionWrite } from '../table/transaction';
import { japanDateOf } from '../text/japan-time';
import { activityBump, ACTIVITY_WRITE, type ActivityDelta } from './counters';

/**
 * The writes that keep the manager's view: each goes into the transaction of the write it counts (an action, a
 * hand-over, a conversion, a deal won or reopened), so the counters move with it or not at all, exactly as the
 * campaign counters do (lib/campaigns/metrics.ts counterBump). A retried write counts once because its transaction
 * does: an action's retry finds its action already stored and commits nothing (lib/actions/log-action.ts), a
 * conversion's is conditional on the lead, a hand-over's on the lead's version, a deal edit's on the deal's.
 */

/** The label of the leads-touched marker's write in an action's transaction. */
export const TOUCHED_WRITE = 'leadTouched';

let counting = true;
/**
 * For bench/stats.ts only: leaves every activity write out, so that one run can time actions with and without
 * them. Nothing else calls it.
 */
export function countActivity(on: boolean): void {
  counting = on;
}

/**
 * Minutes from when the lead was given to its owner (assignedAt; createdAt for a lead from before it was recorded)
 * to this action, when the action is the owner's first touch: the actor owns the lead, and the lead as read waits
 * for that touch (isUntouched). An action dated before the lead was given is no touch after it: the lead still
 * waits (isUntouched stays true), and the owner's next action is the first touch, so none is counted twice.
 */
export function firstTouchMinutes(actorId: string, lead: Lead, at: string): number | undefined {
  if (lead.ownerId !== actorId || !isUntouched(lead)) return undefined;
  const waited = Date.parse(at) - Date.parse(lead.assignedAt ?? lead.createdAt);
  return waited >= 0 ? waited / 60_000 : undefined;
}

export interface ActionActivity {
  writes: TransactionWrite[];
  /** What the action item records of its counting (the recount reads it back). */
  onAction: { firstTouchMinutes?: number };
}

/**
 * What an action adds to its actor's day: one action, its channel and result, an effective call (a phone action with
 * an effective result), the lead touched if it is the actor's first action on that lead that day, and a first touch.
 *
 * The day is that of the action's `at` in Japan, not of the write: `at` is when the call was made, and a call logged
 * the next morning (or entered late from a paper list) is the work of the day it was made, which is the day a manager
 * reads it under. A late entry therefore moves a past day; the recount, which reads the actions by `at`, agrees.
 *
 * Leads touched counts each lead once a day: a marker per actor, day and lead, read here before the transaction; the
 * transaction either creates it (on condition it is absent) and counts the lead, or checks it is there and does not.
 * Of two actions on one lead the same day at once, one transaction loses its condition (or the lead's version) and
 * is cancelled; logAction reads again and the retry sees the marker.
 */
export async function actionActivity(
  action: { actorId: string; leadId: string; at: string; channel: string; result: string },
  lead: Lead,
  now: Date,
): Promise<ActionActivity> {
  if (!counting) return { writes: [], onAction: {} };
  const day = japanDateOf(action.at);
  const marker = keys.leadTouchedMarker(action.actorId, day, action.leadId);
  const touched = (await getItem(marker, { consistent: true })) !== undefined;
  const waited = firstTouchMinutes(action.actorId, lead, action.at);
  const delta: ActivityDelta = {
    actions: 1,
    channel: action.channel,
    result: action.result,
    effectiveCalls: isEffectiveCall(action.channel, action.result) ? 1 : 0,
    leadsTouched: touched ? 0 : 1,
    ...(waited === undefined ? {} : { firstTouchAfterMinutes: waited }),
  };
  const markerWrite = touched
    ? txCheck(TOUCHED_WRITE, marker, { condition: ITEM_EXISTS })
    : txPut(TOUCHED_WRITE, { ...marker, entity: ENTITY.leadTouched, userId: action.actorId, day, leadId: action.leadId, createdAt: now.toISOString() }, { condition: ITEM_ABSENT });
  return { writes: [markerWrite, activityBump(action.actorId, day, delta, now)], onAction: waited === undefined ? {} : { firstTouchMinutes: waited } };
}

/**
 * A hand-over, counted for the one who hands the lead over (the caller: the lead's rep, or a manager), on the day it
 * happened. Hand-overs and conversions carry no time of their own but the write's.
 */
export const handoverActivity = (actorId: string, now: Date): TransactionWrite[] =>
  counting ? [activityBump(actorId, japanDateOf(now), { handovers: 1 }, now)] : [];

/** A conversion (案件化), counted for the one who converts, on the day it happened. */
export const conversionActivity = (actorId: string, now: Date): TransactionWrite[] =>
  counting ? [activityBump(actorId, japanDateOf(now), { conversions: 1 }, now)] : [];

interface DealState {
  ownerId: string;
  status: string;
  amountJpy?: number;
  closedAt?: string;
}

/**
 * A deal edit's effect on its owner's won deals and amount: a deal that becomes won counts on the day it became won
 * (its closedAt, in Japan), an amount corrected on a won deal moves that same day, and a won deal reopened or lost
 * takes back what it had added there. The same rule as the campaign's won counters (wonContribution), by day.
 */
export function wonDealActivity(before: DealState, after: DealState, now: Date): TransactionWrite[] {
  if (!counting) return [];
  const byDay = new Map<string, { ownerId: string; day: string; wonDeals: number; wonAmountJpy: number }>();
  const count = (deal: DealState, sign: 1 | -1) => {
    if (deal.status !== 'won' || deal.closedAt === undefined) return;
    const day = japanDateOf(deal.closedAt);
    const at = `${deal.ownerId}#${day}`;
    const entry = byDay.get(at) ?? { ownerId: deal.ownerId, day, wonDeals: 0, wonAmountJpy: 0 };
    entry.wonDeals += sign;
    entry.wonAmountJpy += sign * (deal.amountJpy ?? 0);
    byDay.set(at, entry);
  };
  count(before, -1);
  count(after, 1);
  return [...byDay.values()]
    .filter((d) => d.wonDeals !== 0 || d.wonAmountJpy !== 0)
    .map((d) => activityBump(d.ownerId, d.day, { wonDeals: d.wonDeals, wonAmountJpy: d.wonAmountJpy }, now, `${ACTIVITY_WRITE}:${d.ownerId}:${d.day}`));
}
