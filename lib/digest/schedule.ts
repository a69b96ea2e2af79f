import { isDateOnly, japanDateOf, japanDayStart } from '../text/japan-time';
import { addDays, weekdayOf } from '../text/business-days';

/**
 * When the scheduled jobs run. The cloud's EventBridge schedules (infra/jobs.ts, time zone Asia/Tokyo) and the local
 * stack's timers (lib/local/schedules.ts) are both built from these definitions.
 *
 * - the morning digest: 08:00 in Japan, Monday to Friday (`cron(0 8 ? * MON-FRI *)`). Public holidays are weekdays to
 *   the schedule: the job itself does nothing on them.
 * - the weekly report: 08:00 in Japan, Monday to Friday as well, because the first business day of a week is Monday
 *   only when Monday is not a public holiday (after 成人の日 it is Tuesday; in Golden Week it can be Thursday). The
 *   job itself decides whether the day is its week's first business day and does nothing on the others.
 */

export interface JobSchedule {
  hour: number;
  minute: number;
  /** 1 Monday … 5 Friday. */
  weekdays: readonly number[];
  /** The cron fields EventBridge reads in the time zone below. */
  cron: { minute: string; hour: string; weekDay: string };
  timeZone: 'Asia/Tokyo';
}

/** 08:00 in Japan, Monday to Friday: the morning both jobs run at. */
const WEEKDAY_MORNINGS: JobSchedule = {
  hour: 8,
  minute: 0,
  weekdays: [1, 2, 3, 4, 5],
  cron: { minute: '0', hour: '8', weekDay: 'MON-FRI' },
  timeZone: 'Asia/Tokyo',
};

export const DAILY_DIGEST_JOB = 'daily-digest';
export const DAILY_DIGEST_SCHEDULE: JobSchedule = WEEKDAY_MORNINGS;

export const WEEKLY_REPORT_JOB = 'weekly-report';
export const WEEKLY_REPORT_SCHEDULE: JobSchedule = WEEKDAY_MORNINGS;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** The instant a schedule fires on a day: its time that day in Japan. */
function runInstantOf(schedule: JobSchedule, date: string): Date {
  if (!isDateOnly(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return new Date(Date.parse(japanDayStart(date)) + schedule.hour * HOUR_MS + schedule.minute * MINUTE_MS);
}

/** The first time a schedule fires strictly after `after`. */
function nextRunOf(schedule: JobSchedule, after: Date): Date {
  let date = japanDateOf(after);
  for (;;) {
    const at = runInstantOf(schedule, date);
    if (at.getTime() > after.getTime() && schedule.weekdays.includes(weekdayOf(date))) return at;
    date = addDays(date, 1);
  }
}

/** The instant of a day's digest: 08:00 that day in Japan. */
export const digestInstantOf = (date: string): Date => runInstantOf(DAILY_DIGEST_SCHEDULE, date);

/** The first time the morning digest's schedule fires strictly after `after`. */
export const nextDailyDigestAt = (after: Date): Date => nextRunOf(DAILY_DIGEST_SCHEDULE, after);

/** The instant the weekly report's schedule fires on a day: 08:00 that day in Japan. */
export const weeklyReportRunOf = (date: string): Date => runInstantOf(WEEKLY_REPORT_SCHEDULE, date);

/** The first time the weekly report's schedule fires strictly after `after` (the job skips all but the first). */
export const nextWeeklyReportAt = (after: Date): Date => nextRunOf(WEEKLY_REPORT_SCHEDULE, after);
