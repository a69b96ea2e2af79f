import { ForbiddenError, ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import type { Item } from '../table/client';
import { requireVisibleLead } from '../leads/repository';
import { keys } from '../table/keys';
import { countAll, queryPage } from '../table/queries';
import { actionFromItem, instantOf } from './model';
import type { Action, ActionListQuery } from './schema';

/** Reading actions: a lead's, newest first; one person's over a period (GSI1). */

/** A lead's actions, newest logged first (action ids are ULIDs of when they were logged). */
export async function actionsOfLead(leadId: string, limit: number, startKey?: Item): Promise<{ items: Action[]; lastKey?: Item }> {
  const page = await queryPage<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.actionPrefix, descending: true, limit, startKey });
  return { items: page.items.map(actionFromItem), lastKey: page.lastKey };
}

/** GET /leads/{leadId}/actions: the actions of a lead the caller may see. */
export async function actionsOfVisibleLead(caller: Caller, leadId: string, limit: number, startKey?: Item) {
  await requireVisibleLead(caller, leadId);
  return actionsOfLead(leadId, limit, startKey);
}

/** Who may read whose activity: admins, managers and marketing anyone's; everyone else only their own. */
const SEES_EVERYONES_ACTIVITY = new Set(['admin', 'manager', 'marketing']);

export function actorOf(query: ActionListQuery, caller: Caller): string {
  const actorId = query.actorId === undefined || query.actorId === 'me' ? caller.userId : query.actorId;
  if (actorId !== caller.userId && !SEES_EVERYONES_ACTIVITY.has(caller.role)) {
    throw new ForbiddenError(`the ${caller.role} role may read only its own actions`);
  }
  return actorId;
}

/** GET /actions: one person's actions, latest first, between `from` and `to` (both included). */
export async function actionsOfActor(actorId: string, query: ActionListQuery, startKey?: Item): Promise<{ items: Action[]; lastKey?: Item }> {
  const from = query.from ? instantOf(query.from, 'start') : '0';
  // Sort keys are `{at}#{actionId}`: everything at the `to` instant sorts before `{to}#\uffff`.
  const to = query.to ? `${instantOf(query.to, 'end')}#\uffff` : '\uffff';
  if (from > to) throw new ValidationError('from is after to', [{ path: 'query.from', message: 'after to' }]);
  const page = await queryPage<Item>({
    index: 'gsi1',
    partition: keys.actionsByActorPartition(actorId),
    sortBetween: [from, to],
    descending: true,
    limit: query.limit,
    startKey,
  });
  return { items: page.items.map(actionFromItem), lastKey: page.lastKey };
}

/** The lead's latest actions, newest first, and how many it has in all. */
export async function latestActions(leadId: string, limit: number): Promise<{ items: Action[]; total: number }> {
  const actions = { partition: keys.leadPartition(leadId), sortPrefix: keys.actionPrefix };
  const [page, total] = await Promise.all([queryPage<Item>({ ...actions, descending: true, limit }), countAll(actions)]);
  return { items: page.items.map(actionFromItem), total };
}
