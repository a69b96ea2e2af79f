import { byOpenThenDue, dueDayOf, dueInstantOf, dueWindowOf, japanDayBounds, leadIdOfTask, taskIdFor, type Task } from '../../lib/leads/task-model';

describe('when a task is due, in Japan days', () => {
  // 2026-12-02 00:30 in Tokyo is still 2026-12-01 in UTC.
  const justAfterMidnightInTokyo = new Date('2026-12-01T15:30:00.000Z');

  test("today's bounds are Tokyo's midnight to midnight", () => {
    expect(japanDayBounds(justAfterMidnightInTokyo)).toEqual({ start: '2026-12-01T15:00:00.000Z', end: '2026-12-02T15:00:00.000Z' });
  });

  test('a date is the start of that day in Japan; a timestamp keeps its instant', () => {
    expect(dueInstantOf('2026-12-02')).toBe('2026-12-01T15:00:00.000Z');
    expect(dueInstantOf('2026-12-02T09:00:00+09:00')).toBe('2026-12-02T00:00:00.000Z');
    expect(dueDayOf('2026-12-01T15:00:00Z')).toBe('2026-12-02');
    expect(dueDayOf('2026-12-01T14:59:59Z')).toBe('2026-12-01');
  });

  test.each([
    ['2026-12-01', 'overdue'],
    ['2026-12-01T23:59:59+09:00', 'overdue'],
    ['2026-12-01T14:59:59Z', 'overdue'],
    ['2026-12-02', 'today'],
    ['2026-12-02T00:00:00+09:00', 'today'],
    ['2026-12-01T15:00:00Z', 'today'],
    ['2026-12-02T23:59:59.999+09:00', 'today'],
    ['2026-12-03', 'upcoming'],
    ['2026-12-03T00:00:00+09:00', 'upcoming'],
  ])('%s is %s at 00:30 in Tokyo', (dueAt, window) => {
    expect(dueWindowOf(dueAt, justAfterMidnightInTokyo)).toBe(window);
  });

  test('a task id names its lead', () => {
    const taskId = taskIdFor('01LEAD-with-dash', '01JTASK');
    expect(leadIdOfTask(taskId)).toBe('01LEAD-with-dash');
    expect(leadIdOfTask('nodash')).toBeUndefined();
  });

  test('open tasks come first, each group by due', () => {
    const task = (taskId: string, status: Task['status'], dueAt: string) => ({ taskId, status, dueAt }) as Task;
    const sorted = [task('a', 'done', '2026-01-01'), task('b', 'open', '2026-12-03'), task('c', 'open', '2026-12-02T10:00:00+09:00'), task('d', 'open', '2026-12-02')].sort(byOpenThenDue);
    expect(sorted.map((t) => t.taskId)).toEqual(['d', 'c', 'b', 'a']);
  });
});
