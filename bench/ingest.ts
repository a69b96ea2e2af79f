// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';
// The capacity units every table call consumed, per row (lib/table/capacity.ts); the baselines are metered alike.
process.env.TABLE_CAPACITY_METER ??= '1';

import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createCampaign } from '../lib/campaigns/repository';
import { getImportRecord } from '../lib/intake/import-record';
import { readList, isListHeader } from '../lib/intake/reader';
import { registerConcurrency } from '../lib/intake/registration';
import { judgeRow } from '../lib/intake/row-rules';
import { campaignIdsOf, campaignSetItem } from '../lib/leads/campaign-count';
import { leadItem } from '../lib/leads/model';
import { newId } from '../lib/ids';
import { batchGet, batchWrite, getItem, keyString, putRequest, updateItem } from '../lib/table/client';
import { ENTITY, keys, shardOf } from '../lib/table/keys';
import { s3 } from '../lib/storage/s3';
import type { CapacityFigures } from '../lib/table/capacity';
import { argument, capacityLines, fmt, startBenchStack, timed } from './support';

/**
 * npm run bench:ingest -- --rows N [--known F] [--dups F] [--second 1] [--baseline-share F]
 *
 * Generates an N-row list (a fraction `dups` of rows repeating an earlier person, a fraction `known` of people already
 * in the table; with `--second 1`, the known people were on this campaign's invitation list already, so the list is
 * the campaign's second), runs the real intake handler on it against DynamoDB Local, checks the result is exact, and prints
 * rows/s, peak RSS, items written, and two ratios from the same run:
 *   (a) plain BatchWriteItem of as many items of the same shapes (25 a call, same concurrency) ÷ ingest time
 *   (b) parse-only time of the same file ÷ ingest time
 * `--baseline-share F` times a fraction F of the baseline's items and scales the time up (a million new rows write
 * three million items: the full baseline would take as long again, and DynamoDB Local would hold six million in memory).
 * The ingest's figures are printed as soon as it ends, before the baselines run.
 */

const rows = argument('rows', 100_000);
const knownShare = argument('known', 0);
const dupShare = argument('dups', 0.02);
const secondList = argument('second', 0) === 1;
const baselineShare = argument('baseline-share', 1);
if (!(baselineShare > 0 && baselineShare <= 1)) throw new Error('--baseline-share takes a fraction in (0, 1]');

const person = (i: number) => ({ name: `ベンチ 太郎${i}`, email: `bench${i}@example.com`, company: `株式会社ベンチ${i % 5000}` });

/** Every 1/dupShare-th row repeats the person of the row before it, with the e-mail in capitals. */
const isRepeat = (r: number) => dupShare > 0 && r > 0 && r % Math.round(1 / dupShare) === 0;

async function writeList(path: string): Promise<number> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('参加者');
  sheet.addRow(['*名前', 'メールアドレス', '名刺会社', '組織', '役職', '電話番号']).commit();
  let duplicates = 0;
  for (let r = 0; r < rows; r++) {
    const repeat = isRepeat(r);
    const p = person(repeat ? r - 1 : r);
    if (repeat) duplicates++;
    sheet.addRow([p.name, repeat ? p.email.toUpperCase() : p.email, p.company, '営業部', '課長', `03${String(r).padStart(8, '0')}`]).commit();
  }
  sheet.commit();
  await workbook.commit();
  return duplicates;
}

/** Writes requests as they are produced, 10,000 at a time, so seeding a million people needs no million-item array. */
async function writeInBatches(produce: (emit: (request: ReturnType<typeof putRequest>) => Promise<void>) => Promise<void>, concurrency: number) {
  let pending: ReturnType<typeof putRequest>[] = [];
  const emit = async (request: ReturnType<typeof putRequest>) => {
    pending.push(request);
    if (pending.length >= 10_000) {
      const batch = pending;
      pending = [];
      await batchWrite(batch, { concurrency });
    }
  };
  await produce(emit);
  await batchWrite(pending, { concurrency });
}

/**
 * Puts the first `count` distinct people of the list into the table, as an earlier campaign would have; with
 * `invitedTo`, also their invitation history for that campaign and its counters, as its invitation list would have.
 */
