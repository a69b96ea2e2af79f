import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { awsEndpoints } from '../config';

/**
 * Starts the export worker for an export. In the cloud an asynchronous invocation of the worker function (the API
 * functions never bundle the workbook writer); on the local stack, the worker in the same process.
 */

type Invoker = (exportId: string) => Promise<void>;

let local: Invoker | undefined;
let lambda: LambdaClient | undefined;

export function setLocalExportInvoker(invoker: Invoker | undefined): void {
  local = invoker;
}

export async function startExportWorker(exportId: string): Promise<void> {
  if (local) return local(exportId);
  const functionName = process.env.EXPORT_FUNCTION_NAME;
  if (!functionName) throw new Error('EXPORT_FUNCTION_NAME is not set');
  lambda ??= new LambdaClient({ region: awsEndpoints().region });
  await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ exportId })) }));
}
