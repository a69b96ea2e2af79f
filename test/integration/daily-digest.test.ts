import { ulid } from 'ulid';
import { DAILY_DIGEST_GRANTS } from '../../infra/job-grants';
import type { DailyDigestResult } from '../../lib/digest/daily-digest';
import { leadItem, type Lead } from '../../lib/leads/model';
import { taskIdFor, taskItem, type Task } from '../../lib/leads/task-model';
import { digestSourceId } from '../../lib/digest/digest-day';
import { digestInstantOf } from '../../lib/digest/schedule';
import { notificationIdFor } from '../../lib/notifications/model';
import { batchWrite, getItem, putRequest } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { japanClockText } from '../../lib/text/japan-time';
import { weekdayOf } from '../../lib/text/business-days';
import { dueNotifications } from '../../lib/notifications/dispatch';
import { runScheduleScript } from '../support/seeded-leads';
import { useLocalStack, type SentMail } from '../support/local-stack';
import { eventually } from '../support/waiting';
import { allows, itemGrantsOf, recordTableUse } from '../support/table-usage';

/**
 * The morning digest through the real parts: leads and tasks in DynamoDB Local, the job fired as the schedule fires
 * it (the local stack's schedule, into the Lambda handler), the outbox's dispatcher sending through the SES emulator,
 * preferences set over HTTP. Every run names its instant, so no test depends on today's date.
 */

const stack = useLocalStack();
const api = (...args: Parameters<ReturnType<typeof stack>['api']>) => stack().api(...args);

const APP = 'http://localhost:3000';
/** Wednesday 2026-12-02, 08:00 in Tokyo (23:00 UTC on Tuesday), and the days after. */
const WEDNESDAY = new Date('2026-12-02T08:00:00+09:00');
const THURSDAY = new Date('2026-12-03T08:00:00+09:00');
const FRIDAY = '2026-12-04T08:00:00+09:00';
const MONDAY = new Date('2026-12-07T08:00:00+09:00');
const SATURDAY = new Date('2026-12-05T08:00:00+09:00');
const COMING_OF_AGE_DAY = new Date('2027-01-11T08:00:00+09:00');

const fire = (at: Date) => stack().schedules.fire('daily-digest', at) as Promise<DailyDigestResult>;

const USERS = [
  { userId: 'dg-manager', name: '責任者 ダイジェスト', role: 'manager', team: 'ダイジェスト課' },
  { userId: 'dg-rep', name: '担当 ダイジェスト一', role: 'rep', team: 'ダイジェスト課' },
  { userId: 'dg-rep2', name: '担当 ダイジェスト二', role: 'rep', team: 'ダイジェスト課' },
  { userId: 'dg-idle', name: '担当 ダイジェスト暇', role: 'rep', team: 'ダイジェスト課' },
  { userId: 'dg-off', name: '担当 通知なし', role: 'rep', team: 'ダイジェスト設定課' },
  { userId: 'dg-inapp', name: '担当 アプリのみ', role: 'rep', team: 'ダイジェスト設定課' },
  { userId: 'dg-mail', name: '担当 メールのみ', role: 'sales', team: 'ダイジェスト設定課' },
] as const;
const emailOf = (userId: string) => `${userId}@example.com`;

/** A lead written straight to the table, owned and given to its owner at `assignedAt` (stored in UTC, as writes do). */
async function seedLead(input: { name: string; ownerId: string; assignedAt: string; company?: string; stage?: Lead['stage']; erased?: boolean }): Promise<string> {
  const leadId = ulid();
  const assignedAt = new Date(input.assignedAt).toISOString();
  const lead: Lead = {
    leadId,
    name: input.name,
    ...(input.company ? { company: input.company } : {}),
    stage: input.stage ?? 'new',
    ownerId: input.ownerId,
    assignedAt,
    ...(input.erased ? { erased: true } : {}),
    extra: {},
    matchKey: `e:${leadId.toLowerCase()}@example.com`,
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: assignedAt,
    version: 1,
  };
  await batchWrite([putRequest(leadItem(lead))]);
  return leadId;
}

/** A task through the API, as the owner adds it. */
async function addTask(as: string, leadId: string, kind: string, title: string, dueAt: string): Promise<void> {
  const created = await api('POST', `/leads/${leadId}/tasks`, { as, body: { kind, title, dueAt } });
  expect(created.status).toBe(201);
}

