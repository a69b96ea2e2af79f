import { leadLink, leadListLink } from '../assignment/mail';
import type { TaskKind } from '../leads/task-model';
import { renderMail, type MailBlock, type MailListItem } from '../notifications/mail';
import type { NotificationMail } from '../notifications/model';
import { weekdayOf } from '../text/business-days';
import { isDateOnly, japanClockText, japanDateOf } from '../text/japan-time';
import type { DueWork, LeadLine, Section, TaskLine } from './due-work';
import type { RepOverdue } from './team-overdue';

/**
 * The morning digest as the user reads it, in Japanese: the subject says the day and the counts
 * (`【本日の対応】12月2日(水) 期限切れ3件・本日5件`), then one section per kind of work, each lead linked to its page,
 * and for a manager the team's overdue tasks per rep. Plain text and HTML carry the same content. Pure: what to say
 * is decided here, from what lib/digest/due-work.ts read.
 */

export interface DigestContent {
  /** The digest's day in Japan, `YYYY-MM-DD`. */
  date: string;
  recipientName: string;
  work: DueWork;
  /** The setting: untouched for more than this many business days. */
  untouchedBusinessDays: number;
  /** A manager's team, each rep's overdue count; absent for everyone else. */
  team?: RepOverdue[];
}

export interface DigestMessage {
  /** The in-app notification's title and body: counts only, no names. */
  title: string;
  body: string;
  /** The leads the digest names (for the notification, and erasure finds it by them). */
  leadIds: string[];
  mail: NotificationMail;
}

const WEEKDAYS_JA = ['日', '月', '火', '水', '木', '金', '土'];
const KIND_LABEL: Record<TaskKind, string> = { call: '電話', email: 'メール', meeting: '打ち合わせ', visit: '訪問', other: 'その他' };

/** `2026-12-02` → `12月2日(水)`. */
export function dateLabel(date: string): string {
  const [, month, day] = date.split('-').map(Number);
  return `${month}月${day}日(${WEEKDAYS_JA[weekdayOf(date)]})`;
}

/** A task's due as a person reads it: its day, and its time in Japan when it has one. */
function dueLabel(dueAt: string): string {
  if (isDateOnly(dueAt)) return dateLabel(dueAt);
  return `${dateLabel(japanDateOf(dueAt))} ${japanClockText(dueAt).slice(11, 16)}`;
}

const leadAfter = (lead: { company?: string }) => (lead.company ? `（${lead.company}）` : '');

const taskItem = ({ task, lead }: TaskLine): MailListItem => ({
  before: `${dueLabel(task.dueAt)} ${task.title}［${KIND_LABEL[task.kind] ?? task.kind}］ —`,
  label: lead.name,
  url: leadLink(lead.leadId),
  after: leadAfter(lead),
});

const untouchedItem = ({ lead, since }: LeadLine): MailListItem => ({
  label: lead.name,
  url: leadLink(lead.leadId),
  after: `${leadAfter(lead)} 割り当て: ${dueLabel(since)}`,
});

function sectionBlocks<T>(heading: string, section: Section<T>, item: (line: T) => MailListItem): MailBlock[] {
  if (section.total === 0) return [];
  const more = section.total - section.listed.length;
  return [
    { heading: `${heading}（${section.total}件）` },
    ...(section.listed.length > 0 ? [{ list: section.listed.map(item) }] : []),
    ...(more > 0 ? [{ paragraph: `ほか${more}件` }] : []),
  ];
}

const teamTotal = (team: RepOverdue[] | undefined): number => (team ?? []).reduce((sum, rep) => sum + rep.overdue, 0);

function teamBlocks(team: RepOverdue[] | undefined): MailBlock[] {
  if (!team || team.length === 0) return [];
  const LISTED_REPS = 50;
  const shown = team.slice(0, LISTED_REPS);
  return [
    { heading: `チームの期限切れ（${teamTotal(team)}件）` },
    { header: ['担当者', '期限切れのタスク'], rows: shown.map((rep) => [rep.name, `${rep.overdue}件`]) },
    ...(team.length > shown.length ? [{ paragraph: `ほか${team.length - shown.length}名` }] : []),
  ];
}

/** Whether there is anything to tell: work of the user's own, or (a manager) overdue tasks in the team. */
export const digestHasContent = (content: Pick<DigestContent, 'work' | 'team'>): boolean =>
  content.work.overdue.total + content.work.today.total + content.work.untouched.total + teamTotal(content.team) > 0;

export function dailyDigestMessage(content: DigestContent): DigestMessage {
  const { work } = content;
  const untouchedHeading = `未対応のリード（${content.untouchedBusinessDays}営業日以上）`;
  const counts = [
    `期限切れ${work.overdue.total}件`,
    `本日${work.today.total}件`,
    ...(work.untouched.total > 0 ? [`未対応リード${work.untouched.total}件`] : []),
    ...(teamTotal(content.team) > 0 ? [`チーム期限切れ${teamTotal(content.team)}件`] : []),
  ];
  const day = dateLabel(content.date);
  const title = `本日の対応 ${day} ${counts.join('・')}`;
  const sentences = [
    `期限切れのタスク${work.overdue.total}件`,
    `本日のタスク${work.today.total}件`,
    `${untouchedHeading}${work.untouched.total}件`,
    ...(content.team ? [`チームの期限切れ${teamTotal(content.team)}件`] : []),
  ];
  const body = `${day}の対応: ${sentences.join('、')}。`;
  const blocks: MailBlock[] = [
    { paragraph: `${day}の対応をお知らせします。` },
    ...sectionBlocks('期限切れのタスク', work.overdue, taskItem),
    ...sectionBlocks('本日のタスク', work.today, taskItem),
    ...sectionBlocks(untouchedHeading, work.untouched, untouchedItem),
    ...teamBlocks(content.team),
    { link: { label: '担当リードの一覧を開く', url: leadListLink() } },
  ];
  const leadIds = [...new Set([...work.overdue.listed, ...work.today.listed, ...work.untouched.listed].map((line) => line.lead.leadId))];
  return { title, body, leadIds, mail: renderMail(`【本日の対応】${day} ${counts.join('・')}`, `${content.recipientName} 様`, blocks) };
}
