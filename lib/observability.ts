import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from './log';
import { metrics } from './metrics';
import { traceInvocation } from './tracing';

/**
 * What every handler of ours runs inside, the HTTP chain (lib/http/handler.ts) and the other functions
 * (observedHandler): the Lambda context on every log line, the handler's X-Ray segment, and the invocation's metrics
 * written once at its end. Registered first, so their `after`/`onError` run last, once the response is shaped.
 */
export function observability() {
  return [injectLambdaContext(logger), traceInvocation(), publishMetrics()];
}

/**
 * Writes what the invocation recorded. Powertools' own logMetrics middleware warns on every invocation that recorded
 * nothing (most API requests), so this one writes only when there is something to write.
 */
export function publishMetrics(): middy.MiddlewareObj {
  const publish = async function publishRecordedMetrics() {
    const recorded = metrics();
    if (recorded.hasStoredMetrics()) recorded.publishStoredMetrics();
  };
  return { after: publish, onError: publish };
}

/**
 * A function that is not behind the HTTP API (intake, dispatcher, jobs, workers) with the same observability. Local
 * callers (the local stack, tests) may leave out the Lambda context.
 */
export function observedHandler<Event, Result>(run: (event: Event, context: Context) => Promise<Result>) {
  const chain = middy<Event, Result, Error, Context>(run, { timeoutEarlyInMillis: 0 }).use(observability());
  return async function observed(event: Event, context?: Context): Promise<Result> {
    return chain(event, context ?? ({} as Context));
  };
}
