import { httpHandler } from '../../lib/http/handler';
import { idempotent } from '../../lib/http/idempotency';
import { pageResponse, scopeOf, startKeyFrom } from '../../lib/http/pagination';
import { implement, reply } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/imports';
import { listImports, requireImport } from '../../lib/intake/import-record';
import { rejectionsLink, requestUpload } from '../../lib/intake/upload-links';

/** Imports: POST /imports (a presigned upload), GET /imports, GET /imports/{id}, GET /imports/{id}/rejections. */

export const handler = httpHandler([
  implement(routes.createImport, async ({ body, caller, headers }) =>
    idempotent({ callerId: caller.userId, scope: 'POST /imports', headers, body }, async () => {
      const upload = await requestUpload(caller, body);
      return reply(201, upload, { Location: `/imports/${upload.importId}` });
    }),
  ),

  implement(routes.listImports, async ({ query }) => {
    const scope = scopeOf('imports', query);
    const page = await listImports(query, await startKeyFrom(query.cursor, scope));
    return reply(200, await pageResponse(page.items, page.lastKey, scope));
  }),

  implement(routes.getImport, async ({ params }) => reply(200, await requireImport(params.importId))),

  implement(routes.getImportRejections, async ({ params }) => reply(200, await rejectionsLink(params.importId))),
]);
