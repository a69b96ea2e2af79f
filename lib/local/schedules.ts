import { log } from '../log';
import { DAILY_DIGEST_JOB, nextDailyDigestAt, nextWeeklyReportAt, WEEKLY_REPORT_JOB } from '../digest/schedule';

/**
 * The cloud's schedules on the local stack: each job's handler is called at the times its EventBridge schedule
 * would call it (computed from the same definition), with the event the schedule sends, and again at every next
 * time. `fire` runs a job at once as if it were a given time, for tests and `npm run schedule`, without waiting.
 */

export type JobHandler = (event: { job: string; scheduledTime: string }) => Promise<unknown>;

export interface LocalJob {
  handler: JobHandler;
  /** The first time the schedule fires strictly after the instant given. */
  next: (after: Date) => Date;
}

export interface LocalSchedules {
  /** When each job fires next. */
  nextRuns(): Record<string, Date>;
  /** Runs the job now as its schedule would at `at` (now when not given); answers what its handler answered. */
  fire(job: string, at?: Date): Promise<unknown>;
  stop(): void;
}

/** The jobs and their schedules, as infra/jobs.ts deploys them. */
export const localJobs = (handlers: { dailyDigest: JobHandler; weeklyReport: JobHandler }): Record<string, LocalJob> => ({
  [DAILY_DIGEST_JOB]: { handler: handlers.dailyDigest, next: nextDailyDigestAt },
  [WEEKLY_REPORT_JOB]: { handler: handlers.weeklyReport, next: nextWeeklyReportAt },
});

/** setTimeout holds at most about 24.8 days; a later run waits in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * `timers: false` plans the runs without arming them: the integration tests fire jobs themselves at the instants
 * they name, and a suite running across 08:00 in Tokyo must not get a digest it did not ask for.
 */
export function startLocalSchedules(jobs: Record<string, LocalJob>, options: { clock?: () => Date; timers?: boolean } = {}): LocalSchedules {
  const clock = options.clock ?? (() => new Date());
  const armed = options.timers ?? true;
  const timers = new Map<string, NodeJS.Timeout>();
  const upcoming = new Map<string, Date>();
  let stopped = false;

  const fire = async (job: string, at = clock()) => {
    const entry = jobs[job];
    if (!entry) throw new Error(`no job ${job}; the jobs are ${Object.keys(jobs).join(', ')}`);
    return entry.handler({ job, scheduledTime: at.toISOString() });
  };

  const plan = (job: string) => {
    if (stopped) return;
    const at = jobs[job]!.next(clock());
    upcoming.set(job, at);
    if (!armed) return;
    const wait = () => {
      const left = at.getTime() - clock().getTime();
      const timer = setTimeout(
        () => {
          if (stopped) return;
          if (left > MAX_TIMER_MS) return wait();
          fire(job, at)
            .catch((error) => log.error('scheduled job failed', { job, errorName: (error as Error).name }))
            .finally(() => plan(job));
        },
        Math.max(0, Math.min(left, MAX_TIMER_MS)),
      );
      // The schedule alone does not keep the process alive: the servers do.
      timer.unref();
      timers.set(job, timer);
    };
    wait();
  };

  for (const job of Object.keys(jobs)) plan(job);
  return {
    nextRuns: () => Object.fromEntries(upcoming),
    fire,
    stop: () => {
      stopped = true;
      for (const timer of timers.values()) clearTimeout(timer);
    },
  };
}
