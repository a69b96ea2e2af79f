import { runWeeklyReport, type WeeklyReportResult } from '../../lib/digest/weekly-report';
import { log } from '../../lib/log';
import { scheduledTimeOf, type ScheduledJobEvent } from './daily-digest';

/**
 * The `weekly-report` job's entry point. EventBridge Scheduler invokes it at 08:00 in Japan on weekdays with
 * `{ "job": "weekly-report", "scheduledTime": "<aws.scheduler.scheduled-time>" }` (infra/jobs.ts); the local stack's
 * timer and `npm run schedule` call it the same way. The run stands for the scheduled time: on the first business day
 * of a week it reports the week before (a retry hours later finds the reports written), on any other day it does
 * nothing.
 *
 * A run in which some managers' reports failed throws after every other manager was served, so that the invocation is
 * retried: the retry skips the reports already written.
 */
export async function handler(event: ScheduledJobEvent = {}): Promise<WeeklyReportResult> {
  const result = await runWeeklyReport(scheduledTimeOf(event));
  log.info('weekly report run', { ...result });
  if (result.failed > 0) throw Object.assign(new Error(`the weekly report of ${result.failed} managers could not be made`), { name: 'WeeklyReportIncomplete', result });
  return result;
}
