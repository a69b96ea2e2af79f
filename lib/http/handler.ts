import middy from '@middy/core';
import {
  accessLog,
  headersOf,
  identifyCaller,
  jsonBody,
  problemResponses,
  resolveRoute,
  toResult,
  validateInput,
  type HttpContext,
  type HttpEvent,
  type HttpResult,
} from './middleware';
import { observability } from '../observability';
import type { Implementation } from './route';

/**
 * Builds the Lambda handler for one route group. The chain, in order:
 * observability (Lambda context on log lines, trace segment, metrics: lib/observability.ts) → access log → problem+json on error → route lookup → JSON body → caller and role → schema validation → route.
 * middy runs `onError` hooks in reverse registration order, so problemResponses (registered second) shapes the
 * error response before accessLog (registered first) logs its status.
 */
export function httpHandler(implementations: readonly Implementation[]) {
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
    .use(jsonBody())
    .use(identifyCaller())
    .use(validateInput());
  // Exposed so a test can prove every route in the table has exactly one implementation.
  return Object.assign(handler, { implementations });
}
