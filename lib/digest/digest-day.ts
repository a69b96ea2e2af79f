import { businessDaysBefore, holidayOn, isBusinessDay, weekdayOf } from '../text/business-days';
import { japanDateOf, japanDayStart } from '../text/japan-time';

/**
 * The rules of one day's digest: which day an instant's digest is for, whether there is one, what identifies it,
 * and which leads count as left untouched.
 */

/** The day in Japan whose digest a run at `at` makes. */
export const digestDateOf = (at: Date): string => japanDateOf(at);

/** What identifies one user's digest of one day: the notification's id is derived from it, so there is only one. */
export const digestSourceId = (userId: string, date: string): string => `daily-digest/${userId}/${date}`;

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** Why a day has no digest (`Saturday`, `holiday: 成人の日`), or undefined for a business day. */
export function noDigestBecause(date: string): string | undefined {
  if (isBusinessDay(date)) return undefined;
  const holiday = holidayOn(date);
  return holiday ? `holiday: ${holiday}` : WEEKDAY_NAMES[weekdayOf(date)]!;
}

/**
 * "Untouched for more than N business days": a lead is listed when it was given to its owner (or created, for leads
 * from before that was recorded) before the start, in Japan, of the business day N business days before the digest's
 * day. It has then waited N whole business days and is into the next one. With N = 2, on Monday 2026-12-07 that is
 * before Thursday 2026-12-03 00:00 (a lead given on Wednesday is listed, one given on Thursday is not); on Tuesday
 * 2027-01-12, after 成人の日 and a weekend, before Thursday 2027-01-07.
 */
export const untouchedBefore = (date: string, businessDays: number): string => japanDayStart(businessDaysBefore(date, businessDays));
