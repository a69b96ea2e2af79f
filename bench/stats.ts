// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { createCampaign } from '../lib/campaigns/repository';
import { leadItem, newMembershipItem, type Lead } from '../lib/leads/model';
import { seedDemoUsers } from '../lib/local/seed';
import { deltaAttributes } from '../lib/stats/counters';
import { addDays } from '../lib/stats/periods';
import { countActivity } from '../lib/stats/writes';
import { batchWrite, dynamo, putRequest, tableName, toAttributes } from '../lib/table/client';
import { ENTITY, keys } from '../lib/table/keys';
import { createUser } from '../lib/users/repository';
import { argument, countWrites, fmt, httpEvent as event, lambdaContext as context, percentiles, startBenchStack, timed } from './support';

/**
 * npm run bench:stats [-- --actions N --rounds R --users U --days D --runs S]
 *
 * (1) What an action pays for its activity counters: N actions (default 400) logged one after another through the
 * real handler of POST /leads/{leadId}/actions, half with the counters (a marker read before the transaction, the
 * marker and the day's counters in it) and half without (lib/stats/writes.ts countActivity(false), for this bench
 * only), in R rounds (default 4) that alternate which goes first, each on fresh leads given to their rep, a few
 * actions a lead, so both halves meet the same first touches and the same second actions of a day. Prints the time
 * an action takes either way, the items its transaction writes, and the ratio without ÷ with (target ≥ 0.7).
 *
 * (2) GET /stats/activity for U users (default 50) × D days (default 31) of counters, through the real handler, S runs
 * (default 30), beside a single GetItem of one counter day timed in the same run: median and p95 of each.
 *
 * (3) The weekly report over the same counters, for 5 managers of the same team (and the demo manager's two reps):
 * one run through the real job handler on Monday 2026-10-19 (2026-W42 against W41), then the same run again, which
 * finds every report written. Prints the time, the items read and the reports written of each.
 */

const actions = argument('actions', 400);
const rounds = argument('rounds', 4);
const users = argument('users', 50);
const days = argument('days', 31);
const runs = argument('runs', 30);
/** Actions on each lead: the first a first touch, the others the same day (the marker is checked, not put). */
const ACTIONS_PER_LEAD = 4;
const FIRST_DAY = '2026-10-01';
const TEAM = 'ベンチ課';

/** Fresh leads of rep1, given to it a week before the actions, each a member of the campaign. */
async function seedLeads(count: number, campaignId: string): Promise<string[]> {
  const at = new Date(Date.parse(`${FIRST_DAY}T09:00:00+09:00`) - 7 * 86_400_000).toISOString();
  const leads: Lead[] = Array.from({ length: count }, (_, i) => {
    const leadId = ulid();
    return { leadId, name: `ベンチ ${i}`, email: `${leadId.toLowerCase()}@example.com`, stage: 'new', ownerId: 'rep1', assignedAt: at, extra: {}, matchKey: `e:${leadId.toLowerCase()}@example.com`, createdAt: at, updatedAt: at, version: 1 };
  });
  await batchWrite(
    leads.flatMap((lead) => [putRequest(leadItem(lead)), putRequest(newMembershipItem({ leadId: lead.leadId, campaignId, flag: 'responded', marker: 'bench', arisenOn: FIRST_DAY, at }))]),
    { concurrency: 8 },
  );
  return leads.map((l) => l.leadId);
}

async function actionCost(campaignId: string, writes: ReturnType<typeof countWrites>) {
  const { handler } = await import('../functions/http/actions');
  const perRound = Math.max(ACTIONS_PER_LEAD, Math.floor(actions / rounds / 2));
  const totals = { with: { ms: 0, count: 0, items: 0 }, without: { ms: 0, count: 0, items: 0 } };
  let minute = 0;
  const logBatch = async (mode: 'with' | 'without') => {
    const leads = await seedLeads(Math.ceil(perRound / ACTIONS_PER_LEAD), campaignId);
    countActivity(mode === 'with');
    writes.reset();
    const started = performance.now();
    for (let i = 0; i < perRound; i++) {
      const leadId = leads[i % leads.length]!;
      // Each lead's actions on one day, a minute apart, so a lead's first action is its first touch.
      const at = new Date(Date.parse(`${FIRST_DAY}T10:00:00+09:00`) + minute++ * 60_000).toISOString();
      const body = { campaignId, at, channel: 'phone', content: 'ヒアリング', result: i % 3 === 0 ? 'アポ獲得' : '不在' };
      const result = (await handler(event('POST', '/leads/{leadId}/actions', `/leads/${leadId}/actions`, 'rep1', { body, pathParameters: { leadId } }) as never, context as never)) as { statusCode: number; body: string };
      if (result.statusCode !== 201) throw new Error(`action: ${result.statusCode} ${result.body.slice(0, 300)}`);
    }
    totals[mode].ms += performance.now() - started;
    totals[mode].count += perRound;
    totals[mode].items += writes.items();
  };
  // A round first to warm the handler, the client and DynamoDB Local; its figures are dropped.
  await logBatch('with');
  await logBatch('without');
  totals.with = { ms: 0, count: 0, items: 0 };
  totals.without = { ms: 0, count: 0, items: 0 };
  for (let r = 0; r < rounds; r++) {
    const order: ('with' | 'without')[] = r % 2 === 0 ? ['with', 'without'] : ['without', 'with'];
    for (const mode of order) await logBatch(mode);
  }
  countActivity(true);
  const per = (mode: 'with' | 'without') => totals[mode].ms / totals[mode].count;
  console.log(
    `actions: ${fmt(totals.with.count)} with counters ${fmt(per('with'), 2)} ms each (${fmt(totals.with.items / totals.with.count, 2)} items written), ` +
      `${fmt(totals.without.count)} without ${fmt(per('without'), 2)} ms each (${fmt(totals.without.items / totals.without.count, 2)} items written); ` +
      `ratio without ÷ with ${fmt(per('without') / per('with'), 2)} (target ≥ 0.7)`,
  );
}

