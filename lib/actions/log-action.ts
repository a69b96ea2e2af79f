import { newId } from '../ids';
import { backoffMs, sleep } from '../async';
import { counterBump } from '../campaigns/metrics';
import { ConflictError, ForbiddenError, ValidationError, type FieldIssue } from '../errors';
import type { Caller } from '../users/caller';
import { isClosedStage, leadItemReplacing, type CampaignMembership, type FollowStatus, type Lead, type LeadStage } from '../leads/model';
import { getLead, requireVisibleLead, requireWorkableLead, staleLeadConflict } from '../leads/repository';
import { requireApproachAllowed } from '../leads/ng-actions';
import { checkStageChange, stageNeedsReason } from '../leads/stages';
import { choices } from '../settings/choices';
import { getItem, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { keys } from '../table/keys';
import { transact, txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import { nextTaskRevision, taskCancelWrites, taskRevisionGuard, tasksOfLead, withNextAction } from '../leads/lead-tasks';
import { answersKind, dueInstantOf, japanDayBounds, leadIdOfTask, newTask, refuseIfFull, seesTask, taskFromItem, taskItem, type Task } from '../leads/task-model';
import { worksOwnLeadsOnly } from '../users/roles';
import { actionActivity } from '../stats/writes';
import { actionFromItem, actionItem, japanDateOf } from './model';
import type { Action, ActionCreate, ActionLeadUpdates } from './schema';

/**
 * POST /leads/{leadId}/actions (seed 000 §3.6.3): one atomic write stores the action, moves the lead's last action
 * (forward only) and its stage, updates the campaign history's follow status and last result, applies the form's
 * lead updates, and counts the action on the campaign's metrics and on its actor's activity of the day.
 *
 * Actions are appends: when another write changed the lead between our read and our write (another action at the
 * same moment, an edit), we read again and retry, so concurrent actions all land. Only `leadUpdates` are edits:
 * they carry the version they were made on, and a stale one is a 409 like PATCH /leads.
 */

/** A clock a little ahead is fine; an action dated in the future is a mistake (that is what nextActionAt is for). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
const MAX_ATTEMPTS = 20;

export interface LoggedAction {
  action: Action;
  lead: Pick<Lead, 'leadId' | 'stage' | 'lastActionAt' | 'lastActionResult' | 'version'>;
  version: number;
}

/** Content and result come from the configured choice lists (lib/settings/choices.ts). */
export function checkActionChoices(input: Pick<ActionCreate, 'content' | 'result'>): void {
  const { contents, results } = choices();
  const issues: FieldIssue[] = [];
  if (!contents.includes(input.content)) issues.push({ path: 'body.content', message: `not one of the configured contents: ${contents.join(', ')}` });
  if (!results.includes(input.result)) issues.push({ path: 'body.result', message: `not one of the configured results: ${results.join(', ')}` });
  if (issues.length > 0) throw new ValidationError('the action uses a value outside the choice lists (GET /settings/choices)', issues);
}

/** The lead's stage after the action: as asked (checked against the stage rules), or new → working by default. */
export function stageAfterAction(current: LeadStage, asked: LeadStage | undefined, reason: string | undefined): LeadStage {
  if (asked === undefined) {
    if (reason !== undefined) throw new ValidationError('a stage reason goes with a stage', [{ path: 'body.stage', message: 'required with stageReason' }]);
    return current === 'new' ? 'working' : current;
  }
  checkStageChange(current, asked, reason, 'action');
  return asked;
}

function applyLeadUpdates(next: Lead, updates: Omit<ActionLeadUpdates, 'version'>): void {
  for (const [field, value] of Object.entries(updates)) {
    if (value === undefined) continue;
    if (value === null) delete (next as unknown as Record<string, unknown>)[field];
    else (next as unknown as Record<string, unknown>)[field] = value;
  }
}

const isLater = (candidate: string, than: string | undefined) => than === undefined || Date.parse(candidate) >= Date.parse(than);

export async function logAction(caller: Caller, leadId: string, input: ActionCreate, now = new Date()): Promise<LoggedAction> {
  checkActionChoices(input);
  const at = new Date(input.at).toISOString();
  if (Date.parse(at) > now.getTime() + FUTURE_TOLERANCE_MS) {
    throw new ValidationError('an action cannot be dated in the future', [{ path: 'body.at', message: 'later than now; use nextActionAt for a planned action' }]);
  }
  const nextActionAt = input.nextActionAt ? new Date(input.nextActionAt).toISOString() : undefined;
  if (!nextActionAt && (input.nextActionKind || input.nextActionTitle)) {
    throw new ValidationError('nextActionKind and nextActionTitle describe the next action: give nextActionAt too', [{ path: 'body.nextActionAt', message: 'required with nextActionKind or nextActionTitle' }]);
  }
  // One id for every attempt: if an attempt did land despite an error, the next one finds the action already there.
  const actionId = newId(now.getTime());
  const { version: updatesVersion, ...updates } = input.leadUpdates ?? { version: undefined };

  for (let attempt = 1; ; attempt++) {
    const { lead, item } = await requireWorkableLead(caller, leadId);
    if (worksOwnLeadsOnly(caller.role) && lead.ownerId !== caller.userId) {
      throw new ForbiddenError("only the lead's owner, a manager or an admin may log actions on it");
    }
    if (updatesVersion !== undefined && lead.version !== updatesVersion) throw await staleLeadConflict(leadId, updatesVersion);
    requireApproachAllowed(lead, input.channel, 'body.channel');
    // The actor's activity counters of the action's day (lib/stats/writes.ts), judged on the lead as read; their
    // leads-touched marker is read beside the history.
    const [membership, activity] = await Promise.all([
      getItem<CampaignMembership & Item>(keys.membership(leadId, input.campaignId)),
      actionActivity({ actorId: caller.userId, leadId, at, channel: input.channel, result: input.result }, lead, now),
    ]);
    if (!membership) {
      throw new ValidationError('the action must be for one of the lead\'s campaigns', [{ path: 'body.campaignId', message: 'the lead has no history with this campaign' }]);
    }

    const stage = stageAfterAction(lead.stage, input.stage, input.stageReason);
    if (nextActionAt && isClosedStage(stage)) {
      throw new ValidationError(`a ${stage} lead has no next action: its open tasks are cancelled`, [{ path: 'body.nextActionAt', message: `not with stage ${stage}` }]);
    }
    const open = (await tasksOfLead(leadId, item)).filter((t) => t.status === 'open');
    const answered = input.completesTaskId ? await requireAnsweredTask(caller, leadId, input.completesTaskId) : dueTaskAnswered(open, caller, lead, input.channel, now);
    const stillOpen = open.filter((t) => t.taskId !== answered?.taskId);
    const nextTask = nextActionAt ? nextTaskOf(caller, lead, stillOpen, { ...input, nextActionAt }, actionId) : undefined;
    // A lead the action disqualifies has no work left: its other open tasks are cancelled with the action.
    const cancelled = isClosedStage(stage) && !isClosedStage(lead.stage) ? stillOpen : [];
    const openAfter = cancelled.length > 0 ? [] : [...stillOpen.filter((t) => t.taskId !== nextTask?.task.taskId), ...(nextTask ? [nextTask.task] : [])];
    const timestamp = new Date().toISOString();
    let next: Lead = { ...lead, extra: { ...lead.extra } };
    applyLeadUpdates(next, updates);
    if (stage !== lead.stage || input.stageReason !== undefined) {
      next.stage = stage;
      if (stageNeedsReason(stage) && input.stageReason !== undefined) next.stageReason = input.stageReason;
      else if (stage !== lead.stage) delete next.stageReason;
    }
    // The lead's last action only moves forward: an action logged late for an earlier time leaves it where it is.
    if (isLater(at, lead.lastActionAt)) {
      next.lastActionAt = at;
      next.lastActionResult = input.result;
    }
    next.updatedAt = timestamp;
    next.version = lead.version + 1;
    next = withNextAction(next, openAfter);

    const followStatus: FollowStatus = input.followStatus ?? (membership.followStatus === 'not_started' ? 'in_progress' : membership.followStatus);
    const action: Action = {
      actionId,
      leadId,
      campaignId: input.campaignId,
      actorId: caller.userId,
      at,
      channel: input.channel,
      content: input.content,
      result: input.result,
      ...(input.note ? { note: input.note } : {}),
      ...(nextActionAt ? { nextActionAt } : {}),
      ...(stage !== lead.stage ? { stageFrom: lead.stage, stageTo: stage } : {}),
      ...(next.stageReason !== undefined && stage !== lead.stage ? { stageReason: next.stageReason } : {}),
      followStatus,
      ...activity.onAction,
      createdAt: timestamp,
    };

    // Closing, opening or cancelling a task is a task write: it moves the lead's task revision, so an owner change
    // that read the lead's tasks before this action reads them again; and the action's own write of the lead holds
    // only over the revision read, so a task written meanwhile is seen by the next attempt (lib/leads/lead-tasks.ts).
    const revision = answered || nextTask || cancelled.length > 0 ? nextTaskRevision(item) : {};
    const tasksAsRead = taskRevisionGuard(item);
    const writes: TransactionWrite[] = [
      txPut('lead', { ...leadItemReplacing(item, next), ...revision }, {
        condition: `version = :v AND ${tasksAsRead.condition}`,
        names: tasksAsRead.names,
        values: { ':v': lead.version, ...tasksAsRead.values },
      }),
      txPut('action', actionItem(action), { condition: ITEM_ABSENT }),
      membershipUpdate(leadId, input.campaignId, membership, { at, result: input.result, followStatus, timestamp }),
      counterBump(input.campaignId, { actions: 1 }, new Date(timestamp)),
      ...activity.writes,
      ...(answered
        ? [
            txPut('task', taskItem({ ...answered, status: 'done', completedAt: timestamp, completedByActionId: actionId, updatedAt: timestamp, version: answered.version + 1 }), {
              condition: 'version = :tv',
              values: { ':tv': answered.version },
            }),
          ]
        : []),
      ...(nextTask ? [txPut('nextTask', taskItem(nextTask.task), nextTask.write)] : []),
      ...taskCancelWrites(cancelled, timestamp),
    ];

    try {
      // The token makes the SDK's own retry of this very request idempotent (DynamoDB keeps it 10 minutes).
      await transact(writes, { token: `${actionId}-${attempt}` });
      return { action, lead: summary(next), version: next.version };
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed('action')) return alreadyLogged(caller, leadId, actionId);
      if (error.failed('history')) {
        throw new ValidationError('the action must be for one of the lead\'s campaigns', [{ path: 'body.campaignId', message: 'the lead has no history with this campaign' }]);
      }
      // An edit made on a version that moved on is the editor's to redo; a lead whose tasks alone moved (its version
      // is still the one edited) is read again like any other race.
      if (updatesVersion !== undefined && error.failed('lead') && (await getLead(leadId))?.lead.version !== updatesVersion) throw await staleLeadConflict(leadId, updatesVersion);
      // The task changed meanwhile (closed, moved): the next attempt judges it again.
      if (attempt >= MAX_ATTEMPTS) throw new ConflictError(`lead ${leadId} is being changed by many writes at once; retry shortly`, { cause: error });
      await sleep(backoffMs(Math.min(attempt, 7), 10, 1000));
    }
  }
}

/**
 * The lead's next task as this action leaves it: the one an earlier action's nextActionAt opened for the lead's
 * owner, moved to the new time, or a new one (call by default, or nextActionKind; title 次回対応 unless given).
 */
function nextTaskOf(
  caller: Caller,
  lead: Lead,
  open: readonly Task[],
  input: Pick<ActionCreate, 'nextActionKind' | 'nextActionTitle'> & { nextActionAt: string },
  actionId: string,
): { task: Task; write: { condition: string; values?: Item } } {
  const assigneeId = lead.ownerId ?? caller.userId;
  const timestamp = new Date().toISOString();
  const current = open.find((t) => t.openedByActionId !== undefined && t.assigneeId === assigneeId);
  if (current) {
    const kind = input.nextActionKind ?? current.kind;
    requireApproachAllowed(lead, kind, 'body.nextActionKind');
    const moved: Task = { ...current, kind, dueAt: input.nextActionAt, ...(input.nextActionTitle ? { title: input.nextActionTitle } : {}), openedByActionId: actionId, updatedAt: timestamp, version: current.version + 1 };
    return { task: moved, write: { condition: 'version = :nv', values: { ':nv': current.version } } };
  }
  refuseIfFull(open.length, 'body.nextActionAt');
  const kind = input.nextActionKind ?? 'call';
  requireApproachAllowed(lead, kind, 'body.nextActionKind');
  const task = newTask(
    // Its id derives from the action's, so a retry of the same action opens the same task, never a second one.
    { unique: actionId, leadId: lead.leadId, assigneeId, kind, title: input.nextActionTitle ?? '次回対応', dueAt: input.nextActionAt, createdBy: caller.userId, openedByActionId: actionId },
    timestamp,
  );
  return { task, write: { condition: ITEM_ABSENT } };
}

/**
 * The open task an action answers without naming it: due today or earlier (days in Japan), of a kind the action's
 * channel does (a phone action answers a call task), given to the one who acts or to the lead's owner; the earliest
 * due of them. A rep who calls a lead whose call was due this morning does not also have to tick the task off.
 */
function dueTaskAnswered(open: readonly Task[], caller: Caller, lead: Lead, channel: string, now: Date): Task | undefined {
  const { end } = japanDayBounds(now);
  const due = open.filter((t) => (t.assigneeId === caller.userId || t.assigneeId === lead.ownerId) && answersKind(channel, t.kind) && dueInstantOf(t.dueAt) < end);
  return due.sort((a, b) => dueInstantOf(a.dueAt).localeCompare(dueInstantOf(b.dueAt)) || a.taskId.localeCompare(b.taskId))[0];
}

/** The open task of this lead that the action answers: the caller's own, unless a manager or admin logs it. */
async function requireAnsweredTask(caller: Caller, leadId: string, taskId: string): Promise<Task> {
  const refuse = (message: string) => new ValidationError('the action cannot complete that task', [{ path: 'body.completesTaskId', message }]);
  if (leadIdOfTask(taskId) !== leadId) throw refuse('not a task of this lead');
  const item = await getItem(keys.task(leadId, taskId), { consistent: true });
  const task = item ? taskFromItem(item) : undefined;
  if (!task || !seesTask(caller, task)) throw refuse('no such task of this lead for you');
  if (task.status !== 'open') throw refuse(`the task is ${task.status} already`);
  return task;
}

function membershipUpdate(
  leadId: string,
  campaignId: string,
  seen: CampaignMembership,
  change: { at: string; result: string; followStatus: FollowStatus; timestamp: string },
): TransactionWrite {
  const set: Item = { followStatus: change.followStatus, updatedAt: change.timestamp };
  const remove: string[] = [];
  if (isLater(change.at, seen.lastActionAt)) Object.assign(set, { lastActionAt: change.at, lastActionResult: change.result });
  if (change.followStatus === 'done' && seen.followStatus !== 'done') set.completedOn = japanDateOf(change.at);
  else if (change.followStatus !== 'done' && seen.completedOn !== undefined) remove.push('completedOn');
  // The response has had its action: it leaves the owner's "responded recently" (keys.respondedOrderKey).
  remove.push(keys.respondedOrderAttribute);
  // Only an existing history: an action never creates one (list intake relies on that).
  return txUpdate('history', { key: keys.membership(leadId, campaignId), condition: ITEM_EXISTS, changes: { set, remove } });
}

const summary = (lead: Lead): LoggedAction['lead'] => ({
  leadId: lead.leadId,
  stage: lead.stage,
  ...(lead.lastActionAt ? { lastActionAt: lead.lastActionAt } : {}),
  ...(lead.lastActionResult ? { lastActionResult: lead.lastActionResult } : {}),
  version: lead.version,
});

async function alreadyLogged(caller: Caller, leadId: string, actionId: string): Promise<LoggedAction> {
  const [stored, { lead }] = await Promise.all([getItem(keys.action(leadId, actionId)), requireVisibleLead(caller, leadId)]);
  return { action: actionFromItem(stored!), lead: summary(lead), version: lead.version };
}
