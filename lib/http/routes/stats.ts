import { ActivityQuery, ActivityStatsSchema, PipelineQuery, PipelineSchema } from '../../stats/schema';
import { PERMISSIONS } from '../../users/roles';
import { defineRoute, type RouteDefinition } from '../route';

/** The manager's view: activity statistics and the pipeline. Served by functions/http/stats.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
  // --- the manager's view: activity statistics and the pipeline ------------------------------------------------
  getActivityStats: defineRoute({
    operationId: 'getActivityStats',
    method: 'GET',
    path: '/stats/activity',
    group: 'stats',
    roles: PERMISSIONS.readActivityStats,
    summary:
      "Read each user's activity by day, ISO week or month (days in Japan): actions by channel and result, effective calls, leads touched, first touches and speed to lead, hand-overs, conversions, won deals; a rep or sales only its own; an admin may recount one user's",
    query: ActivityQuery,
    response: ActivityStatsSchema,
    problems: { 404: 'No such user' },
  }),
  getPipelineStats: defineRoute({
    operationId: 'getPipelineStats',
    method: 'GET',
    path: '/stats/pipeline',
    group: 'stats',
    roles: PERMISSIONS.readPipeline,
    summary: "Read each owner's open leads by stage, overdue tasks, tasks due today and untouched leads",
    query: PipelineQuery,
    response: PipelineSchema,
  }),
} satisfies Record<string, RouteDefinition>;