async function seedKnownPeople(count: number, campaignId: string, invitedTo?: string): Promise<void> {
  const now = new Date().toISOString();
  await writeInBatches(async (emit) => {
    for (let r = 0, seeded = 0; seeded < count; r++) {
      if (isRepeat(r)) continue;
      const p = person(r);
      const leadId = newId();
      await emit(putRequest({ ...keys.leadMatchKey(`e:${p.email}`), entity: ENTITY.leadMatchKey, leadId, createdBy: `seed#${r}`, createdAt: now }));
      await emit(putRequest(leadItem({ leadId, ...p, stage: 'new', extra: {}, matchKey: `e:${p.email}`, source: { campaignId }, createdAt: now, updatedAt: now, version: 1 })));
      if (invitedTo) await emit(putRequest(membershipItem(leadId, invitedTo, { invited: true, invitedBy: `seed#${r}`, reachedBy: `seed#${r}`, responded: false })));
      // Its campaign set, as every lead written since the sets exist has one (lib/leads/campaign-count.ts).
      await emit(putRequest(campaignSetItem(leadId, invitedTo ? [invitedTo] : [])));
      seeded++;
    }
  }, 12);
  if (invitedTo) {
    await updateItem({ key: keys.campaignMetrics(invitedTo), update: 'SET entity = :entity ADD invited :n, knownLeads :n', values: { ':entity': ENTITY.campaignMetrics, ':n': count } });
  }
}

function membershipItem(leadId: string, campaignId: string, flags: Record<string, unknown>) {
  return {
    ...keys.membership(leadId, campaignId),
    ...keys.campaignMembersIndex(campaignId, shardOf(leadId), '2026-11-23', leadId),
    entity: ENTITY.membership,
    leadId,
    campaignId,
    ...flags,
    followStatus: 'not_started',
    arisenOn: '2026-11-23',
  };
}

/** The baseline: as many items of the shapes the import writes, with plain BatchWriteItem, no conditions. */
async function plainBatchWrite(items: number, campaignId: string): Promise<void> {
  const now = new Date().toISOString();
  let written = 0;
  // The same number of requests in flight as the import keeps.
  await writeInBatches(async (emit) => {
    const put = async (item: Parameters<typeof putRequest>[0]) => {
      if (written++ < items) await emit(putRequest(item));
    };
    for (let i = 0; written < items; i++) {
      const leadId = newId();
      const email = `baseline${i}@example.com`;
      await put({ ...keys.leadMatchKey(`e:${email}`), entity: ENTITY.leadMatchKey, leadId, createdBy: `b#${i}`, createdAt: now });
      await put(leadItem({ leadId, name: `基準 ${i}`, email, company: 'B社', stage: 'new', extra: {}, matchKey: `e:${email}`, createdAt: now, updatedAt: now, version: 1 }));
      await put(membershipItem(leadId, campaignId, { responded: true, invited: false }));
    }
  }, registerConcurrency());
}

async function ingestInChildProcess(key: string): Promise<{ ms: number; items: number; reads: number; peakMb: number; capacity: CapacityFigures }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ingest-run.ts', key], { env: process.env, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`the ingest process exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop()!);
}

