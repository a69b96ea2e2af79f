import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  QueryCommand,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type QueryCommandInput,
  type TransactWriteItem,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { awsEndpoints, config } from '../config';
import { ThrottledError } from '../errors';
import type { Key } from './keys';

/**
 * The DynamoDB adapter: one client per container, plain-object items in and out, SDK errors translated into the
 * product's own. Repositories build their requests from lib/table/keys.ts and call these functions.
 */

export type Item = Record<string, unknown>;

let client: DynamoDBClient | undefined;

export function dynamo(): DynamoDBClient {
  if (!client) {
    const { region, dynamodb } = awsEndpoints();
    client = new DynamoDBClient({
      region,
      endpoint: dynamodb,
      // The SDK's adaptive retry backs off on throttling before we report 429.
      retryMode: 'adaptive',
      maxAttempts: 6,
      ...(dynamodb ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    });
    // The SDK's logger middleware copies every request and response through a sensitive-data filter to build a log
    // line, even for its no-op logger; we never give it a logger, and at thousands of items a second the copies cost.
    client.middlewareStack.remove('loggerMiddleware');
  }
  return client;
}

/** For tests and the local stack, which point the same process at a fresh endpoint. */
export function resetDynamoClient(): void {
  client?.destroy();
  client = undefined;
}

export const tableName = (): string => config.tableName();

export const toAttributes = (item: Item): Record<string, AttributeValue> =>
  marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: false });
export const fromAttributes = <T = Item>(attrs: Record<string, AttributeValue>): T => unmarshall(attrs) as T;

/** A conditional write lost: the caller decides what that means (duplicate, stale version, already done). */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(readonly item?: Item, options?: { cause?: unknown }) {
    super('condition check failed', options);
  }
}

/** A transaction was cancelled; `reasons[i]` is the code for the i-th write ('None' when that one was fine). */
export class TransactionConflictError extends Error {
  override readonly name = 'TransactionConflictError';
  constructor(readonly reasons: string[], options?: { cause?: unknown }) {
    super(`transaction cancelled: ${reasons.join(',')}`, options);
  }
}

function translate(error: unknown): never {
  if (error instanceof ConditionalCheckFailedException) {
    throw new ConditionFailedError(error.Item ? fromAttributes(error.Item) : undefined, { cause: error });
  }
  if (error instanceof TransactionCanceledException) {
    throw new TransactionConflictError((error.CancellationReasons ?? []).map((r) => r.Code ?? 'None'), { cause: error });
  }
  if (
    error instanceof ProvisionedThroughputExceededException ||
    error instanceof ThrottlingException ||
    error instanceof RequestLimitExceeded
  ) {
    throw new ThrottledError('the database is busy; retry shortly', { cause: error });
  }
  throw error;
}

export async function getItem<T = Item>(key: Key, options: { consistent?: boolean } = {}): Promise<T | undefined> {
  try {
    const out = await dynamo().send(
      new GetItemCommand({ TableName: tableName(), Key: toAttributes(key), ConsistentRead: options.consistent ?? true }),
    );
    return out.Item ? fromAttributes<T>(out.Item) : undefined;
  } catch (error) {
    translate(error);
  }
}

export interface ConditionalWrite {
  condition?: string;
  names?: Record<string, string>;
  values?: Item;
  /** On a failed condition, return the item as it is now (saves a read when reporting a conflict). */
  returnItemOnConflict?: boolean;
}

export async function putItem(item: Item, write: ConditionalWrite = {}): Promise<void> {
  try {
    await dynamo().send(
      new PutItemCommand({
        TableName: tableName(),
        Item: toAttributes(item),
        ConditionExpression: write.condition,
        ExpressionAttributeNames: write.names,
        ExpressionAttributeValues: write.values ? toAttributes(write.values) : undefined,
        ReturnValuesOnConditionCheckFailure: write.returnItemOnConflict ? 'ALL_OLD' : undefined,
      }),
    );
  } catch (error) {
    translate(error);
  }
}

export interface UpdateRequest extends ConditionalWrite {
  key: Key;
  update: string;
  /** Return the item as it was before the update (empty object when it did not exist) instead of after. */
  returnOld?: boolean;
}

