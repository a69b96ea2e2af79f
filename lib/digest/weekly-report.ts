import { forEachConcurrently } from '../async';
import { log } from '../log';
import { newNotification, notificationIdFor } from '../notifications/model';
import { noActivityFigures, weeklyRowsOf } from '../stats/activity';
import type { ActivityRow } from '../stats/schema';
import { getItem } from '../table/client';
import { keys } from '../table/keys';
import { preferencesOfUsers } from '../users/preferences';
import { everyUser } from '../users/repository';
import type { User } from '../users/schema';
import { noReportBecause, reportCalendarOf, weeklyReportInstantOf, weeklyReportSourceId, type ReportCalendar } from './report-week';
import { teamRepsOf } from './team-overdue';
import { weeklyReportMessage, type RepWeek, type WeeklyFigures } from './weekly-report-mail';
import { writeNotificationOnce } from './write-once';

/**
 * The `weekly-report` job: at 08:00 on the first business day of a week in Japan, each active manager gets one e-mail
 * with the week before (ISO week, Monday to Sunday in Japan), per rep of its team (lib/digest/team-overdue.ts
 * teamRepsOf, the rule the morning digest counts a team by): calls, effective calls, leads touched, median speed to
 * lead, hand-overs, conversions, won amount, and each figure's change against the week before that. On any other day
 * it does nothing, and says why.
 *
 * The figures are GET /stats/activity?groupBy=week's (lib/stats/activity.ts weeklyRowsOf): one Query of each rep's
 * counter days over the two weeks, each rep read once however many managers it reports to.
 *
 * Exactly once per manager and week, however often it runs: the notification's id is derived from
 * `weekly-report/{managerId}/{week}` and 08:00 on the Monday after the week (not from when the run happens), and it is
 * written only if it is not there (lib/digest/write-once.ts). A second run reads one key per manager and nothing more;
 * two runs at once both try, one wins and the other is refused by that condition. The outbox sends the e-mail once.
 * The notification is e-mail only: born read, never listed in the app.
 */

export interface WeeklyReportResult {
  job: 'weekly-report';
  /** The instant the run stood for, and its day in Japan. */
  at: string;
  date: string;
  /** Whether that day is its week's first business day (the only day a report is made). */
  firstBusinessDay: boolean;
  /** Why nothing was done (`Saturday`, `holiday: 勤労感謝の日`, `not the first business day of the week (… was)`). */
  reason?: string;
  /** The ISO week reported, its days, and the week it is compared with. */
  week: string;
  from: string;
  to: string;
  previousWeek: string;
  managersConsidered: number;
  reportsWritten: number;
  /** alreadySent: written by an earlier run; optedOut: the manager turned the e-mail off; noReps: no active rep in its team. */
  skipped: { alreadySent: number; optedOut: number; noReps: number };
  /** Managers whose report could not be made this run (the error is logged; the next run tries again). */
  failed: number;
  itemsRead: number;
}

const CONCURRENCY = 4;
/** Each manager's reps are read this many at a time (GET /stats/activity reads 16 users at a time). */
const READS_IN_FLIGHT = 8;

type Outcome = 'written' | keyof WeeklyReportResult['skipped'];

/** The figures the report shows, from an activity stats row: calls are the phone actions. */
export const weeklyFiguresOf = (row: Pick<ActivityRow, 'byChannel' | 'effectiveCalls' | 'leadsTouched' | 'medianFirstTouchMinutes' | 'handovers' | 'conversions' | 'wonAmountJpy'>): WeeklyFigures => ({
  calls: row.byChannel.phone ?? 0,
  effectiveCalls: row.effectiveCalls,
  leadsTouched: row.leadsTouched,
  medianFirstTouchMinutes: row.medianFirstTouchMinutes,
  handovers: row.handovers,
  conversions: row.conversions,
  wonAmountJpy: row.wonAmountJpy,
});

