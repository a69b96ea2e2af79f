import { localJobs, startLocalSchedules, type JobHandler } from '../../lib/local/schedules';
import { nextDailyDigestAt } from '../../lib/digest/schedule';
import { japanClockText } from '../../lib/text/japan-time';

/** The local stack's stand-in for the cloud's schedules: each job at its planned time, then at the next one. */

describe('local schedules', () => {
  test('a job runs at its planned time with the event the cloud sends, then is planned again', async () => {
    const events: { job: string; scheduledTime: string }[] = [];
    let twice!: () => void;
    const ranTwice = new Promise<void>((resolve) => (twice = resolve));
    const handler: JobHandler = async (event) => {
      events.push(event);
      if (events.length === 2) twice();
    };
    const planned: Date[] = [];
    const schedules = startLocalSchedules({
      soon: {
        handler,
        next: (after) => {
          const at = new Date(after.getTime() + 25);
          planned.push(at);
          return at;
        },
      },
    });
    try {
      await ranTwice;
    } finally {
      schedules.stop();
    }
    expect(events.map((e) => e.job)).toEqual(['soon', 'soon']);
    expect(events.map((e) => e.scheduledTime)).toEqual(planned.slice(0, 2).map((at) => at.toISOString()));
    expect(schedules.nextRuns().soon!.getTime()).toBeGreaterThanOrEqual(planned[1]!.getTime());
  });

  test('fired by hand it runs at once as if at the time given; an unknown job is refused', async () => {
    const events: unknown[] = [];
    const weekly: unknown[] = [];
    const schedules = startLocalSchedules(localJobs({ dailyDigest: async (event) => events.push(event), weeklyReport: async (event) => weekly.push(event) }), { timers: false });
    const now = new Date('2026-12-02T10:00:00+09:00');
    // Planned (not armed) for the next 08:00 in Tokyo on a weekday.
    const next = schedules.nextRuns()['daily-digest']!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next).toEqual(nextDailyDigestAt(new Date(next.getTime() - 1)));
    expect(japanClockText(next.toISOString()).slice(11)).toBe('08:00:00');
    await schedules.fire('daily-digest', now);
    expect(events).toEqual([{ job: 'daily-digest', scheduledTime: '2026-12-02T01:00:00.000Z' }]);
    // The weekly report is planned on the same weekday mornings (the job itself picks the week's first business day).
    expect(schedules.nextRuns()['weekly-report']).toEqual(next);
    await schedules.fire('weekly-report', now);
    expect(weekly).toEqual([{ job: 'weekly-report', scheduledTime: '2026-12-02T01:00:00.000Z' }]);
    expect(events).toHaveLength(1);
    await expect(schedules.fire('weekly-digest', now)).rejects.toThrow(/no job weekly-digest/);
    schedules.stop();
  });
});