export async function updateItem<T = Item>(request: UpdateRequest): Promise<T> {
  try {
    const out = await dynamo().send(
      new UpdateItemCommand({
        TableName: tableName(),
        Key: toAttributes(request.key),
        UpdateExpression: request.update,
        ConditionExpression: request.condition,
        ExpressionAttributeNames: request.names,
        ExpressionAttributeValues: request.values ? toAttributes(request.values) : undefined,
        ReturnValues: request.returnOld ? 'ALL_OLD' : 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: request.returnItemOnConflict ? 'ALL_OLD' : undefined,
      }),
    );
    return fromAttributes<T>(out.Attributes ?? {});
  } catch (error) {
    translate(error);
  }
}

export interface QueryPage<T> {
  items: T[];
  lastKey?: Item;
}

export async function query<T = Item>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'> & {
  startKey?: Item;
}): Promise<QueryPage<T>> {
  const { startKey, ...rest } = input;
  try {
    const out = await dynamo().send(
      new QueryCommand({ ...rest, TableName: tableName(), ExclusiveStartKey: startKey ? toAttributes(startKey) : undefined }),
    );
    return {
      items: (out.Items ?? []).map((i) => fromAttributes<T>(i)),
      lastKey: out.LastEvaluatedKey ? fromAttributes(out.LastEvaluatedKey) : undefined,
    };
  } catch (error) {
    translate(error);
  }
}

export async function transactWrite(items: TransactWriteItem[], clientRequestToken?: string): Promise<void> {
  try {
    await dynamo().send(
      new TransactWriteItemsCommand({ TransactItems: items, ClientRequestToken: clientRequestToken }),
    );
  } catch (error) {
    translate(error);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * BatchWriteItem in calls of 25 (`concurrency` at a time), retrying unprocessed items with exponential backoff and
 * jitter (DynamoDB returns them under load instead of failing the call). Gives up with ThrottledError after
 * `maxAttempts` rounds for one call.
 */
export async function batchWrite(requests: WriteRequest[], options: { concurrency?: number; maxAttempts?: number } = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const calls: WriteRequest[][] = [];
  for (let offset = 0; offset < requests.length; offset += 25) calls.push(requests.slice(offset, offset + 25));
  await forEachConcurrently(calls, options.concurrency ?? 4, async (call) => {
    let pending = call;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new ThrottledError(`${pending.length} writes still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
      try {
        const out = await dynamo().send(new BatchWriteItemCommand({ RequestItems: { [tableName()]: pending } }));
        pending = out.UnprocessedItems?.[tableName()] ?? [];
      } catch (error) {
        translate(error);
      }
    }
  });
}

export const putRequest = (item: Item): WriteRequest => ({ PutRequest: { Item: toAttributes(item) } });

export const keyString = (key: { PK: unknown; SK: unknown }): string => `${key.PK}\u0000${key.SK}`;

/**
 * BatchGetItem in calls of 100 (run `concurrency` at a time), retrying unprocessed keys with backoff. Returns the
 * items found, by keyString(key); a key with no item is simply absent.
 */
export async function batchGet<T = Item>(requested: Key[], options: { consistent?: boolean; concurrency?: number } = {}): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  const unique = [...new Map(requested.map((k) => [keyString(k), k])).values()];
  const calls: Key[][] = [];
  for (let i = 0; i < unique.length; i += 100) calls.push(unique.slice(i, i + 100));
  const runCall = async (batch: Key[]) => {
    let pending = batch.map((k) => toAttributes(k));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= 8) throw new ThrottledError(`${pending.length} reads still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
      try {
        const out = await dynamo().send(
          new BatchGetItemCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: options.consistent ?? true } } }),
        );
        for (const raw of out.Responses?.[tableName()] ?? []) {
          const item = fromAttributes<T & Key>(raw);
          found.set(keyString(item), item);
        }
        pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
      } catch (error) {
        translate(error);
      }
    }
  };
  await forEachConcurrently(calls, options.concurrency ?? 4, runCall);
  return found;
}

/** Runs `work` over `items`, at most `concurrency` at a time; the first failure rejects (others finish first). */
export async function forEachConcurrently<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length && errors.length === 0) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}

