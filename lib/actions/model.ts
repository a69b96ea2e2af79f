import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import { japanDateOf } from '../text/japan-time';
import { ENTITY, keys } from '../table/keys';
import type { Action } from './schema';

/** An action as stored: with its lead (LEAD#{leadId}/ACTION#{actionId}), by actor (GSI1) and by campaign (GSI3). */
export function actionItem(action: Action): Item {
  return {
    ...keys.action(action.leadId, action.actionId),
    ...keys.actionsByActorIndex(action.actorId, action.at, action.actionId),
    ...keys.actionsByCampaignIndex(action.campaignId, action.at, action.actionId),
    entity: ENTITY.action,
    ...action,
  };
}

export function actionFromItem(item: Item): Action {
  return withoutTableAttributes<Action>(item);
}

/** The Japanese calendar date of an instant (`YYYY-MM-DD`), as the product's dates (リード発生日, 完了日) are. */
export { japanDateOf };

/** A date-time with an offset, or a date taken as the start (or end) of that day in Japan, as UTC ISO. */
export function instantOf(value: string, end: 'start' | 'end'): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00.000+09:00`);
    return new Date(end === 'start' ? start : start + 86_400_000 - 1).toISOString();
  }
  return new Date(value).toISOString();
}
