import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { REPLACED_INDEXES, TABLE_DEFINITION, keyAttributeNames, type IndexDefinition } from './definition';
import { dynamo } from './client';

/** As in the cloud (infra/storage.ts): the notification dispatcher reads it. */
const STREAM = { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } as const;

/**
 * What each index holds of an item, for bench:index-capacity only: every index as the definition says (`stack`, the
 * default, what infra/storage.ts creates), every index holding every attribute (`ALL`, as the first release did), or
 * the keys alone (`KEYS_ONLY`, the least any projection can hold).
 */
export type IndexProjection = 'stack' | 'ALL' | 'KEYS_ONLY';

function projectionOf(index: IndexDefinition, projection: IndexProjection) {
  if (projection !== 'stack') return { ProjectionType: projection };
  return index.projects ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.projects] } : { ProjectionType: 'ALL' as const };
}

const indexSchema = (index: IndexDefinition, projection: IndexProjection) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: projectionOf(index, projection),
});

/** Creates the single table on DynamoDB Local from the same definition the CDK storage stack uses. */
export async function ensureTable(tableName: string, options: { projection?: IndexProjection } = {}): Promise<'created' | 'existed'> {
  const client = dynamo();
  try {
    const existing = await client.send(new DescribeTableCommand({ TableName: tableName }));
    // Tables made before the notification dispatcher existed get their stream now.
    if (!existing.Table?.StreamSpecification?.StreamEnabled) {
      await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM }));
    }
    await upgradeIndexes(tableName, (existing.Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName!));
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
        GlobalSecondaryIndexes: TABLE_DEFINITION.indexes.map((index) => indexSchema(index, options.projection ?? 'stack')),
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

/**
 * A table the local stack kept on disk from an earlier release gets the indexes added since and loses the ones
 * replaced (lib/table/definition.ts REPLACED_INDEXES), one UpdateTable each as DynamoDB requires. DynamoDB Local
 * builds an index at once; the table is waited on anyway before the next change.
 */
async function upgradeIndexes(tableName: string, present: string[]): Promise<void> {
  const client = dynamo();
  const missing = TABLE_DEFINITION.indexes.filter((index) => !present.includes(index.indexName));
  const replaced = Object.values(REPLACED_INDEXES).filter((index) => present.includes(index.indexName));
  const changes = [
    ...missing.map((index) => ({ Create: { ...indexSchema(index, 'stack') } })),
    ...replaced.map((index) => ({ Delete: { IndexName: index.indexName } })),
  ];
  for (const change of changes) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: keyAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        GlobalSecondaryIndexUpdates: [change],
      }),
    );
    await untilActive(tableName);
  }
}

async function untilActive(tableName: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const { Table } = await dynamo().send(new DescribeTableCommand({ TableName: tableName }));
    const busy = Table?.TableStatus !== 'ACTIVE' || (Table.GlobalSecondaryIndexes ?? []).some((index) => index.IndexStatus !== 'ACTIVE');
    if (!busy) return;
    if (attempt >= 600) throw new Error(`table ${tableName} did not become active`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
