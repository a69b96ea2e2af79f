import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsEndpoints, config } from '../config';
import { traced } from '../tracing';

/**
 * Asynchronous invocations of this deployment's own functions: the intake continuing a long import in a fresh
 * invocation, and the API starting the export worker. In the cloud an Event invocation through Lambda; on the local
 * stack, the invoker it registers runs the handler in the same process.
 */

export type AsyncFunction = 'intake' | 'exportWorker';

type Invoker = (target: AsyncFunction, payload: unknown) => Promise<void>;

const FUNCTION_NAME: Record<AsyncFunction, () => string> = {
  intake: config.selfFunctionName,
  exportWorker: config.exportFunctionName,
};

let local: Invoker | undefined;
let lambda: LambdaClient | undefined;

export function setLocalInvoker(invoker: Invoker | undefined): void {
  local = invoker;
}

export async function invokeAsync(target: AsyncFunction, payload: unknown): Promise<void> {
  if (local) return local(target, payload);
  lambda ??= traced(new LambdaClient({ region: awsEndpoints().region }));
  await lambda.send(new InvokeCommand({ FunctionName: FUNCTION_NAME[target](), InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }));
}
