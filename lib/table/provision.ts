import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION, keyAttributeNames } from './definition';
import { dynamo } from './client';

/** As in the cloud (infra/storage.ts): the notification dispatcher reads it. */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

/**
 * What each index holds of an item. The stack projects every attribute (infra/storage.ts); `KEYS_ONLY` is only for
 * bench:index-capacity, which measures what the narrowest projection would save on the same writes.
 */
export type IndexProjection = 'ALL' | 'KEYS_ONLY';

/** Creates the single table on DynamoDB Local from the same definition the CDK storage stack uses. */
export async function ensureTable(tableName: string, options: { projection?: IndexProjection } = {}): Promise<'created' | 'existed'> {
  const client = dynamo();
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // Tables made before the notification dispatcher existed get their stream now.
    if (!existing.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
    }
    return 'existed';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: STREAM,
        AttributeDefinitions: keyAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_DEFINITION.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DEFINITION.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_DEFINITION.indexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: options.projection ?? 'ALL' },
        })),
      }),
    );
  } catch (error) {
    // Two processes racing to create it (parallel test workers) is fine.
    if (error instanceof ResourceInUseException) return 'existed';
    throw error;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: TABLE_DEFINITION.timeToLiveAttribute, Enabled: true },
    }),
  );
  return 'created';
}
