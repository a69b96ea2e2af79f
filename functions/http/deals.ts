import { accountDetail, listAccounts } from '../../lib/deals/accounts';
import { convertLead } from '../../lib/deals/convert';
import { listDeals, requireDeal, updateDeal } from '../../lib/deals/repository';
import { decodeCursor } from '../../lib/http/cursor';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/deals';
import { expectedVersion } from '../../lib/http/versioning';
import { choices } from '../../lib/settings/choices';

/** Conversion, deals and accounts: POST /leads/{leadId}/convert, GET/PATCH /deals…, GET /accounts…. */

// Deal stages come from the choice lists: validated at cold start.
choices();

export const handler = httpHandler([
  implement(routes.convertLead, async ({ params, body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: `POST /leads/${params.leadId}/convert`, headers, body }, async () => {
      const conversion = await convertLead(caller, params.leadId, body);
      return reply(201, conversion, { Location: `/deals/${conversion.deal.dealId}` });
    }),
  ),

  implement(routes.listDeals, async ({ query, caller }) => {
    const scope = scopeOf(`deals:${caller.userId}`, query);
    const position = query.cursor ? await decodeCursor<unknown>(query.cursor, scope) : undefined;
    const page = await listDeals(query, caller, position);
    return reply(200, await pageResponse(page.items, page.position, scope));
  }),

  implement(routes.getDeal, async ({ params }) => reply(200, await requireDeal(params.dealId))),

  implement(routes.updateDeal, async ({ params, body, headers, caller }) => {
    const { version, ...patch } = body;
    return reply(200, await updateDeal(caller, params.dealId, patch, expectedVersion(headers, version)));
  }),

  implement(routes.listAccounts, async ({ query }) => {
    const scope = scopeOf('accounts', query);
    const page = await listAccounts(query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getAccount, async ({ params }) => reply(200, await accountDetail(params.accountId))),
]);
