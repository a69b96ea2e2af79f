import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { worksOwnLeadsOnly } from '../users/roles';
import { matchKeyOf, configuredMatchMode } from './match-key';
import { tasksOnStageChange } from './lead-tasks';
import type { Lead } from './model';
import { ErasedPersonError, getLead, MatchKeyTakenError, requireWorkableLead, saveLead, StaleLeadError, staleLeadConflict } from './repository';
import type { LeadPatch } from './schema';
import { editedStage, stageRefusalError, withStage } from './stages';

/**
 * PATCH /leads/{id}: contact data, classification, qualification, NG actions, the shared memo, and the stage with
 * its reason, all at the version the editor saw. The owner changes only through assignment.
 */
export async function editLead(caller: Caller, leadId: string, patch: Omit<LeadPatch, 'version'>, expectedVersion: number, now = new Date()): Promise<Lead> {
  for (let attempt = 1; ; attempt++) {
    const saved = await editOnce(caller, leadId, patch, expectedVersion, now);
    // Only the lead's tasks changed meanwhile (the version is still the editor's): judge the edit again on them.
    if (saved !== TASKS_MOVED) return saved;
    if (attempt >= MAX_ATTEMPTS) throw await staleLeadConflict(leadId, expectedVersion);
  }
}

const MAX_ATTEMPTS = 3;
const TASKS_MOVED = Symbol('tasks moved');

async function editOnce(caller: Caller, leadId: string, patch: Omit<LeadPatch, 'version'>, expectedVersion: number, now: Date): Promise<Lead | typeof TASKS_MOVED> {
  const { lead, item } = await requireWorkableLead(caller, leadId);
  if (worksOwnLeadsOnly(caller.role) && lead.ownerId !== caller.userId) {
    throw new ForbiddenError('only the lead\'s owner, a manager or an admin may edit it');
  }
  if (lead.version !== expectedVersion) throw await staleLeadConflict(leadId, expectedVersion);

  const { stage, stageReason, ...fields } = patch;
  let next: Lead = { ...lead, extra: { ...lead.extra } };
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (value === null) delete (next as unknown as Record<string, unknown>)[field];
    else (next as unknown as Record<string, unknown>)[field] = value;
  }
  if (stage !== undefined || stageReason !== undefined) {
    // The stage rules an update list's リードステージ follows too.
    const edited = editedStage(lead, { stage, stageReason }, 'edit');
    if ('refusal' in edited) throw stageRefusalError(edited.refusal, stage ?? lead.stage);
    next = withStage(next, edited);
  }
  if (!next.email && !next.company) {
    throw new ValidationError('a lead needs an e-mail address or a company to be recognised in later lists', [
      { path: 'body.email', message: 'required unless company is set' },
    ]);
  }
  next.matchKey = matchKeyOf(next, configuredMatchMode()) ?? lead.matchKey;
  next.updatedAt = now.toISOString();
  next.version = lead.version + 1;
  // Disqualifying the lead cancels its open tasks in the same write (lib/leads/lead-tasks.ts).
  const tasks = await tasksOnStageChange(lead, next, item, next.updatedAt);
  try {
    await saveLead(lead, tasks.lead, tasks.attributes, { writes: tasks.writes, guard: tasks.guard });
    return tasks.lead;
  } catch (error) {
    if (error instanceof StaleLeadError) {
      const current = await getLead(leadId);
      if (current?.lead.version === expectedVersion) return TASKS_MOVED;
      throw await staleLeadConflict(leadId, expectedVersion);
    }
    if (error instanceof MatchKeyTakenError) throw new ConflictError('another lead already has this e-mail address', { cause: error });
    if (error instanceof ErasedPersonError) {
      throw new ValidationError('the person with this e-mail address asked to be erased (個人情報の消去) and cannot be recorded again', [
        { path: 'body.email', message: 'erased on request' },
      ]);
    }
    throw error;
  }
}
