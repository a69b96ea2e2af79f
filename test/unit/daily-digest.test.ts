import { scheduledTimeOf } from '../../functions/jobs/daily-digest';
import { digestDateOf, digestSourceId, noDigestBecause, untouchedBefore } from '../../lib/digest/digest-day';
import { dailyDigestMessage, dateLabel, digestHasContent, type DigestContent } from '../../lib/digest/digest-mail';
import type { DueWork, TaskLine } from '../../lib/digest/due-work';
import { DAILY_DIGEST_SCHEDULE, digestInstantOf, nextDailyDigestAt } from '../../lib/digest/schedule';

/** The morning digest's rules and its mail, without I/O. Links point at lib/config.ts's default appBaseUrl. */

const APP = 'http://localhost:3000';
const none = { listed: [], total: 0 };
const noWork: DueWork = { overdue: none, today: none, untouched: none };
const task = (taskId: string, title: string, dueAt: string, lead: TaskLine['lead'], kind: TaskLine['task']['kind'] = 'call'): TaskLine => ({ task: { taskId, kind, title, dueAt }, lead });

describe('which day, and which leads count as untouched', () => {
  test('a run at 08:00 in Tokyo is for that day in Tokyo, though UTC is still on the day before', () => {
    expect(digestDateOf(new Date('2026-12-06T23:00:00Z'))).toBe('2026-12-07');
    expect(digestInstantOf('2026-12-07').toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(digestSourceId('rep1', '2026-12-07')).toBe('daily-digest/rep1/2026-12-07');
  });

  test('no digest on a weekend day or a public holiday, and the reason says which', () => {
    expect(noDigestBecause('2026-12-07')).toBeUndefined();
    expect(noDigestBecause('2026-12-05')).toBe('Saturday');
    expect(noDigestBecause('2026-12-06')).toBe('Sunday');
    expect(noDigestBecause('2027-01-11')).toBe('holiday: 成人の日');
  });

  test('untouched for more than N business days: given before the start of the business day N business days back', () => {
    // Monday: two business days back is Thursday (the weekend does not count).
    expect(untouchedBefore('2026-12-07', 2)).toBe('2026-12-02T15:00:00.000Z');
    // Tuesday after 成人の日 (Monday) and a weekend: Friday is one, Thursday two.
    expect(untouchedBefore('2027-01-12', 2)).toBe('2027-01-06T15:00:00.000Z');
    expect(untouchedBefore('2027-01-12', 1)).toBe('2027-01-07T15:00:00.000Z');
    // Wednesday: Monday.
    expect(untouchedBefore('2026-12-02', 2)).toBe('2026-11-29T15:00:00.000Z');
    // 0: anything given before today.
    expect(untouchedBefore('2026-12-02', 0)).toBe('2026-12-01T15:00:00.000Z');
  });
});

describe('when the schedule fires', () => {
  test('08:00 in Tokyo, Monday to Friday, strictly after the instant given', () => {
    expect(DAILY_DIGEST_SCHEDULE).toMatchObject({ hour: 8, minute: 0, timeZone: 'Asia/Tokyo', cron: { minute: '0', hour: '8', weekDay: 'MON-FRI' } });
    // Wednesday 07:59 → that day 08:00; 08:00 exactly → Thursday.
    expect(nextDailyDigestAt(new Date('2026-12-02T07:59:00+09:00')).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(nextDailyDigestAt(new Date('2026-12-02T08:00:00+09:00')).toISOString()).toBe('2026-12-02T23:00:00.000Z');
    // Friday afternoon → Monday (a public holiday still fires: the job does nothing on it).
    expect(nextDailyDigestAt(new Date('2026-12-04T15:00:00+09:00')).toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(nextDailyDigestAt(new Date('2027-01-08T09:00:00+09:00')).toISOString()).toBe('2027-01-10T23:00:00.000Z');
    // 23:30 UTC on a Sunday is already Monday 08:30 in Tokyo: the next is Tuesday.
    expect(nextDailyDigestAt(new Date('2026-12-06T23:30:00Z')).toISOString()).toBe('2026-12-07T23:00:00.000Z');
  });

  test("the handler takes the schedule's time from the event, else now", () => {
    const now = new Date('2026-12-02T10:00:00Z');
    expect(scheduledTimeOf({ scheduledTime: '2026-12-01T23:00:00Z' }, now).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(scheduledTimeOf({ time: '2026-12-01T23:00:00Z' }, now).toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(scheduledTimeOf({ scheduledTime: 'not a time' }, now)).toBe(now);
    expect(scheduledTimeOf(undefined, now)).toBe(now);
  });
});

describe('the digest mail', () => {
  const lead = { leadId: '01LEAD', name: '田中 一郎', company: '株式会社ミライ商事' };
  const content: DigestContent = {
    date: '2026-12-02',
    recipientName: '担当 二郎',
    untouchedBusinessDays: 2,
    work: {
      overdue: { listed: [task('t1', '折り返し電話', '2026-11-30', lead), task('t2', '見積送付', '2026-12-01T01:00:00Z', lead, 'email')], total: 3 },
      today: { listed: [task('t3', 'Web会議', '2026-12-02T06:00:00Z', { leadId: '01OTHER', name: '<b>佐藤</b> & Co' }, 'meeting')], total: 5 },
      untouched: { listed: [{ lead: { leadId: '01WAIT', name: '鈴木 三郎' }, since: '2026-11-27T01:00:00Z' }], total: 14 },
    },
  };

  test('dates read as people write them: 12月2日(水)', () => {
    expect(dateLabel('2026-12-02')).toBe('12月2日(水)');
    expect(dateLabel('2027-01-11')).toBe('1月11日(月)');
  });

  test('the subject says the day and the counts; the greeting names the user', () => {
    const message = dailyDigestMessage(content);
    expect(message.mail.subject).toBe('【本日の対応】12月2日(水) 期限切れ3件・本日5件・未対応リード14件');
    expect(message.title).toBe('本日の対応 12月2日(水) 期限切れ3件・本日5件・未対応リード14件');
    expect(message.body).toBe('12月2日(水)の対応: 期限切れのタスク3件、本日のタスク5件、未対応のリード（2営業日以上）14件。');
    expect(message.mail.text.split('\n')[0]).toBe('担当 二郎 様');
    expect(dailyDigestMessage({ ...content, work: { ...content.work, untouched: none } }).mail.subject).toBe('【本日の対応】12月2日(水) 期限切れ3件・本日5件');
  });

  test('each section lists its lines with the lead linked, and counts the rest', () => {
    const { text, html } = dailyDigestMessage(content).mail;
    expect(text).toContain(
      [
        '■ 期限切れのタスク（3件）',
        '・11月30日(月) 折り返し電話［電話］ — 田中 一郎（株式会社ミライ商事）',
        `  ${APP}/leads/01LEAD`,
        '・12月1日(火) 10:00 見積送付［メール］ — 田中 一郎（株式会社ミライ商事）',
        `  ${APP}/leads/01LEAD`,
        '',
        'ほか1件',
      ].join('\n'),
    );
    expect(text).toContain(`■ 本日のタスク（5件）\n・12月2日(水) 15:00 Web会議［打ち合わせ］ — <b>佐藤</b> & Co\n  ${APP}/leads/01OTHER\n\nほか4件`);
    expect(text).toContain(`■ 未対応のリード（2営業日以上）（14件）\n・鈴木 三郎 割り当て: 11月27日(金) 10:00\n  ${APP}/leads/01WAIT\n\nほか13件`);
    expect(text).toContain(`担当リードの一覧を開く: ${APP}/leads?owner=me`);
    // HTML: the same lines, the lead's name the link, every value escaped.
    expect(html).toContain(`<li>11月30日(月) 折り返し電話［電話］ — <a href="${APP}/leads/01LEAD">田中 一郎</a>（株式会社ミライ商事）</li>`);
    expect(html).toContain(`<a href="${APP}/leads/01OTHER">&lt;b&gt;佐藤&lt;/b&gt; &amp; Co</a>`);
    expect(html).not.toContain('<b>佐藤</b>');
    expect(html).toContain('<p>ほか13件</p>');
    expect(html).toContain('<h3>未対応のリード（2営業日以上）（14件）</h3>');
  });

  test('the leads it names are those it lists, once each', () => {
    expect(dailyDigestMessage(content).leadIds).toEqual(['01LEAD', '01OTHER', '01WAIT']);
  });

  test('an empty section is left out', () => {
    const { text } = dailyDigestMessage({ ...content, work: { ...noWork, today: content.work.today } }).mail;
    expect(text).not.toContain('期限切れのタスク（');
    expect(text).not.toContain('未対応のリード');
    expect(text).toContain('■ 本日のタスク（5件）');
  });

  test("a manager's digest has its team's overdue tasks per rep, and is worth sending for them alone", () => {
    const team = [
      { userId: 'rep1', name: '担当 二郎', overdue: 4 },
      { userId: 'rep2', name: '担当 三子', overdue: 0 },
    ];
    const message = dailyDigestMessage({ ...content, recipientName: '責任者 一郎', work: noWork, team });
    expect(message.mail.subject).toBe('【本日の対応】12月2日(水) 期限切れ0件・本日0件・チーム期限切れ4件');
    expect(message.mail.text).toContain('■ チームの期限切れ（4件）\n・担当 二郎 / 4件\n・担当 三子 / 0件\n');
    expect(message.mail.html).toContain('<tr><td>担当 二郎</td><td>4件</td></tr>');
    expect(message.body).toContain('チームの期限切れ4件');
    expect(digestHasContent({ work: noWork, team })).toBe(true);
    expect(digestHasContent({ work: noWork, team: team.map((rep) => ({ ...rep, overdue: 0 })) })).toBe(false);
    expect(digestHasContent({ work: noWork })).toBe(false);
    expect(digestHasContent({ work: { ...noWork, untouched: { listed: [], total: 1 } } })).toBe(true);
  });
});
