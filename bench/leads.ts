// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { createCampaign } from '../lib/campaigns/repository';
import { createExportRecord, getExportRecord } from '../lib/exports/repository';
import { runExport } from '../lib/exports/run-export';
import { leadItem, type LeadStage } from '../lib/leads/model';
import { seedDemoUsers } from '../lib/local/seed';
import { batchWrite, dynamo, putRequest, tableName, toAttributes } from '../lib/table/client';
import { ENTITY, keys, shardOf } from '../lib/table/keys';
import { argument, fmt, peakRss, startBenchStack, timed } from './support';

/**
 * npm run bench:leads [-- --leads N --runs R]
 *
 * Puts N leads (default 100,000) into DynamoDB Local — owners, stages and campaign histories spread as a real
 * book of leads would be — then times the main list queries through the real GET /leads handler (first page of
 * 50, R runs each), each beside a single GetItem timed in the same run, and finally exports all N leads and prints
 * the time and peak RSS of the export.
 */

const leads = argument('leads', 100_000);
const runs = argument('runs', 50);
const OWNERS = ['rep1', 'rep2', 'agent', undefined, undefined];
const STAGES: LeadStage[] = ['new', 'new', 'working', 'recycle'];

async function seed(campaignId: string): Promise<void> {
  const requests = [];
  const start = Date.now() - leads * 1000;
  for (let i = 0; i < leads; i++) {
    const leadId = ulid(start + i * 1000);
    const at = new Date(start + i * 1000).toISOString();
    const ownerId = OWNERS[i % OWNERS.length];
    const email = `lead${i}@example.com`;
    requests.push(
      putRequest(
        leadItem({
          leadId,
          name: `リード ${i}`,
          email,
          company: `株式会社サンプル${i % 997}`,
          stage: STAGES[i % STAGES.length]!,
          ...(ownerId ? { ownerId, ownerTeam: 'インサイドセールス部' } : {}),
          extra: {},
          matchKey: `e:${email}`,
          createdAt: at,
          updatedAt: at,
          version: 1,
        }),
      ),
    );
    if (i % 2 === 0) {
      const arisenOn = at.slice(0, 10);
      requests.push(
        putRequest({
          ...keys.membership(leadId, campaignId),
          ...keys.campaignMembersIndex(campaignId, shardOf(leadId), arisenOn, leadId),
          entity: ENTITY.membership,
          leadId,
          campaignId,
          invited: true,
          responded: i % 4 === 0,
          followStatus: 'not_started',
          arisenOn,
        }),
      );
    }
  }
  await batchWrite(requests, { concurrency: 8 });
}

function event(query: Record<string, string>, userId: string) {
  return {
    version: '2.0',
    routeKey: 'GET /leads',
    rawPath: '/leads',
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    requestContext: { requestId: ulid(), routeKey: 'GET /leads', http: { method: 'GET', path: '/leads' }, authorizer: { jwt: { claims: { sub: userId }, scopes: [] } } },
    isBase64Encoded: false,
  };
}

const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function percentiles(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { median: at(50), p95: at(95) };
}

async function main() {
  const bench = await startBenchStack('bench-leads');
  try {
    await seedDemoUsers();
    const campaign = await createCampaign({ name: 'ベンチ', type: 'seminar', status: 'active', targets: {}, stakeholders: [], attachments: [] }, { userId: 'bench', role: 'admin' });
    const { ms: seedMs } = await timed(() => seed(campaign.campaignId));
    console.log(`${fmt(leads)} leads seeded in ${fmt(seedMs / 1000, 1)} s`);

    const { handler } = await import('../functions/http/leads');
    const queries: [string, Record<string, string>, string][] = [
      ['mine (rep1)', { owner: 'me', limit: '50' }, 'rep1'],
      ['unassigned', { owner: 'unassigned', limit: '50' }, 'manager'],
      ['campaign members', { campaignId: campaign.campaignId, limit: '50' }, 'manager'],
      ['by stage (working)', { stage: 'working', limit: '50' }, 'manager'],
    ];
    const getItem = async () => {
      const key = keys.user('rep1');
      await dynamo().send(new GetItemCommand({ TableName: tableName(), Key: toAttributes(key), ConsistentRead: true }));
    };
    await getItem();
    for (const [label, query, userId] of queries) {
      const listTimes: number[] = [];
      const getTimes: number[] = [];
      for (let r = 0; r < runs; r++) {
        const { result, ms } = await timed(() => handler(event(query, userId) as never, context as never));
        const body = JSON.parse((result as { body: string }).body);
        if ((result as { statusCode: number }).statusCode !== 200 || body.items.length !== 50) throw new Error(`${label}: ${JSON.stringify(result).slice(0, 300)}`);
        listTimes.push(ms);
        getTimes.push((await timed(getItem)).ms);
      }
      const list = percentiles(listTimes);
      const get = percentiles(getTimes);
      console.log(
        `${label.padEnd(20)} median ${fmt(list.median, 1)} ms, p95 ${fmt(list.p95, 1)} ms   | GetItem median ${fmt(get.median, 1)} ms, p95 ${fmt(get.p95, 1)} ms   | ratio ${fmt(list.median / get.median, 1)}× / ${fmt(list.p95 / get.p95, 1)}×`,
      );
    }

    const exportId = ulid();
    await createExportRecord({ exportId, format: 'xlsx', status: 'queued', requestedBy: 'manager', rows: 0, createdAt: new Date().toISOString(), filter: { sort: 'updatedAt' }, caller: { userId: 'manager', role: 'manager' } });
    const { result, peakMb } = await peakRss(() => timed(() => runExport(exportId, 'lead-intake')));
    const record = await getExportRecord(exportId);
    console.log(`export of all leads: ${record?.status}, ${fmt(record?.rows ?? 0)} rows in ${fmt(result.ms / 1000, 1)} s (${fmt((record?.rows ?? 0) / (result.ms / 1000))} rows/s), peak RSS ${fmt(peakMb)} MB`);
    if (record?.rows !== leads) process.exitCode = 1;
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
