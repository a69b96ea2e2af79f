import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTable, type IndexProjection } from '../lib/table/provision';
import { freePort, startDynamoDbLocal, startS3Server } from '../lib/local/services';
import type { CapacityFigures } from '../lib/table/capacity';
import { resetDynamoClient } from '../lib/table/client';

/** Shared pieces of the benchmarks: argument parsing, a free port, write counting, RSS sampling. */

export function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const value = Number(process.argv[index + 1]);
  if (!Number.isFinite(value)) throw new Error(`--${name} needs a number`);
  return value;
}


/** Counts the items every write request puts, updates or deletes, and the keys every read asks for, whatever the call. */
export function countWrites(client: DynamoDBClient): { items: () => number; reads: () => number; reset: () => void } {
  let items = 0;
  let reads = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as Record<string, any>;
      switch (context.commandName) {
        case 'BatchWriteItemCommand':
          for (const requests of Object.values(input.RequestItems ?? {})) items += (requests as unknown[]).length;
          break;
        case 'TransactWriteItemsCommand':
          items += (input.TransactItems ?? []).length;
          break;
        case 'PutItemCommand':
        case 'UpdateItemCommand':
        case 'DeleteItemCommand':
          items += 1;
          break;
        case 'BatchGetItemCommand':
          for (const request of Object.values(input.RequestItems ?? {})) reads += ((request as { Keys?: unknown[] }).Keys ?? []).length;
          break;
        case 'GetItemCommand':
          reads += 1;
          break;
      }
      return next(args);
    },
    { step: 'initialize', name: 'countWrites' },
  );
  return { items: () => items, reads: () => reads, reset: () => (items = reads = 0) };
}

/** Samples resident memory while `work` runs; the peak is what a Lambda's memory setting must cover. */
export async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, peakMb: peak / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = performance.now();
  const result = await work();
  return { result, ms: performance.now() - started };
}

/** The median and the 95th percentile of timings (nearest rank). */
export function percentiles(samples: number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { median: at(50), p95: at(95) };
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * A fresh DynamoDB Local (in memory) and S3 server for one benchmark run, with the environment the handlers read;
 * `stop` leaves nothing behind.
 */
export async function startBenchStack(tableName: string, options: { projection?: IndexProjection } = {}): Promise<{ dir: string; stop(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `${tableName}-`));
  // Without -sharedDb: in one shared database every write to a table with a stream slows as stream records pile up,
  // whichever table holds them, so the baseline run after an import would be slowed by the import's records (a
  // 20,000-row all-new list: baseline 101.3 s shared, 80.3 s not, the ingest itself 153.1 s and 148.0 s).
  const dynamodb = await startDynamoDbLocal({ port: await freePort(), sharedDb: false });
  const s3server = await startS3Server({ port: await freePort(), dataDir: join(dir, 's3'), buckets: ['lead-intake'] });
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    INTAKE_BUCKET: 'lead-intake',
    DYNAMODB_ENDPOINT: dynamodb.url,
    S3_ENDPOINT: s3server.url,
    AWS_REGION: 'ap-northeast-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    CURSOR_SECRET: 'bench',
    ERASURE_SECRET: 'bench',
    // As on the local stack: no CloudWatch to read embedded metrics from, no X-Ray daemon.
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  resetDynamoClient();
  await ensureTable(tableName, options);
  return {
    dir,
    stop: async () => {
      await s3server.stop();
      await dynamodb.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * On-demand list prices, US dollars per million request units: US East (N. Virginia) as AWS set them from 1 November
 * 2024 (write $0.625, read $0.125). Other regions cost more (Tokyo among them): give their price with
 * `--usd-per-million-writes` / `--usd-per-million-reads`.
 */
const PRICE_PER_MILLION = { writes: 0.625, reads: 0.125 };

/** The capacity a piece of work consumed (lib/table/capacity.ts), per row, and what 100,000 rows would cost. */
export function capacityLines(spent: CapacityFigures, rows: number, what: string): string[] {
  const writes = argument('usd-per-million-writes', PRICE_PER_MILLION.writes);
  const reads = argument('usd-per-million-reads', PRICE_PER_MILLION.reads);
  const places = (byPlace: Record<string, number>) =>
    Object.entries(byPlace)
      .sort(([a], [b]) => (a === 'table' ? -1 : b === 'table' ? 1 : a.localeCompare(b, 'en', { numeric: true })))
      .map(([place, units]) => `${place} ${fmt(units / rows, 2)}`)
      .join(', ') || 'none';
  const cost = ((spent.write / rows) * writes + (spent.read / rows) * reads) * 100_000 / 1_000_000;
  return [
    `capacity: ${fmt(spent.write)} write units (${fmt(spent.write / rows, 2)} per ${what}), ${fmt(spent.read)} read units (${fmt(spent.read / rows, 2)} per ${what})`,
    `  write units per ${what} by place: ${places(spent.writesByPlace)}`,
    `  read units per ${what} by place: ${places(spent.readsByPlace)}`,
    `  on demand, 100,000 ${what}s: $${fmt(cost, 3)} at $${writes} per million writes and $${reads} per million reads`,
    ...(spent.transactionItems > 0
      ? [`  ${fmt(spent.transactionItems / rows, 2)} items per ${what} written in transactions: DynamoDB Local counts one item a transaction, so the write figure is a floor (in the cloud each costs 2 units per place)`]
      : []),
  ];
}

/** The Lambda context the HTTP handlers are called with. */
export const lambdaContext = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** An API Gateway (HTTP API, payload 2.0) event for a route, as `userId` signed in. */
export function httpEvent(method: string, route: string, path: string, userId: string, options: { query?: Record<string, string>; body?: unknown; pathParameters?: Record<string, string> } = {}) {
  const query = options.query ?? {};
  return {
    version: '2.0',
    routeKey: `${method} ${route}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: options.body === undefined ? {} : { 'content-type': 'application/json' },
    queryStringParameters: Object.keys(query).length ? query : undefined,
    pathParameters: options.pathParameters,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    requestContext: { requestId: ulid(), routeKey: `${method} ${route}`, http: { method, path }, authorizer: { jwt: { claims: { sub: userId }, scopes: [] } } },
    isBase64Encoded: false,
  };
}