/** An open task left on a lead that no longer takes them (written before that rule, or by a lead since erased). */
async function leftoverTask(assigneeId: string, leadId: string, title: string, dueAt: string): Promise<void> {
  const task: Task = { taskId: taskIdFor(leadId, ulid()), leadId, assigneeId, kind: 'call', title, dueAt, status: 'open', createdBy: assigneeId, createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z', version: 1 };
  await batchWrite([putRequest(taskItem(task))]);
}

/**
 * Waits until the outbox holds no e-mail at all, due now or later. The SES emulator now and then refuses a send for
 * a moment; the dispatcher retries it a moment later, after outboxIdle() has seen nothing due *now*.
 */
async function outboxSettled(): Promise<void> {
  await stack().outboxIdle();
  await eventually(async () => expect(await dueNotifications(new Date('9999-12-31T00:00:00Z'), 1)).toEqual([]), 40_000);
}

async function digestMails(userId: string, day?: string): Promise<SentMail[]> {
  await outboxSettled();
  return (await stack().sentMail()).filter((m) => m.destination.to.includes(emailOf(userId)) && m.subject.startsWith(`【本日の対応】${day ?? ''}`));
}

async function digestNotifications(userId: string): Promise<any[]> {
  const page = await api('GET', '/me/notifications?limit=100', { as: userId });
  expect(page.status).toBe(200);
  return page.body.items.filter((n: { kind: string }) => n.kind === 'daily_digest');
}

const leads: Record<string, string> = {};

beforeAll(async () => {
  for (const user of USERS) {
    const created = await api('POST', '/users', { as: 'admin', body: { ...user, email: emailOf(user.userId) } });
    expect(created.status).toBe(201);
  }
  // dg-rep: two overdue tasks, two due today (and one tomorrow), one lead waiting since the Friday before, and tasks
  // left on a converted lead and on an erased one.
  leads.a = await seedLead({ name: '田中 一郎', company: '株式会社ミライ商事', ownerId: 'dg-rep', assignedAt: '2026-12-01T09:00:00+09:00' });
  leads.b = await seedLead({ name: '佐藤 花子', company: 'ヒカリ工業', ownerId: 'dg-rep', assignedAt: '2026-12-01T09:00:00+09:00' });
  leads.c = await seedLead({ name: '鈴木 三郎', company: 'ソラ電機', ownerId: 'dg-rep', assignedAt: '2026-11-27T10:00:00+09:00' });
  leads.d = await seedLead({ name: '高橋 四郎', ownerId: 'dg-rep', assignedAt: '2026-11-30T10:00:00+09:00' });
  leads.e = await seedLead({ name: '伊藤 案件済', ownerId: 'dg-rep', assignedAt: '2026-11-20T10:00:00+09:00', stage: 'converted' });
  leads.f = await seedLead({ name: '（消去済み）', ownerId: 'dg-rep', assignedAt: '2026-11-20T10:00:00+09:00', erased: true });
  await addTask('dg-rep', leads.a, 'call', '折り返し電話', '2026-11-30');
  await addTask('dg-rep', leads.a, 'email', '見積送付', '2026-12-01T10:00:00+09:00');
  await addTask('dg-rep', leads.b, 'visit', '訪問準備', '2026-12-02');
  await addTask('dg-rep', leads.b, 'meeting', 'Web会議', '2026-12-02T15:00:00+09:00');
  await addTask('dg-rep', leads.b, 'call', '来週の確認', '2026-12-03');
  await leftoverTask('dg-rep', leads.e, '案件化済みの電話', '2026-12-02');
  await leftoverTask('dg-rep', leads.f, '消去済みの電話', '2026-12-02T11:00:00+09:00');
  // dg-rep2: one overdue task. dg-idle: only a task due next week.
  leads.g = await seedLead({ name: '渡辺 五郎', ownerId: 'dg-rep2', assignedAt: '2026-12-01T09:00:00+09:00' });
  await addTask('dg-rep2', leads.g, 'call', '再架電', '2026-12-01');
  leads.h = await seedLead({ name: '山本 六郎', ownerId: 'dg-idle', assignedAt: '2026-12-01T09:00:00+09:00' });
  await addTask('dg-idle', leads.h, 'call', '来週の電話', '2026-12-10');
  // The three who changed their preferences, each with one overdue task.
  for (const userId of ['dg-off', 'dg-inapp', 'dg-mail']) {
    leads[userId] = await seedLead({ name: `中村 ${userId}`, ownerId: userId, assignedAt: '2026-12-01T09:00:00+09:00' });
    await addTask(userId, leads[userId]!, 'call', '期限切れの電話', '2026-12-01');
  }
}, 60_000);

describe('GET and PATCH /me/preferences', () => {
  test('both channels (and the weekly report) are on until the user turns one off; a PATCH changes only what it names', async () => {
    expect((await api('GET', '/me/preferences', { as: 'dg-inapp' })).body).toEqual({ dailyDigest: { email: true, inApp: true }, weeklyReport: { email: true } });
    const patched = await api('PATCH', '/me/preferences', { as: 'dg-inapp', body: { dailyDigest: { email: false } } });
    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ dailyDigest: { email: false, inApp: true }, weeklyReport: { email: true } });
    expect((await api('GET', '/me/preferences', { as: 'dg-inapp' })).body).toEqual({ dailyDigest: { email: false, inApp: true }, weeklyReport: { email: true } });
    // Another user's are their own.
    expect((await api('GET', '/me/preferences', { as: 'dg-rep' })).body).toEqual({ dailyDigest: { email: true, inApp: true }, weeklyReport: { email: true } });

    expect((await api('PATCH', '/me/preferences', { as: 'dg-off', body: { dailyDigest: { email: false, inApp: false } } })).body).toEqual({ dailyDigest: { email: false, inApp: false }, weeklyReport: { email: true } });
    expect((await api('PATCH', '/me/preferences', { as: 'dg-mail', body: { dailyDigest: { inApp: false } } })).body).toEqual({ dailyDigest: { email: true, inApp: false }, weeklyReport: { email: true } });
  });

  test('bad input is refused and changes nothing', async () => {
    for (const body of [{}, { dailyDigest: {} }, { dailyDigest: { email: 'no' } }, { dailyDigest: { email: false, sms: true } }, { dailyDigest: { email: false }, weeklyReport: true }, { weeklyReport: {} }, { weeklyReport: { inApp: false } }]) {
      const refused = await api('PATCH', '/me/preferences', { as: 'dg-rep', body });
      expect([JSON.stringify(body), refused.status]).toEqual([JSON.stringify(body), 422]);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await api('PATCH', '/me/preferences', { as: 'dg-rep', rawBody: '{"dailyDigest":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await api('PATCH', '/me/preferences', { body: { dailyDigest: { email: false } } })).status).toBe(401);
    expect((await api('GET', '/me/preferences', { as: 'dg-rep' })).body).toEqual({ dailyDigest: { email: true, inApp: true }, weeklyReport: { email: true } });
  });
});

describe('the daily-digest job', () => {
  let first: DailyDigestResult;

  test("a rep gets one mail listing its overdue and today's tasks and its untouched leads, each lead linked", async () => {
    first = await fire(WEDNESDAY);
    expect(first).toMatchObject({ job: 'daily-digest', date: '2026-12-02', businessDay: true, untouchedBusinessDays: 2, untouchedBefore: '2026-11-29T15:00:00.000Z', failed: 0 });
    // dg-manager (its team), dg-rep, dg-rep2, dg-inapp (in the app only), dg-mail (e-mail only).
    expect(first.digestsWritten).toBe(5);
    expect(first.emailsQueued).toBe(4);
    expect(first.skipped).toMatchObject({ alreadySent: 0, optedOut: 1 });
    // Every active user whose role works leads: the seven demo users but admin and marketing, and the seven here.
    expect(first.usersConsidered).toBe(12);
    expect(first.skipped.nothingDue).toBe(12 - 5 - 1);

    const mails = await digestMails('dg-rep');
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.subject).toBe('【本日の対応】12月2日(水) 期限切れ2件・本日2件・未対応リード1件');
    const text = mail.body.text!;
    expect(text.startsWith('担当 ダイジェスト一 様')).toBe(true);
    const section = (heading: string) => text.slice(text.indexOf(`■ ${heading}`)).split('\n■ ')[0]!;
    expect(section('期限切れのタスク（2件）')).toContain(`・11月30日(月) 折り返し電話［電話］ — 田中 一郎（株式会社ミライ商事）\n  ${APP}/leads/${leads.a}`);
    expect(section('期限切れのタスク（2件）')).toContain(`・12月1日(火) 10:00 見積送付［メール］ — 田中 一郎（株式会社ミライ商事）\n  ${APP}/leads/${leads.a}`);
    expect(section('本日のタスク（2件）')).toContain(`・12月2日(水) 訪問準備［訪問］ — 佐藤 花子（ヒカリ工業）\n  ${APP}/leads/${leads.b}`);
    expect(section('本日のタスク（2件）')).toContain('・12月2日(水) 15:00 Web会議［打ち合わせ］ — 佐藤 花子（ヒカリ工業）');
    expect(section('未対応のリード（2営業日以上）（1件）')).toContain(`・鈴木 三郎（ソラ電機） 割り当て: 11月27日(金) 10:00\n  ${APP}/leads/${leads.c}`);
    // Not tomorrow's task, not a lead given on Monday (only one whole business day since), nothing of a converted or
    // erased lead.
    for (const absent of ['来週の確認', '高橋 四郎', '伊藤 案件済', '案件化済みの電話', '消去済みの電話', 'チームの期限切れ']) expect([absent, text.includes(absent)]).toEqual([absent, false]);
    // The HTML says the same, every lead a link.
    const html = mail.body.html!;
    expect(html).toContain(`<a href="${APP}/leads/${leads.a}">田中 一郎</a>`);
    expect(html).toContain(`<a href="${APP}/leads/${leads.b}">佐藤 花子</a>`);
    expect(html).toContain(`<a href="${APP}/leads/${leads.c}">鈴木 三郎</a>`);
    expect(html).not.toContain('来週の確認');

    const inApp = await digestNotifications('dg-rep');
    expect(inApp).toHaveLength(1);
    expect(inApp[0]).toMatchObject({
      kind: 'daily_digest',
      title: '本日の対応 12月2日(水) 期限切れ2件・本日2件・未対応リード1件',
      read: false,
      emailStatus: 'sent',
      leadCount: 3,
      link: '/leads?owner=me',
    });
    expect([...inApp[0].leadIds].sort()).toEqual([leads.a, leads.b, leads.c].sort());
  });

  test("a manager's mail carries its team's overdue tasks per rep", async () => {
    const mails = await digestMails('dg-manager');
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('【本日の対応】12月2日(水) 期限切れ0件・本日0件・チーム期限切れ3件');
    const text = mails[0]!.body.text!;
    expect(text).toContain('■ チームの期限切れ（3件）\n・担当 ダイジェスト一 / 2件\n・担当 ダイジェスト二 / 1件\n・担当 ダイジェスト暇 / 0件\n');
    // Only its team: not the reps of another team, nor itself.
    for (const absent of ['担当 二郎', '担当 通知なし', '責任者 ダイジェスト /']) expect([absent, text.includes(absent)]).toEqual([absent, false]);
    // The demo manager's team has nothing overdue and it has nothing due itself: nothing for it.
    expect(await digestMails('manager')).toEqual([]);
  });

  test('a user with nothing due gets nothing, and neither does one who turned the digest off', async () => {
    for (const userId of ['dg-idle', 'dg-off', 'rep1']) {
      expect([userId, await digestMails(userId)]).toEqual([userId, []]);
      expect([userId, await digestNotifications(userId)]).toEqual([userId, []]);
    }
  });

  test('e-mail turned off: the in-app notification, no mail; in-app turned off: the mail, nothing in the app', async () => {
    expect(await digestMails('dg-inapp')).toEqual([]);
    const inApp = await digestNotifications('dg-inapp');
    expect(inApp).toHaveLength(1);
    expect(inApp[0]).toMatchObject({ emailStatus: 'none', read: false, title: '本日の対応 12月2日(水) 期限切れ1件・本日0件' });
    expect((await api('GET', '/me/notifications?unread=true', { as: 'dg-inapp' })).body.unreadCount).toBe(1);

    expect(await digestMails('dg-mail')).toHaveLength(1);
    expect(await digestNotifications('dg-mail')).toEqual([]);
    const unread = await api('GET', '/me/notifications?unread=true', { as: 'dg-mail' });
    expect([unread.body.items, unread.body.unreadCount]).toEqual([[], 0]);
  });

  test('the schedule fired again the same day writes and sends nothing more', async () => {
    const again = await fire(new Date('2026-12-02T09:30:00+09:00'));
    expect(again).toMatchObject({ date: '2026-12-02', digestsWritten: 0, emailsQueued: 0, skipped: { alreadySent: 5, optedOut: 1, nothingDue: 6 } });
    // Only a look at whether each digest is there: no task or lead is read for those already sent.
    expect(again.itemsRead).toBeLessThan(first.itemsRead);
    expect(await digestMails('dg-rep')).toHaveLength(1);
    expect(await digestNotifications('dg-rep')).toHaveLength(1);
  });

  test('two runs at once for a new day: one digest and one mail per user between them', async () => {
    const [one, two] = await Promise.all([fire(THURSDAY), fire(THURSDAY)]);
    expect([one.failed, two.failed]).toEqual([0, 0]);
    expect(one.digestsWritten + two.digestsWritten).toBe(5);
    expect(one.skipped.alreadySent + two.skipped.alreadySent).toBe(5);
    for (const userId of ['dg-rep', 'dg-rep2', 'dg-manager', 'dg-mail']) expect([userId, (await digestMails(userId, '12月3日(木)')).length]).toEqual([userId, 1]);
    expect(await digestNotifications('dg-rep')).toHaveLength(2);
    expect(await digestNotifications('dg-inapp')).toHaveLength(2);
    // Yesterday's tasks due today are overdue now.
    expect((await digestMails('dg-rep', '12月3日(木)'))[0]!.subject).toMatch(/期限切れ4件・本日1件/);
  });

  test('on a Saturday and on a public holiday nothing is read, written or sent', async () => {
    await outboxSettled();
    const before = (await stack().sentMail()).length;
    const saturday = await fire(SATURDAY);
    expect(saturday).toMatchObject({ date: '2026-12-05', businessDay: false, reason: 'Saturday', usersConsidered: 0, digestsWritten: 0, itemsRead: 0 });
    const holiday = await fire(COMING_OF_AGE_DAY);
    expect(holiday).toMatchObject({ date: '2027-01-11', businessDay: false, reason: 'holiday: 成人の日', usersConsidered: 0, digestsWritten: 0, itemsRead: 0 });
    await outboxSettled();
    expect((await stack().sentMail()).length).toBe(before);
    expect(await digestNotifications('dg-rep')).toHaveLength(2);
  });

  test('untouched for more than two business days, across a weekend and a public holiday', async () => {
    const created = await api('POST', '/users', { as: 'admin', body: { userId: 'dg-holiday', name: '担当 連休明け', email: emailOf('dg-holiday'), role: 'agent' } });
    expect(created.status).toBe(201);
    // Tuesday 2027-01-12, after a weekend and 成人の日: Friday 01-08 and Thursday 01-07 are the two business days.
    const waited = await seedLead({ name: '小林 水曜', ownerId: 'dg-holiday', assignedAt: '2027-01-06T18:00:00+09:00' });
    await seedLead({ name: '加藤 木曜', ownerId: 'dg-holiday', assignedAt: '2027-01-07T09:00:00+09:00' });
    const result = await fire(new Date('2027-01-12T08:00:00+09:00'));
    expect(result).toMatchObject({ date: '2027-01-12', businessDay: true, untouchedBefore: '2027-01-06T15:00:00.000Z' });
    const mails = await digestMails('dg-holiday');
    expect(mails.map((m) => m.subject)).toEqual(['【本日の対応】1月12日(火) 期限切れ0件・本日0件・未対応リード1件']);
    expect(mails[0]!.body.text).toContain(`・小林 水曜 割り当て: 1月6日(水) 18:00\n  ${APP}/leads/${waited}`);
    expect(mails[0]!.body.text).not.toContain('加藤 木曜');
  });

  test('the local stack plans the schedule: its next run is 08:00 in Tokyo on a weekday (tests fire it themselves)', () => {
    const next = stack().schedules.nextRuns()['daily-digest']!;
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(4 * 86_400_000);
    expect(japanClockText(next.toISOString()).slice(11)).toBe('08:00:00');
    expect([1, 2, 3, 4, 5]).toContain(weekdayOf(japanClockText(next.toISOString()).slice(0, 10)));
  });
});

describe('npm run schedule', () => {
  const script = (args: string[]) => runScheduleScript(stack(), args);

  test('runs the job once against the running stack as if it were the time given, and prints its result', async () => {
    const run = await script(['daily-digest', '--at', FRIDAY]);
    expect([run.code, run.stderr]).toEqual([0, '']);
    const result = JSON.parse(run.stdout) as DailyDigestResult;
    expect(result).toMatchObject({ job: 'daily-digest', at: '2026-12-03T23:00:00.000Z', date: '2026-12-04', businessDay: true, failed: 0 });
    expect(result.digestsWritten).toBeGreaterThanOrEqual(5);
    // The stack's own dispatcher sends what the script put in the outbox.
    expect(await digestMails('dg-rep', '12月4日(金)')).toHaveLength(1);
    const again = JSON.parse((await script(['daily-digest', `--at=${FRIDAY}`])).stdout) as DailyDigestResult;
    expect(again).toMatchObject({ digestsWritten: 0, skipped: { alreadySent: result.digestsWritten } });
    expect(await digestMails('dg-rep', '12月4日(金)')).toHaveLength(1);
  }, 60_000);

  test('an unknown job or an unreadable time is a usage error, exit code 2', async () => {
    for (const args of [['weekly-digest'], [], ['daily-digest', '--at'], ['daily-digest', '--at', 'tomorrow'], ['daily-digest', '--at', '2026-12-04T08:00:00'], ['daily-digest', '--when', FRIDAY]]) {
      const run = await script(args);
      expect([args.join(' '), run.code, run.stdout]).toEqual([args.join(' '), 2, '']);
      expect(run.stderr).toMatch(/usage: npm run -s schedule -- <job>/);
    }
  }, 60_000);
});

describe('the grants of the daily-digest function', () => {
  test('every table call of a run is granted, and every grant is used', async () => {
    const { handler } = await import('../../functions/jobs/daily-digest');
    const jobs = { dailyDigest: handler };
    const recorder = recordTableUse(jobs as never);
    try {
      const result = await jobs.dailyDigest({ scheduledTime: MONDAY.toISOString() });
      expect(result.digestsWritten).toBeGreaterThan(0);
    } finally {
      recorder.stop();
    }
    const uses = recorder.uses;
    expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((use) => !allows(DAILY_DIGEST_GRANTS, use)).map((use) => `${use.command} ${use.actions.join('+')} on ${use.index ?? use.partitions.join(' ')}`)).toEqual([]);
    const unused: string[] = [];
    for (const index of DAILY_DIGEST_GRANTS.queries ?? []) if (!uses.some((use) => use.index === index)) unused.push(`Query on ${index}`);
    for (const grant of itemGrantsOf(DAILY_DIGEST_GRANTS)) {
      for (const action of grant.actions) if (!uses.some((use) => !use.index && use.actions.includes(action) && use.partitions.some((p) => grant.partitions.includes(p as never)))) unused.push(`${action}`);
      for (const partition of grant.partitions) if (!uses.some((use) => !use.index && use.partitions.includes(partition))) unused.push(`on ${partition}`);
    }
    expect(unused).toEqual([]);
    // No Scan, ever: the job reads what is due by key ranges.
    expect(uses.filter((use) => use.command === 'Scan')).toEqual([]);
  });
});

