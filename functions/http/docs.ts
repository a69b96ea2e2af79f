import { docsAsset, docsPage } from '../../lib/http/docs';
import { httpHandler } from '../../lib/http/handler';
import { implement } from '../../lib/http/route';
import { routes } from '../../lib/http/routes/docs';

/**
 * GET /docs and its files: a function of its own, so that the viewer's files (copied beside this bundle, never
 * bundled) weigh on no other function.
 */
export const handler = httpHandler([
  implement(routes.docs, async () => docsPage()),
  implement(routes.docsAsset, async ({ params, headers }) => docsAsset(params.asset, headers['accept-encoding'])),
]);
