/**
 * The calendar of the manager's view, over days in Japan (lib/text/japan-time.ts japanDateOf): ISO 8601 weeks (Monday
 * first; a week belongs to the year of its Thursday, so 2026-12-31 and 2027-01-03 are in 2026-W53) and months. Pure.
 */

export const GROUP_BY = ['day', 'week', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` date as a day number (days since 1970-01-01), for counting and stepping days. */
const dayNumber = (date: string): number => Date.parse(`${date}T00:00:00.000Z`) / DAY_MS;
const dateOfDayNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** How many days from `from` to `to`, both included (0 when `to` is before `from`). */
export const daysIncluded = (from: string, to: string): number => Math.max(0, dayNumber(to) - dayNumber(from) + 1);

/** The day `days` after `date` (before it when negative). */
export const addDays = (date: string, days: number): string => dateOfDayNumber(dayNumber(date) + days);

/** The ISO week of a date, `YYYY-Www`: weeks start on Monday, and week 1 is the one holding the year's first Thursday. */
export function isoWeekOf(date: string): string {
  const n = dayNumber(date);
  // 1970-01-01 was a Thursday: (n + 3) % 7 is 0 on Mondays.
  const weekday = (((n + 3) % 7) + 7) % 7;
  const thursday = n - weekday + 3;
  const year = dateOfDayNumber(thursday).slice(0, 4);
  const week = Math.floor((thursday - dayNumber(`${year}-01-01`)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** The period a day belongs to, in the given grouping: the day itself, its ISO week, or its month (`YYYY-MM`). */
export function periodOf(date: string, groupBy: GroupBy): string {
  if (groupBy === 'day') return date;
  if (groupBy === 'week') return isoWeekOf(date);
  return date.slice(0, 7);
}

/** The distinct periods of the days from `from` to `to`, in order. */
export function periodsBetween(from: string, to: string, groupBy: GroupBy): string[] {
  const out: string[] = [];
  for (let n = dayNumber(from); n <= dayNumber(to); n++) {
    const period = periodOf(dateOfDayNumber(n), groupBy);
    if (out[out.length - 1] !== period) out.push(period);
  }
  return out;
}
