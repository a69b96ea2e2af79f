import { isoWeekOf } from '../stats/periods';
import { addDays, holidayOn, isBusinessDay, weekdayOf } from '../text/business-days';
import { japanDateOf } from '../text/japan-time';
import { weeklyReportRunOf } from './schedule';

/**
 * The rules of the weekly report's calendar, pure: on which day of a week it is made (the week's first business day in
 * Japan: Monday, or the next business day when Monday is a public holiday), which ISO week it reports (the one before
 * the run's week, Monday to Sunday in Japan) against which (the week before that), and what identifies one manager's
 * report of one week.
 */

export interface ReportWeek {
  /** The ISO week, `YYYY-Www`. */
  week: string;
  /** Its Monday and Sunday, days in Japan. */
  from: string;
  to: string;
}

export interface ReportCalendar {
  /** The run's day in Japan. */
  date: string;
  /** The first business day of the run's week; undefined for a week without any (none so far in Japan). */
  firstBusinessDay?: string;
  /** The week reported, and the week it is compared with. */
  reported: ReportWeek;
  previous: ReportWeek;
}

const WEEKDAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** The Monday of a date's ISO week. */
export const mondayOf = (date: string): string => addDays(date, -((weekdayOf(date) + 6) % 7));

const weekFrom = (monday: string): ReportWeek => ({ week: isoWeekOf(monday), from: monday, to: addDays(monday, 6) });

/** The first business day of a date's ISO week (Monday unless it is a public holiday, then the next business day). */
export function firstBusinessDayOfWeek(date: string): string | undefined {
  const monday = mondayOf(date);
  for (let day = 0; day < 5; day++) {
    const candidate = addDays(monday, day);
    if (isBusinessDay(candidate)) return candidate;
  }
  return undefined;
}

/** The calendar of a run at `at`: its day, its week's first business day, the week it reports and the one before. */
export function reportCalendarOf(at: Date): ReportCalendar {
  const date = japanDateOf(at);
  const monday = mondayOf(date);
  const first = firstBusinessDayOfWeek(date);
  return { date, ...(first ? { firstBusinessDay: first } : {}), reported: weekFrom(addDays(monday, -7)), previous: weekFrom(addDays(monday, -14)) };
}

/**
 * Why a run's day makes no report (`Saturday`, `holiday: 勤労感謝の日`, `not the first business day of the week
 * (2026-11-30 was)`), or undefined on the week's first business day.
 */
export function noReportBecause(calendar: Pick<ReportCalendar, 'date' | 'firstBusinessDay'>): string | undefined {
  const { date, firstBusinessDay } = calendar;
  if (date === firstBusinessDay) return undefined;
  if (!isBusinessDay(date)) {
    const holiday = holidayOn(date);
    return holiday ? `holiday: ${holiday}` : WEEKDAY_NAMES[weekdayOf(date)]!;
  }
  return `not the first business day of the week (${firstBusinessDay} was)`;
}

/** What identifies one manager's report of one week: the notification's id is derived from it, so there is only one. */
export const weeklyReportSourceId = (managerId: string, week: string): string => `weekly-report/${managerId}/${week}`;

/**
 * The instant a week's report stands for, whenever it is written: 08:00 in Japan on the Monday after the week (even when
 * that Monday is a holiday and the report goes out on Tuesday). Every run for that week makes the same notification id.
 */
export const weeklyReportInstantOf = (week: ReportWeek): Date => weeklyReportRunOf(addDays(week.to, 1));
