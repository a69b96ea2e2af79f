import { WEEKLY_REPORT_GRANTS } from '../../infra/job-grants';
import { firstBusinessDayOfWeek, mondayOf } from '../../lib/digest/report-week';
import { weeklyReportRunOf } from '../../lib/digest/schedule';
import type { WeeklyReportResult } from '../../lib/digest/weekly-report';
import { changeText, weekLabel } from '../../lib/digest/weekly-report-mail';
import { dueNotifications } from '../../lib/notifications/dispatch';
import { RELATIVE_ERROR } from '../../lib/stats/histogram';
import { addDays } from '../../lib/text/business-days';
import { japanClockText, japanDateOf } from '../../lib/text/japan-time';
import { runScheduleScript, seedAssignedLead } from '../support/seeded-leads';
import { useLocalStack, type SentMail } from '../support/local-stack';
import { allows, itemGrantsOf, recordTableUse } from '../support/table-usage';
import { eventually } from '../support/waiting';

/**
 * The weekly report through the real parts: a scripted fortnight of actions logged by reps over the HTTP API (weeks
 * 2026-W47 and 2026-W48, in the past, so any day's clock takes them), the job fired as its schedule fires it (the
 * local stack's schedule, into the Lambda handler), the outbox's dispatcher sending through the SES emulator, whose
 * store is where each mail is read back. Hand-overs, conversions and won deals count on the day they are written, so
 * the test of those reports the week it runs in.
 */

const stack = useLocalStack();
const api = (...args: Parameters<ReturnType<typeof stack>['api']>) => stack().api(...args);
const fire = (at: Date | string) => stack().schedules.fire('weekly-report', new Date(at)) as Promise<WeeklyReportResult>;

const USERS = [
  { userId: 'wr-manager', name: '責任者 週報', role: 'manager', team: '週報課' },
  { userId: 'wr-rep1', name: '週報 一郎', role: 'rep', team: '週報課' },
  { userId: 'wr-rep2', name: '週報 <二子>', role: 'rep', team: '週報課' },
  { userId: 'wr-off', name: '責任者 週報なし', role: 'manager', team: '週報課' },
  { userId: 'wr-lonely', name: '責任者 一人', role: 'manager', team: '無人課' },
  { userId: 'wr-other', name: '別課 担当', role: 'rep', team: '別課' },
] as const;
const emailOf = (userId: string) => `${userId}@example.com`;

/** Monday 2026-11-30 08:00 in Tokyo: the report of 2026-W48 (11-23 to 11-29) against 2026-W47 (11-16 to 11-22). */
const MONDAY = '2026-11-30T08:00:00+09:00';
const W48 = { week: '2026-W48', from: '2026-11-23', to: '2026-11-29' };
const W47 = { week: '2026-W47', from: '2026-11-16', to: '2026-11-22' };
const W48_SUBJECT = '【週次レポート】11月23日(月)〜11月29日(日)';
const W47_SUBJECT = '【週次レポート】11月16日(月)〜11月22日(日)';

let campaign: string;
const lead: Record<string, string> = {};

async function seedLead(name: string, ownerId: string, assignedAt: string): Promise<void> {
  lead[name] = await seedAssignedLead({ label: '週報', prefix: 'weekly', name, ownerId, assignedAt, campaignId: campaign });
}

/** An action at a time in Japan (`2026-11-24 09:10`), through the API as the rep logs it. */
async function logged(as: string, name: string, when: string, channel: string, result: string): Promise<void> {
  const res = await api('POST', `/leads/${lead[name]}/actions`, {
    as,
    body: { campaignId: campaign, at: `${when.replace(' ', 'T')}:00+09:00`, channel, content: channel === 'email' ? 'お礼' : 'ヒアリング', result },
  });
  expect([res.status, res.body?.detail]).toEqual([201, undefined]);
}

/** Waits until the outbox holds no e-mail at all, due now or later (the SES emulator refuses a send now and then). */
async function outboxSettled(): Promise<void> {
  await stack().outboxIdle();
  await eventually(async () => expect(await dueNotifications(new Date('9999-12-31T00:00:00Z'), 1)).toEqual([]), 40_000);
}

async function reportMails(userId: string, subject: string): Promise<SentMail[]> {
  await outboxSettled();
  return (await stack().sentMail()).filter((m) => m.destination.to.includes(emailOf(userId)) && m.subject === subject);
}

/** The lines of one rep in a report's plain text: from `・{name}` to the next blank line or rep. */
function repSection(text: string, name: string): string[] {
  const lines = text.split('\n');
  const start = lines.indexOf(`・${name}`);
  expect([name, start >= 0]).toEqual([name, true]);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => !line.startsWith('  '));
  return rest.slice(0, end < 0 ? undefined : end);
}

