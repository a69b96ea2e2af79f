import { assignLeads } from '../../lib/assignment/assign';
import { handOverLead } from '../../lib/assignment/handover';
import { visibleLeadEvents } from '../../lib/leads/events';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { pageResponse, scopeOf } from '../../lib/http/pagination';
import { decodeCursor } from '../../lib/http/cursor';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/leads';
import { expectedVersion } from '../../lib/http/versioning';
import { editLead } from '../../lib/leads/edit';
import { eraseLead } from '../../lib/erasure/erase-lead';
import { findLeads, listItems } from '../../lib/leads/list';
import { visibleCampaignHistory } from '../../lib/leads/repository';
import { createLeadByHand } from '../../lib/intake/create-lead';
import { leadDetail } from '../../lib/read-models/lead-detail';
import { queueItems, workQueue, type QueuePosition } from '../../lib/read-models/work-queue';
import type { ShardedPosition } from '../../lib/table/sharded-query';

/** Leads: one by hand, the list, the detail, edits, campaign history; assignment and hand-over. */

export const handler = httpHandler([
  implement(routes.createLead, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /leads', headers, body }, async () => {
      const { lead, created } = await createLeadByHand(caller, body);
      return reply(created ? 201 : 200, lead, created ? { Location: `/leads/${lead.leadId}` } : {});
    }),
  ),

  implement(routes.listLeads, async ({ query, caller }) => {
    // The caller is part of the scope: `owner=me` means someone else for another user, and an agent's lists differ.
    const scope = scopeOf(`leads:${caller.userId}`, query);
    const position = query.cursor ? await decodeCursor<ShardedPosition>(query.cursor, scope) : undefined;
    const page = await findLeads(query, caller, position, undefined, { withCampaignSets: true });
    return reply(200, await pageResponse(await listItems(page), page.position, scope));
  }),

  implement(routes.getMyQueue, async ({ query, caller }) => {
    // `queue2`: the queue's sections were renumbered when overdue and today's tasks became one read; a cursor made
    // before is refused, not read as a position in another section.
    const scope = scopeOf(`queue2:${caller.userId}`, query);
    const position = query.cursor ? await decodeCursor<QueuePosition>(query.cursor, scope) : undefined;
    const page = await workQueue(caller, query.limit, position);
    return reply(200, await pageResponse(await queueItems(page), page.position, scope));
  }),

  implement(routes.getLead, async ({ params, caller }) => {
    const detail = await leadDetail(caller, params.leadId);
    return reply(200, detail, { ETag: `"${detail.version}"` });
  }),

  implement(routes.updateLead, async ({ params, body, headers, caller }) => {
    const { version, ...patch } = body;
    return reply(200, await editLead(caller, params.leadId, patch, expectedVersion(headers, version)));
  }),

  implement(routes.eraseLead, async ({ params, caller }) => reply(200, await eraseLead(caller, params.leadId))),

  implement(routes.getLeadCampaigns, async ({ params, caller }) => reply(200, { items: await visibleCampaignHistory(caller, params.leadId) })),

  implement(routes.getLeadHistory, async ({ params, caller }) => reply(200, { items: await visibleLeadEvents(caller, params.leadId) })),

  implement(routes.assignLeads, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /leads/assign', headers, body }, async () => reply(200, await assignLeads(caller, body))),
  ),

  implement(routes.handOverLead, async ({ params, body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: `POST /leads/${params.leadId}/handover`, headers, body }, async () =>
      reply(200, await handOverLead(caller, params.leadId, body)),
    ),
  ),
]);
