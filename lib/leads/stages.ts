import { ValidationError } from '../errors';
import { LEAD_STAGES, type Lead, type LeadStage } from './model';

/**
 * Stage rules (リードステージ): 対象外 and リサイクル need a reason; 案件化 is reached only by conversion and
 * 営業引継ぎ only by hand-over; a converted lead takes no further stage change. The rules answer with a refusal
 * (what broke), which each way in words for its audience: the API in English problem details, an update list in
 * Japanese for the marketer who reads the rejections workbook.
 */

export type StageChangeVia = 'edit' | 'list' | 'action' | 'conversion' | 'handover';

/** How a stage reads in Japanese, in lists, exports and e-mails (the seed product's labels). */
export const STAGE_LABELS: Record<LeadStage, string> = {
  new: '新規',
  working: '対応中',
  disqualified: '対象外',
  recycle: 'リサイクル',
  handed_over: '営業引継ぎ',
  converted: '案件化',
};

/** The stage a list cell names, by its Japanese label (as exported) or its id (`disqualified`); undefined otherwise. */
export function stageNamed(text: string): LeadStage | undefined {
  const typed = text.normalize('NFKC').trim();
  const lower = typed.toLowerCase();
  return LEAD_STAGES.find((stage) => STAGE_LABELS[stage].normalize('NFKC') === typed || stage === lower);
}

const NEEDS_REASON: readonly LeadStage[] = ['disqualified', 'recycle'];

/** 対象外 and リサイクル say why: a lead moves there only with a reason, and keeps it while it stays. */
export const stageNeedsReason = (stage: LeadStage): boolean => NEEDS_REASON.includes(stage);

/** Which stage rule a change breaks. */
export type StageRefusal = 'converted_is_final' | 'conversion_only' | 'handover_only' | 'reason_required';

/** The rule moving from `from` to `to` with `reason` by `via` breaks, or undefined when it may happen. */
export function stageRefusal(from: LeadStage, to: LeadStage, reason: string | undefined, via: StageChangeVia): StageRefusal | undefined {
  if (from === to) return undefined;
  if (from === 'converted') return 'converted_is_final';
  if (to === 'converted' && via !== 'conversion') return 'conversion_only';
  if (to === 'handed_over' && via !== 'handover') return 'handover_only';
  if (stageNeedsReason(to) && !reason?.trim()) return 'reason_required';
  return undefined;
}

const API_MESSAGES: Record<StageRefusal, (to: LeadStage) => string> = {
  converted_is_final: () => 'a converted lead takes no further stage change',
  conversion_only: () => 'a lead becomes converted only by conversion (POST /leads/{leadId}/convert)',
  handover_only: () => 'a lead is handed over only by hand-over (POST /leads/{leadId}/handover)',
  reason_required: (to) => `moving a lead to ${to} needs a reason`,
};

/** The 422 an API request breaking `refusal` answers; a missing reason points at the reason beside `path`. */
export function stageRefusalError(refusal: StageRefusal, to: LeadStage, path = 'body.stage'): ValidationError {
  const message = API_MESSAGES[refusal](to);
  if (refusal === 'reason_required') return new ValidationError(message, [{ path: path.replace(/stage$/, 'stageReason'), message: 'required for this stage' }]);
  return new ValidationError(message, [{ path, message }]);
}

export function checkStageChange(from: LeadStage, to: LeadStage, reason: string | undefined, via: StageChangeVia, path = 'body.stage'): void {
  const refusal = stageRefusal(from, to, reason, via);
  if (refusal) throw stageRefusalError(refusal, to, path);
}

/** What an edit asks of the stage: a stage, a reason (null: none), or both; absent parts stay as they are. */
export interface StageEdit {
  stage?: LeadStage;
  stageReason?: string | null;
}

/**
 * The stage and reason an edit (PATCH /leads/{id}, an update list's リードステージ and ステージ理由) leaves the lead
 * with, or the rule it breaks. A reason belongs to the stage it explains: moving on without a new one drops the old,
 * and a stage that needs a reason neither moves in nor stays without one.
 */
export function editedStage(lead: Pick<Lead, 'stage' | 'stageReason'>, edit: StageEdit, via: 'edit' | 'list'): { stage: LeadStage; stageReason?: string } | { refusal: StageRefusal } {
  const stage = edit.stage ?? lead.stage;
  const moved = stage !== lead.stage;
  const reason = edit.stageReason === null ? undefined : (edit.stageReason ?? (moved ? undefined : lead.stageReason));
  const refusal = stageRefusal(lead.stage, stage, reason, via);
  if (refusal) return { refusal };
  // Staying in a stage that needs a reason: the reason may be replaced, never removed.
  if (!moved && edit.stageReason !== undefined && stageNeedsReason(stage) && !reason?.trim()) return { refusal: 'reason_required' };
  return reason === undefined ? { stage } : { stage, stageReason: reason };
}

/** The lead with the stage and reason `editedStage` gave it (a reason it no longer has is removed, not emptied). */
export function withStage<T extends Pick<Lead, 'stage' | 'stageReason'>>(lead: T, change: { stage: LeadStage; stageReason?: string }): T {
  const next: T = { ...lead, stage: change.stage };
  if (change.stageReason === undefined) delete next.stageReason;
  else next.stageReason = change.stageReason;
  return next;
}
