// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';
// The capacity units every table call consumed, per row (lib/table/capacity.ts); the baselines are metered alike.
process.env.TABLE_CAPACITY_METER ??= '1';

import { ulid } from 'ulid';
import { campaignSetItem } from '../lib/leads/campaign-count';
import { leadItem } from '../lib/leads/model';
import { seedDemoUsers } from '../lib/local/seed';
import { batchWrite, putRequest } from '../lib/table/client';
import { consumedCapacity, resetConsumedCapacity } from '../lib/table/capacity';
import { argument, capacityLines, countWrites, fmt, httpEvent, lambdaContext, startBenchStack, timed } from './support';
import { dynamo } from '../lib/table/client';

/**
 * npm run bench:assign [-- --leads N]
 *
 * Puts N unassigned leads (default 10,000) into DynamoDB Local, then in the same run times (1) plain BatchWriteItem
 * of N lead-sized items (25 a call, 8 calls at a time) and (2) one POST /leads/assign of all N leads to one rep
 * through the real handler (validation, plan, journal, conditional writes, history events, notification). Prints
 * both, the number of items the assignment wrote, the ratio of (1) to (2), and the same ratio per item written
 * (the raw time scaled to as many items as the assignment wrote).
 */

const count = argument('leads', 10_000);

function lead(i: number, at: string) {
  const leadId = ulid();
  return leadItem({
    leadId,
    name: `リード ${i}`,
    email: `lead${i}@example.com`,
    company: `株式会社サンプル${i % 997}`,
    stage: 'new',
    extra: {},
    matchKey: `lead${i}@example.com`,
    createdAt: at,
    updatedAt: at,
    version: 1,
  });
}

async function main() {
  const bench = await startBenchStack('bench-assign');
  try {
    process.env.SENDER_EMAIL = 'no-reply@example.com';
    await seedDemoUsers();
    const at = new Date().toISOString();
    const leads = Array.from({ length: count }, (_, i) => lead(i, at));
    // Each with its campaign set, as every lead written since the sets has (empty: these leads came by hand).
    await batchWrite(leads.flatMap((l) => [l, campaignSetItem(l.leadId as string, [])]).map(putRequest), { concurrency: 8 });

    // Baseline: as many lead-sized items as leads, written plainly (other ids, so nothing is overwritten).
    const baselineItems = Array.from({ length: count }, (_, i) => lead(i, at));
    const baseline = await timed(() => batchWrite(baselineItems.map(putRequest), { concurrency: 8 }));

    const { handler } = await import('../functions/http/leads');
    const writes = countWrites(dynamo());
    resetConsumedCapacity();
    const run = await timed(() => handler(httpEvent('POST', '/leads/assign', '/leads/assign', 'manager', { body: { leadIds: leads.map((l) => l.leadId), ownerId: 'rep1' } }) as never, lambdaContext as never));
    const response = run.result as { statusCode: number; body: string };
    const body = JSON.parse(response.body);
    if (response.statusCode !== 200 || body.assigned !== count) throw new Error(`assignment failed: ${response.statusCode} ${response.body.slice(0, 300)}`);

    console.log(`leads                     ${fmt(count)}`);
    console.log(`raw BatchWriteItem        ${fmt(baseline.ms)} ms  (${fmt(count / (baseline.ms / 1000))} items/s)`);
    console.log(`POST /leads/assign        ${fmt(run.ms)} ms  (${fmt(count / (run.ms / 1000))} leads/s)`);
    console.log(`items written by assign   ${fmt(writes.items())}`);
    console.log(`ratio raw / assign        ${fmt(baseline.ms / run.ms, 2)}`);
    // The assignment writes two items per lead (owner and history event): the same ratio per item written.
    console.log(`ratio per item written    ${fmt((baseline.ms / count) * writes.items() / run.ms, 2)}`);
    for (const line of capacityLines(consumedCapacity(), count, 'lead')) console.log(line);
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
