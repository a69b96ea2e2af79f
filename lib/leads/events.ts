import type * as z from 'zod';
import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { queryAll } from '../table/queries';
import type { Caller } from '../users/caller';
import { requireVisibleLead } from './repository';
import type { LeadEventSchema } from './schema';

/**
 * The lead's history (履歴): who created it by hand, assigned it, handed it over or converted it, when, from whom, to
 * whom. Each event is an item in the lead's partition, written in the same transaction as the change it records, with
 * a deterministic id, so a replayed change writes the same event again instead of a second one.
 */

/** An event as the API shows it (LeadEventSchema in ./schema.ts, which /openapi.json publishes). */
export type LeadEvent = z.infer<typeof LeadEventSchema>;

/** Events that count in their actor's activity (lib/stats): listed by actor, so the activity recount finds them. */
const COUNTED_BY_ACTOR: readonly LeadEvent['kind'][] = ['handed_over', 'converted'];

export function leadEventItem(event: LeadEvent): Item {
  const stored: Item = {
    ...keys.leadEvent(event.leadId, event.at, event.eventId),
    ...(COUNTED_BY_ACTOR.includes(event.kind) ? keys.leadEventsByActorIndex(event.actorId, event.at, event.eventId) : {}),
    entity: ENTITY.leadEvent,
  };
  for (const [attribute, value] of Object.entries(event)) if (value !== undefined) stored[attribute] = value;
  return stored;
}

/** The lead's history, oldest first. */
export async function leadEvents(leadId: string): Promise<LeadEvent[]> {
  const events = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.leadEventPrefix });
  return events.map((event) => withoutTableAttributes<LeadEvent>(event));
}

/** GET /leads/{leadId}/history: the history of a lead the caller may see. */
export async function visibleLeadEvents(caller: Caller, leadId: string): Promise<LeadEvent[]> {
  await requireVisibleLead(caller, leadId);
  return leadEvents(leadId);
}
