import { z } from 'zod';
import {
  CampaignCreateSchema,
  CampaignIdParams,
  CampaignListQuery,
  CampaignPatchSchema,
  CampaignSchema,
  CampaignViewPage,
  CampaignViewSchema,
} from '../campaigns/schema';
import {
  ImportCreatedSchema,
  ImportCreateSchema,
  ImportIdParams,
  ImportListQuery,
  ImportPage,
  ImportSchema,
  RejectionsLinkSchema,
} from '../intake/schema';
import { AssignmentResultSchema, AssignRequestSchema, HandoverRequestSchema } from '../assignment/schema';
import { NotificationIdParams, NotificationListQuery, NotificationPage, NotificationSchema, ReadAllResultSchema } from '../notifications/schema';
import { ExportCreateSchema, ExportIdParams, ExportSchema } from '../exports/schema';
import { LeadDetailSchema, LeadErasureSchema, LeadIdParams, LeadListQuery, LeadPage, LeadPatchSchema, LeadSchema, LeadEventPage, MembershipPage } from '../leads/schema';
import { ActionCreateSchema, ActionListQuery, ActionLoggedSchema, ActionPage, ChoicesResponseSchema, LeadActionsQuery } from '../actions/schema';
import { MetricsQuery, MetricsSchema } from '../campaigns/metrics';
import { LeadTaskList, LeadTasksQuery, TaskCreateSchema, TaskIdParams, TaskListQuery, TaskPage, TaskPatchSchema, TaskSchema } from '../tasks/schema';
import {
  AccountDetailSchema,
  AccountIdParams,
  AccountListQuery,
  AccountPage,
  ConversionSchema,
  ConvertSchema,
  DealIdParams,
  DealListQuery,
  DealPage,
  DealPatchSchema,
  DealSchema,
} from '../deals/schema';
import { QueuePageSchema, QueueQuery } from '../read-models/work-queue-schema';
import { PERMISSIONS } from '../users/roles';
import { UserCreateSchema, UserIdParams, UserListQuery, UserPage, UserPatchSchema, UserSchema } from '../users/schema';
import { defineRoute, type RouteDefinition, type RouteGroup } from './route';

/**
 * The route table: the single source for the CDK HTTP API (infra/api.ts), the local gateway
 * (lib/local/gateway.ts), request validation and /openapi.json.
 */

export const HealthSchema = z.object({ status: z.literal('ok'), time: z.string() });

/** What a write to a lead erased on request answers. */
const ERASED_LEAD = { 404: 'No such lead, or one the caller may not see', 410: 'The lead was erased on request (個人情報の消去): it can no longer be changed' } as const;

