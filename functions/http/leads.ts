import { httpHandler } from '../../lib/http/handler';
import { pageResponse, scopeOf } from '../../lib/http/pagination';
import { decodeCursor } from '../../lib/http/cursor';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes';
import { expectedVersion } from '../../lib/http/versioning';
import { editLead } from '../../lib/leads/edit';
import { findLeads, listItems } from '../../lib/leads/list';
import { campaignHistory, leadDetail, requireVisibleLead } from '../../lib/leads/repository';
import type { ShardedPosition } from '../../lib/table/sharded-query';

/** Leads: GET /leads, GET/PATCH /leads/{leadId}, GET /leads/{leadId}/campaigns. */

export const handler = httpHandler([
  implement(routes.listLeads, async ({ query, caller }) => {
    // The caller is part of the scope: `owner=me` means someone else for another user, and an agent's lists differ.
    const scope = scopeOf(`leads:${caller.userId}`, query);
    const position = query.cursor ? await decodeCursor<ShardedPosition>(query.cursor, scope) : undefined;
    const page = await findLeads(query, caller, position);
    return reply(200, await pageResponse(await listItems(page), page.position, scope));
  }),

  implement(routes.getLead, async ({ params, caller }) => {
    const detail = await leadDetail(caller, params.leadId);
    return reply(200, detail, { ETag: `"${detail.version}"` });
  }),

  implement(routes.updateLead, async ({ params, body, headers, caller }) => {
    const { version, ...patch } = body;
    return reply(200, await editLead(caller, params.leadId, patch, expectedVersion(headers, version)));
  }),

  implement(routes.getLeadCampaigns, async ({ params, caller }) => {
    await requireVisibleLead(caller, params.leadId);
    return reply(200, { items: await campaignHistory(params.leadId) });
  }),
]);