async function main() {
  const bench = await startBenchStack('bench-ingest');
  const dir = bench.dir;
  try {
    const campaign = await createCampaign({ name: 'ベンチマーク', type: 'webinar', status: 'active', targets: {}, stakeholders: [], attachments: [] }, { userId: 'bench', role: 'admin' });

    const path = join(dir, 'list.xlsx');
    const { result: duplicates, ms: generateMs } = await timed(() => writeList(path));
    const distinct = rows - duplicates;
    const known = Math.round(distinct * knownShare);
    if (known > 0) await seedKnownPeople(known, 'seed-campaign', secondList ? campaign.campaignId : undefined);
    const size = (await stat(path)).size;
    console.log(`list: ${fmt(rows)} rows (${fmt(duplicates)} in-file duplicates, ${fmt(known)} people already known${secondList ? ' and invited to this campaign' : ''}), ${fmt(size / 1024 / 1024, 1)} MB, generated in ${fmt(generateMs / 1000, 1)} s`);

    // The ingest itself: the object lands in the bucket, the real intake handler takes the event.
    const key = `imports/${campaign.campaignId}/participant/bench.xlsx`;
    await s3().send(new PutObjectCommand({ Bucket: 'lead-intake', Key: key, Body: createReadStream(path), ContentLength: size }));
    // The import runs in a child process: its peak RSS is then the import's own, not this script's seeding.
    const ingest = await ingestInChildProcess(key);
    const peakMb = ingest.peakMb;
    const itemsWritten = ingest.items;

    // Exact? Every count, and the campaign's counters.
    const imported = (await import('../lib/intake/import-record')).listImports;
    const record = (await imported({ campaignId: campaign.campaignId, limit: 1 })).items[0]!;
    const full = await getImportRecord(record.importId);
    const expected = { rows, created: distinct - known, matched: known, unchanged: 0, updated: 0, rejected: 0, merged: duplicates };
    const metrics = await getItem<Record<string, number>>(keys.campaignMetrics(campaign.campaignId));
    // And a sample of the people's campaign sets name the campaign (the list's campaign count reads them).
    const sample = Array.from({ length: Math.ceil(rows / 97) }, (_, i) => i * 97).filter((r) => r < rows && !isRepeat(r));
    const claims = await batchGet<Record<string, unknown>>(sample.map((r) => keys.leadMatchKey(`e:${person(r).email}`)));
    const sets = await batchGet<Record<string, unknown>>([...claims.values()].map((claim) => keys.leadCampaigns(String(claim.leadId))));
    const setsExact = claims.size === sample.length && [...claims.values()].every((claim) => campaignIdsOf(sets.get(keyString(keys.leadCampaigns(String(claim.leadId))))).has(campaign.campaignId));
    const exact =
      setsExact &&
      full?.status === 'succeeded' &&
      JSON.stringify(full.counts) === JSON.stringify({ ...full.counts, ...expected }) &&
      metrics?.responded === distinct &&
      (metrics?.newLeads ?? 0) === distinct - known &&
      (metrics?.knownLeads ?? 0) === known &&
      (metrics?.invited ?? 0) === (secondList ? known : 0);

    console.log(`ingest: ${fmt(ingest.ms / 1000, 1)} s, ${fmt(rows / (ingest.ms / 1000))} rows/s, peak RSS ${fmt(peakMb)} MB, ${fmt(itemsWritten)} items written, ${fmt(ingest.reads)} keys read`);
    for (const line of capacityLines(ingest.capacity, rows, 'row')) console.log(line);
    console.log(`result exact: ${exact ? 'yes' : 'NO'} (campaign sets of ${fmt(sample.length)} sampled people: ${setsExact ? 'exact' : 'NOT exact'})  counts ${JSON.stringify(full?.counts)}  metrics ${JSON.stringify({ responded: metrics?.responded, newLeads: metrics?.newLeads, knownLeads: metrics?.knownLeads })}`);

    // (b) parse only: read and judge every row, write nothing (after the ingest, so its memory is not counted there).
    const { ms: parseMs } = await timed(async () => {
      let n = 0;
      for await (const item of readList(path, 'xlsx')) if (!isListHeader(item)) n += judgeRow(item, { kind: 'register', matchMode: 'email' }).ok ? 1 : 0;
      if (n !== rows) throw new Error(`parse-only read ${n} rows, expected ${rows}`);
    });

    // (a) the same number of items, plain BatchWriteItem, same concurrency, same table.
    const sampled = Math.round(itemsWritten * baselineShare);
    const { ms: sampleMs } = await timed(() => plainBatchWrite(sampled, campaign.campaignId));
    const baselineMs = (sampleMs * itemsWritten) / sampled;

    const scaled = sampled < itemsWritten ? ` (${fmt(sampled)} timed in ${fmt(sampleMs / 1000, 1)} s, scaled up)` : '';
    console.log(`(a) plain BatchWriteItem of ${fmt(itemsWritten)} items, ${registerConcurrency()} calls in flight: ${fmt(baselineMs / 1000, 1)} s${scaled} → ratio ${fmt(baselineMs / ingest.ms, 2)} (target ≥ ${secondList ? 'none set for a second list' : knownShare >= 0.99 ? '0.7 for known people' : '0.4 for new people'})`);
    console.log(`(b) parse only: ${fmt(parseMs / 1000, 1)} s → ratio ${fmt(parseMs / ingest.ms, 2)}`);
    if (!exact) process.exitCode = 1;
  } finally {
    await bench.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
