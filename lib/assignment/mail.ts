import { config } from '../config';
import type { Lead } from '../leads/model';
import { renderMail, type MailBlock } from '../notifications/mail';
import type { NotificationMail } from '../notifications/model';

/** The e-mails of assignment and hand-over, in Japanese for the sales teams who read them. */

/** A digest lists at most this many leads by name and company; the rest are counted. */
export const DIGEST_LEADS = 20;

const jst = new Intl.DateTimeFormat('ja-JP', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' });
export const formatJst = (iso: string): string => `${jst.format(new Date(iso))}（日本時間）`;

export const leadListLink = (): string => `${config.appBaseUrl()}/leads?owner=me`;
export const leadLink = (leadId: string): string => `${config.appBaseUrl()}/leads/${encodeURIComponent(leadId)}`;

export interface DigestInput {
  ownerName: string;
  actorName: string;
  count: number;
  leads: Pick<Lead, 'name' | 'company'>[];
  campaignNames: string[];
  at: string;
  /** `list` when an update list assigned them. */
  via?: { fileName: string };
}

export function campaignLabel(names: string[]): string {
  if (names.length === 0) return '（キャンペーンなし）';
  if (names.length <= 3) return names.join('、');
  return `${names.slice(0, 3).join('、')} ほか${names.length - 3}件`;
}

export function assignmentDigest(input: DigestInput): { title: string; body: string; mail: NotificationMail } {
  const title = `${input.count}件のリードが割り当てられました`;
  const body = `${input.actorName}さんから${input.count}件のリードが割り当てられました（${campaignLabel(input.campaignNames)}）。`;
  const shown = input.leads.slice(0, DIGEST_LEADS);
  const blocks: MailBlock[] = [
    { paragraph: body },
    {
      fields: [
        ['件数', `${input.count}件`],
        ['キャンペーン', campaignLabel(input.campaignNames)],
        ['割り当てた人', input.actorName],
        ['割り当て日時', formatJst(input.at)],
        ['取り込みファイル', input.via?.fileName],
      ],
    },
    { heading: input.count > shown.length ? `リード（先頭${shown.length}件）` : 'リード' },
    { header: ['名前', '会社名'], rows: shown.map((lead) => [lead.name, lead.company ?? '']) },
    ...(input.count > shown.length ? [{ paragraph: `ほか${input.count - shown.length}件は一覧でご確認ください。` }] : []),
    { link: { label: '担当リードの一覧を開く', url: leadListLink() } },
  ];
  return { title, body, mail: renderMail(`【リード割り当て】${title}`, `${input.ownerName} 様`, blocks) };
}

export interface HandoverMailInput {
  ownerName: string;
  actorName: string;
  lead: Lead;
  note?: string;
  campaignNames: string[];
  actions: { at?: string; channel?: string; content?: string; result?: string; note?: string }[];
  /** What inside sales still had planned: cancelled by the hand-over, told so that no promise is lost. */
  plannedTasks?: { title: string; dueAt: string; note?: string }[];
  at: string;
}

const TASK_DUE_TEXT = (dueAt: string) => (/^\d{4}-\d{2}-\d{2}$/u.test(dueAt) ? dueAt : formatJst(dueAt));

const CHANNEL_LABEL: Record<string, string> = { email: 'メール', phone: '電話', web_meeting: 'Web会議', visit: '訪問', other: 'その他' };

export function handoverMail(input: HandoverMailInput): { title: string; body: string; mail: NotificationMail } {
  const { lead } = input;
  const who = lead.company ? `${lead.name}（${lead.company}）` : lead.name;
  const title = `営業引継ぎ: ${who}`;
  const body = `${input.actorName}さんから${who}が引き継がれました。`;
  const blocks: MailBlock[] = [
    { paragraph: body },
    ...(input.note ? [{ heading: '引継ぎメモ' }, { paragraph: input.note }] : []),
    { heading: 'リード' },
    {
      fields: [
        ['名前', lead.name],
        ['会社名', lead.company],
        ['部署', lead.department],
        ['役職', lead.title],
        ['メールアドレス', lead.email],
        ['電話番号', lead.phone],
        ['携帯電話', lead.mobile],
        ['対象製品', lead.products],
        ['キャンペーン', campaignLabel(input.campaignNames)],
        ['予算', lead.qualification?.budget],
        ['導入時期', lead.qualification?.timeline],
        ['検討段階', lead.qualification?.considerationStage],
        ['共有メモ', lead.memo],
        ['引継ぎ日時', formatJst(input.at)],
      ],
    },
    { heading: input.actions.length > 0 ? `最近のアクション（${input.actions.length}件）` : '最近のアクション' },
    input.actions.length > 0
      ? {
          header: ['日時', '手段', '内容', '結果', 'メモ'],
          rows: input.actions.map((a) => [a.at ? formatJst(a.at) : '', CHANNEL_LABEL[a.channel ?? ''] ?? a.channel ?? '', a.content ?? '', a.result ?? '', a.note ?? '']),
        }
      : { paragraph: 'アクションの記録はまだありません。' },
    ...(input.plannedTasks && input.plannedTasks.length > 0
      ? [
          { heading: `引継ぎ前の予定（${input.plannedTasks.length}件、引継ぎで終了）` },
          { header: ['期限', '件名', 'メモ'], rows: input.plannedTasks.map((t) => [TASK_DUE_TEXT(t.dueAt), t.title, t.note ?? '']) },
        ]
      : []),
    { link: { label: 'リードを開く', url: leadLink(lead.leadId) } },
  ];
  return { title, body, mail: renderMail(`【営業引継ぎ】${who}`, `${input.ownerName} 様`, blocks) };
}
