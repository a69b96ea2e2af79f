import { LeadIdParams } from '../../leads/params';
import { AccountDetailSchema, AccountIdParams, AccountListQuery, AccountPage, ConversionSchema, ConvertSchema, DealIdParams, DealListQuery, DealPage, DealPatchSchema, DealSchema } from '../../deals/schema';
import { PERMISSIONS } from '../../users/roles';
import { ERASED_LEAD } from './problems';
import { defineRoute, type RouteDefinition } from '../route';

/** Conversion (案件化), deals and accounts. Served by functions/http/deals.ts; lib/http/routes.ts assembles every group's table. */

export const routes = {
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
    problems: {
      ...ERASED_LEAD,
      409: 'The lead is converted already (dealIds names its deals), accounts of a like name exist (choose one, or force), or it is being changed right now',
    },
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
    versioned: true,
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
} satisfies Record<string, RouteDefinition>;
