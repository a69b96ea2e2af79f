import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type * as z from 'zod';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  ValidationError,
  type FieldIssue,
} from '../errors';
import { log } from '../log';
import type { getUser } from '../users/repository';
import { problemFor, problemResponse } from './problem';
import { routeKey, type Implementation, type Reply } from './route';
import type { Caller } from '../users/caller';

/**
 * The one middy chain every HTTP function uses (see lib/http/handler.ts for the order). Each middleware is a small
 * factory; state passes between them on `request.context.http`.
 */

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2;

/** What the middlewares learn about a request, handed to the route on the Lambda context (as middy's own do). */
export interface HttpState {
  startedAt: number;
  implementation?: Implementation;
  body?: unknown;
  caller?: Caller;
  input?: { params: unknown; query: unknown; body: unknown };
}

export type HttpContext = Context & { http: HttpState };
export type HttpRequest = middy.Request<HttpEvent, HttpResult, Error, HttpContext>;
export type HttpMiddleware = middy.MiddlewareObj<HttpEvent, HttpResult, Error, HttpContext>;

/** 1 MiB: enough for 10,000 lead ids in one assignment, small enough to keep a Lambda's memory calm. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const requestIdOf = (request: HttpRequest): string =>
  request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? 'unknown';

/** Logs one line per request: route, status, duration, user id. Never bodies, headers or query values. */
export function accessLog(): HttpMiddleware {
  const before = async function accessLogBefore(request: HttpRequest) {
    request.context.http = { startedAt: Date.now() };
  };
  const done = async function accessLogDone(request: HttpRequest) {
    const status = request.response?.statusCode ?? 500;
    log.info('request', {
      requestId: requestIdOf(request),
      route: request.event.routeKey,
      status,
      durationMs: Date.now() - (request.context.http?.startedAt ?? Date.now()),
      userId: request.context.http.caller?.userId,
    });
  };
  return { before, after: done, onError: done };
}

/** Turns any error into problem+json; must be registered so that its onError runs first (see handler.ts). */
export function problemResponses(): HttpMiddleware {
  const onError = async function problemResponsesOnError(request: HttpRequest) {
    const requestId = requestIdOf(request);
    const problem = problemFor(request.error, requestId);
    if (problem.status >= 500) {
      const error = request.error;
      log.error('unhandled error', {
        requestId,
        route: request.event.routeKey,
        errorName: error?.name,
        errorMessage: error?.message,
        stack: error?.stack,
      });
    }
    request.response = problemResponse(problem);
  };
  return { onError };
}

/** Finds the implementation for the event's route key, as API Gateway matched it. */
export function resolveRoute(
  implementations: readonly Implementation[],
): HttpMiddleware {
  const byKey = new Map(implementations.map((i) => [routeKey(i.route), i]));
  const before = async function resolveRouteBefore(request: HttpRequest) {
    const implementation = byKey.get(request.event.routeKey);
    if (!implementation) throw new NotFoundError(`no route ${request.event.routeKey}`);
    request.context.http.implementation = implementation;
  };
  return { before };
}

/** Parses a JSON body; 400 when it is not JSON, 413 when it is too large. */
export function jsonBody(): HttpMiddleware {
  const before = async function jsonBodyBefore(request: HttpRequest) {
    const { body, isBase64Encoded } = request.event;
    if (body === undefined || body === null || body === '') return;
    const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    if (Buffer.byteLength(text, 'utf8') > MAX_BODY_BYTES) {
      throw new PayloadTooLargeError(`the request body is larger than ${MAX_BODY_BYTES} bytes`);
    }
    try {
      request.context.http.body = JSON.parse(text);
    } catch (cause) {
      throw new BadRequestError('the request body is not valid JSON', { cause });
    }
  };
  return { before };
}

/**
 * Who is calling: the gateway's JWT authorizer has verified the token and put its claims on the request context;
 * we only read `sub` and look the user up, so roles come from our user record, not from the token. The look-up is
 * given (lib/http/handler.ts gives the users repository) so that a function of public routes only bundles no table.
 */
export function identifyCaller(findUser: typeof getUser): HttpMiddleware {
  const before = async function identifyCallerBefore(request: HttpRequest) {
    const route = request.context.http.implementation!.route;
    if (route.public) return;
    const sub = request.event.requestContext?.authorizer?.jwt?.claims?.sub;
    if (typeof sub !== 'string' || sub === '') throw new UnauthorizedError('a bearer token is required');
    const user = await findUser(sub);
    if (!user || !user.active) throw new ForbiddenError('there is no active user for this identity');
    request.context.http.caller = { userId: user.userId, role: user.role, team: user.team };
    if (route.roles && !route.roles.includes(user.role)) {
      throw new ForbiddenError(`the ${user.role} role may not ${route.summary.toLowerCase()}`);
    }
  };
  return { before };
}

function issuesAt(location: string, error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Validates path, query and body against the route's zod schemas; every problem is reported at once (422). */
export function validateInput(): HttpMiddleware {
  const before = async function validateInputBefore(request: HttpRequest) {
    const route = request.context.http.implementation!.route;
    const issues: FieldIssue[] = [];
    const parse = (schema: z.ZodType | undefined, value: unknown, location: string) => {
      if (!schema) return undefined;
      const result = schema.safeParse(value);
      if (result.success) return result.data;
      issues.push(...issuesAt(location, result.error));
      return undefined;
    };
    const params = parse(route.params, request.event.pathParameters ?? {}, 'path');
    const query = parse(route.query, request.event.queryStringParameters ?? {}, 'query');
    if (route.body && request.context.http.body === undefined) {
      issues.push({ path: 'body', message: 'a JSON body is required' });
    }
    const body = route.body && request.context.http.body !== undefined ? parse(route.body, request.context.http.body, 'body') : undefined;
    if (issues.length > 0) throw new ValidationError('the request does not match the schema', issues);
    request.context.http.input = { params, query, body };
  };
  return { before };
}

/** Lower-cased header map (HTTP API already lower-cases; the local gateway does too). */
export function headersOf(event: HttpEvent): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) out[k.toLowerCase()] = v;
  return out;
}

export function toResult(reply: Reply): HttpResult {
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  if (reply.raw) return { statusCode: reply.status, headers, body: reply.raw.body, isBase64Encoded: reply.raw.isBase64Encoded };
  if (reply.body === undefined) return { statusCode: reply.status, headers };
  return {
    statusCode: reply.status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(reply.body),
  };
}
