// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { BatchGetItemCommand, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { ulid } from 'ulid';
import { createCampaign } from '../lib/campaigns/repository';
import { createExportRecord, getExportRecord } from '../lib/exports/repository';
import { runExport } from '../lib/exports/run-export';
import { EXPORT_COLUMNS } from '../lib/exports/columns';
import { downloadToFile } from '../lib/storage/s3';
import ExcelJS from 'exceljs';
import { join } from 'node:path';
import { campaignSetItem } from '../lib/leads/campaign-count';
import { lookupItemsOf } from '../lib/leads/lookups';
import { leadItem, type Lead, type LeadStage } from '../lib/leads/model';
import { newTask, taskItem } from '../lib/leads/task-model';
import { INDEXES } from '../lib/table/definition';
import { readAhead } from '../lib/table/sharded-query';
import { runDailyDigest } from '../lib/digest/daily-digest';
import { seedDemoUsers } from '../lib/local/seed';
import { createUser } from '../lib/users/repository';
import { batchWrite, dynamo, putRequest, tableName, toAttributes } from '../lib/table/client';
import { ENTITY, LEAD_LIST_SHARDS, allShards, keys, shardOf } from '../lib/table/keys';
import { consumedCapacity, resetConsumedCapacity } from '../lib/table/capacity';
import { config } from '../lib/config';
import { argument, fmt, peakRss, percentiles, startBenchStack, timed } from './support';

/**
 * npm run bench:leads [-- --leads N --runs R --survey Q]
 *
 * Puts N leads (default 100,000) into DynamoDB Local — owners, stages, phones, campaign histories and open tasks
 * (one lead in five, 20,000 at 100,000 leads, due from ten days ago to twenty days on; 50 owners) spread as a real
 * book of leads would be — then times, through the real handlers, the first page of 50 of the main lists, of
 * `GET /me/queue`, and the e-mail and phone look-ups (R runs each), each beside a single GetItem and beside one Query
 * of as many lead items from one partition, both timed in the same run; the engine's floor of such a page (the same
 * kinds of calls made straight to the table, with none of our code between them); the morning digest for the 50
 * users (time and items read); and finally exports all N leads and prints the time and peak RSS of the export. With `--survey Q`,
 * every other lead has Q survey answers, and the export's header must name each question. With TABLE_CAPACITY_METER=1,
 * each page also prints the read units it consumed (lib/table/capacity.ts) beside the baseline Query's.
 */

const leads = argument('leads', 100_000);
const runs = argument('runs', 50);
/** Survey answers on every other lead, as an exhibition's list leaves them (0 by default: the list figures above). */
const survey = argument('survey', 0);
const QUESTIONS = Array.from({ length: survey }, (_, q) => `アンケート${q + 1}：ご関心の理由`);
const answersOf = (i: number): Record<string, string> =>
  survey > 0 && i % 2 === 0 ? Object.fromEntries(QUESTIONS.map((q, n) => [q, `来期の予算申請に向けて比較検討中。決裁は部長、導入は下期を想定（${i}-${n + 1}）`])) : {};
/** 50 users work leads: the demo's rep1, rep2, agent and manager, and 46 more reps; one lead in five is nobody's. */
const BENCH_REPS = Array.from({ length: 46 }, (_, i) => `bench-rep${String(i).padStart(2, '0')}`);
const OWNERS = ['rep1', 'rep2', 'agent', 'manager', ...BENCH_REPS, ...Array.from({ length: 13 }, () => undefined)];

/** The next Wednesday, 08:00 in Tokyo (a business day unless it is a public holiday; the digest then says so). */
function nextWednesdayMorning(): Date {
  const day = new Date(Date.now() + 9 * 3_600_000);
  const ahead = (3 - day.getUTCDay() + 7) % 7 || 7;
  const date = new Date(day.getTime() + ahead * 86_400_000).toISOString().slice(0, 10);
  return new Date(`${date}T08:00:00+09:00`);
}
const STAGES: LeadStage[] = ['new', 'new', 'working', 'recycle'];

/** The phone of lead i: a Tokyo number, written as a person types it. */
const phoneOf = (i: number) => `03-${String(1000 + Math.floor(i / 10_000)).padStart(4, '0')}-${String(i % 10_000).padStart(4, '0')}`;
const DAY_MS = 86_400_000;

