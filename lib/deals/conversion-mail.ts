import type { Action } from '../actions/schema';
import type { Campaign } from '../campaigns/schema';
import type { Lead } from '../leads/model';
import { STAGE_LABELS } from '../leads/stages';
import { renderMail } from '../notifications/mail';
import type { NotificationMail } from '../notifications/model';
import { channelLabel } from '../settings/choices';
import type { Account, Deal } from './schema';

/** The e-mail to a deal's new main owner (案件主担当) when a lead is converted with 「通知する」 (seed 000 §3.7.1). */

export const MAIL_ACTIONS = 20;

/** `2026/10/01 10:00` in Japan time. */
export function japanTime(instant: string): string {
  const d = new Date(Date.parse(instant) + 9 * 3600_000).toISOString();
  return `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 16)}`;
}

const yen = (amount: number | undefined) => (amount === undefined ? undefined : `${amount.toLocaleString('ja-JP')}円`);

export function dealAssignedMail(input: {
  deal: Deal;
  account: Account;
  lead: Lead;
  campaign: Pick<Campaign, 'name' | 'startDate' | 'endDate'>;
  ownerName: string;
  convertedByName: string;
  /** Newest first; only the first MAIL_ACTIONS are shown. */
  actions: Action[];
  actorNames: Map<string, string>;
  link: string;
}): { title: string; body: string; mail: NotificationMail } {
  const { deal, account, lead, campaign } = input;
  const company = lead.company ?? account.name;
  const title = `【案件化】${deal.name}（${company}）`;
  const body = `${input.convertedByName}さんがリード「${lead.name}」を案件化し、案件「${deal.name}」の主担当にあなたを設定しました。`;
  const actions = input.actions.slice(0, MAIL_ACTIONS);
  const mail = renderMail(title, `${input.ownerName} 様`, [
    { paragraph: body },
    { heading: '案件' },
    {
      fields: [
        ['案件名', deal.name],
        ['取引先', account.name],
        ['金額', yen(deal.amountJpy)],
        ['受注予定日', deal.expectedCloseDate],
        ['案件ステージ', deal.stage],
      ],
    },
    { heading: 'リード' },
    {
      fields: [
        ['名前', lead.name],
        ['会社', lead.company],
        ['部署', lead.department],
        ['役職', lead.title],
        ['メールアドレス', lead.email],
        ['電話番号', lead.phone ?? lead.mobile],
        ['共有メモ', lead.memo],
      ],
    },
    { heading: 'キャンペーン' },
    {
      fields: [
        ['キャンペーン名', campaign.name],
        ['実施期間', campaign.startDate ? `${campaign.startDate}〜${campaign.endDate ?? ''}` : undefined],
      ],
    },
    { heading: `対応履歴（新しい順、最大${MAIL_ACTIONS}件）` },
    actions.length > 0
      ? {
          header: ['日時', '手段', '内容', '結果', '実施者', 'ステージ', 'メモ'],
          rows: actions.map((a) => [
            japanTime(a.at),
            channelLabel(a.channel),
            a.content,
            a.result,
            input.actorNames.get(a.actorId) ?? a.actorId,
            a.stageTo ? `${a.stageFrom ? STAGE_LABELS[a.stageFrom] : ''}→${STAGE_LABELS[a.stageTo]}` : '',
            a.note ?? '',
          ]),
        }
      : { paragraph: '対応履歴はありません。' },
    { link: { label: '案件を開く', url: input.link } },
  ]);
  return { title, body, mail };
}
