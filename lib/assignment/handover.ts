import { getCampaign } from '../campaigns/repository';
import { ForbiddenError } from '../errors';
import type { Caller } from '../users/caller';
import { leadEventItem } from '../leads/events';
import { historiesFollowOwners } from '../leads/memberships';
import { leadItem, withOwner, type Lead } from '../leads/model';
import { latestActions } from '../actions/repository';
import { campaignHistory, requireWorkableLead, staleLeadConflict } from '../leads/repository';
import { checkStageChange } from '../leads/stages';
import { newNotification, notificationWrites } from '../notifications/model';
import { TransactionCancelledError } from '../table/errors';
import { transact, txPut } from '../table/transaction';
import { tasksOnStageChange } from '../leads/lead-tasks';
import { byOpenThenDue } from '../leads/task-model';
import { getUser } from '../users/repository';
import { worksOwnLeadsOnly } from '../users/roles';
import { handoverActivity } from '../stats/writes';
import { handoverMail } from './mail';
import { requireOwners } from './owners';
import type { HandoverRequest } from './schema';

/**
 * Hand-over (営業引継ぎ, seed 000 §3.7.2): the lead goes to a field-sales user in stage `handed_over`, and the new
 * owner is told with the lead's summary, latest actions and what inside sales still had planned. The lead's work in
 * inside sales is over, so its open tasks are cancelled (lib/leads/lead-tasks.ts) and listed in the mail instead.
 * Lead, history event, notification and the cancelled tasks are one transaction: the new owner hears of it exactly
 * when it happened.
 */

/** Field sales (営業担当) receive handed-over leads. */
const HANDOVER_ROLES = ['sales'] as const;
const MAX_ATTEMPTS = 3;

export async function handOverLead(caller: Caller, leadId: string, request: HandoverRequest, now = new Date()): Promise<Lead> {
  for (let attempt = 0; ; attempt++) {
    const { lead, item } = await requireWorkableLead(caller, leadId);
    if (worksOwnLeadsOnly(caller.role) && lead.ownerId !== caller.userId) {
      throw new ForbiddenError("only the lead's owner, a manager or an admin may hand it over");
    }
    if (request.version !== undefined && lead.version !== request.version) throw await staleLeadConflict(leadId, request.version);
    checkStageChange(lead.stage, 'handed_over', undefined, 'handover');
    // Handed over to this owner already: nothing changes, nobody is told twice. The histories follow the owner again,
    // in case the first call ended before they did.
    if (lead.stage === 'handed_over' && lead.ownerId === request.ownerId) {
      await historiesFollowOwners([{ leadId, ownerId: lead.ownerId, version: lead.version }]);
      return lead;
    }
    const owner = (await requireOwners([request.ownerId], 'body.ownerId', HANDOVER_ROLES)).get(request.ownerId)!;

    const at = now.toISOString();
    const next: Lead = { ...withOwner(lead, owner, at), stage: 'handed_over' };
    delete next.stageReason;

    const [actor, campaigns, actions, tasks] = await Promise.all([getUser(caller.userId), campaignHistory(leadId), latestActions(leadId, 10), tasksOnStageChange(lead, next, item, at)]);
    // The campaigns the lead took part in, and the one it came from (a lead made by hand may have no history).
    const campaignIds = [...new Set([...campaigns.map((c) => c.campaignId), ...(lead.source?.campaignId ? [lead.source.campaignId] : [])])].slice(0, 10);
    const names = (await Promise.all(campaignIds.map((id) => getCampaign(id)))).filter((c) => c !== undefined).map((c) => c.name);
    const rendered = handoverMail({
      ownerName: owner.name,
      actorName: actor?.name ?? caller.userId,
      lead: next,
      ...(request.note ? { note: request.note } : {}),
      campaignNames: names,
      actions: actions.items as never,
      plannedTasks: [...tasks.cancelled].sort(byOpenThenDue).map((t) => ({ title: t.title, dueAt: t.dueAt, ...(t.note ? { note: t.note } : {}) })),
      at,
    });
    const eventId = `${leadId}-${next.version}`;
    const notification = newNotification({
      userId: owner.userId,
      kind: 'lead_handed_over',
      sourceId: eventId,
      title: rendered.title,
      body: rendered.body,
      leadIds: [leadId],
      link: `/leads/${leadId}`,
      mail: rendered.mail,
      now,
    });
    try {
      await transact([
        txPut(
          'lead',
          { ...leadItem(tasks.lead), ...tasks.attributes },
          { condition: `version = :v AND ${tasks.guard.condition}`, names: tasks.guard.names, values: { ':v': lead.version, ...tasks.guard.values } },
        ),
        ...tasks.writes,
        txPut(
          'event',
          leadEventItem({ eventId, leadId, kind: 'handed_over', at, actorId: caller.userId, fromOwnerId: lead.ownerId, toOwnerId: owner.userId, note: request.note || undefined }),
        ),
        ...notificationWrites(notification),
        // +1 hand-over on the caller's activity of the day (lib/stats/writes.ts).
        ...handoverActivity(caller.userId, now),
      ]);
      // The lead's campaign histories take the new owner once it is committed (lib/leads/memberships.ts).
      await historiesFollowOwners([{ leadId, ownerId: owner.userId, version: next.version }]);
      return next;
    } catch (error) {
      const stale = error instanceof TransactionCancelledError && error.failed('lead');
      // Changed between our read and write (an action, an edit): read again, unless the caller pinned a version.
      if (stale && request.version === undefined && attempt < MAX_ATTEMPTS) continue;
      if (stale) throw await staleLeadConflict(leadId, request.version ?? lead.version);
      throw error;
    }
  }
}
