import { exportStatus, requestExport } from '../../lib/exports/requests';
import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/exports';

/** List export: POST /exports starts one, GET /exports/{exportId} tells its status and gives the link. */

export const handler = httpHandler([
  implement(routes.createExport, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /exports', headers, body }, async () => {
      const requested = await requestExport(caller, body);
      return reply(202, requested, { Location: `/exports/${requested.exportId}` });
    }),
  ),

  implement(routes.getExport, async ({ params, caller }) => reply(200, await exportStatus(caller, params.exportId))),
]);
