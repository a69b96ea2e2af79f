import type { RouteDefinition } from './route';

/**
 * Which browsers may call the API from another origin, said once for the cloud (infra/api.ts, the HTTP API's own
 * CORS handling) and the local gateway (lib/local/gateway.ts), so the two admit the same requests.
 *
 * In the cloud only the front-end's origin (`-c appBaseUrl=…`) is admitted, and no origin at all without it. Locally
 * any page served from this machine (`http://localhost:<port>`, `http://127.0.0.1:<port>`) is: a front-end under
 * development runs on a port of its own.
 */

/** The request headers a browser may send: the token, JSON bodies, and the two the API honours. */
export const CORS_ALLOWED_HEADERS = ['authorization', 'content-type', 'if-match', 'idempotency-key'] as const;

/** The reply headers a browser's script may read: the version to send back, where a created thing is, a replay. */
export const CORS_EXPOSED_HEADERS = ['etag', 'location', 'idempotent-replayed'] as const;

/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 3600;

/** The methods the routes use, in a stable order. */
export function corsMethods(routes: readonly RouteDefinition[]): string[] {
  const order = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  const used = new Set(routes.map((route) => route.method));
  return order.filter((method) => used.has(method as RouteDefinition['method']));
}

/** A page of this machine: http, a loopback host, an optional port, nothing else. */
const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

export const isLocalOrigin = (origin: string | undefined): origin is string => origin !== undefined && LOCAL_ORIGIN.test(origin);
