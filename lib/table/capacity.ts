import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * What the table calls cost, in capacity units: the figure the on-demand bill is made of (each write request unit is
 * one write of up to 1 KB to the table or to each index that holds the item; each read unit half or one 4 KB read).
 * Off unless a benchmark turns it on (TABLE_CAPACITY_METER=1): every call then asks DynamoDB for its consumed capacity
 * per table and index (ReturnConsumedCapacity INDEXES) and the meter adds it up. DynamoDB Local answers it exactly for
 * single and batch calls, but for a transaction as if it held only its first item, so the meter also counts the
 * items written in transactions: on DynamoDB Local the write figure is a floor, in the cloud it is the bill.
 */

export interface CapacityFigures {
  /** Read capacity units, table and indexes. */
  read: number;
  /** Write capacity units, table and indexes. */
  write: number;
  /** Write units by where they were spent: `table` or an index name. */
  writesByPlace: Record<string, number>;
  /** Read units by where they were spent (a query of an index is read there). */
  readsByPlace: Record<string, number>;
  /** Items written in transactions (each costs two units per place it is written to). */
  transactionItems: number;
}

const figures: CapacityFigures = { read: 0, write: 0, writesByPlace: {}, readsByPlace: {}, transactionItems: 0 };

/** What was consumed since the last reset. */
export const consumedCapacity = (): CapacityFigures => ({ ...figures, writesByPlace: { ...figures.writesByPlace }, readsByPlace: { ...figures.readsByPlace } });

export function resetConsumedCapacity(): void {
  figures.read = 0;
  figures.write = 0;
  figures.writesByPlace = {};
  figures.readsByPlace = {};
  figures.transactionItems = 0;
}

const READS = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand', 'TransactGetItemsCommand']);
const ASKS = new Set([...READS, 'PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'BatchWriteItemCommand', 'TransactWriteItemsCommand']);

interface Consumed {
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

function add(consumed: Consumed, read: boolean): void {
  const units = consumed.CapacityUnits ?? 0;
  if (read) figures.read += units;
  else figures.write += units;
  const byPlace = read ? figures.readsByPlace : figures.writesByPlace;
  const place = (name: string, n: number | undefined) => {
    if (n) byPlace[name] = (byPlace[name] ?? 0) + n;
  };
  place('table', consumed.Table?.CapacityUnits);
  for (const [index, spent] of Object.entries(consumed.GlobalSecondaryIndexes ?? {})) place(index, spent.CapacityUnits);
}

/** Makes the client ask for and count the capacity of every call (lib/table/client.ts does it when the meter is on). */
export function meterCapacity(client: DynamoDBClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      if (!ASKS.has(command)) return next(args);
      const input = args.input as { ReturnConsumedCapacity?: string; TransactItems?: unknown[] };
      input.ReturnConsumedCapacity = 'INDEXES';
      if (command === 'TransactWriteItemsCommand') figures.transactionItems += input.TransactItems?.length ?? 0;
      const result = await next(args);
      const spent = (result.output as { ConsumedCapacity?: Consumed | Consumed[] }).ConsumedCapacity;
      for (const consumed of Array.isArray(spent) ? spent : spent ? [spent] : []) add(consumed, READS.has(command));
      return result;
    },
    { step: 'initialize', name: 'capacityMeter' },
  );
}