async function activityRead() {
  for (let u = 0; u < users; u++) await createUser({ userId: `bench${String(u).padStart(3, '0')}`, name: `ベンチ ${u}`, email: `bench${u}@example.com`, team: TEAM, role: 'rep', active: true });
  const items = [];
  for (let u = 0; u < users; u++) {
    const userId = `bench${String(u).padStart(3, '0')}`;
    for (let d = 0; d < days; d++) {
      const day = addDays(FIRST_DAY, d);
      const add: Record<string, number> = {};
      // A day of a busy rep: 40 actions over the channels and results, 25 leads, 3 first touches.
      for (const [delta, times] of [
        [{ actions: 1, channel: 'phone', result: '不在' }, 18],
        [{ actions: 1, channel: 'phone', result: '興味あり', effectiveCalls: 1 }, 8],
        [{ actions: 1, channel: 'phone', result: 'アポ獲得', effectiveCalls: 1 }, 4],
        [{ actions: 1, channel: 'email', result: '資料送付済み' }, 7],
        [{ actions: 1, channel: 'web_meeting', result: '検討中' }, 3],
        [{ leadsTouched: 25 }, 1],
        [{ firstTouchAfterMinutes: 12 + d }, 1],
        [{ firstTouchAfterMinutes: 90 }, 1],
        [{ firstTouchAfterMinutes: 1500 + u }, 1],
      ] as const) {
        for (let t = 0; t < times; t++) for (const [name, n] of Object.entries(deltaAttributes(delta))) add[name] = (add[name] ?? 0) + n;
      }
      items.push(putRequest({ ...keys.userStatsDay(userId, day), entity: ENTITY.userStats, userId, day, ...add }));
    }
  }
  await batchWrite(items, { concurrency: 8 });

  const { handler } = await import('../functions/http/stats');
  const query = { from: FIRST_DAY, to: addDays(FIRST_DAY, days - 1), groupBy: 'day', team: TEAM };
  const getItem = async () => {
    await dynamo().send(new GetItemCommand({ TableName: tableName(), Key: toAttributes(keys.userStatsDay('bench000', FIRST_DAY)), ConsistentRead: true }));
  };
  await getItem();
  const readTimes: number[] = [];
  const getTimes: number[] = [];
  let rows = 0;
  for (let r = 0; r < runs; r++) {
    const { result, ms } = await timed(() => handler(event('GET', '/stats/activity', '/stats/activity', 'manager', { query }) as never, context as never));
    const reply = result as { statusCode: number; body: string };
    const body = JSON.parse(reply.body);
    if (reply.statusCode !== 200 || body.items.length !== users * days || body.totals.actions !== users * days * 40) throw new Error(`activity: ${reply.statusCode} ${reply.body.slice(0, 300)}`);
    rows = body.items.length;
    readTimes.push(ms);
    getTimes.push((await timed(getItem)).ms);
  }
  const read = percentiles(readTimes);
  const get = percentiles(getTimes);
  console.log(
    `GET /stats/activity, ${users} users × ${days} days (${fmt(rows)} rows): median ${fmt(read.median, 1)} ms, p95 ${fmt(read.p95, 1)} ms | ` +
      `GetItem ${fmt(get.median, 2)} / ${fmt(get.p95, 2)} ms: ${fmt(read.median / get.median, 1)}× / ${fmt(read.p95 / get.p95, 1)}×`,
  );
}

async function weeklyReport() {
  if (days < 19) return console.log('weekly report: skipped (needs --days 19 or more from 2026-10-01)');
  const MANAGERS = 5;
  for (let m = 0; m < MANAGERS; m++) await createUser({ userId: `benchmgr${m}`, name: `ベンチ責任者 ${m}`, email: `benchmgr${m}@example.com`, team: TEAM, role: 'manager', active: true });
  const { handler } = await import('../functions/jobs/weekly-report');
  const scheduledTime = '2026-10-18T23:00:00.000Z';
  const first = await timed(() => handler({ job: 'weekly-report', scheduledTime }));
  const again = await timed(() => handler({ job: 'weekly-report', scheduledTime }));
  for (const [label, run] of [['first run', first], ['run again', again]] as const) {
    console.log(`weekly report, ${label}: ${fmt(run.ms, 1)} ms, ${fmt(run.result.managersConsidered)} managers, ${fmt(run.result.reportsWritten)} reports written, ${fmt(run.result.itemsRead)} items read (${run.result.week} against ${run.result.previousWeek})`);
  }
  if (first.result.reportsWritten !== MANAGERS + 1 || again.result.skipped.alreadySent !== MANAGERS + 1) throw new Error('weekly report: not one report per manager');
}

async function main() {
  const bench = await startBenchStack('bench-stats');
  try {
    await seedDemoUsers();
    const campaign = await createCampaign({ name: 'ベンチ', type: 'seminar', status: 'active', targets: {}, stakeholders: [], attachments: [] }, { userId: 'bench', role: 'admin' });
    const writes = countWrites(dynamo());
    await actionCost(campaign.campaignId, writes);
    await activityRead();
    await weeklyReport();
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
