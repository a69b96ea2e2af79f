import * as z from 'zod';
import { defineRoute } from '../route';

/**
 * The routes of the reference page, in lib/http/routes.ts's table like every route, declared per group so that the docs
 * function (functions/http/docs.ts) loads these two and not every schema of the API.
 */

const DocsAssetParams = z.object({ asset: z.string().min(1).max(100) });

export const routes = {
  docs: defineRoute({
    operationId: 'docs',
    method: 'GET',
    path: '/docs',
    group: 'docs',
    public: true,
    summary: 'Read the API reference: a page that renders /openapi.json, with no call to the internet',
    produces: 'text/html',
  }),
  docsAsset: defineRoute({
    operationId: 'docsAsset',
    method: 'GET',
    path: '/docs/assets/{asset}',
    group: 'docs',
    public: true,
    summary: "Read one of the reference page's files (its script and style sheet)",
    params: DocsAssetParams,
    produces: 'application/octet-stream',
    problems: { 404: 'No such file' },
  }),
};