export const routes = {
  // --- system ---------------------------------------------------------------------------------------------------
  health: defineRoute({
    operationId: 'health',
    method: 'GET',
    path: '/health',
    group: 'system',
    public: true,
    summary: 'Check that the API is up',
    response: HealthSchema,
  }),
  openapi: defineRoute({
    operationId: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    group: 'system',
    public: true,
    summary: 'Read the OpenAPI 3.1 document of this API',
  }),

  // --- users ----------------------------------------------------------------------------------------------------
  createUser: defineRoute({
    operationId: 'createUser',
    method: 'POST',
    path: '/users',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Create a user',
    body: UserCreateSchema,
    response: UserSchema,
    successStatus: 201,
  }),
  listUsers: defineRoute({
    operationId: 'listUsers',
    method: 'GET',
    path: '/users',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'List users',
    query: UserListQuery,
    response: UserPage,
  }),
  getUser: defineRoute({
    operationId: 'getUser',
    method: 'GET',
    path: '/users/{userId}',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Read a user',
    params: UserIdParams,
    response: UserSchema,
  }),
  updateUser: defineRoute({
    operationId: 'updateUser',
    method: 'PATCH',
    path: '/users/{userId}',
    group: 'users',
    roles: PERMISSIONS.manageUsers,
    summary: 'Update a user',
    params: UserIdParams,
    body: UserPatchSchema,
    response: UserSchema,
  }),

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
    path: '/campaigns/{campaignId}',
    group: 'campaigns',
    roles: PERMISSIONS.manageCampaigns,
    summary: 'Update a campaign',
    params: CampaignIdParams,
    body: CampaignPatchSchema,
    response: CampaignSchema,
  }),

  // --- imports (list intake) ------------------------------------------------------------------------------------
  createImport: defineRoute({
    operationId: 'createImport',
    method: 'POST',
    path: '/imports',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Start an import and get a presigned upload URL',
    body: ImportCreateSchema,
    response: ImportCreatedSchema,
    successStatus: 201,
    idempotent: true,
  }),
  listImports: defineRoute({
    operationId: 'listImports',
    method: 'GET',
    path: '/imports',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'List imports',
    query: ImportListQuery,
    response: ImportPage,
  }),
  getImport: defineRoute({
    operationId: 'getImport',
    method: 'GET',
    path: '/imports/{importId}',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Read an import',
    params: ImportIdParams,
    response: ImportSchema,
  }),
  getImportRejections: defineRoute({
    operationId: 'getImportRejections',
    method: 'GET',
    path: '/imports/{importId}/rejections',
    group: 'imports',
    roles: PERMISSIONS.uploadLists,
    summary: 'Get a link to the workbook of rejected and merged rows',
    params: ImportIdParams,
    response: RejectionsLinkSchema,
  }),

  // --- leads ----------------------------------------------------------------------------------------------------
  listLeads: defineRoute({
    operationId: 'listLeads',
    method: 'GET',
    path: '/leads',
    group: 'leads',
    roles: PERMISSIONS.seeLeads,
    summary: 'Search leads',
    query: LeadListQuery,
    response: LeadPage,
  }),
  getLead: defineRoute({
    operationId: 'getLead',
    method: 'GET',
    path: '/leads/{leadId}',
    group: 'leads',
    roles: PERMISSIONS.seeLeads,
    summary: 'Read a lead with its campaign history, latest actions and owner',
    params: LeadIdParams,
    response: LeadDetailSchema,
  }),
  updateLead: defineRoute({
    operationId: 'updateLead',
    method: 'PATCH',
    path: '/leads/{leadId}',
    group: 'leads',
    roles: PERMISSIONS.editLeads,
    summary: 'Edit a lead',
    params: LeadIdParams,
    body: LeadPatchSchema,
    response: LeadSchema,
    problems: ERASED_LEAD,
  }),
  eraseLead: defineRoute({
    operationId: 'eraseLead',
    method: 'DELETE',
    path: '/leads/{leadId}',
    group: 'leads',
    roles: PERMISSIONS.eraseLeads,
    summary:
      "Erase a person's data on request (個人情報の消去): the lead stays as an anonymous tombstone, counters stay exact, and a later list row for the same person is rejected. Repeating it answers the same 200",
    params: LeadIdParams,
    response: LeadErasureSchema,
    problems: { 404: 'No such lead' },
  }),
  getLeadCampaigns: defineRoute({
    operationId: 'getLeadCampaigns',
    method: 'GET',
    path: '/leads/{leadId}/campaigns',
    group: 'leads',
    roles: PERMISSIONS.seeLeads,
    summary: "Read a lead's campaign history",
    params: LeadIdParams,
    response: MembershipPage,
  }),

  getLeadHistory: defineRoute({
    operationId: 'getLeadHistory',
    method: 'GET',
    path: '/leads/{leadId}/history',
    group: 'leads',
    roles: PERMISSIONS.seeLeads,
    summary: "Read a lead's history of owners: assignments and hand-overs, oldest first",
    params: LeadIdParams,
    response: LeadEventPage,
  }),

  // --- assignment and hand-over ---------------------------------------------------------------------------------
  assignLeads: defineRoute({
    operationId: 'assignLeads',
    method: 'POST',
    path: '/leads/assign',
    group: 'leads',
    roles: PERMISSIONS.assignLeads,
    summary: 'Give leads to an owner, or deal the leads a filter finds among owners (round robin or balanced)',
    body: AssignRequestSchema,
    response: AssignmentResultSchema,
    idempotent: true,
  }),
  handOverLead: defineRoute({
    operationId: 'handOverLead',
    method: 'POST',
    path: '/leads/{leadId}/handover',
    group: 'leads',
    roles: PERMISSIONS.handOverLeads,
    summary: 'Hand a lead over to a field-sales user (営業引継ぎ), who is notified',
    params: LeadIdParams,
    body: HandoverRequestSchema,
    response: LeadSchema,
    idempotent: true,
    problems: ERASED_LEAD,
  }),

  // --- my work queue -----------------------------------------------------------------------------------------------
  getMyQueue: defineRoute({
    operationId: 'getMyQueue',
    method: 'GET',
    path: '/me/queue',
    group: 'leads',
    roles: PERMISSIONS.workTasks,
    summary:
      'My work for today, in order: overdue tasks (oldest first), tasks due today, my leads not acted on since they were given to me (oldest first), my leads that responded to a campaign in the last 7 days with no action since; never a converted, handed-over, disqualified or erased lead',
    query: QueueQuery,
    response: QueuePageSchema,
  }),

  // --- my notifications -----------------------------------------------------------------------------------------
  listMyNotifications: defineRoute({
    operationId: 'listMyNotifications',
    method: 'GET',
    path: '/me/notifications',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'My notifications, newest first, with the unread count',
    query: NotificationListQuery,
    response: NotificationPage,
  }),
  readNotification: defineRoute({
    operationId: 'readNotification',
    method: 'POST',
    path: '/me/notifications/{notificationId}/read',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'Mark one of my notifications read',
    params: NotificationIdParams,
    response: NotificationSchema,
  }),
  readAllNotifications: defineRoute({
    operationId: 'readAllNotifications',
    method: 'POST',
    path: '/me/notifications/read-all',
    group: 'me',
    roles: PERMISSIONS.readOwnNotifications,
    summary: 'Mark all my notifications read',
    response: ReadAllResultSchema,
  }),

  // --- exports (list export) ------------------------------------------------------------------------------------
  createExport: defineRoute({
    operationId: 'createExport',
    method: 'POST',
    path: '/exports',
    group: 'exports',
    roles: PERMISSIONS.exportLists,
    summary: 'Export the leads a filter finds, as .xlsx or .csv',
    body: ExportCreateSchema,
    response: ExportSchema,
    successStatus: 202,
    idempotent: true,
  }),
  getExport: defineRoute({
    operationId: 'getExport',
    method: 'GET',
    path: '/exports/{exportId}',
    group: 'exports',
    roles: PERMISSIONS.exportLists,
    summary: 'Read an export: its status, and a download link once done',
    params: ExportIdParams,
    response: ExportSchema,
  }),

  // --- actions (アクション) and the forms' choice lists ------------------------------------------------------------
  logAction: defineRoute({
    operationId: 'logAction',
    method: 'POST',
    path: '/leads/{leadId}/actions',
    group: 'actions',
    roles: PERMISSIONS.logActions,
    summary: "Log an action on a lead, moving its stage and its campaign history",
    params: LeadIdParams,
    body: ActionCreateSchema,
    response: ActionLoggedSchema,
    successStatus: 201,
    problems: ERASED_LEAD,
  }),
  listLeadActions: defineRoute({
    operationId: 'listLeadActions',
    method: 'GET',
    path: '/leads/{leadId}/actions',
    group: 'actions',
    roles: PERMISSIONS.seeLeads,
    summary: "List a lead's actions, newest first",
    params: LeadIdParams,
    query: LeadActionsQuery,
    response: ActionPage,
  }),
  listActions: defineRoute({
    operationId: 'listActions',
    method: 'GET',
    path: '/actions',
    group: 'actions',
    roles: PERMISSIONS.readActions,
    summary: "List a person's actions over a period, latest first",
    query: ActionListQuery,
    response: ActionPage,
  }),
  getChoices: defineRoute({
    operationId: 'getChoices',
    method: 'GET',
    path: '/settings/choices',
    group: 'actions',
    roles: PERMISSIONS.readSettings,
    summary: 'Read the choice lists of the action and deal forms',
    response: ChoicesResponseSchema,
  }),

  // --- tasks (ToDo) -------------------------------------------------------------------------------------------------
  createTask: defineRoute({
    operationId: 'createTask',
    method: 'POST',
    path: '/leads/{leadId}/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary:
      "Add a task to a lead, for the lead's owner (or the caller) unless a manager or an admin names someone; a rep, sales or agent only on its own leads, for itself. A lead holds at most 20 open tasks",
    params: LeadIdParams,
    body: TaskCreateSchema,
    response: TaskSchema,
    successStatus: 201,
    problems: ERASED_LEAD,
  }),
  listLeadTasks: defineRoute({
    operationId: 'listLeadTasks',
    method: 'GET',
    path: '/leads/{leadId}/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: "A lead's tasks the caller may see (a rep, sales or agent: its own), open first by due",
    params: LeadIdParams,
    query: LeadTasksQuery,
    response: LeadTaskList,
    problems: { 404: 'No such lead, or one the caller may not see' },
  }),
  updateTask: defineRoute({
    operationId: 'updateTask',
    method: 'PATCH',
    path: '/tasks/{taskId}',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: 'Edit, close (done, cancelled) or reopen a task at the version seen; a manager or an admin may give it to someone else',
    params: TaskIdParams,
    body: TaskPatchSchema,
    response: TaskSchema,
    problems: { 404: 'No such task, or one the caller may not see', 409: 'The task changed since that version', 410: 'Its lead was erased on request' },
  }),
  listTasks: defineRoute({
    operationId: 'listTasks',
    method: 'GET',
    path: '/tasks',
    group: 'actions',
    roles: PERMISSIONS.workTasks,
    summary: "One person's tasks of a status by due, optionally overdue, due today or upcoming (days in Japan); a rep, sales or agent: only its own",
    query: TaskListQuery,
    response: TaskPage,
  }),

  // --- conversion (案件化), deals and accounts ---------------------------------------------------------------------
  convertLead: defineRoute({
    operationId: 'convertLead',
    method: 'POST',
    path: '/leads/{leadId}/convert',
    group: 'deals',
    roles: PERMISSIONS.convertLeads,
    summary: 'Convert a lead into a deal (and a new or existing account)',
    params: LeadIdParams,
    body: ConvertSchema,
    response: ConversionSchema,
    successStatus: 201,
    idempotent: true,
    problems: ERASED_LEAD,
  }),
  listDeals: defineRoute({
    operationId: 'listDeals',
    method: 'GET',
    path: '/deals',
    group: 'deals',
    roles: PERMISSIONS.readDeals,
    summary: 'List deals by owner, status or source campaign, newest first',
    query: DealListQuery,
    response: DealPage,
  }),
  getDeal: defineRoute({
    operationId: 'getDeal',
    method: 'GET',
    path: '/deals/{dealId}',
    group: 'deals',
    roles: PERMISSIONS.readDeals,
    summary: 'Read a deal',
    params: DealIdParams,
    response: DealSchema,
  }),
  updateDeal: defineRoute({
    operationId: 'updateDeal',
    method: 'PATCH',
    path: '/deals/{dealId}',
    group: 'deals',
    roles: PERMISSIONS.editDeals,
    summary: 'Edit a deal: stage, amount, expected close, status',
    params: DealIdParams,
    body: DealPatchSchema,
    response: DealSchema,
  }),
  listAccounts: defineRoute({
    operationId: 'listAccounts',
    method: 'GET',
    path: '/accounts',
    group: 'deals',
    roles: PERMISSIONS.readDeals,
    summary: 'Find accounts by name, ignoring width, case and legal forms',
    query: AccountListQuery,
    response: AccountPage,
  }),
  getAccount: defineRoute({
    operationId: 'getAccount',
    method: 'GET',
    path: '/accounts/{accountId}',
    group: 'deals',
    roles: PERMISSIONS.readDeals,
    summary: 'Read an account with its contacts and deals',
    params: AccountIdParams,
    response: AccountDetailSchema,
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
} satisfies Record<string, RouteDefinition>;

export const ROUTES: readonly RouteDefinition[] = Object.values(routes);

export const ROUTE_GROUPS: readonly RouteGroup[] = [...new Set(ROUTES.map((r) => r.group))];

export const routesOf = (group: RouteGroup) => ROUTES.filter((r) => r.group === group);
