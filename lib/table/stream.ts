import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, type _Record } from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { awsEndpoints, dynamodbLocalCredentials } from '../config';
import { log } from '../log';
import { dynamo } from './client';

/**
 * The table's stream read the way Lambda's event source mapping reads it in the cloud, for the local stack (DynamoDB
 * Local keeps a stream too): shards polled one after the other, records handed on in Lambda's event shape. What was
 * written before reading began is not replayed (the outbox's sweep covers it); shards opened later are read from
 * their start.
 */

export interface StreamReader {
  /** Resolves once every record written before the call has been handed on (and its handler has returned). */
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export async function readTableStream(options: {
  endpoint: string;
  tableName: string;
  onRecords: (event: DynamoDBStreamEvent) => Promise<unknown>;
  pollMs?: number;
}): Promise<StreamReader> {
  const pollMs = options.pollMs ?? 200;
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: awsEndpoints().region, credentials: dynamodbLocalCredentials() });
  const table = await dynamo().send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  let stopped = false;
  const iterators = new Map<string, string>();
  const finished = new Set<string>();
  let firstDiscovery = true;
  let busy: Promise<void> = Promise.resolve();
  let rounds = 0;
  let discoverNext = false;
  const waiting: { round: number; resolve: () => void }[] = [];

  const discover = async () => {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (iterators.has(shardId) || finished.has(shardId)) continue;
      const out = await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shardId, ShardIteratorType: firstDiscovery ? 'LATEST' : 'TRIM_HORIZON' }));
      if (out.ShardIterator) iterators.set(shardId, out.ShardIterator);
    }
    firstDiscovery = false;
  };

  const toLambdaRecord = (record: _Record) => ({ ...record, eventSourceARN: streamArn }) as unknown as DynamoDBStreamEvent['Records'][number];

  const poll = async () => {
    for (const [shardId, iterator] of iterators) {
      const out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
      if (out.NextShardIterator) iterators.set(shardId, out.NextShardIterator);
      else {
        iterators.delete(shardId);
        finished.add(shardId);
      }
      if (out.Records && out.Records.length > 0) await options.onRecords({ Records: out.Records.map(toLambdaRecord) });
    }
  };

  await discover();
  const timer = setInterval(() => {
    busy = busy
      .then(async () => {
        if (stopped) return;
        // New shards open as the stream rolls over: look for them now and then, and whenever someone waits.
        if (rounds % 10 === 0 || discoverNext) {
          discoverNext = false;
          await discover();
        }
        await poll();
      })
      .catch((error) => log.warn('local stream poll failed', { errorName: (error as Error).name }))
      .finally(() => {
        rounds++;
        for (const waiter of waiting.filter((w) => rounds >= w.round)) {
          waiting.splice(waiting.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
  }, pollMs);

  return {
    // The round under way may have read its shards before the call: the one after it starts after, and reads all.
    drained: () =>
      new Promise<void>((resolve) => {
        discoverNext = true;
        waiting.push({ round: rounds + 2, resolve });
      }),
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await busy;
      for (const waiter of waiting.splice(0)) waiter.resolve();
      streams.destroy();
    },
  };
}
