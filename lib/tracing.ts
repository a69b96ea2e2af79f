import { Tracer } from '@aws-lambda-powertools/tracer';
import { config } from './config';

/**
 * X-Ray traces through Powertools for AWS Lambda's Tracer: the handler chains open the handler's segment
 * (lib/observability.ts) and the adapters wrap their SDK clients, so every AWS call is a subsegment. The Tracer turns
 * itself off outside Lambda (tests, the local stack), where no X-Ray daemon listens.
 */
export const tracer = new Tracer({ serviceName: config.serviceName() });

/** An SDK client whose calls are traced; the client itself where tracing is off. */
export function traced<Client>(client: Client): Client {
  return tracer.captureAWSv3Client(client) ?? client;
}
