import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { log } from '../log';
import { dynamo } from '../table/client';

/**
 * The notification dispatcher on the local stack, wired as in the cloud: the table's stream (DynamoDB Local keeps
 * one) polled shard by shard and handed to the handler in Lambda's event shape, and the same handler on a timer
 * in place of the cloud's schedule.
 */

type Handler = (event: DynamoDBStreamEvent | { sweep: true }) => Promise<unknown>;

export interface LocalDispatcher {
  stop(): Promise<void>;
}

export async function startLocalDispatcher(options: { endpoint: string; tableName: string; handler: Handler; pollMs?: number; sweepMs?: number }): Promise<LocalDispatcher> {
  const pollMs = options.pollMs ?? 200;
  const sweepMs = options.sweepMs ?? 1000;
  const streams = new DynamoDBStreamsClient({ endpoint: options.endpoint, region: process.env.AWS_REGION ?? 'ap-northeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const table = await dynamo().send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);

  let stopped = false;
  const iterators = new Map<string, string>();
  const finished = new Set<string>();
  let firstDiscovery = true;
  let busy: Promise<void> = Promise.resolve();

  const discover = async () => {
    const description = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of description.StreamDescription?.Shards ?? []) {
      const shardId = shard.ShardId!;
      if (iterators.has(shardId) || finished.has(shardId)) continue;
      // What was written before we started is the sweep's; shards opened later are read from their start.
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
      if (out.Records && out.Records.length > 0) await options.handler({ Records: out.Records.map(toLambdaRecord) });
    }
  };

  await discover();
  let rounds = 0;
  const pollTimer = setInterval(() => {
    busy = busy
      .then(async () => {
        if (stopped) return;
        if (rounds++ % 10 === 0) await discover();
        await poll();
      })
      .catch((error) => log.warn('local stream poll failed', { errorName: (error as Error).name }));
  }, pollMs);
  const sweepTimer = setInterval(() => {
    if (stopped) return;
    options.handler({ sweep: true }).catch((error) => log.warn('local outbox sweep failed', { errorName: (error as Error).name }));
  }, sweepMs);

  return {
    stop: async () => {
      stopped = true;
      clearInterval(pollTimer);
      clearInterval(sweepTimer);
      await busy;
      streams.destroy();
    },
  };
}
