import { CANONICAL_LABEL, type LeadField } from '../leads/columns';
import type { Lead, LeadStage } from '../leads/model';
import { editedStage, STAGE_LABELS, stageNamed, withStage, type StageRefusal } from '../leads/stages';
import { japanClockText, namesInstant } from '../text/japan-time';
import { isClear } from './clear-marker';

/**
 * What an update list (リスト更新) does with each column the column dictionary knows, so that no column is read and
 * then dropped: it finds the lead, edits a field, moves the stage by the stage rules (the rules PATCH /leads/{id}
 * follows, lib/leads/stages.ts), assigns the owner, or is read-only. A read-only column comes from elsewhere (the
 * owner's user record, the actions logged) and is checked: a cell equal to what the lead has passes, so an exported
 * list uploaded back unedited changes nothing; a different one rejects the row with the reason. Pure: no I/O.
 */

export type UpdateListTreatment = 'finds' | 'edits' | 'stage' | 'assigns' | 'read-only' | 'campaign history';

export const UPDATE_LIST_TREATMENT: Readonly<Record<LeadField, UpdateListTreatment>> = {
  leadId: 'finds',
  version: 'finds', // and detects an edit made since the export
  name: 'edits',
  nameKana: 'edits',
  email: 'edits',
  company: 'edits',
  department: 'edits',
  title: 'edits',
  phone: 'edits',
  mobile: 'edits',
  industry: 'edits',
  employeeSize: 'edits',
  products: 'edits',
  classification: 'edits',
  memo: 'edits',
  stage: 'stage',
  stageReason: 'stage',
  owner: 'assigns', // only when an admin or manager asked for the upload (./uploads.ts)
  ownerTeam: 'read-only',
  lastActionAt: 'read-only',
  lastActionResult: 'read-only',
  arisenOn: 'campaign history', // a date of one campaign's history, set by that campaign's lists: refused here
};

const READ_ONLY = ['ownerTeam', 'lastActionAt', 'lastActionResult'] as const satisfies readonly LeadField[];
type ReadOnlyField = (typeof READ_ONLY)[number];

/** What a row says about the stage and the read-only columns, as judged before any lead is read. */
export interface ListedColumns {
  stage?: LeadStage;
  /** null: the row empties the reason (CLEAR_MARKER). */
  stageReason?: string | null;
  readOnly: Partial<Record<ReadOnlyField, string>>;
}

export interface ColumnRejection {
  code: 'invalid_value' | 'too_long' | 'not_on_update_list';
  reason: string;
}

const MAX_STAGE_REASON = 500;
const STAGE_CHOICES = (['new', 'working', 'disqualified', 'recycle'] as const).map((stage) => STAGE_LABELS[stage]).join('・');

/** The row's stage, reason and read-only cells, or why the row is refused whatever the lead. */
export function judgeListedColumns(values: Partial<Record<LeadField, string>>): ListedColumns | ColumnRejection {
  if (values.arisenOn !== undefined) {
    return { code: 'not_on_update_list', reason: `${CANONICAL_LABEL.arisenOn}はキャンペーン履歴の日付のため、更新リストでは変更できません（列を削除してください）` };
  }
  const listed: ListedColumns = { readOnly: {} };
  if (values.stage !== undefined) {
    if (isClear(values.stage)) return { code: 'invalid_value', reason: `${CANONICAL_LABEL.stage}は空にできません` };
    const stage = stageNamed(values.stage);
    if (!stage) return { code: 'invalid_value', reason: `${CANONICAL_LABEL.stage}が正しくありません: ${values.stage}（${STAGE_CHOICES}のいずれか）` };
    listed.stage = stage;
  }
  if (values.stageReason !== undefined) {
    if (values.stageReason.length > MAX_STAGE_REASON) {
      return { code: 'too_long', reason: `${CANONICAL_LABEL.stageReason}が長すぎます（${values.stageReason.length}文字、上限${MAX_STAGE_REASON}文字）` };
    }
    listed.stageReason = isClear(values.stageReason) ? null : values.stageReason;
  }
  for (const field of READ_ONLY) if (values[field] !== undefined) listed.readOnly[field] = values[field];
  return listed;
}

const LIST_REFUSALS: Record<StageRefusal, (to: LeadStage, moved: boolean) => string> = {
  converted_is_final: () => '案件化済みのリードはステージを変更できません',
  conversion_only: () => '案件化は案件化の操作でだけ設定できます（リストでは設定できません）',
  handover_only: () => '営業引継ぎは引継ぎの操作でだけ設定できます（リストでは設定できません）',
  reason_required: (to, moved) => (moved ? `${STAGE_LABELS[to]}にするにはステージ理由が必要です` : `${STAGE_LABELS[to]}のリードのステージ理由は空にできません`),
};

/** The lead with the row's stage and reason applied by the stage rules, or the rule it breaks in Japanese. */
export function withListedStage(lead: Lead, listed: Pick<ListedColumns, 'stage' | 'stageReason'>): Lead | { refused: string } {
  if (listed.stage === undefined && listed.stageReason === undefined) return lead;
  const edited = editedStage(lead, { stage: listed.stage, stageReason: listed.stageReason }, 'list');
  if ('refusal' in edited) {
    const to = listed.stage ?? lead.stage;
    return { refused: LIST_REFUSALS[edited.refusal](to, to !== lead.stage) };
  }
  return withStage(lead, edited);
}

const sameText = (cell: string, value: string | undefined) =>
  isClear(cell) ? value === undefined : cell.normalize('NFKC').trim() === (value ?? '').normalize('NFKC').trim();

const READ_ONLY_CHECKS: Record<ReadOnlyField, { agrees: (cell: string, lead: Lead) => boolean; reason: (lead: Lead) => string }> = {
  ownerTeam: {
    agrees: (cell, lead) => sameText(cell, lead.ownerTeam),
    reason: (lead) => `${CANONICAL_LABEL.ownerTeam}は${CANONICAL_LABEL.owner}のユーザー情報から決まるため、リストでは変更できません（${CANONICAL_LABEL.owner}の組織: ${lead.ownerTeam ?? 'なし'}）`,
  },
  lastActionAt: {
    // As a person sees it: the day, minute or second the cell shows, in Japan time (see lib/text/japan-time.ts).
    agrees: (cell, lead) => (isClear(cell) ? lead.lastActionAt === undefined : lead.lastActionAt !== undefined && namesInstant(cell, lead.lastActionAt)),
    reason: (lead) => `${CANONICAL_LABEL.lastActionAt}はアクションの記録から決まるため、リストでは変更できません（現在の値: ${lead.lastActionAt ? japanClockText(lead.lastActionAt) : 'なし'}）`,
  },
  lastActionResult: {
    agrees: (cell, lead) => sameText(cell, lead.lastActionResult),
    reason: (lead) => `${CANONICAL_LABEL.lastActionResult}はアクションの記録から決まるため、リストでは変更できません（現在の値: ${lead.lastActionResult ?? 'なし'}）`,
  },
};

/**
 * Why the row cannot apply to `lead` (the lead as the row leaves it, its new owner included), or undefined when
 * every read-only cell agrees with it.
 */
export function readOnlyMismatch(lead: Lead, cells: ListedColumns['readOnly']): string | undefined {
  for (const field of READ_ONLY) {
    const cell = cells[field];
    if (cell !== undefined && !READ_ONLY_CHECKS[field].agrees(cell, lead)) return READ_ONLY_CHECKS[field].reason(lead);
  }
  return undefined;
}
