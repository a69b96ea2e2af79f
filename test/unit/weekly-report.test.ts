import { firstBusinessDayOfWeek, noReportBecause, reportCalendarOf, weeklyReportInstantOf, weeklyReportSourceId } from '../../lib/digest/report-week';
import { nextWeeklyReportAt, WEEKLY_REPORT_SCHEDULE } from '../../lib/digest/schedule';
import { weeklyFiguresOf } from '../../lib/digest/weekly-report';
import { changeText, figureRows, figureText, weeklyReportMessage, type RepWeek, type WeeklyFigures } from '../../lib/digest/weekly-report-mail';
import { barHtml } from '../../lib/notifications/mail';

/** The weekly report's calendar and its mail, without I/O. */

const at = (text: string) => new Date(text);

describe('which day makes the report, and which weeks it reports', () => {
  test('on Monday at 08:00 in Tokyo (23:00 UTC on Sunday) it reports the ISO week before, against the week before that', () => {
    const calendar = reportCalendarOf(at('2026-11-29T23:00:00Z'));
    expect(calendar).toEqual({
      date: '2026-11-30',
      firstBusinessDay: '2026-11-30',
      reported: { week: '2026-W48', from: '2026-11-23', to: '2026-11-29' },
      previous: { week: '2026-W47', from: '2026-11-16', to: '2026-11-22' },
    });
    expect(noReportBecause(calendar)).toBeUndefined();
  });

  test('a public holiday on Monday makes Tuesday the first business day; in Golden Week it can be Thursday', () => {
    // 2026-11-23 is 勤労感謝の日; 2027-01-11 成人の日; 2026-05-04 to 05-06 みどりの日, こどもの日 and a 振替休日.
    expect(noReportBecause(reportCalendarOf(at('2026-11-23T08:00:00+09:00')))).toBe('holiday: 勤労感謝の日');
    expect(reportCalendarOf(at('2026-11-24T08:00:00+09:00'))).toMatchObject({ firstBusinessDay: '2026-11-24', reported: { week: '2026-W47', from: '2026-11-16', to: '2026-11-22' } });
    expect(noReportBecause(reportCalendarOf(at('2026-11-24T08:00:00+09:00')))).toBeUndefined();
    expect(noReportBecause(reportCalendarOf(at('2027-01-11T08:00:00+09:00')))).toBe('holiday: 成人の日');
    const afterComingOfAge = reportCalendarOf(at('2027-01-12T08:00:00+09:00'));
    expect(noReportBecause(afterComingOfAge)).toBeUndefined();
    // Across the year's end: 2026-W53 runs from Monday 2026-12-28 to Sunday 2027-01-03.
    expect(afterComingOfAge).toMatchObject({
      reported: { week: '2027-W01', from: '2027-01-04', to: '2027-01-10' },
      previous: { week: '2026-W53', from: '2026-12-28', to: '2027-01-03' },
    });
    expect(firstBusinessDayOfWeek('2026-05-08')).toBe('2026-05-07');
    expect(noReportBecause(reportCalendarOf(at('2026-05-06T08:00:00+09:00')))).toMatch(/^holiday: /);
    expect(noReportBecause(reportCalendarOf(at('2026-05-07T08:00:00+09:00')))).toBeUndefined();
  });

  test('any other day of the week makes none, and says why', () => {
    expect(noReportBecause(reportCalendarOf(at('2026-12-01T08:00:00+09:00')))).toBe('not the first business day of the week (2026-11-30 was)');
    expect(noReportBecause(reportCalendarOf(at('2026-11-25T08:00:00+09:00')))).toBe('not the first business day of the week (2026-11-24 was)');
    expect(noReportBecause(reportCalendarOf(at('2026-12-05T08:00:00+09:00')))).toBe('Saturday');
    expect(noReportBecause(reportCalendarOf(at('2026-12-06T08:00:00+09:00')))).toBe('Sunday');
  });

  test("one manager's report of one week is one source and one instant, whenever the run happens", () => {
    expect(weeklyReportSourceId('manager', '2026-W48')).toBe('weekly-report/manager/2026-W48');
    const w48 = reportCalendarOf(at('2026-11-30T09:30:00+09:00')).reported;
    expect(weeklyReportInstantOf(w48).toISOString()).toBe('2026-11-29T23:00:00.000Z');
    // Reported on Tuesday after a holiday Monday: still 08:00 on that Monday.
    expect(weeklyReportInstantOf(reportCalendarOf(at('2026-11-24T08:00:00+09:00')).reported).toISOString()).toBe('2026-11-22T23:00:00.000Z');
  });

  test('the schedule fires at 08:00 in Tokyo Monday to Friday; the job picks its day', () => {
    expect(WEEKLY_REPORT_SCHEDULE.cron).toEqual({ minute: '0', hour: '8', weekDay: 'MON-FRI' });
    expect(nextWeeklyReportAt(at('2026-12-04T08:00:00+09:00')).toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(nextWeeklyReportAt(at('2026-12-06T22:59:59Z')).toISOString()).toBe('2026-12-06T23:00:00.000Z');
    expect(nextWeeklyReportAt(at('2026-12-01T07:00:00+09:00')).toISOString()).toBe('2026-11-30T23:00:00.000Z');
  });
});

const zero: WeeklyFigures = { calls: 0, effectiveCalls: 0, leadsTouched: 0, medianFirstTouchMinutes: null, handovers: 0, conversions: 0, wonAmountJpy: 0 };
const rep = (name: string, week: Partial<WeeklyFigures>, previous: Partial<WeeklyFigures> = {}): RepWeek => ({
  userId: name,
  name,
  week: { ...zero, ...week },
  previous: { ...zero, ...previous },
});
const W48 = { week: '2026-W48', from: '2026-11-23', to: '2026-11-29' };
const W47 = { week: '2026-W47', from: '2026-11-16', to: '2026-11-22' };

describe('the figures and their change', () => {
  test('calls are the phone actions of an activity row; the other figures are the row’s', () => {
    expect(
      weeklyFiguresOf({ byChannel: { phone: 7, email: 3 }, effectiveCalls: 4, leadsTouched: 6, medianFirstTouchMinutes: 42.5, handovers: 1, conversions: 2, wonAmountJpy: 1_200_000 }),
    ).toEqual({ calls: 7, effectiveCalls: 4, leadsTouched: 6, medianFirstTouchMinutes: 42.5, handovers: 1, conversions: 2, wonAmountJpy: 1_200_000 });
    expect(weeklyFiguresOf({ byChannel: { email: 3 }, effectiveCalls: 0, leadsTouched: 3, medianFirstTouchMinutes: null, handovers: 0, conversions: 0, wonAmountJpy: 0 }).calls).toBe(0);
  });

  test('a change is the absolute difference, up ▲ or down ▼, ±0 when the same, — without a speed to lead', () => {
    expect(changeText(12, 9, '件')).toBe('▲3');
    expect(changeText(2, 5, '件')).toBe('▼3');
    expect(changeText(4, 4, '件')).toBe('±0');
    expect(changeText(1_000_000, 1_200_000, '円')).toBe('▼200,000円');
    expect(changeText(45.5, 40.2, '分')).toBe('▲5.3分');
    expect(changeText(null, 40, '分')).toBe('—');
    expect(changeText(40, null, '分')).toBe('—');
    expect(figureText(1_200_000, '円')).toBe('1,200,000円');
    expect(figureText(null, '分')).toBe('—');
  });

  test("each bar is the rep's share of the largest rep's value of that figure", () => {
    const rows = figureRows([rep('甲', { calls: 10, wonAmountJpy: 0 }), rep('乙', { calls: 5, medianFirstTouchMinutes: 30 }), rep('丙', { calls: 0 })]);
    expect(rows.map((row) => row.cells[0]!.share)).toEqual([1, 0.5, 0]);
    // Nobody won anything: no bar at all rather than a division by zero.
    expect(rows.map((row) => row.cells[6]!.share)).toEqual([0, 0, 0]);
    expect(rows.map((row) => row.cells[3]!.share)).toEqual([0, 1, 0]);
  });

  test('a bar is table cells of fixed pixel widths, proportional to the share, with inline styles only', () => {
    const half = barHtml(0.5);
    expect(half).toContain('<td width="40" height="8" bgcolor="#2f6fdf"');
    expect(half).toContain('<td width="40" height="8" bgcolor="#e3e8ef"');
    expect(barHtml(1).match(/<td /g)).toHaveLength(1);
    expect(barHtml(0)).toContain('width="80" height="8" bgcolor="#e3e8ef"');
    expect(barHtml(0.25)).toContain('<td width="20"');
    for (const html of [half, barHtml(0), barHtml(1)]) expect(html).not.toMatch(/class=|<img|<div|<style/);
  });
});

describe('the mail', () => {
  const content = {
    recipientName: '責任者 <一郎>',
    reported: W48,
    previous: W47,
    reps: [
      rep('担当 <b>二郎</b>', { calls: 12, effectiveCalls: 5, leadsTouched: 8, medianFirstTouchMinutes: 65, handovers: 1, conversions: 1, wonAmountJpy: 1_200_000 }, { calls: 9, effectiveCalls: 6, leadsTouched: 8, medianFirstTouchMinutes: 80 }),
      rep('担当 三子', { calls: 6 }, { calls: 6, wonAmountJpy: 500_000 }),
    ],
  };
  const message = weeklyReportMessage(content);

  test('the subject names the week; the text lists each rep with every figure and its change', () => {
    expect(message.mail.subject).toBe('【週次レポート】11月23日(月)〜11月29日(日)');
    expect(message.title).toBe('週次レポート 11月23日(月)〜11月29日(日)');
    const text = message.mail.text;
    expect(text.startsWith('責任者 <一郎> 様')).toBe(true);
    expect(text).toContain('前週（11月16日(月)〜11月22日(日)）との差');
    expect(text).toContain(
      [
        '・担当 <b>二郎</b>',
        '  架電数: 12件（前週比 ▲3）',
        '  有効コール: 5件（前週比 ▼1）',
        '  対応リード: 8件（前週比 ±0）',
        '  初動時間（中央値）: 65分（前週比 ▼15分）',
        '  営業引継ぎ: 1件（前週比 ▲1）',
        '  案件化: 1件（前週比 ▲1）',
        '  受注金額: 1,200,000円（前週比 ▲1,200,000円）',
      ].join('\n'),
    );
    expect(text).toContain('  受注金額: 0円（前週比 ▼500,000円）');
    expect(text).toContain('  初動時間（中央値）: —（前週比 —）');
    expect(text).not.toContain('活動がありませんでした');
  });

  test('the HTML is one table of the same figures, every name escaped, a bar per figure, no classes or images', () => {
    const html = message.mail.html;
    expect(html).toContain('担当 &lt;b&gt;二郎&lt;/b&gt;');
    expect(html).toContain('責任者 &lt;一郎&gt; 様');
    expect(html).not.toContain('<b>二郎');
    // Two reps × seven figures, each with its bar; the largest calls (12) a full bar, 6 of 12 half of one.
    expect(html.match(/role="presentation" width="80"/g)).toHaveLength(14);
    expect(html).toContain('12件<table role="presentation" width="80" border="0" cellpadding="0" cellspacing="0" style="width:80px;border-collapse:collapse;margin:2px 0;"><tr><td width="80" height="8" bgcolor="#2f6fdf"');
    expect(html).toContain('6件<table role="presentation" width="80" border="0" cellpadding="0" cellspacing="0" style="width:80px;border-collapse:collapse;margin:2px 0;"><tr><td width="40" height="8" bgcolor="#2f6fdf"');
    expect(html).toContain('前週比 ▲1,200,000円');
    expect(html).not.toMatch(/class=|<img|<style|<link/);
  });

  test('a week in which no rep did anything still reaches the manager, and says so', () => {
    const quiet = weeklyReportMessage({ ...content, reps: [rep('担当 三子', {}, { calls: 4 })] });
    expect(quiet.mail.text).toContain('11月23日(月)〜11月29日(日)は、担当者の活動がありませんでした。');
    expect(quiet.mail.text).toContain('  架電数: 0件（前週比 ▼4）');
  });
});

describe('a large team', () => {
  test('the first 50 reps by name are listed and the others counted, so the mail stays well within one table item', () => {
    const reps = Array.from({ length: 120 }, (_, i) => rep(`担当 ${String(i).padStart(3, '0')}`, { calls: i, effectiveCalls: i % 7, leadsTouched: i, medianFirstTouchMinutes: 100 + i, wonAmountJpy: i * 10_000 }, { calls: 3 }));
    const message = weeklyReportMessage({ recipientName: '責任者', reported: W48, previous: W47, reps });
    expect(message.mail.text).toContain('・担当 049');
    expect(message.mail.text).not.toContain('・担当 050');
    expect(message.mail.text).toContain('ほか70名は活動状況の画面でご確認ください。');
    expect(message.body).toContain('担当者120名');
    const bytes = Buffer.byteLength(JSON.stringify(message.mail));
    expect(bytes).toBeLessThan(300_000);
  });
});
