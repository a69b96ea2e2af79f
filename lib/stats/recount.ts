import { isEffectiveCall } from '../settings/choices';
import type { Item } from '../table/client';
import { keys } from '../table/keys';
import { queryPages } from '../table/queries';
import { japanDateOf, japanDayEnd, japanDayStart } from '../text/japan-time';
import { emptyActivity, flatCounters, type ActivityCounters } from './counters';
import { bucketOf } from './histogram';

/**
 * A user's activity counters recounted from what they count, with queries only (never a scan), as the campaign
 * metrics recount does (lib/read-models/campaign-metrics.ts): its actions over the days (GSI1 `ACTIONS#{userId}`,
 * by `at`) give actions by channel and result, effective calls (with today's effective results), leads touched
 * (distinct leads a day) and first touches (the actions that recorded one, with their minutes); its hand-over and
 * conversion events (GSI1 `LEADEVENTS#{userId}`) the hand-overs and conversions; its deals (GSI1, the owner's, read
 * whole: a deal won in the range may have been made long before) those won in the range, on the day they became
 * won. A recount reports and does not repair: writes in flight keep moving the counters.
 *
 * What it cannot see differently from the writes: which action was a first touch is the action's own record of what
 * its write judged; and the hand-over and conversion events are listed by actor only since the counters exist, so
 * older ones (and deals won before) show as differences, as they would in a campaign's recount of older lists.
 */
export async function recountActivity(userId: string, from: string, to: string): Promise<Map<string, ActivityCounters>> {
  const days = new Map<string, ActivityCounters>();
  const countersOf = (day: string) => days.get(day) ?? days.set(day, emptyActivity()).get(day)!;
  const dayOf = (instant: string) => countersOf(japanDateOf(instant));
  // Sort keys are `{at}#{id}` with `at` in UTC: every instant of the days sorts between these two.
  const between: [string, string] = [japanDayStart(from), japanDayEnd(to)];
  const start = Date.parse(between[0]);
  const end = Date.parse(between[1]);

  const touched = new Set<string>();
  for await (const page of queryPages<Item>({ index: 'gsi1', partition: keys.actionsByActorPartition(userId), sortBetween: between })) {
    for (const action of page) {
      const date = japanDateOf(action.at as string);
      const day = countersOf(date);
      const channel = action.channel as string;
      const result = action.result as string;
      day.actions++;
      day.byChannel[channel] = (day.byChannel[channel] ?? 0) + 1;
      day.byResult[result] = (day.byResult[result] ?? 0) + 1;
      if (isEffectiveCall(channel, result)) day.effectiveCalls++;
      const lead = `${date} ${action.leadId as string}`;
      if (!touched.has(lead)) {
        touched.add(lead);
        day.leadsTouched++;
      }
      if (typeof action.firstTouchMinutes === 'number') {
        day.firstTouches++;
        const bucket = bucketOf(action.firstTouchMinutes);
        day.firstTouchMinutes.set(bucket, (day.firstTouchMinutes.get(bucket) ?? 0) + 1);
      }
    }
  }

  for await (const page of queryPages<Item>({ index: 'gsi1', partition: keys.leadEventsByActorPartition(userId), sortBetween: between })) {
    for (const event of page) {
      if (event.kind === 'handed_over') dayOf(event.at as string).handovers++;
      if (event.kind === 'converted') dayOf(event.at as string).conversions++;
    }
  }

  const won = { expression: '#status = :won', names: { '#status': 'status' }, values: { ':won': 'won' } };
  for await (const page of queryPages<Item>({ index: 'gsi1', partition: keys.dealsByOwnerPartition(userId), filter: won })) {
    for (const deal of page) {
      const closedAt = deal.closedAt as string | undefined;
      if (closedAt === undefined || Date.parse(closedAt) < start || Date.parse(closedAt) >= end) continue;
      const day = dayOf(closedAt);
      day.wonDeals++;
      day.wonAmountJpy += (deal.amountJpy as number | undefined) ?? 0;
    }
  }
  return days;
}

/** Every counter of every day where the stored value and the recount differ. */
export function compareDays(stored: Map<string, ActivityCounters>, recounted: Map<string, ActivityCounters>): { day: string; name: string; counter: number; recount: number }[] {
  const differences: { day: string; name: string; counter: number; recount: number }[] = [];
  for (const day of [...new Set([...stored.keys(), ...recounted.keys()])].sort()) {
    const a = flatCounters(stored.get(day) ?? emptyActivity());
    const b = flatCounters(recounted.get(day) ?? emptyActivity());
    for (const name of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if ((a[name] ?? 0) !== (b[name] ?? 0)) differences.push({ day, name, counter: a[name] ?? 0, recount: b[name] ?? 0 });
    }
  }
  return differences;
}