export async function runWeeklyReport(at: Date, now = new Date()): Promise<WeeklyReportResult> {
  const calendar = reportCalendarOf(at);
  const result: WeeklyReportResult = {
    job: 'weekly-report',
    at: at.toISOString(),
    date: calendar.date,
    firstBusinessDay: true,
    week: calendar.reported.week,
    from: calendar.reported.from,
    to: calendar.reported.to,
    previousWeek: calendar.previous.week,
    managersConsidered: 0,
    reportsWritten: 0,
    skipped: { alreadySent: 0, optedOut: 0, noReps: 0 },
    failed: 0,
    itemsRead: 0,
  };
  const reason = noReportBecause(calendar);
  if (reason) return { ...result, firstBusinessDay: false, reason };

  const users = await everyUser();
  const managers = users.filter((user) => user.active && user.role === 'manager');
  const preferences = await preferencesOfUsers(managers.map((user) => user.userId));
  const run: ReportRun = { calendar, now, users, weeks: new Map(), itemsRead: users.length + managers.length };

  result.managersConsidered = managers.length;
  await forEachConcurrently(managers, CONCURRENCY, async (manager) => {
    try {
      const outcome = preferences.get(manager.userId)!.weeklyReport.email ? await reportFor(manager, run) : 'optedOut';
      if (outcome === 'written') result.reportsWritten++;
      else result.skipped[outcome]++;
    } catch (error) {
      result.failed++;
      log.error('weekly report failed for a manager', { userId: manager.userId, errorName: (error as Error).name });
    }
  });
  return { ...result, itemsRead: run.itemsRead };
}

interface ReportRun {
  calendar: ReportCalendar;
  now: Date;
  users: readonly User[];
  /** Each rep's two weeks, read once per run. */
  weeks: Map<string, Promise<Omit<RepWeek, 'name' | 'userId'>>>;
  itemsRead: number;
}

/** A rep's figures of the week reported and of the week before: one Query over both weeks' counter days. */
function repWeeks(rep: User, run: ReportRun): Promise<Omit<RepWeek, 'name' | 'userId'>> {
  let read = run.weeks.get(rep.userId);
  if (!read) {
    const { reported, previous } = run.calendar;
    read = weeklyRowsOf(rep, previous.from, reported.to).then(({ rows, itemsRead }) => {
      run.itemsRead += itemsRead;
      const figures = (week: string) => weeklyFiguresOf(rows.get(week) ?? noActivityFigures());
      return { week: figures(reported.week), previous: figures(previous.week) };
    });
    // A failed read is not kept: the next manager's report reads again.
    read.catch(() => run.weeks.delete(rep.userId));
    run.weeks.set(rep.userId, read);
  }
  return read;
}

async function reportFor(manager: User, run: ReportRun): Promise<Outcome> {
  const { reported, previous } = run.calendar;
  const sourceId = weeklyReportSourceId(manager.userId, reported.week);
  const idAt = weeklyReportInstantOf(reported);
  const existing = await getItem(keys.notification(manager.userId, notificationIdFor(sourceId, manager.userId, 'weekly_report', idAt)));
  run.itemsRead++;
  if (existing) return 'alreadySent';

  const reps = teamRepsOf(manager, run.users).sort((a, b) => a.name.localeCompare(b.name, 'ja') || a.userId.localeCompare(b.userId));
  if (reps.length === 0) return 'noReps';
  const rows: RepWeek[] = new Array(reps.length);
  await forEachConcurrently(reps, READS_IN_FLIGHT, async (rep, i) => {
    rows[i] = { userId: rep.userId, name: rep.name, ...(await repWeeks(rep, run)) };
  });
  const message = weeklyReportMessage({ recipientName: manager.name, reported, previous, reps: rows });
  const notification = newNotification({
    userId: manager.userId,
    kind: 'weekly_report',
    sourceId,
    title: message.title,
    body: message.body,
    leadIds: [],
    mail: message.mail,
    // The report is an e-mail: nothing in the app's list, nothing unread.
    channels: { email: true, inApp: false },
    idAt,
    now: run.now,
  });
  return writeNotificationOnce(notification);
}
