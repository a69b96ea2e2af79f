import { CampaignCreateSchema, CampaignIdParams, CampaignListQuery, CampaignPatchSchema, CampaignSchema, CampaignViewPage, CampaignViewSchema } from '../../campaigns/schema';
import { CampaignsMetricsQuery, ComparedMetricsPage, MetricsQuery, MetricsSchema } from '../../campaigns/metrics';
import { PERMISSIONS } from '../../users/roles';
import { defineRoute, type RouteDefinition } from '../route';

/** Campaigns and their effectiveness (効果測定). Served by functions/http/campaigns.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- campaigns ------------------------------------------------------------------------------------------------
  createCampaign: defineRoute({
    operationId: 'createCampaign',
    method: 'POST',
    path: '/campaigns',
    group: 'campaigns',
    roles: PERMISSIONS.manageCampaigns,
    summary: 'Create a campaign',
    body: CampaignCreateSchema,
    response: CampaignSchema,
    successStatus: 201,
  }),
  listCampaigns: defineRoute({
    operationId: 'listCampaigns',
    method: 'GET',
    path: '/campaigns',
    group: 'campaigns',
    roles: PERMISSIONS.readCampaigns,
    summary: "List campaigns, newest first (an agent: only those one of its own leads is a member of, in the agent's view)",
    query: CampaignListQuery,
    response: CampaignViewPage,
  }),
  getCampaign: defineRoute({
    operationId: 'getCampaign',
    method: 'GET',
    path: '/campaigns/{campaignId}',
    group: 'campaigns',
    roles: PERMISSIONS.readCampaigns,
    summary: "Read a campaign (an agent: only one its own leads are a member of, in the agent's view; else 404)",
    params: CampaignIdParams,
    response: CampaignViewSchema,
  }),
  updateCampaign: defineRoute({
    operationId: 'updateCampaign',
    method: 'PATCH',
    versioned: true,
    path: '/campaigns/{campaignId}',
    group: 'campaigns',
    roles: PERMISSIONS.manageCampaigns,
    summary: 'Update a campaign',
    params: CampaignIdParams,
    body: CampaignPatchSchema,
    response: CampaignSchema,
  }),

  // --- campaign effectiveness (効果測定) -----------------------------------------------------------------------------
  getCampaignMetrics: defineRoute({
    operationId: 'getCampaignMetrics',
    method: 'GET',
    path: '/campaigns/{campaignId}/metrics',
    group: 'campaigns',
    roles: PERMISSIONS.readCampaignMetrics,
    summary: "Read a campaign's effectiveness: counts, rates, ROI, costs and progress against its targets",
    params: CampaignIdParams,
    query: MetricsQuery,
    response: MetricsSchema,
  }),
  compareCampaignMetrics: defineRoute({
    operationId: 'compareCampaignMetrics',
    method: 'GET',
    path: '/campaigns/metrics',
    group: 'campaigns',
    roles: PERMISSIONS.readCampaignMetrics,
    summary: "Read many campaigns' effectiveness side by side: by ids (at most 100) or by status, a page at a time",
    query: CampaignsMetricsQuery,
    response: ComparedMetricsPage,
    problems: { 404: 'One of the ids names no campaign (`missing` lists them)' },
  }),
} satisfies Record<string, RouteDefinition>;