describe('erasure and the digest', () => {
  test("a person erased while a digest naming them waits in the outbox is taken out of it, though they were only a task's lead", async () => {
    const date = '2026-12-08';
    // A lead of rep2's, with a task a manager gave dg-idle: dg-idle was never the lead's owner.
    const leadId = await seedLead({ name: '消去 対象者', company: '消去株式会社', ownerId: 'rep2', assignedAt: '2026-12-07T09:00:00+09:00' });
    const task = await api('POST', `/leads/${leadId}/tasks`, { as: 'manager', body: { kind: 'call', title: '消去前の電話', dueAt: date, assigneeId: 'dg-idle' } });
    expect(task.status).toBe(201);
    await outboxSettled();
    await stack().setSesAvailable(false);
    try {
      expect((await fire(new Date(`${date}T08:00:00+09:00`))).failed).toBe(0);
      const id = notificationIdFor(digestSourceId('dg-idle', date), 'dg-idle', 'daily_digest', digestInstantOf(date));
      expect(((await getItem(keys.notification('dg-idle', id))) as { mail?: { text: string } }).mail?.text).toContain('消去 対象者');
      expect((await api('DELETE', `/leads/${leadId}`, { as: 'admin' })).status).toBe(200);
      const stored = (await getItem(keys.notification('dg-idle', id))) as { mail?: { text: string; html: string; subject: string } };
      expect(JSON.stringify(stored.mail)).not.toMatch(/消去 対象者|消去株式会社/);
    } finally {
      await stack().setSesAvailable(true);
    }
    const sent = await digestMails('dg-idle', '12月8日(火)');
    expect(sent).toHaveLength(1);
    expect(JSON.stringify(sent[0]!.body)).not.toMatch(/消去 対象者|消去株式会社/);
    expect(sent[0]!.body.text).toContain('消去前の電話');
  }, 60_000);
});
