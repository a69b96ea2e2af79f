import { runDailyDigest, type DailyDigestResult } from '../../lib/digest/daily-digest';
import { log } from '../../lib/log';
import { observedHandler } from '../../lib/observability';

/**
 * The `daily-digest` job's entry point. EventBridge Scheduler invokes it at 08:00 in Japan on weekdays with
 * `{ "job": "daily-digest", "scheduledTime": "<aws.scheduler.scheduled-time>" }` (infra/jobs.ts); the local stack's
 * timer and `npm run schedule` call it the same way. The run stands for the scheduled time, so a retry hours later
 * still makes that morning's digest (which it finds already written); without one, for now.
 *
 * A run in which some users' digests failed throws after every other user was served, so that the invocation is
 * retried: the retry skips the digests already written.
 */

export interface ScheduledJobEvent {
  job?: string;
  /** EventBridge Scheduler's `<aws.scheduler.scheduled-time>`. */
  scheduledTime?: string;
  /** An EventBridge rule's scheduled event names its time here. */
  time?: string;
}

/** The instant the event stands for: its scheduled time when it carries a valid one, else now. */
export function scheduledTimeOf(event: ScheduledJobEvent | undefined, now = new Date()): Date {
  for (const value of [event?.scheduledTime, event?.time]) {
    if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return new Date(value);
  }
  return now;
}

export const handler = observedHandler(async function dailyDigest(event: ScheduledJobEvent | undefined): Promise<DailyDigestResult> {
  const result = await runDailyDigest(scheduledTimeOf(event));
  log.info('daily digest run', { ...result });
  if (result.failed > 0) throw Object.assign(new Error(`the daily digest of ${result.failed} users could not be made`), { name: 'DailyDigestIncomplete', result });
  return result;
});