/** GET /stats/activity's row of a user and week: the read model the report must agree with. */
async function statsRow(userId: string, week: { week: string; from: string; to: string }) {
  const res = await api('GET', `/stats/activity?from=${week.from}&to=${week.to}&groupBy=week&userId=${userId}`, { as: 'admin' });
  expect(res.status).toBe(200);
  return res.body.items.find((row: { period: string }) => row.period === week.week);
}

const near = (minutes: number) => (value: number) => Math.abs(value - minutes) <= minutes * RELATIVE_ERROR + 0.05;
const minutesText = (minutes: number) => `${new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 1 }).format(minutes)}分`;

beforeAll(async () => {
  for (const user of USERS) {
    const created = await api('POST', '/users', { as: 'admin', body: { ...user, email: emailOf(user.userId) } });
    expect(created.status).toBe(201);
  }
  campaign = (await api('POST', '/campaigns', { as: 'marketing', body: { name: '週報セミナー', type: 'seminar', status: 'active' } })).body.campaignId;
  // W47's leads were given on Monday 11-16 at 09:00, W48's on Monday 11-23 at 09:00.
  for (const name of ['P1', 'P2']) await seedLead(name, 'wr-rep1', '2026-11-16T09:00:00+09:00');
  await seedLead('Q1', 'wr-rep2', '2026-11-16T09:00:00+09:00');
  for (const name of ['R1', 'R2', 'R3']) await seedLead(name, 'wr-rep1', '2026-11-23T09:00:00+09:00');
  await seedLead('S1', 'wr-rep2', '2026-11-23T09:00:00+09:00');
  await seedLead('X1', 'wr-other', '2026-11-23T09:00:00+09:00');

  // 2026-W47. wr-rep1: P1 first touched after 30 minutes, P2 after a day (1,440). wr-rep2: Q1 by e-mail after 2,940.
  await logged('wr-rep1', 'P1', '2026-11-16 09:30', 'phone', '不在');
  await logged('wr-rep1', 'P1', '2026-11-16 10:00', 'phone', '興味あり');
  await logged('wr-rep1', 'P2', '2026-11-17 09:00', 'phone', 'アポ獲得');
  await logged('wr-rep2', 'Q1', '2026-11-18 10:00', 'email', '検討中');
  // 2026-W48. wr-rep1: R1 after 1,450 minutes, R2 after 2,880, R3 after 2,940; R1 again that day and on Thursday.
  await logged('wr-rep1', 'R1', '2026-11-24 09:10', 'phone', '興味あり');
  await logged('wr-rep1', 'R1', '2026-11-24 15:00', 'phone', '不在');
  await logged('wr-rep1', 'R2', '2026-11-25 09:00', 'phone', '検討中');
  await logged('wr-rep1', 'R3', '2026-11-25 10:00', 'phone', '見込みなし');
  await logged('wr-rep1', 'R1', '2026-11-26 10:00', 'email', '検討中');
  // wr-rep2: S1 a minute before the week ends (after 9,539 minutes), and a minute after (W49, not reported).
  await logged('wr-rep2', 'S1', '2026-11-29 23:59', 'phone', '不在');
  await logged('wr-rep2', 'S1', '2026-11-30 00:01', 'phone', '興味あり');
  // Another team's rep: in no report of wr-manager's.
  await logged('wr-other', 'X1', '2026-11-24 10:00', 'phone', 'アポ獲得');
}, 120_000);

