import { renderMail, type BarRow, type MailBlock } from '../notifications/mail';
import type { NotificationMail } from '../notifications/model';
import { dateLabel } from './digest-mail';
import type { ReportWeek } from './report-week';

/**
 * The weekly report as a manager reads it, in Japanese: the subject names the week (`【週次レポート】11月23日(月)〜
 * 11月29日(日)`), then one row per rep of its team with the week's figures, each with a small bar (its share of the
 * largest rep's value of that figure) and its change against the week before (`▲3`, `▼1`, `±0`). Plain text and HTML
 * carry the same figures. Pure: the figures come from GET /stats/activity's read model (lib/stats/activity.ts).
 */

/** One rep's figures of one week, as the report shows them. */
export interface WeeklyFigures {
  /** Phone actions (架電). */
  calls: number;
  effectiveCalls: number;
  leadsTouched: number;
  /** Speed to lead: the median minutes from assignment to the first touch; null without first touches. */
  medianFirstTouchMinutes: number | null;
  handovers: number;
  conversions: number;
  wonAmountJpy: number;
}

export interface RepWeek {
  userId: string;
  name: string;
  week: WeeklyFigures;
  previous: WeeklyFigures;
}

export interface WeeklyReportContent {
  recipientName: string;
  reported: ReportWeek;
  previous: ReportWeek;
  reps: RepWeek[];
}

export interface WeeklyReportMessage {
  title: string;
  body: string;
  mail: NotificationMail;
}

type FigureKey = keyof WeeklyFigures;

/**
 * A report lists at most this many reps (by name; the others are counted), as the morning digest lists a team: the
 * rendered mail is kept in the notification's item until it is sent, and an item holds at most 400 KB (a rep's row is
 * about 5 KB of HTML and text).
 */
export const LISTED_REPS = 50;

/** The figures in the order the report shows them, with how each is written. */
export const WEEKLY_FIGURES: readonly { key: FigureKey; label: string; unit: string }[] = [
  { key: 'calls', label: '架電数', unit: '件' },
  { key: 'effectiveCalls', label: '有効コール', unit: '件' },
  { key: 'leadsTouched', label: '対応リード', unit: '件' },
  { key: 'medianFirstTouchMinutes', label: '初動時間（中央値）', unit: '分' },
  { key: 'handovers', label: '営業引継ぎ', unit: '件' },
  { key: 'conversions', label: '案件化', unit: '件' },
  { key: 'wonAmountJpy', label: '受注金額', unit: '円' },
];

const number = new Intl.NumberFormat('ja-JP', { maximumFractionDigits: 1 });

/** A figure as written: `1,200,000円`, `45.5分`, `—` for a speed to lead without first touches. */
export function figureText(value: number | null, unit: string): string {
  return value === null ? '—' : `${number.format(value)}${unit}`;
}

/** The change against the week before, absolute: `▲3`, `▼200,000円`, `±0`; `—` when either week has no value. */
export function changeText(value: number | null, before: number | null, unit: string): string {
  if (value === null || before === null) return '—';
  // One decimal, as the minutes are shown: 45.5 − 40.2 is 5.3, not 5.299999999999997.
  const change = Math.round((value - before) * 10) / 10;
  if (change === 0) return '±0';
  return `${change > 0 ? '▲' : '▼'}${number.format(Math.abs(change))}${unit === '件' ? '' : unit}`;
}

/** `11月23日(月)〜11月29日(日)`. */
export const weekLabel = (week: ReportWeek): string => `${dateLabel(week.from)}〜${dateLabel(week.to)}`;

/** Whether anyone of the team did anything in the week reported. */
const anyActivity = (reps: readonly RepWeek[]): boolean => reps.some((rep) => WEEKLY_FIGURES.some(({ key }) => (rep.week[key] ?? 0) !== 0));

/** Each rep's row: every figure with its bar (share of the largest rep's value of that figure) and its change. */
export function figureRows(reps: readonly RepWeek[]): BarRow[] {
  const largest = Object.fromEntries(WEEKLY_FIGURES.map(({ key }) => [key, Math.max(0, ...reps.map((rep) => rep.week[key] ?? 0))])) as Record<FigureKey, number>;
  return reps.map((rep) => ({
    label: rep.name,
    cells: WEEKLY_FIGURES.map(({ key, unit }) => ({
      value: figureText(rep.week[key], unit),
      share: largest[key] > 0 ? (rep.week[key] ?? 0) / largest[key] : 0,
      note: `前週比 ${changeText(rep.week[key], rep.previous[key], unit)}`,
    })),
  }));
}

export function weeklyReportMessage(content: WeeklyReportContent): WeeklyReportMessage {
  const week = weekLabel(content.reported);
  const title = `週次レポート ${week}`;
  const body = `${week}の担当者${content.reps.length}名の活動と前週との差。`;
  const listed = content.reps.slice(0, LISTED_REPS);
  const more = content.reps.length - listed.length;
  const blocks: MailBlock[] = [
    { paragraph: `${week}の担当者ごとの活動をお知らせします。前週比は前週（${weekLabel(content.previous)}）との差です。` },
    ...(anyActivity(content.reps) ? [] : [{ paragraph: `${week}は、担当者の活動がありませんでした。` }]),
    { heading: `担当者ごとの活動（${content.reps.length}名）` },
    { bars: { header: ['担当者', ...WEEKLY_FIGURES.map((figure) => figure.label)], rows: figureRows(listed) } },
    ...(more > 0 ? [{ paragraph: `ほか${more}名は活動状況の画面でご確認ください。` }] : []),
    {
      paragraph:
        '架電数: 電話のアクション。有効コール: そのうち相手と話せた結果のもの。対応リード: 日ごとに対応したリードの数の合計。' +
        '初動時間: 割り当てから最初の対応までの時間の中央値。受注金額: その週に受注になった案件の金額。',
    },
  ];
  return { title, body, mail: renderMail(`【週次レポート】${week}`, `${content.recipientName} 様`, blocks) };
}
