import { createCampaign, updateCampaign } from '../../lib/campaigns/repository';
import { httpHandler } from '../../lib/http/handler';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/campaigns';
import { expectedVersion } from '../../lib/http/versioning';
import { campaignMetrics, campaignsMetrics } from '../../lib/read-models/campaign-metrics';
import { campaignSeenBy, listCampaignsSeenBy } from '../../lib/read-models/campaigns-seen';
import { seesOwnLeadsOnly } from '../../lib/users/roles';

/** Campaigns: POST/GET /campaigns, GET/PATCH /campaigns/{campaignId}, GET /campaigns/{campaignId}/metrics, GET /campaigns/metrics. */

export const handler = httpHandler([
  implement(routes.createCampaign, async ({ body, caller }) => {
    const campaign = await createCampaign(body, caller);
    return reply(201, campaign, { Location: `/campaigns/${campaign.campaignId}` });
  }),

  implement(routes.listCampaigns, async ({ query, caller }) => {
    // An agent's list pages through its own histories, not the campaign index: its cursors are of another kind.
    const scope = scopeOf(seesOwnLeadsOnly(caller.role) ? `campaigns:own:${caller.userId}` : 'campaigns', query);
    const page = await listCampaignsSeenBy(caller, query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getCampaign, async ({ params, caller }) => reply(200, await campaignSeenBy(caller, params.campaignId))),

  implement(routes.updateCampaign, async ({ params, body, headers }) => {
    const { version, ...patch } = body;
    return reply(200, await updateCampaign(params.campaignId, patch, expectedVersion(headers, version)));
  }),

  implement(routes.getCampaignMetrics, async ({ params, query, caller }) =>
    reply(200, await campaignMetrics(caller, params.campaignId, { recount: query.recount })),
  ),

  implement(routes.compareCampaignMetrics, async ({ query }) => {
    const scope = scopeOf('campaigns/metrics', query);
    const page = await campaignsMetrics(query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),
]);