async function seed(campaignId: string): Promise<{ tasks: number; tasksOf: Map<string, number> }> {
  const requests = [];
  let tasks = 0;
  const tasksOf = new Map<string, number>();
  const start = Date.now() - leads * 1000;
  for (let i = 0; i < leads; i++) {
    const leadId = ulid(start + i * 1000);
    const at = new Date(start + i * 1000).toISOString();
    const ownerId = OWNERS[i % OWNERS.length];
    const email = `lead${i}@example.com`;
    // One lead in five has an open task of its owner (20,000 at 100,000 leads), due from ten days ago to twenty on.
    const task =
      ownerId && i % 5 === 0
        ? newTask({ leadId, assigneeId: ownerId, kind: 'call', title: '次回対応', dueAt: new Date(Date.now() + ((i % 31) - 10) * DAY_MS).toISOString(), createdBy: 'manager' }, at)
        : undefined;
    const lead: Lead = {
      leadId,
      name: `リード ${i}`,
      email,
      company: `株式会社サンプル${i % 997}`,
      phone: phoneOf(i),
      stage: STAGES[i % STAGES.length]!,
      ...(ownerId ? { ownerId, ownerTeam: 'インサイドセールス部' } : {}),
      ...(task ? { nextActionAt: task.dueAt } : {}),
      extra: answersOf(i),
      matchKey: `e:${email}`,
      createdAt: at,
      updatedAt: at,
      version: 1,
    };
    requests.push(putRequest({ ...leadItem(lead), ...(task ? { taskRevision: 1 } : {}) }), putRequest({ ...keys.leadMatchKey(lead.matchKey), entity: ENTITY.leadMatchKey, leadId }), ...lookupItemsOf(lead).map(putRequest));
    // Every lead has its campaign set, as the writes keep it and npm run backfill:lead-indexes gives older leads.
    requests.push(putRequest(campaignSetItem(leadId, i % 2 === 0 ? [campaignId] : [])));
    if (task) {
      requests.push(putRequest(taskItem(task)));
      tasks++;
      tasksOf.set(task.assigneeId, (tasksOf.get(task.assigneeId) ?? 0) + 1);
    }
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
  return { tasks, tasksOf };
}

function event(path: string, query: Record<string, string>, userId: string) {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    queryStringParameters: query,
    requestContext: { requestId: ulid(), routeKey: `GET ${path}`, http: { method: 'GET', path }, authorizer: { jwt: { claims: { sub: userId }, scopes: [] } } },
    isBase64Encoded: false,
  };
}

/** The first row of a workbook's first sheet, read as a stream: the export is too big to load whole for one row. */
async function firstRow(file: string): Promise<string[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, {});
  for await (const sheet of reader) {
    for await (const row of sheet) return (row.values as unknown[]).slice(1).map(String);
  }
  return [];
}

