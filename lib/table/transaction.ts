import { TransactWriteItemsCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { compileUpdate, dynamo, tableName, toAttributes, translate, type ConditionalWrite, type Item, type UpdateRequest } from './client';
import type { Key } from './keys';

/**
 * Transactions as data. Each write carries a label that says what it is (`lead`, `action`, `claim:{key}`); when
 * DynamoDB cancels the transaction, the TransactionCancelledError names the labels whose condition failed
 * (`error.failed('lead')`), so no caller counts positions in a list of SDK items.
 *
 * Builders return plain descriptions; `transact` turns them into one TransactWriteItems call (up to 100 writes).
 */

export type TransactionWrite =
  | { label: string; put: Item; write?: ConditionalWrite }
  | { label: string; update: UpdateRequest }
  | { label: string; delete: Key; write?: ConditionalWrite }
  | { label: string; check: Key; write: ConditionalWrite & { condition: string } };

export const txPut = (label: string, item: Item, write?: ConditionalWrite): TransactionWrite => ({ label, put: item, ...(write ? { write } : {}) });
export const txUpdate = (label: string, update: UpdateRequest): TransactionWrite => ({ label, update });
export const txDelete = (label: string, key: Key, write?: ConditionalWrite): TransactionWrite => ({ label, delete: key, ...(write ? { write } : {}) });
export const txCheck = (label: string, key: Key, write: ConditionalWrite & { condition: string }): TransactionWrite => ({ label, check: key, write });

const conditionOf = (write: ConditionalWrite | undefined) => ({
  ...(write?.condition ? { ConditionExpression: write.condition } : {}),
  ...(write?.names ? { ExpressionAttributeNames: write.names } : {}),
  ...(write?.values ? { ExpressionAttributeValues: toAttributes(write.values) } : {}),
});

function toSdk(write: TransactionWrite): TransactWriteItem {
  if ('put' in write) return { Put: { TableName: tableName(), Item: toAttributes(write.put), ...conditionOf(write.write) } };
  if ('update' in write) {
    const { TableName, Key, UpdateExpression, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } = compileUpdate(write.update);
    return { Update: { TableName, Key, UpdateExpression: UpdateExpression!, ConditionExpression, ExpressionAttributeNames, ExpressionAttributeValues } };
  }
  if ('delete' in write) return { Delete: { TableName: tableName(), Key: toAttributes(write.delete), ...conditionOf(write.write) } };
  return { ConditionCheck: { TableName: tableName(), Key: toAttributes(write.check), ...conditionOf(write.write), ConditionExpression: write.write.condition } };
}

/**
 * All or nothing. `token` (ClientRequestToken) makes the SDK's own retry of this very request idempotent: DynamoDB
 * remembers it for 10 minutes. Throws TransactionCancelledError when cancelled.
 */
export async function transact(writes: TransactionWrite[], options: { token?: string } = {}): Promise<void> {
  if (writes.length === 0) return;
  try {
    await dynamo().send(new TransactWriteItemsCommand({ TransactItems: writes.map(toSdk), ClientRequestToken: options.token }));
  } catch (error) {
    translate(error, writes.map((w) => w.label));
  }
}
