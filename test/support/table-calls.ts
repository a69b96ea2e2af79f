import { dynamo } from '../../lib/table/client';

/** One DynamoDB call as a test sees it: the command, the partition a query asks for, the keys a batch read names. */
export interface TableCall {
  command: string;
  /** `:pk` of a query (the partition key condition every query here uses). */
  pk?: string;
  /** The keys a batch read names, as PK and SK. */
  batchKeys: { PK: string; SK: string }[];
  /** ConsistentRead of each table a batch read asks (one entry a table). */
  batchConsistency: (boolean | undefined)[];
}

/** Every DynamoDB call the code makes while `work` runs (the local stack runs the handlers in this process). */
export async function callsDuring<T>(work: () => Promise<T>): Promise<{ result: T; calls: TableCall[] }> {
  const calls: TableCall[] = [];
  const name = `count-calls-${Math.random()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as any;
      const requests = Object.values((input.RequestItems ?? {}) as Record<string, { Keys?: { PK?: { S?: string }; SK?: { S?: string } }[]; ConsistentRead?: boolean }>);
      const batchKeys = requests.flatMap((r) => (r.Keys ?? []).map((k) => ({ PK: String(k.PK?.S), SK: String(k.SK?.S) })));
      const batchConsistency = context.commandName === 'BatchGetItemCommand' ? requests.map((r) => r.ConsistentRead) : [];
      calls.push({ command: String(context.commandName), pk: input.ExpressionAttributeValues?.[':pk']?.S, batchKeys, batchConsistency });
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), calls };
  } finally {
    dynamo().middlewareStack.remove(name);
  }
}
