import middy from '@middy/core';
import {
  accessLog,
  headersOf,
  jsonBody,
  problemResponses,
  resolveRoute,
  toResult,
  validateInput,
  type HttpContext,
  type HttpEvent,
  type HttpMiddleware,
  type HttpResult,
} from './middleware';
import { observability } from '../observability';
import { routeKey, type Implementation } from './route';

/**
 * The one chain of every HTTP function. In order:
 * observability (Lambda context on log lines, trace segment, metrics: lib/observability.ts) → access log → problem+json on error → route lookup → JSON body → caller and role → schema validation → route.
 * middy runs `onError` hooks in reverse registration order, so problemResponses (registered second) shapes the
 * error response before accessLog (registered first) logs its status.
 *
 * `identify` is the caller step (lib/http/handler.ts gives it); without one every route must be public.
 */
export function httpChain(implementations: readonly Implementation[], identify?: HttpMiddleware) {
  if (!identify) {
    const guarded = implementations.filter((i) => !i.route.public).map((i) => routeKey(i.route));
    if (guarded.length > 0) throw new Error(`a handler without caller identification serves public routes only, not ${guarded.join(', ')}`);
  }
  const runRoute = async function runRoute(event: HttpEvent, context: HttpContext): Promise<HttpResult> {
    const { implementation, input, caller } = context.http;
    const result = await implementation!.run({
      params: input!.params,
      query: input!.query,
      body: input!.body,
      caller: caller!,
      headers: headersOf(event),
      requestId: event.requestContext?.requestId ?? context.awsRequestId,
    } as never);
    return toResult(result);
  };

  const handler = middy<HttpEvent, HttpResult, Error, HttpContext>(runRoute, { timeoutEarlyInMillis: 0 })
    .use(observability())
    .use(accessLog())
    .use(problemResponses())
    .use(resolveRoute(implementations))
    .use(jsonBody());
  if (identify) handler.use(identify);
  handler.use(validateInput());
  // Exposed so a test can prove every route in the table has exactly one implementation.
  return Object.assign(handler, { implementations });
}

/**
 * The handler of a group whose routes are all public (system): the same chain without the caller step, which
 * public routes skip anyway, so the function does not bundle the users repository and the table client.
 */
export function publicHttpHandler(implementations: readonly Implementation[]) {
  return httpChain(implementations);
}
