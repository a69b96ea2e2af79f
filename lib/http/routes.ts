import type * as z from 'zod';
import { AgentCampaignPage, AgentCampaignSchema, CampaignPage, CampaignSchema, CampaignViewPage, CampaignViewSchema, StakeholderSchema, TargetsSchema } from '../campaigns/schema';
import { ComparedMetricsPage, ComparedMetricsSchema, MetricsSchema } from '../campaigns/metrics';
import { ImportCountsSchema, ImportPage, ImportSchema } from '../intake/schema';
import { LeadDetailSchema, LeadEventPage, LeadEventSchema, LeadListItemSchema, LeadPage, LeadSchema, MembershipPage, MembershipSchema } from '../leads/schema';
import { QueueItemSchema, QueuePageSchema } from '../read-models/work-queue-schema';
import { NotificationPage, NotificationSchema } from '../notifications/schema';
import { ExportSchema } from '../exports/schema';
import { ActionPage, ActionSchema } from '../actions/schema';
import { TaskPage, TaskSchema } from '../tasks/schema';
import { AccountDetailSchema, AccountPage, AccountSchema, ContactSchema, DealPage, DealSchema } from '../deals/schema';
import { ActivityRowSchema, ActivityStatsSchema, PipelineRowSchema, PipelineSchema } from '../stats/schema';
import { PreferencesSchema, RoleSchema, UserPage, UserSchema } from '../users/schema';
import type { RouteDefinition, RouteGroup } from './route';
import { routes as actionsRoutes } from './routes/actions';
import { routes as campaignsRoutes } from './routes/campaigns';
import { routes as dealsRoutes } from './routes/deals';
import { routes as docsRoutes } from './routes/docs';
import { routes as exportsRoutes } from './routes/exports';
import { routes as importsRoutes } from './routes/imports';
import { routes as leadsRoutes } from './routes/leads';
import { routes as meRoutes } from './routes/me';
import { routes as statsRoutes } from './routes/stats';
import { HealthSchema, routes as systemRoutes } from './routes/system';
import { routes as usersRoutes } from './routes/users';

/**
 * The route table: the single source for the CDK HTTP API (infra/api.ts), the local gateway
 * (lib/local/gateway.ts), request validation and /openapi.json.
 *
 * Each group's routes are declared in lib/http/routes/{group}.ts, and its function (functions/http/{group}.ts)
 * imports only that file, so a function's bundle holds the schemas and the code of its own routes and no other's
 * (test/infra/bundles.test.ts keeps it so). This file assembles the whole table, for everything that needs every
 * route.
 */

export const routes = {
  ...systemRoutes,
  ...docsRoutes,
  ...usersRoutes,
  ...campaignsRoutes,
  ...importsRoutes,
  ...leadsRoutes,
  ...meRoutes,
  ...exportsRoutes,
  ...actionsRoutes,
  ...dealsRoutes,
  ...statsRoutes,
} satisfies Record<string, RouteDefinition>;

export const ROUTES: readonly RouteDefinition[] = Object.values(routes);

export const ROUTE_GROUPS: readonly RouteGroup[] = [...new Set(ROUTES.map((r) => r.group))];

export const routesOf = (group: RouteGroup) => ROUTES.filter((r) => r.group === group);

/**
 * The names /openapi.json gives these schemas wherever they appear (components): what a generated client calls its
 * types. A request body or a response not named here is named after its route (`CreateUserRequest`).
 */
export const SCHEMA_NAMES: Readonly<Record<string, z.ZodType>> = {
  Health: HealthSchema,
  Role: RoleSchema,
  User: UserSchema,
  UserPage,
  Preferences: PreferencesSchema,
  Campaign: CampaignSchema,
  AgentCampaign: AgentCampaignSchema,
  CampaignView: CampaignViewSchema,
  CampaignPage,
  AgentCampaignPage,
  CampaignViewPage,
  Targets: TargetsSchema,
  Stakeholder: StakeholderSchema,
  CampaignMetrics: MetricsSchema,
  ComparedCampaignMetrics: ComparedMetricsSchema,
  ComparedCampaignMetricsPage: ComparedMetricsPage,
  Import: ImportSchema,
  ImportCounts: ImportCountsSchema,
  ImportPage,
  Lead: LeadSchema,
  LeadListItem: LeadListItemSchema,
  LeadPage,
  LeadDetail: LeadDetailSchema,
  Membership: MembershipSchema,
  MembershipPage,
  LeadEvent: LeadEventSchema,
  LeadEventPage,
  QueueItem: QueueItemSchema,
  QueuePage: QueuePageSchema,
  Notification: NotificationSchema,
  NotificationPage,
  Export: ExportSchema,
  Action: ActionSchema,
  ActionPage,
  Task: TaskSchema,
  TaskPage,
  Deal: DealSchema,
  DealPage,
  Account: AccountSchema,
  AccountPage,
  AccountDetail: AccountDetailSchema,
  Contact: ContactSchema,
  ActivityRow: ActivityRowSchema,
  ActivityStats: ActivityStatsSchema,
  PipelineRow: PipelineRowSchema,
  Pipeline: PipelineSchema,
};