describe('the weekly-report job', () => {
  let first: WeeklyReportResult;

  test("on the week's first business day each manager gets one mail with its reps' figures of the week before, as worked out by hand", async () => {
    expect((await api('PATCH', '/me/preferences', { as: 'wr-off', body: { weeklyReport: { email: false } } })).body).toEqual({
      dailyDigest: { email: true, inApp: true },
      weeklyReport: { email: false },
    });
    first = await fire(MONDAY);
    expect(first).toMatchObject({ job: 'weekly-report', date: '2026-11-30', firstBusinessDay: true, week: '2026-W48', from: '2026-11-23', to: '2026-11-29', previousWeek: '2026-W47', failed: 0 });
    // The demo manager, wr-manager, wr-off (turned it off) and wr-lonely (no rep in its team).
    expect(first).toMatchObject({ managersConsidered: 4, reportsWritten: 2, skipped: { alreadySent: 0, optedOut: 1, noReps: 1 } });

    const mails = await reportMails('wr-manager', W48_SUBJECT);
    expect(mails).toHaveLength(1);
    const text = mails[0]!.body.text!;
    expect(text.startsWith('責任者 週報 様')).toBe(true);
    // Its team's reps, and nobody else's.
    expect(text.split('\n').filter((line) => line.startsWith('・'))).toEqual(['・週報 <二子>', '・週報 一郎']);

    // wr-rep1, W48: four phone calls (R1 twice, R2, R3), three effective (興味あり, 検討中, 見込みなし); leads touched
    // Tuesday R1, Wednesday R2 and R3, Thursday R1: 4; first touches 1,450, 2,880, 2,940: the median 2,880. W47: three
    // calls, two effective (興味あり, アポ獲得), two leads touched (Monday P1, Tuesday P2), first touches 30 and 1,440.
    const rep1 = await statsRow('wr-rep1', W48);
    const rep1Before = await statsRow('wr-rep1', W47);
    expect([rep1.medianFirstTouchMinutes, near(2880)(rep1.medianFirstTouchMinutes)]).toEqual([rep1.medianFirstTouchMinutes, true]);
    expect([rep1Before.medianFirstTouchMinutes, near(30)(rep1Before.medianFirstTouchMinutes)]).toEqual([rep1Before.medianFirstTouchMinutes, true]);
    expect(repSection(text, '週報 一郎')).toEqual([
      '  架電数: 4件（前週比 ▲1）',
      '  有効コール: 3件（前週比 ▲1）',
      '  対応リード: 4件（前週比 ▲2）',
      `  初動時間（中央値）: ${minutesText(rep1.medianFirstTouchMinutes)}（前週比 ${changeText(rep1.medianFirstTouchMinutes, rep1Before.medianFirstTouchMinutes, '分')}）`,
      '  営業引継ぎ: 0件（前週比 ±0）',
      '  案件化: 0件（前週比 ±0）',
      '  受注金額: 0円（前週比 ±0）',
    ]);
    expect(changeText(rep1.medianFirstTouchMinutes, rep1Before.medianFirstTouchMinutes, '分')).toMatch(/^▲2,\d{3}(\.\d)?分$/);

    // wr-rep2, W48: one call (not effective) on S1, one lead touched, first touch after 9,539 minutes; the call
    // after midnight is W49's. W47: no call (an e-mail), one lead touched, first touch after 2,940 minutes.
    const rep2 = await statsRow('wr-rep2', W48);
    const rep2Before = await statsRow('wr-rep2', W47);
    expect(near(9539)(rep2.medianFirstTouchMinutes)).toBe(true);
    expect(near(2940)(rep2Before.medianFirstTouchMinutes)).toBe(true);
    expect(repSection(text, '週報 <二子>')).toEqual([
      '  架電数: 1件（前週比 ▲1）',
      '  有効コール: 0件（前週比 ±0）',
      '  対応リード: 1件（前週比 ±0）',
      `  初動時間（中央値）: ${minutesText(rep2.medianFirstTouchMinutes)}（前週比 ${changeText(rep2.medianFirstTouchMinutes, rep2Before.medianFirstTouchMinutes, '分')}）`,
      '  営業引継ぎ: 0件（前週比 ±0）',
      '  案件化: 0件（前週比 ±0）',
      '  受注金額: 0円（前週比 ±0）',
    ]);

    // The HTML: the same figures in one table, a bar per figure (wr-rep1's four calls the longest, wr-rep2's one a
    // quarter of it), the rep's name escaped.
    const html = mails[0]!.body.html!;
    expect(html).toContain('週報 &lt;二子&gt;');
    expect(html).not.toContain('<二子>');
    expect(html.match(/role="presentation" width="80"/g)).toHaveLength(2 * 7);
    expect(html).toContain('4件<table role="presentation" width="80" border="0" cellpadding="0" cellspacing="0" style="width:80px;border-collapse:collapse;margin:2px 0;"><tr><td width="80" height="8"');
    expect(html).toContain('1件<table role="presentation" width="80" border="0" cellpadding="0" cellspacing="0" style="width:80px;border-collapse:collapse;margin:2px 0;"><tr><td width="20" height="8"');
    expect(html).toContain('前週比 ▲2');
    expect(html).not.toMatch(/class=|<img|<style/);
  });

  test('a team with no activity still gets its report, saying so; a manager who turned it off or has no reps gets none', async () => {
    const quiet = await reportMails('manager', W48_SUBJECT);
    expect(quiet).toHaveLength(1);
    expect(quiet[0]!.body.text).toContain(`${weekLabel(W48)}は、担当者の活動がありませんでした。`);
    expect(repSection(quiet[0]!.body.text!, '担当 二郎')[0]).toBe('  架電数: 0件（前週比 ±0）');
    for (const userId of ['wr-off', 'wr-lonely', 'wr-rep1']) expect([userId, await reportMails(userId, W48_SUBJECT)]).toEqual([userId, []]);
  });

  test('the report is an e-mail only: nothing is listed or unread in the app', async () => {
    const page = await api('GET', '/me/notifications?limit=100', { as: 'wr-manager' });
    expect(page.body.items.filter((n: { kind: string }) => n.kind === 'weekly_report')).toEqual([]);
    expect(page.body.unreadCount).toBe(0);
  });

  test('the schedule fired again that morning (and the next days) writes and sends nothing more', async () => {
    const again = await fire('2026-11-30T09:30:00+09:00');
    expect(again).toMatchObject({ week: '2026-W48', reportsWritten: 0, skipped: { alreadySent: 2, optedOut: 1, noReps: 1 }, failed: 0 });
    // Only a look at whether each report is there: no rep's counters are read again.
    expect(again.itemsRead).toBeLessThan(first.itemsRead);
    for (const day of ['2026-12-01', '2026-12-02', '2026-12-04']) {
      expect(await fire(weeklyReportRunOf(day))).toMatchObject({ firstBusinessDay: false, reason: 'not the first business day of the week (2026-11-30 was)', managersConsidered: 0, reportsWritten: 0, itemsRead: 0 });
    }
    expect(await reportMails('wr-manager', W48_SUBJECT)).toHaveLength(1);
    expect(await reportMails('manager', W48_SUBJECT)).toHaveLength(1);
  });

  test('a holiday Monday makes nothing; two runs at once on the Tuesday after make one mail per manager between them', async () => {
    await outboxSettled();
    const before = (await stack().sentMail()).length;
    // 2026-11-23 is 勤労感謝の日: the week's first business day is Tuesday 11-24, which reports W47 against W46.
    expect(await fire('2026-11-23T08:00:00+09:00')).toMatchObject({ date: '2026-11-23', firstBusinessDay: false, reason: 'holiday: 勤労感謝の日', managersConsidered: 0, itemsRead: 0 });
    await outboxSettled();
    expect((await stack().sentMail()).length).toBe(before);

    const [one, two] = await Promise.all([fire('2026-11-24T08:00:00+09:00'), fire('2026-11-24T08:00:00+09:00')]);
    expect([one.week, one.failed, two.failed]).toEqual(['2026-W47', 0, 0]);
    expect(one.reportsWritten + two.reportsWritten).toBe(2);
    expect(one.skipped.alreadySent + two.skipped.alreadySent).toBe(2);
    const mails = await reportMails('wr-manager', W47_SUBJECT);
    expect(mails).toHaveLength(1);
    expect(await reportMails('manager', W47_SUBJECT)).toHaveLength(1);
    // W47 against a W46 with nothing in it.
    const rep1 = await statsRow('wr-rep1', W47);
    expect(repSection(mails[0]!.body.text!, '週報 一郎')).toEqual([
      '  架電数: 3件（前週比 ▲3）',
      '  有効コール: 2件（前週比 ▲2）',
      '  対応リード: 2件（前週比 ▲2）',
      `  初動時間（中央値）: ${minutesText(rep1.medianFirstTouchMinutes)}（前週比 —）`,
      '  営業引継ぎ: 0件（前週比 ±0）',
      '  案件化: 0件（前週比 ±0）',
      '  受注金額: 0円（前週比 ±0）',
    ]);
    expect(repSection(mails[0]!.body.text!, '週報 <二子>').slice(0, 3)).toEqual(['  架電数: 0件（前週比 ±0）', '  有効コール: 0件（前週比 ±0）', '  対応リード: 1件（前週比 ▲1）']);
    expect((await stack().sentMail()).length).toBe(before + 2);
  });

  test('after 成人の日 (Monday 2027-01-11) the report goes on Tuesday, for the week across the new year', async () => {
    expect(await fire('2027-01-11T08:00:00+09:00')).toMatchObject({ firstBusinessDay: false, reason: 'holiday: 成人の日', reportsWritten: 0 });
    expect(await fire('2027-01-12T08:00:00+09:00')).toMatchObject({ firstBusinessDay: true, week: '2027-W01', from: '2027-01-04', to: '2027-01-10', previousWeek: '2026-W53', reportsWritten: 2 });
    expect(await reportMails('wr-manager', '【週次レポート】1月4日(月)〜1月10日(日)')).toHaveLength(1);
  });

  test("hand-overs, conversions and won deals count in the week they are made, and the next week's report shows them", async () => {
    // They count on the day they are written: this test reports the week it runs in.
    expect((await api('POST', `/leads/${lead.R2}/handover`, { as: 'wr-rep1', body: { ownerId: 'sales', note: 'デモ希望' } })).status).toBe(200);
    const converted = await api('POST', `/leads/${lead.R3}/convert`, {
      as: 'wr-rep1',
      body: { campaignId: campaign, account: { new: {} }, deal: { name: '週報案件', ownerId: 'wr-rep1', amountJpy: 800_000 }, notify: false },
    });
    expect(converted.status).toBe(201);
    const won = await api('PATCH', `/deals/${converted.body.deal.dealId}`, { as: 'wr-rep1', body: { status: 'won', version: converted.body.deal.version } });
    expect(won.status).toBe(200);

    const nextMonday = addDays(mondayOf(japanDateOf(new Date())), 7);
    const result = await fire(weeklyReportRunOf(firstBusinessDayOfWeek(nextMonday)!));
    expect(result).toMatchObject({ firstBusinessDay: true, from: mondayOf(japanDateOf(new Date())), failed: 0 });
    const mails = await reportMails('wr-manager', `【週次レポート】${weekLabel(result)}`);
    expect(mails).toHaveLength(1);
    expect(repSection(mails[0]!.body.text!, '週報 一郎').slice(4)).toEqual(['  営業引継ぎ: 1件（前週比 ▲1）', '  案件化: 1件（前週比 ▲1）', '  受注金額: 800,000円（前週比 ▲800,000円）']);
  });

  test('the local stack plans the schedule: its next run is 08:00 in Tokyo on a weekday (tests fire it themselves)', () => {
    const next = stack().schedules.nextRuns()['weekly-report']!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(4 * 86_400_000);
    expect(japanClockText(next.toISOString()).slice(11)).toBe('08:00:00');
  });
});

