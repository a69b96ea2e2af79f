import { leadEventItem } from '../leads/events';
import { historiesFollowOwners } from '../leads/memberships';
import { leadFromItem, withOwner, type Lead } from '../leads/model';
import { ErasedPersonError, MatchKeyTakenError, saveLead, StaleLeadError } from '../leads/repository';
import { ownerResolver, type OwnerLookup } from '../assignment/owner-by-list';
import { forEachConcurrently } from '../async';
import { batchGet, batchWrite, getItem, keyString, putRequest, type Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import type { User } from '../users/schema';
import { CANONICAL_LABEL } from '../leads/columns';
import { isErasedOrErasing } from '../leads/tombstone';
import { markerOf } from './row-marker';
import type { RowNote } from './row-notes';
import { matchKeyOf, type MatchMode } from '../leads/match-key';
import { DRAFT_FIELDS, type LeadDraft } from './row-rules';
import { isClear } from './clear-marker';
import { readOnlyMismatch, withListedStage, type ListedColumns } from './update-columns';
import { emptyCounts, type ImportCounts } from './schema';
import { openTasksOfLeads, taskFollowWrites, tasksOnStageChange, tasksThatFollow } from '../leads/lead-tasks';

/**
 * List update (リスト更新, seed 000 table A.1.3): a row that matches a lead updates it; a row that matches none is
 * rejected. Made safe where the seed product is not (§4.1): a row carrying a バージョン older than the lead's is a
 * conflict and is not applied, so an edit made in the system since the export is never silently overwritten.
 *
 * Cells: blank leaves the field as it is; CLEAR_MARKER empties it. A リード担当者 cell assigns the lead to that user
 * exactly as POST /leads/assign would: the lead's history records it, and each owner is notified once per import
 * (lib/assignment/by-list.ts, when the import finishes). リードステージ and ステージ理由 move the stage by the rules
 * PATCH /leads/{id} follows, and are written the same way (the lead, at a new version: a stage edit records no
 * history event and moves no counter, by either way). The read-only columns must agree with the lead as the row
 * leaves it (./update-columns.ts).
 */

export { CLEAR_MARKER } from './clear-marker';

export interface UpdateRow {
  rowNumber: number;
  cells: string[];
  draft: LeadDraft;
  matchKey?: string;
  leadId?: string;
  version?: number;
  /** The リード担当者 cell: an e-mail, a user id or a name. */
  owner?: string;
  /** The stage, its reason and the read-only cells (none on a row built without them). */
  listed?: ListedColumns;
}

export interface UpdateContext {
  importId: string;
  /** Who uploaded the list: the one who assigns when it names owners. */
  actorId: string;
  now: Date;
  matchMode: MatchMode;
  /** The uploader may assign leads (see mayChangeOwners): otherwise a row that would change its lead's owner is rejected. */
  mayChangeOwners: boolean;
  concurrency?: number;
}

const MAX_ATTEMPTS = 3;

interface Assigned {
  leadId: string;
  ownerId: string;
  from?: string;
  at: string;
  name: string;
  company?: string;
  campaignId?: string;
}

type Outcome = { kind: 'updated' | 'unchanged'; assigned?: Assigned } | { kind: 'rejected'; note: RowNote };

function rejected(row: UpdateRow, code: string, reason: string, current?: Lead): Outcome {
  const snapshot = current
    ? Object.fromEntries(
        [...DRAFT_FIELDS.map((f) => [CANONICAL_LABEL[f], current[f] ?? ''] as const), [CANONICAL_LABEL.version, String(current.version)] as const],
      )
    : undefined;
  return { kind: 'rejected', note: { rowNumber: row.rowNumber, outcome: 'rejected', code, reason, cells: row.cells, ...(snapshot ? { current: snapshot } : {}) } };
}

/** The lead as the row would leave it (its owner aside), or a reason the row cannot apply. */
export function applyRow(lead: Lead, row: UpdateRow): { next: Lead; changed: boolean } | { error: string; code: 'invalid_value' | 'stage_rule' } {
  const staged = withListedStage(lead, row.listed ?? {});
  if ('refused' in staged) return { error: staged.refused, code: 'stage_rule' };
  const next: Lead = { ...staged, extra: { ...lead.extra } };
  let changed = staged.stage !== lead.stage || staged.stageReason !== lead.stageReason;
  for (const field of DRAFT_FIELDS) {
    const value = row.draft[field];
    if (value === undefined) continue;
    if (isClear(value)) {
      if (field === 'name') return { error: '名前は空にできません', code: 'invalid_value' };
      if (next[field] !== undefined) {
        delete next[field];
        changed = true;
      }
    } else if (next[field] !== value) {
      next[field] = value;
      changed = true;
    }
  }
  for (const [label, value] of Object.entries(row.draft.extra)) {
    if (isClear(value)) {
      if (label in next.extra) {
        delete next.extra[label];
        changed = true;
      }
    } else if (next.extra[label] !== value) {
      next.extra[label] = value;
      changed = true;
    }
  }
  return { next, changed };
}

async function updateOne(ctx: UpdateContext, row: UpdateRow, leadId: string, first: Item | undefined, owner?: User): Promise<Outcome> {
  let item = first;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) item = await getItem(keys.lead(leadId));
    if (!item) return rejected(row, 'no_such_lead', '該当するリードがありません');
    const lead = leadFromItem(item);
    // The person asked to be erased: nothing of theirs comes back, whatever the exported row still says.
    if (isErasedOrErasing(lead)) return rejected(row, 'erased_on_request', '消去依頼により消去されたリードのため更新できません');
    const marker = markerOf(ctx.importId, row.rowNumber);
    if (row.version !== undefined && row.version < lead.version && (item.lastImportRow !== marker || row.version !== lead.version - 1)) {
      return rejected(row, 'version_conflict', `出力後にシステム上で変更されています（出力時バージョン${row.version}、現在${lead.version}）`, lead);
    }
    const applied = applyRow(lead, row);
    if ('error' in applied) return rejected(row, applied.code, applied.error, lead);
    const reassign = owner !== undefined && owner.userId !== lead.ownerId;
    if (reassign && !ctx.mayChangeOwners) {
      return rejected(row, 'owner_change_not_allowed', 'リード担当者を変更できるのは、管理者またはインサイドセールス責任者が依頼した更新リストだけです', lead);
    }
    if (reassign && lead.stage === 'converted') return rejected(row, 'converted', '案件化済みのリードは担当者を変更できません', lead);
    const at = ctx.now.toISOString();
    const edited: Lead = { ...applied.next, matchKey: matchKeyOf(applied.next, ctx.matchMode) ?? lead.matchKey, version: lead.version };
    const next = reassign ? withOwner(edited, owner, at) : { ...edited, updatedAt: at, version: lead.version + 1 };
    // リード担当組織 beside a new リード担当者 is checked against the new owner's team.
    const mismatch = readOnlyMismatch(next, row.listed?.readOnly ?? {});
    if (mismatch) return rejected(row, 'read_only_column', mismatch, lead);
    if (!applied.changed && !reassign) {
      if (item.lastImportRow !== marker) return { kind: 'unchanged' };
      // A replay of this row, already written: report what the first run did, the assignment included.
      if (item.assignmentId !== marker) return { kind: 'updated' };
      // The first run may have ended before the lead's histories took its new owner.
      await historiesFollowOwners([{ leadId, ownerId: lead.ownerId, version: lead.version }]);
      return { kind: 'updated', assigned: assignedOf(lead, lead.ownerId!, undefined, lead.updatedAt) };
    }

    try {
      // The marker lets a replay of this chunk recognise its own write (see the version check above).
      // In the lead's own write (lib/leads/lead-tasks.ts): 対象外 cancels the lead's open tasks; otherwise a new owner
      // takes the open tasks of the previous one.
      const tasks = await tasksOnStageChange(lead, next, item, at);
      const open = reassign && tasks.cancelled.length === 0 ? ((await openTasksOfLeads([{ leadId, item }])).get(leadId) ?? []) : [];
      await saveLead(
        lead,
        tasks.lead,
        { lastImportRow: marker, ...tasks.attributes, ...(reassign ? { assignmentId: marker } : {}) },
        { writes: [...tasks.writes, ...(reassign ? taskFollowWrites(tasksThatFollow(open, lead.ownerId), owner.userId, at) : [])], guard: tasks.guard },
      );
      // A new owner, committed: the lead's campaign histories take it (lib/leads/memberships.ts).
      if (reassign) await historiesFollowOwners([{ leadId, ownerId: next.ownerId, version: next.version }]);
      return { kind: 'updated', ...(reassign ? { assigned: assignedOf(next, owner.userId, lead.ownerId, next.updatedAt) } : {}) };
    } catch (error) {
      if (error instanceof StaleLeadError) continue; // edited meanwhile: read again and re-apply
      if (error instanceof MatchKeyTakenError) return rejected(row, 'email_taken', 'このメールアドレスは別のリードが使っています');
      if (error instanceof ErasedPersonError) return rejected(row, 'erased_on_request', '消去依頼により登録できません（このメールアドレスの人は消去を依頼しています）');
      throw error;
    }
  }
  return rejected(row, 'version_conflict', '同時に更新されたため適用できませんでした。もう一度取り込んでください');
}

