import { ValidationError } from '../errors';
import type { LeadStage } from './model';

/**
 * Stage rules (リードステージ): 対象外 and リサイクル need a reason; 案件化 is reached only by conversion and
 * 営業引継ぎ only by hand-over; a converted lead takes no further stage change.
 */

export type StageChangeVia = 'edit' | 'action' | 'conversion' | 'handover';

/** How a stage reads in Japanese, in lists, exports and e-mails (the seed product's labels). */
export const STAGE_LABELS: Record<LeadStage, string> = {
  new: '新規',
  working: '対応中',
  disqualified: '対象外',
  recycle: 'リサイクル',
  handed_over: '営業引継ぎ',
  converted: '案件化',
};

const NEEDS_REASON: readonly LeadStage[] = ['disqualified', 'recycle'];

/** 対象外 and リサイクル say why: a lead moves there only with a reason, and keeps it while it stays. */
export const stageNeedsReason = (stage: LeadStage): boolean => NEEDS_REASON.includes(stage);

export function checkStageChange(from: LeadStage, to: LeadStage, reason: string | undefined, via: StageChangeVia, path = 'body.stage'): void {
  if (from === to) return;
  const refuse = (message: string) => {
    throw new ValidationError(message, [{ path, message }]);
  };
  if (from === 'converted') refuse('a converted lead takes no further stage change');
  if (to === 'converted' && via !== 'conversion') refuse('a lead becomes converted only by conversion (POST /leads/{leadId}/convert)');
  if (to === 'handed_over' && via !== 'handover') refuse('a lead is handed over only by hand-over (POST /leads/{leadId}/handover)');
  if (stageNeedsReason(to) && !reason?.trim()) {
    throw new ValidationError(`moving a lead to ${to} needs a reason`, [{ path: path.replace(/stage$/, 'stageReason'), message: 'required for this stage' }]);
  }
}