const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function main() {
  const bench = await startBenchStack('bench-leads');
  try {
    await seedDemoUsers();
    for (const [i, userId] of BENCH_REPS.entries()) {
      await createUser({ userId, name: `ベンチ 担当${i}`, email: `${userId}@example.com`, team: 'インサイドセールス部', role: 'rep', active: true });
    }
    const campaign = await createCampaign({ name: 'ベンチ', type: 'seminar', status: 'active', targets: {}, stakeholders: [], attachments: [] }, { userId: 'bench', role: 'admin' });
    const { result: seeded, ms: seedMs } = await timed(() => seed(campaign.campaignId));
    console.log(`${fmt(leads)} leads (${fmt(seeded.tasks)} open tasks) seeded in ${fmt(seedMs / 1000, 1)} s`);

    const { handler } = await import('../functions/http/leads');
    const probe = Math.min(leads - 1, 4_242);
    // [label, path, query, caller, items a page must have]
    const queries: [string, string, Record<string, string>, string, number][] = [
      ['mine (rep1)', '/leads', { owner: 'me', limit: '50' }, 'rep1', 50],
      ['unassigned', '/leads', { owner: 'unassigned', limit: '50' }, 'manager', 50],
      ['campaign members', '/leads', { campaignId: campaign.campaignId, limit: '50' }, 'manager', 50],
      ['by stage (working)', '/leads', { stage: 'working', limit: '50' }, 'manager', 50],
      ['by name', '/leads', { sort: 'name', limit: '50' }, 'manager', 50],
      ['by last action', '/leads', { sort: 'lastActionAt', limit: '50' }, 'manager', 50],
      ['mine by next action', '/leads', { owner: 'me', sort: 'nextActionAt', limit: '50' }, 'rep1', Math.min(50, seeded.tasksOf.get('rep1') ?? 0)],
      ['queue (rep1)', '/me/queue', { limit: '50' }, 'rep1', 50],
      ['e-mail look-up', '/leads', { email: `LEAD${probe}@EXAMPLE.COM` }, 'manager', 1],
      ['phone look-up', '/leads', { phone: phoneOf(probe).replaceAll('-', '') }, 'manager', 1],
    ];
    const getItem = async () => {
      const key = keys.user('rep1');
      await dynamo().send(new GetItemCommand({ TableName: tableName(), Key: toAttributes(key), ConsistentRead: true }));
    };
    // The baseline of issue 16: one Query that returns as many lead items from a single partition of an index.
    const rawQuery = (count: number) => async () => {
      const out = await dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: INDEXES.gsi4.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEXES.gsi4.partitionKey },
          ExpressionAttributeValues: toAttributes({ ':pk': keys.leadsRecentPartition(0) }),
          Limit: count,
        }),
      );
      if ((out.Items ?? []).length !== count) throw new Error(`baseline query: ${out.Items?.length} items`);
    };
    await getItem();
    for (const [label, path, query, userId, count] of queries) {
      const listTimes: number[] = [];
      const getTimes: number[] = [];
      const queryTimes: number[] = [];
      const baseline = rawQuery(count);
      // Read units of the page and of the baseline Query, summed over the runs (only with the meter on).
      let pageUnits = 0;
      let queryUnits = 0;
      const metered = async <T>(work: () => Promise<T>, add: (units: number) => void): Promise<{ result: T; ms: number }> => {
        resetConsumedCapacity();
        const out = await timed(work);
        add(consumedCapacity().read);
        return out;
      };
      for (let r = 0; r < runs; r++) {
        const { result, ms } = await metered(() => handler(event(path, query, userId) as never, context as never), (u) => (pageUnits += u));
        const body = JSON.parse((result as { body: string }).body);
        if ((result as { statusCode: number }).statusCode !== 200 || body.items.length !== count) throw new Error(`${label}: ${JSON.stringify(result).slice(0, 300)}`);
        // Every other lead (the even ones) is a member of the campaign: each item's count must say so exactly.
        for (const item of body.items as { name?: string; counts?: { campaigns: number }; lead?: { name: string; counts: { campaigns: number } } }[]) {
          const listed = item.lead ?? item;
          const expected = Number(String(listed.name).replace('リード ', '')) % 2 === 0 ? 1 : 0;
          if (listed.counts?.campaigns !== expected) throw new Error(`${label}: ${listed.name} counts ${listed.counts?.campaigns} campaigns, not ${expected}`);
        }
        listTimes.push(ms);
        getTimes.push((await timed(getItem)).ms);
        queryTimes.push((await metered(baseline, (u) => (queryUnits += u))).ms);
      }
      const list = percentiles(listTimes);
      const get = percentiles(getTimes);
      const raw = percentiles(queryTimes);
      console.log(
        `${label.padEnd(20)} median ${fmt(list.median, 1)} ms, p95 ${fmt(list.p95, 1)} ms | GetItem ${fmt(get.median, 1)} / ${fmt(get.p95, 1)} ms: ${fmt(list.median / get.median, 1)}× / ${fmt(list.p95 / get.p95, 1)}× | Query of ${count} ${fmt(raw.median, 1)} / ${fmt(raw.p95, 1)} ms: ${fmt(list.median / raw.median, 1)}× / ${fmt(list.p95 / raw.p95, 1)}×` +
          (config.tableCapacityMeter() ? ` | read units ${fmt(pageUnits / runs, 1)} a page, Query ${fmt(queryUnits / runs, 1)}` : ''),
      );
    }

    // What the engine itself asks for a page of this shape, with none of our code: the caller's GetItem, then one
    // Query of a page's read-ahead on each shard side by side, then one BatchGetItem of 50 campaign sets. When this
    // floor is already past 3× the Query of 50, no code on these calls can bring the pages under it on this engine.
    // As the lists read each shard first: its read-ahead and one item more, to know whether more follows.
    const perShard = readAhead(50, LEAD_LIST_SHARDS) + 1;
    const shardQuery = (shard: number) =>
      dynamo().send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: INDEXES.gsi4.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': INDEXES.gsi4.partitionKey },
          ExpressionAttributeValues: toAttributes({ ':pk': keys.leadsRecentPartition(shard) }),
          ScanIndexForward: false,
          Limit: perShard,
        }),
      );
    const floor = { get: [] as number[], shards: [] as number[], batch: [] as number[], page: [] as number[], query: [] as number[] };
    const baseline50 = rawQuery(50);
    for (let r = 0; r < runs; r++) {
      const page = await timed(async () => {
        floor.get.push((await timed(getItem)).ms);
        const shards = await timed(() => Promise.all(allShards().map(shardQuery)));
        floor.shards.push(shards.ms);
        const leadIds = shards.result.flatMap((out) => (out.Items ?? []).map((item) => item.leadId?.S ?? '')).slice(0, 50);
        if (leadIds.length !== 50 || leadIds.includes('')) throw new Error(`floor: ${leadIds.length} leads from the shards`);
        const sets = leadIds.map((leadId) => toAttributes(keys.leadCampaigns(leadId)));
        const batch = await timed(() => dynamo().send(new BatchGetItemCommand({ RequestItems: { [tableName()]: { Keys: sets, ConsistentRead: false } } })));
        if (batch.result.UnprocessedKeys && Object.keys(batch.result.UnprocessedKeys).length > 0) throw new Error('floor: unprocessed keys');
        floor.batch.push(batch.ms);
      });
      floor.page.push(page.ms);
      floor.query.push((await timed(baseline50)).ms);
    }
    const q = percentiles(floor.query).median;
    const part = (label: string, samples: number[]) => {
      const { median } = percentiles(samples);
      return `${label} ${fmt(median, 1)} ms (${fmt(median / q, 1)}×)`;
    };
    console.log(
      `engine floor of a page   ${part('GetItem', floor.get)} + ${part(`${LEAD_LIST_SHARDS} shard Queries of ${perShard}`, floor.shards)} + ${part('BatchGetItem of 50', floor.batch)} = ${part('page', floor.page)}; Query of 50 ${fmt(q, 1)} ms (medians)`,
    );

    // The morning digest on a Wednesday 08:00 in Tokyo: it must read what is due, not the book of leads.
    const digestAt = nextWednesdayMorning();
    process.env.SENDER_EMAIL ??= 'no-reply@example.com';
    const digest = await timed(() => runDailyDigest(digestAt, digestAt));
    const d = digest.result;
    console.log(
      `daily digest for ${d.usersConsidered} users (${fmt(seeded.tasks)} open tasks, ${fmt(leads)} leads): ${fmt(digest.ms / 1000, 1)} s, ${fmt(d.digestsWritten)} digests, ${fmt(d.itemsRead)} items read and ${fmt(d.itemsCounted)} counted (${fmt((d.itemsRead / leads) * 100, 1)} % of the leads read)`,
    );
    if (d.failed > 0 || d.digestsWritten === 0) process.exitCode = 1;

    const exportId = ulid();
    await createExportRecord({ exportId, format: 'xlsx', status: 'queued', requestedBy: 'manager', rows: 0, createdAt: new Date().toISOString(), filter: { sort: 'updatedAt' }, caller: { userId: 'manager', role: 'manager' } });
    const { result, peakMb } = await peakRss(() => timed(() => runExport(exportId, 'lead-intake')));
    const record = await getExportRecord(exportId);
    console.log(`export of all leads: ${record?.status}, ${fmt(record?.rows ?? 0)} rows in ${fmt(result.ms / 1000, 1)} s (${fmt((record?.rows ?? 0) / (result.ms / 1000))} rows/s), peak RSS ${fmt(peakMb)} MB`);
    if (record?.rows !== leads) process.exitCode = 1;
    if (survey > 0 && record?.key) {
      // The file's header must name every question after the export's own columns.
      const file = join(bench.dir, 'export.xlsx');
      await downloadToFile('lead-intake', record.key, file);
      const header = await firstRow(file);
      const missing = QUESTIONS.filter((q) => !header.includes(q));
      console.log(`export header: ${header.length} columns, ${QUESTIONS.length - missing.length} of ${QUESTIONS.length} questions`);
      if (missing.length > 0 || header.length !== EXPORT_COLUMNS.length + QUESTIONS.length) process.exitCode = 1;
    }
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