const assignedOf = (lead: Lead, ownerId: string, from: string | undefined, at: string): Assigned => ({
  leadId: lead.leadId,
  ownerId,
  ...(from ? { from } : {}),
  at,
  name: lead.name,
  ...(lead.company ? { company: lead.company } : {}),
  ...(lead.source?.campaignId ? { campaignId: lead.source.campaignId } : {}),
});

export async function updateRows(ctx: UpdateContext, rows: UpdateRow[]): Promise<{ counts: ImportCounts; notes: RowNote[] }> {
  const counts = emptyCounts();
  const notes: RowNote[] = [];
  const resolve = ownerResolver();
  const owners = new Map<number, OwnerLookup>();
  for (const row of rows) if (row.owner) owners.set(row.rowNumber, await resolve(row.owner));
  const byKey = await batchGet<{ leadId: string }>(rows.filter((r) => !r.leadId && r.matchKey).map((r) => keys.leadMatchKey(r.matchKey!)));
  const leadIdOf = (row: UpdateRow) => row.leadId ?? (row.matchKey ? byKey.get(keyString(keys.leadMatchKey(row.matchKey)))?.leadId : undefined);
  const leads = await batchGet(rows.map(leadIdOf).filter((id): id is string => Boolean(id)).map((id) => keys.lead(id)));

  const outcomes = new Map<number, Outcome>();
  // Rows naming the same lead apply one after another, in file order, so the last row wins as a person expects.
  const byLead = new Map<string, UpdateRow[]>();
  for (const row of rows) {
    const leadId = leadIdOf(row);
    if (!leadId) {
      outcomes.set(row.rowNumber, rejected(row, 'no_such_lead', '該当するリードがありません'));
      continue;
    }
    byLead.set(leadId, [...(byLead.get(leadId) ?? []), row]);
  }
  await forEachConcurrently([...byLead.entries()], ctx.concurrency ?? 12, async ([leadId, sameLead]) => {
    let first: Item | undefined = leads.get(keyString(keys.lead(leadId)));
    for (const row of sameLead) {
      const owner = owners.get(row.rowNumber);
      if (owner && !owner.ok) {
        outcomes.set(row.rowNumber, rejected(row, owner.code, owner.reason));
        continue;
      }
      outcomes.set(row.rowNumber, await updateOne(ctx, row, leadId, first, owner?.user));
      first = undefined; // later rows re-read what the earlier one wrote
      if (sameLead.length > 1) first = await getItem(keys.lead(leadId));
    }
  });
  const assigned: Assigned[] = [];
  for (const row of rows) {
    const outcome = outcomes.get(row.rowNumber)!;
    if (outcome.kind === 'rejected') {
      counts.rejected++;
      notes.push(outcome.note);
    } else {
      counts[outcome.kind]++;
      if (outcome.assigned) assigned.push(outcome.assigned);
    }
  }
  if (assigned.length > 0) await recordAssignments(ctx, rows[0]!.rowNumber, assigned);
  return { counts, notes };
}

