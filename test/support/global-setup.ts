import { freePort, startDynamoDbLocal, type RunningService } from '../../lib/local/services';

/**
 * One DynamoDB Local JVM for the whole run (it takes seconds to start); each integration test file creates its table
 * in a database of its own on it (its own access key, the JVM running without -sharedDb), so files stay independent
 * and no file's stream records slow another's writes (lib/config.ts dynamodbLocalCredentials). The S3 server and SES
 * emulator are cheap and start per file.
 */
export default async function globalSetup(): Promise<void> {
  const dynamodb = await startDynamoDbLocal({ port: await freePort(), sharedDb: false });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamodb.url;
  (globalThis as { __dynamodb?: RunningService }).__dynamodb = dynamodb;
}
