import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { NotFoundError } from '../errors';
import { packageFilePath } from '../package-files';
import type { Reply } from './route';

/**
 * GET /docs: the API reference for people, Swagger UI (swagger-ui-dist, from npm) rendering /openapi.json in the
 * browser. Nothing comes from the internet: the viewer's script and style are served by this API under
 * /docs/assets/, and the page's Content-Security-Policy lets it load scripts, styles and data from its own origin only.
 *
 * The viewer is 1.7 MB of JavaScript, far over what an API function's bundle may weigh, so it is never bundled: the
 * docs route group has a function of its own, and infra/api.ts copies the files of DOCS_ASSETS beside that
 * function's bundle after esbuild has run. In Lambda they are read from there; locally (and in the tests) from
 * node_modules, where npm put them.
 */

interface DocsAsset {
  contentType: string;
  /** Where npm installs it: what infra copies beside the bundle, and what runs on this machine read. */
  packagePath?: string;
  /** Written here: the few lines that start the viewer (a file, since the page runs no inline script). */
  text?: string;
}

/** Starts Swagger UI on the document; no validator badge (it would call a server on the internet). */
const START_VIEWER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: new URL('openapi.json', document.baseURI).href,
    dom_id: '#docs',
    deepLinking: true,
    validatorUrl: null,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayOperationId: true,
    persistAuthorization: false,
    onComplete: function () { document.body.setAttribute('data-docs', 'ready'); }
  });
});
`;

export const DOCS_ASSETS: Readonly<Record<string, DocsAsset>> = {
  'swagger-ui-bundle.js': { contentType: 'text/javascript; charset=utf-8', packagePath: 'swagger-ui-dist/swagger-ui-bundle.js' },
  'swagger-ui.css': { contentType: 'text/css; charset=utf-8', packagePath: 'swagger-ui-dist/swagger-ui.css' },
  'start.js': { contentType: 'text/javascript; charset=utf-8', text: START_VIEWER },
};

/** The files infra copies beside the docs function's bundle, by package path. */
export const DOCS_PACKAGE_FILES: readonly string[] = Object.values(DOCS_ASSETS).flatMap((asset) => (asset.packagePath ? [asset.packagePath] : []));

/**
 * Its own origin only: scripts and styles from /docs/assets, the document and "Try it out" calls to this API. The
 * viewer's icons are data: URIs in its style sheet. Nothing may frame the page or be posted from it.
 */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': DOCS_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const loaded = new Map<string, { content: Buffer; gzipped: Buffer; hash: string }>();

function load(name: string) {
  let file = loaded.get(name);
  if (!file) {
    const asset = DOCS_ASSETS[name]!;
    const content = asset.text !== undefined ? Buffer.from(asset.text, 'utf8') : readFileSync(packageFilePath(asset.packagePath!));
    file = { content, gzipped: gzipSync(content), hash: createHash('sha256').update(content).digest('hex').slice(0, 16) };
    loaded.set(name, file);
  }
  return file;
}

const assetUrl = (name: string) => `docs/assets/${name}?v=${load(name).hash}`;

/**
 * The page. Its URLs are relative (to /docs: the API's root), so it works wherever the API is mounted; the assets
 * carry a hash of their content, so browsers may keep them for good and still see a new version.
 */
export function docsPage(): Reply {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inside-sales lead backend: API reference</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${assetUrl('swagger-ui.css')}">
</head>
<body>
<div id="docs"></div>
<script src="${assetUrl('swagger-ui-bundle.js')}"></script>
<script src="${assetUrl('start.js')}"></script>
</body>
</html>
`;
  return { status: 200, raw: { body: html, isBase64Encoded: false }, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...PAGE_HEADERS } };
}

/** One of the viewer's files, gzipped when the browser takes it (API Gateway does not compress). */
export function docsAsset(name: string, acceptEncoding: string | undefined): Reply {
  if (!Object.hasOwn(DOCS_ASSETS, name)) throw new NotFoundError(`no docs asset ${name}`);
  const file = load(name);
  const gzip = /\bgzip\b/.test(acceptEncoding ?? '');
  return {
    status: 200,
    raw: { body: (gzip ? file.gzipped : file.content).toString('base64'), isBase64Encoded: true },
    headers: {
      'content-type': DOCS_ASSETS[name]!.contentType,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    },
  };
}