/**
 * The lead's history for each assignment, and per owner the leads this chunk gave them, from which the import's
 * notifications are built when it finishes. Keys depend only on the import, the rows and the write's time as
 * stored on the lead, so a replayed chunk rewrites the same items.
 */
async function recordAssignments(ctx: UpdateContext, firstRow: number, assigned: Assigned[]): Promise<void> {
  const byOwner = new Map<string, Assigned[]>();
  for (const a of assigned) byOwner.set(a.ownerId, [...(byOwner.get(a.ownerId) ?? []), a]);
  await batchWrite([
    ...assigned.map((a) =>
      putRequest(leadEventItem({ eventId: ctx.importId, leadId: a.leadId, kind: 'assigned', at: a.at, actorId: ctx.actorId, fromOwnerId: a.from, toOwnerId: a.ownerId, importId: ctx.importId })),
    ),
    ...[...byOwner].map(([ownerId, leads]) =>
      putRequest({
        ...keys.importAssignments(ctx.importId, ownerId, firstRow),
        entity: ENTITY.importAssignments,
        importId: ctx.importId,
        ownerId,
        leads: leads.map(({ leadId, name, company, campaignId }) => ({ leadId, name, ...(company ? { company } : {}), ...(campaignId ? { campaignId } : {}) })),
      }),
    ),
  ]);
}
