import { isDateOnly, japanDateOf, japanDayStart } from '../text/japan-time';
import { addDays, weekdayOf } from '../text/business-days';

/**
 * When the morning digest runs: 08:00 in Japan, Monday to Friday. The cloud's EventBridge schedule
 * (infra/jobs.ts: `cron(0 8 ? * MON-FRI *)`, time zone Asia/Tokyo) and the local stack's timer (lib/local/schedules.ts)
 * are both built from this. Public holidays are weekdays to the schedule: the job itself does nothing on them.
 */
export const DAILY_DIGEST_JOB = 'daily-digest';

export const DAILY_DIGEST_SCHEDULE = {
  hour: 8,
  minute: 0,
  /** 1 Monday … 5 Friday. */
  weekdays: [1, 2, 3, 4, 5] as readonly number[],
  /** The cron fields EventBridge reads in the time zone below. */
  cron: { minute: '0', hour: '8', weekDay: 'MON-FRI' },
  timeZone: 'Asia/Tokyo',
} as const;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

/** The instant of a day's digest: 08:00 that day in Japan. */
export function digestInstantOf(date: string): Date {
  if (!isDateOnly(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  return new Date(Date.parse(japanDayStart(date)) + DAILY_DIGEST_SCHEDULE.hour * HOUR_MS + DAILY_DIGEST_SCHEDULE.minute * MINUTE_MS);
}

/** The first time the schedule fires strictly after `after`. */
export function nextDailyDigestAt(after: Date): Date {
  let date = japanDateOf(after);
  for (;;) {
    const at = digestInstantOf(date);
    if (at.getTime() > after.getTime() && DAILY_DIGEST_SCHEDULE.weekdays.includes(weekdayOf(date))) return at;
    date = addDays(date, 1);
  }
}
