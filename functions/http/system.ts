import { publicHttpHandler } from '../../lib/http/chain';
import { openApiDocument } from '../../lib/http/openapi';
import { implement, reply } from '../../lib/http/route';
import { ROUTES, SCHEMA_NAMES } from '../../lib/http/routes';
import { routes } from '../../lib/http/routes/system';

/** GET /health and GET /openapi.json: the two routes that need no token. */

let document: unknown;

export const handler = publicHttpHandler([
  implement(routes.health, async () => reply(200, { status: 'ok', time: new Date().toISOString() })),
  implement(routes.openapi, async () => {
    document ??= openApiDocument(ROUTES, { schemaNames: SCHEMA_NAMES });
    return reply(200, document, { 'cache-control': 'public, max-age=300' });
  }),
]);
