import { freePort, startDynamoDbLocal, type RunningService } from '../../lib/local/services';

/**
 * One DynamoDB Local JVM for the whole run (it takes seconds to start); each integration test file creates its own
 * table on it, so files stay independent. The S3 server and SES emulator are cheap and start per file.
 */
export default async function globalSetup(): Promise<void> {
  const dynamodb = await startDynamoDbLocal({ port: await freePort() });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.url;
  (globalThis as { __dynamodb?: RunningService }).__dynamodb = dynamodb;
}
