import holidayJp from '@holiday-jp/holiday_jp';
import { japanDateOf } from './japan-time';

/**
 * Business days in Japan (営業日): a weekday that is not a Japanese public holiday (祝日, 振替休日 and 国民の休日
 * included), from the maintained calendar of @holiday-jp/holiday_jp.
 *
 * Everything here works on the calendar date in Japan as text, `YYYY-MM-DD`, and never hands the package a `Date`:
 * it reads a Date in the process's own time zone, and Lambda runs in UTC, where 08:00 on a Monday in Tokyo is still
 * Sunday. The day of the week is read from the date text as a UTC date, which is the same date whatever the zone.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/u;
const DAY_MS = 86_400_000;

/** The calendar's own table: the date text of every holiday it knows → its name. */
const HOLIDAYS: Readonly<Record<string, { name: string }>> = holidayJp.holidays;

/** The last year the calendar knows; past it only weekends are told apart (the package is updated yearly). */
export const HOLIDAY_CALENDAR_LAST_YEAR = Math.max(...Object.keys(HOLIDAYS).map((date) => Number(date.slice(0, 4))));

function parse(date: string): number {
  const match = DATE.exec(date);
  const at = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : Number.NaN;
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== date) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return at;
}

const format = (at: number): string => new Date(at).toISOString().slice(0, 10);

/** The day of the week of a date: 0 Sunday … 6 Saturday. */
export const weekdayOf = (date: string): number => new Date(parse(date)).getUTCDay();

/** The name of the public holiday on the date (`成人の日`, `こどもの日 振替休日`), or undefined. */
export const holidayOn = (date: string): string | undefined => (Object.hasOwn(HOLIDAYS, date) ? HOLIDAYS[date]!.name : undefined);

/** Monday to Friday, and not a public holiday. */
export function isBusinessDay(date: string): boolean {
  const weekday = weekdayOf(date);
  return weekday !== 0 && weekday !== 6 && holidayOn(date) === undefined;
}

/** Whether the instant falls on a business day in Japan (23:00 UTC on a Sunday is Monday 08:00 there). */
export const isBusinessDayAt = (instant: Date | string): boolean => isBusinessDay(japanDateOf(instant));

/** The date `days` calendar days after `date` (before it when negative). */
export const addDays = (date: string, days: number): string => format(parse(date) + days * DAY_MS);

/**
 * The business day `count` business days before `date`, not counting `date` itself: with `count` 1, the business
 * day before it. `count` 0 is `date` itself, whatever day it is.
 */
export function businessDaysBefore(date: string, count: number): string {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`a count of business days is a whole number from 0, not ${count}`);
  let day = date;
  for (let left = count; left > 0; ) {
    day = addDays(day, -1);
    if (isBusinessDay(day)) left--;
  }
  return day;
}
