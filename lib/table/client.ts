import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  RequestLimitExceeded,
  ThrottlingException,
  TransactionCanceledException,
  UpdateItemCommand,
  type AttributeValue,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { backoffMs, forEachConcurrently, sleep } from '../async';
import { awsEndpoints, config, dynamodbLocalCredentials } from '../config';
import { ThrottledError } from '../errors';
import { traced } from '../tracing';
import { meterCapacity } from './capacity';
import { ConditionFailedError, TransactionCancelledError } from './errors';
import { ITEM_ABSENT, updateExpression, type Changes } from './expressions';
import type { Item } from './item';
import type { Key } from './keys';

/**
 * The DynamoDB adapter: one client per container, plain-object items in and out, SDK errors translated into the
 * product's own (a throttle is a ThrottledError, 429; a lost condition a ConditionFailedError). Repositories build
 * keys with lib/table/keys.ts and call these functions, lib/table/queries.ts and lib/table/transaction.ts; nothing
 * else in the product constructs an SDK command or marshals an item.
 */

export type { Item };

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
      ...(dynamodb ? { credentials: dynamodbLocalCredentials() } : {}),
    });
    // The SDK's logger middleware copies every request and response through a sensitive-data filter to build a log
    // line, even for its no-op logger; we never give it a logger, and at thousands of items a second the copies cost.
    client.middlewareStack.remove('loggerMiddleware');
    if (config.tableCapacityMeter()) meterCapacity(client);
    traced(client);
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

/**
 * SDK errors as the product's own. `labels` names the writes of a transaction, in order, so a cancellation says
 * which write failed rather than at which position.
 */
export function translate(error: unknown, labels: readonly string[] = []): never {
  if (error instanceof ConditionalCheckFailedException) {
    throw new ConditionFailedError(error.Item ? fromAttributes(error.Item) : undefined, { cause: error });
  }
  if (error instanceof TransactionCanceledException) {
    const reasons = error.CancellationReasons ?? [];
    throw new TransactionCancelledError(labels.map((label, i) => ({ label, code: reasons[i]?.Code ?? 'None' })), { cause: error });
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

/** Puts the item unless one is there with its key; says whether it did. */
export async function putIfAbsent(item: Item): Promise<boolean> {
  try {
    await putItem(item, { condition: ITEM_ABSENT });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}

export interface UpdateRequest extends ConditionalWrite {
  key: Key;
  /** A written-out update expression, for what `changes` cannot say (if_not_exists, nested paths). */
  update?: string;
  /** The update as data: attributes to set, remove and add (see lib/table/expressions.ts). */
  changes?: Changes;
  /** Return the item as it was before the update (empty object when it did not exist) instead of after. */
  returnOld?: boolean;
}

/** The SDK's update parameters for a request: the expression written out or built from `changes`. */
export function compileUpdate(request: UpdateRequest) {
  if ((request.update === undefined) === (request.changes === undefined)) throw new Error('an update gives either `update` or `changes`');
  const built = request.changes ? updateExpression(request.changes) : undefined;
  const names = { ...request.names, ...built?.names };
  const values = { ...request.values, ...built?.values };
  return {
    TableName: tableName(),
    Key: toAttributes(request.key),
    UpdateExpression: built?.expression ?? request.update,
    ConditionExpression: request.condition,
    ExpressionAttributeNames: Object.keys(names).length > 0 ? names : undefined,
    ExpressionAttributeValues: Object.keys(values).length > 0 ? toAttributes(values) : undefined,
  };
}

export async function updateItem<T = Item>(request: UpdateRequest): Promise<T> {
  try {
    const out = await dynamo().send(
      new UpdateItemCommand({
        ...compileUpdate(request),
        ReturnValues: request.returnOld ? 'ALL_OLD' : 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: request.returnItemOnConflict ? 'ALL_OLD' : undefined,
      }),
    );
    return fromAttributes<T>(out.Attributes ?? {});
  } catch (error) {
    translate(error);
  }
}

export async function deleteItem(key: Key, write: ConditionalWrite = {}): Promise<void> {
  try {
    await dynamo().send(
      new DeleteItemCommand({
        TableName: tableName(),
        Key: toAttributes(key),
        ConditionExpression: write.condition,
        ExpressionAttributeNames: write.names,
        ExpressionAttributeValues: write.values ? toAttributes(write.values) : undefined,
      }),
    );
  } catch (error) {
    translate(error);
  }
}

/** One write of a batch: an item to put, or a key to delete. */
export type BatchWrite = { put: Item } | { delete: Key };

export const putRequest = (item: Item): BatchWrite => ({ put: item });
export const deleteRequest = (key: Key): BatchWrite => ({ delete: key });

const toWriteRequest = (write: BatchWrite): WriteRequest =>
  'put' in write ? { PutRequest: { Item: toAttributes(write.put) } } : { DeleteRequest: { Key: toAttributes(write.delete) } };

/**
 * BatchWriteItem in calls of 25 (`concurrency` at a time), retrying unprocessed items with exponential backoff and
 * jitter (DynamoDB returns them under load instead of failing the call). Gives up with ThrottledError after
 * `maxAttempts` rounds for one call.
 */
export async function batchWrite(writes: BatchWrite[], options: { concurrency?: number; maxAttempts?: number } = {}): Promise<void> {
  const maxAttempts = options.maxAttempts ?? 8;
  const calls: BatchWrite[][] = [];
  for (let offset = 0; offset < writes.length; offset += 25) calls.push(writes.slice(offset, offset + 25));
  await forEachConcurrently(calls, options.concurrency ?? 4, async (call) => {
    let pending = call.map(toWriteRequest);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= maxAttempts) throw new ThrottledError(`${pending.length} writes still unprocessed after ${attempt} attempts`);
      if (attempt > 0) await sleep(backoffMs(attempt, 25, 2000));
      try {
        const out = await dynamo().send(new BatchWriteItemCommand({ RequestItems: { [tableName()]: pending } }));
        pending = out.UnprocessedItems?.[tableName()] ?? [];
      } catch (error) {
        translate(error);
      }
    }
  });
}

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
      if (attempt > 0) await sleep(backoffMs(attempt, 25, 2000));
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

/** The items of these keys that exist, in the order asked (a key with no item is left out). */
export async function getItems<T = Item>(requested: Key[], options: { consistent?: boolean; concurrency?: number } = {}): Promise<T[]> {
  const found = await batchGet<T>(requested, options);
  return requested.map((key) => found.get(keyString(key))).filter((item): item is T => item !== undefined);
}
