import { AssignmentResultSchema, AssignRequestSchema, HandoverRequestSchema } from '../../assignment/schema';
import { LeadListQuery } from '../../leads/list-query';
import { LeadCreateSchema, LeadDetailSchema, LeadErasureSchema, LeadEventPage, LeadIdParams, LeadPage, LeadPatchSchema, LeadSchema, MembershipPage } from '../../leads/schema';
import { QueuePageSchema, QueueQuery } from '../../read-models/work-queue-schema';
import { PERMISSIONS } from '../../users/roles';
import { ERASED_LEAD } from './problems';
import { defineRoute, type RouteDefinition } from '../route';

/** Leads: by hand, the list, the detail, edits, erasure, histories; assignment, hand-over and my work queue. Served by functions/http/leads.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
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
  createLead: defineRoute({
    operationId: 'createLead',
    method: 'POST',
    path: '/leads',
    group: 'leads',
    roles: PERMISSIONS.createLeads,
    summary: 'Create a lead by hand (an inbound call, a web inquiry), deduplicated as a list row is; with campaignId, a responded member of it',
    body: LeadCreateSchema,
    response: LeadSchema,
    successStatus: 201,
    otherSuccesses: { 200: 'The person already had this lead: with onDuplicate "attach" the campaign history went on it (or it was a responded member already)' },
    idempotent: true,
    problems: {
      409: 'The person already has a lead (existingLeadId names it), or a list of the campaign is being imported right now (retry shortly)',
    },
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
    versioned: true,
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
    summary: "Read a lead's history: its creation by hand, assignments, hand-overs and conversion, oldest first",
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
} satisfies Record<string, RouteDefinition>;