describe('npm run schedule weekly-report', () => {
  const script = (args: string[]) => runScheduleScript(stack(), args);

  test('runs the job once against the running stack as if it were the time given, and prints its result', async () => {
    const run = await script(['weekly-report', '--at', '2026-11-09T08:00:00+09:00']);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const result = JSON.parse(run.stdout) as WeeklyReportResult;
    expect(result).toMatchObject({ job: 'weekly-report', at: '2026-11-08T23:00:00.000Z', date: '2026-11-09', firstBusinessDay: true, week: '2026-W45', reportsWritten: 2, failed: 0 });
    // The stack's own dispatcher sends what the script put in the outbox.
    expect(await reportMails('wr-manager', '【週次レポート】11月2日(月)〜11月8日(日)')).toHaveLength(1);
    // The schedule firing for the same morning finds them written.
    expect(await fire('2026-11-09T08:00:00+09:00')).toMatchObject({ reportsWritten: 0, skipped: { alreadySent: 2 } });
    expect(await reportMails('wr-manager', '【週次レポート】11月2日(月)〜11月8日(日)')).toHaveLength(1);
  }, 60_000);
});

describe('the grants of the weekly-report function', () => {
  test('every table call of a run is granted, and every grant is used', async () => {
    const { handler } = await import('../../functions/jobs/weekly-report');
    const jobs = { weeklyReport: handler };
    const recorder = recordTableUse(jobs as never);
    try {
      const result = await jobs.weeklyReport({ scheduledTime: new Date('2026-11-16T08:00:00+09:00').toISOString() });
      expect(result.reportsWritten).toBeGreaterThan(0);
    } finally {
      recorder.stop();
    }
    const uses = recorder.uses;
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((use) => !allows(WEEKLY_REPORT_GRANTS, use)).map((use) => `${use.command} ${use.actions.join('+')} on ${use.index ?? use.partitions.join(' ')}`)).toEqual([]);
    const unused: string[] = [];
    for (const index of WEEKLY_REPORT_GRANTS.queries ?? []) if (!uses.some((use) => use.index === index)) unused.push(`Query on ${index}`);
    for (const grant of itemGrantsOf(WEEKLY_REPORT_GRANTS)) {
      for (const action of grant.actions) if (!uses.some((use) => !use.index && use.actions.includes(action) && use.partitions.some((p) => grant.partitions.includes(p as never)))) unused.push(`${action}`);
      for (const partition of grant.partitions) if (!uses.some((use) => !use.index && use.partitions.includes(partition))) unused.push(`on ${partition}`);
    }
    expect(unused).toEqual([]);
    expect(uses.filter((use) => use.command === 'Scan')).toEqual([]);
  });
});
