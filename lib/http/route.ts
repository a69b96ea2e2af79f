import type * as z from 'zod';
import type { Caller } from '../users/caller';
import type { Role } from '../users/roles';

/**
 * A route of the HTTP API, declared once. The CDK API stack, the local gateway, the request validation and
 * /openapi.json are all driven by these declarations (lib/http/routes.ts), so they cannot drift apart.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One Lambda function serves each group (functions/http/{group}.ts). */
export type RouteGroup = 'system' | 'docs' | 'users' | 'campaigns' | 'imports' | 'leads' | 'exports' | 'me' | 'actions' | 'deals' | 'stats';

export interface RouteDefinition<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends z.ZodType = z.ZodType,
> {
  operationId: string;
  method: HttpMethod;
  /** API Gateway path syntax: `/campaigns/{campaignId}`. */
  path: string;
  group: RouteGroup;
  summary: string;
  /** No token needed (only `/health`, `/openapi.json` and the docs page with its files). */
  public?: boolean;
  /** Roles allowed to call it at all; ownership is checked further in the domain. */
  roles?: readonly Role[];
  params?: P;
  query?: Q;
  body?: B;
  response?: R;
  successStatus?: number;
  /** The media type of a success that is not JSON (the docs page: text/html). */
  produces?: string;
  /** Other successes it answers with the same response schema, by status (POST /leads: 200 when it attaches). */
  otherSuccesses?: Readonly<Record<number, string>>;
  /** Writes at the version the client saw (`If-Match` or `version` in the body), 409 when it is stale. */
  versioned?: boolean;
  /** Honours an `Idempotency-Key` header. */
  idempotent?: boolean;
  /**
   * Problems this route answers beyond what lib/http/openapi.ts reads from the rest of its definition (400, 429, 500
   * always; 401, 403 unless public; 422 with input; 404 with path parameters; 413 with a body; 409 when versioned or
   * idempotent), or in words of its own, by status: what /openapi.json names.
   */
  problems?: Readonly<Record<number, string>>;
}

export const routeKey = (route: { method: string; path: string }): string => `${route.method} ${route.path}`;

export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
  route: RouteDefinition<P, Q, B, R>,
): RouteDefinition<P, Q, B, R> {
  return route;
}

type Out<T> = [NonNullable<T>] extends [z.ZodType] ? z.output<NonNullable<T>> : undefined;

export interface RouteInput<Route extends RouteDefinition> {
  params: Out<Route['params']>;
  query: Out<Route['query']>;
  body: Out<Route['body']>;
  /** Undefined only on public routes. */
  caller: Route['public'] extends true ? Caller | undefined : Caller;
  headers: Record<string, string | undefined>;
  requestId: string;
}

export interface Reply {
  status: number;
  body?: unknown;
  /** A reply that is not JSON (the docs page and its files), as it goes out; its headers name its content type. */
  raw?: { body: string; isBase64Encoded: boolean };
  headers?: Record<string, string>;
}

export type Implementation<Route extends RouteDefinition = RouteDefinition> = {
  route: Route;
  run: (input: RouteInput<Route>) => Promise<Reply>;
};

export function implement<Route extends RouteDefinition>(
  route: Route,
  run: (input: RouteInput<Route>) => Promise<Reply>,
): Implementation {
  return { route, run } as unknown as Implementation;
}

/** Replies with the usual headers; an object with a numeric `version` also gets an ETag for If-Match. */
export function reply(status: number, body?: unknown, headers: Record<string, string> = {}): Reply {
  const version = (body as { version?: unknown } | undefined)?.version;
  return typeof version === 'number' ? { status, body, headers: { ETag: `"${version}"`, ...headers } } : { status, body, headers };
}
