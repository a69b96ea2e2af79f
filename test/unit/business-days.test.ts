import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { addDays, businessDaysBefore, HOLIDAY_CALENDAR_LAST_YEAR, holidayOn, isBusinessDay, isBusinessDayAt, weekdayOf } from '../../lib/text/business-days';

/** Business days in Japan, decided on the date in Japan whatever the time zone of the process. */

describe('business days in Japan', () => {
  test.each([
    ['2026-12-02', true, 'a Wednesday'],
    ['2026-12-05', false, 'a Saturday'],
    ['2026-12-06', false, 'a Sunday'],
    ['2027-01-11', false, '成人の日, a Monday'],
    ['2026-05-06', false, '振替休日 for 憲法記念日 on a Sunday'],
    ['2026-09-22', false, '国民の休日 between 敬老の日 and 秋分の日'],
    ['2027-01-12', true, 'the Tuesday after 成人の日'],
    ['2026-12-31', true, 'New Year’s Eve, a weekday and no public holiday'],
    ['2027-01-01', false, '元日'],
  ])('%s is a business day: %s (%s)', (date, expected) => {
    expect(isBusinessDay(date)).toBe(expected);
  });

  test('the calendar names its holidays, substitute holidays included', () => {
    expect(holidayOn('2027-01-11')).toBe('成人の日');
    expect(holidayOn('2026-05-06')).toMatch(/振替休日/);
    expect(holidayOn('2026-12-02')).toBeUndefined();
    expect(HOLIDAY_CALENDAR_LAST_YEAR).toBeGreaterThanOrEqual(2050);
  });

  test('08:00 in Tokyo on a Monday is 23:00 UTC on the Sunday, and it is Monday that counts', () => {
    expect(isBusinessDayAt('2026-12-06T23:00:00Z')).toBe(true);
    expect(isBusinessDayAt(new Date('2026-12-07T08:00:00+09:00'))).toBe(true);
    // 08:00 on Saturday in Tokyo is a Friday in UTC.
    expect(isBusinessDayAt('2026-12-04T23:00:00Z')).toBe(false);
    // 成人の日 2027 at 08:00 in Tokyo.
    expect(isBusinessDayAt('2027-01-10T23:00:00Z')).toBe(false);
  });

  test('days of the week and calendar arithmetic work on the date text', () => {
    expect(weekdayOf('2026-12-07')).toBe(1);
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
    expect(() => weekdayOf('2026-02-30')).toThrow(RangeError);
    expect(() => weekdayOf('2026/12/02')).toThrow(RangeError);
  });

  test('counting business days back skips weekends and holidays, and never counts the day itself', () => {
    // Monday 2026-12-07: Friday, then Thursday.
    expect(businessDaysBefore('2026-12-07', 1)).toBe('2026-12-04');
    expect(businessDaysBefore('2026-12-07', 2)).toBe('2026-12-03');
    // Tuesday 2027-01-12, the day after 成人の日: Friday 01-08, then Thursday 01-07.
    expect(businessDaysBefore('2027-01-12', 1)).toBe('2027-01-08');
    expect(businessDaysBefore('2027-01-12', 2)).toBe('2027-01-07');
    // Golden Week 2026: 05-03 (Sun) 憲法記念日, 05-04, 05-05, 05-06 振替休日; Thursday 05-07 looks back to 05-01.
    expect(businessDaysBefore('2026-05-07', 1)).toBe('2026-05-01');
    expect(businessDaysBefore('2026-12-07', 0)).toBe('2026-12-07');
    expect(() => businessDaysBefore('2026-12-07', -1)).toThrow(RangeError);
  });

  test('the answers are the same whatever the time zone of the process (Lambda runs in UTC)', () => {
    const probe = [
      "const b = require('./lib/text/business-days');",
      "process.stdout.write(JSON.stringify([",
      "  b.isBusinessDay('2027-01-11'), b.isBusinessDay('2026-05-06'), b.isBusinessDay('2026-12-05'), b.isBusinessDay('2026-12-07'),",
      "  b.isBusinessDayAt('2026-12-06T23:00:00Z'), b.isBusinessDayAt('2027-01-10T23:00:00Z'), b.businessDaysBefore('2027-01-12', 2),",
      "  new Date().getTimezoneOffset()]));",
    ].join('\n');
    const tsx = join(__dirname, '../../node_modules/.bin/tsx');
    const run = (tz: string) => JSON.parse(execFileSync(tsx, ['-e', probe], { cwd: join(__dirname, '../..'), env: { ...process.env, TZ: tz }, encoding: 'utf8' })) as unknown[];
    const utc = run('UTC');
    const tokyo = run('Asia/Tokyo');
    const honolulu = run('Pacific/Honolulu');
    // Each process really ran in its zone…
    expect([utc.at(-1), tokyo.at(-1), honolulu.at(-1)]).toEqual([0, -540, 600]);
    // …and all three answered the same.
    const expected = [false, false, false, true, true, false, '2027-01-07'];
    expect([utc.slice(0, -1), tokyo.slice(0, -1), honolulu.slice(0, -1)]).toEqual([expected, expected, expected]);
  }, 60_000);
});
