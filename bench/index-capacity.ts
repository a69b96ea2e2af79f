// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';
// Every table call asks for the capacity it consumed, per table and index (lib/table/capacity.ts).
process.env.TABLE_CAPACITY_METER = '1';

import { PutObjectCommand } from '@aws-sdk/client-s3';
import ExcelJS from 'exceljs';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createCampaign } from '../lib/campaigns/repository';
import { seedDemoUsers } from '../lib/local/seed';
import { s3 } from '../lib/storage/s3';
import { consumedCapacity, resetConsumedCapacity, type CapacityFigures } from '../lib/table/capacity';
import { batchGet, getItem, keyString, type Item } from '../lib/table/client';
import { keys } from '../lib/table/keys';
import type { IndexProjection } from '../lib/table/provision';
import { argument, fmt, httpEvent, lambdaContext, startBenchStack } from './support';

/**
 * npm run bench:index-capacity [-- --leads N --survey K]
 *
 * What the indexes' projections cost on the bill (every write of an item is paid again in each index that holds
 * it, by the size of what it holds). The same day of work runs through the real handlers on three tables that differ
 * only in their indexes' projection: every index holding every attribute (ALL, as the first release did), each as
 * the stack projects it (lib/table/definition.ts), and the keys alone (KEYS_ONLY), the least any projection can hold,
 * so its figure is the most any narrower projection can save. The work, on N people (default 500):
 *   1. a campaign's participant list of N new people dropped in the bucket (the intake handler);
 *   2. the same people on another campaign's invitation list (known people);
 *   3. one POST /leads/assign of all of them to a rep;
 *   4. one POST /leads/{id}/actions on each, by the rep (its first touch since the assignment);
 *   5. one PATCH /leads/{id} of each one's memo, by the rep (a line);
 *   6. one more, a long call memo (about 1,000 characters, as reps write after a long hearing).
 * All of it twice: people with the list's usual columns, and with K survey answers besides (default 12 columns of 50
 * characters, kept on the lead under `extra`), as an exhibition's list brings them.
 * Capacity does not depend on the machine's speed: every figure is DynamoDB Local's ReturnConsumedCapacity, which
 * counts projections as DynamoDB does, except that a transaction is counted as its first item (marked below).
 * Every step's result is checked before its figure is kept. Each table runs in a process of its own.
 */

const people = argument('leads', 500);
const surveyColumns = argument('survey', 12);

interface StepFigures {
  step: string;
  /** What the step counts per: rows, leads, actions, edits. */
  per: number;
  capacity: CapacityFigures;
}

const STEPS = ['participant list, new people', 'invitation list, known people', 'assignment', 'action', 'memo edit', 'long memo edit'] as const;

/**
 * Survey answers unlike each other, as people write them: phrases of a survey's vocabulary drawn by a seeded generator,
 * so they compress about as Japanese prose does (a dozen answers taken from prose halve, test/unit/packed-text.test.ts),
 * not as one sentence repeated would.
 */
const PHRASES = (
  '現在 Excel 顧客管理 営業部 情報システム部 来期 予算 申請 比較検討 三社 決裁者 部長 課長 導入時期 下期 上期 連携 基幹システム API ' +
  '費用感 見積 資料 送付 希望 事例 同業他社 効果 名刺 取り込み 課題 担当者 書式 集計 時間 かかる 情報収集 段階 電話 平日 午後 対応可能 ' +
  'メール 連絡 セミナー 参加 展示会 ブース 説明 デモ 希望する 検討中 未定 クラウド オンプレミス セキュリティ 要件 社内 稟議 承認 ' +
  '人数 十名 二十名 五十名 規模 拡大 移行 既存 ツール 不満 操作性 サポート 体制 契約 更新 年度末 四月 十月 来月 再訪 訪問 オンライン ' +
  '商談 提案 比較表 価格 割引 トライアル 無料 期間 評価 PoC 営業支援 インサイドセールス マーケティング 自動化 レポート 分析 ダッシュボード'
).split(' ');
const PARTICLES = ['の', 'を', 'に', 'で', 'と', 'が', 'は', 'も', '、', '。', 'について', 'として', 'したい', 'です', 'あり'];

function surveyAnswer(person: number, question: number): string {
  let seed = (person * 7919 + question * 104729 + 1) % 2147483647;
  const next = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
  let text = '';
  while (text.length < 40) text += PHRASES[next(PHRASES.length)]! + PARTICLES[next(PARTICLES.length)]!;
  return text.slice(0, 50);
}

async function writeList(path: string, survey: number): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path, useSharedStrings: false, useStyles: false });
  const sheet = workbook.addWorksheet('参加者');
  const questions = Array.from({ length: survey }, (_, q) => `アンケート${q + 1}`);
  sheet.addRow(['*名前', 'メールアドレス', '名刺会社', '組織', '役職', '電話番号', ...questions]).commit();
  for (let r = 0; r < people; r++) {
    const answers = questions.map((_, q) => surveyAnswer(r, q));
    sheet.addRow([`ベンチ 太郎${r}`, `bench${r}@example.com`, `株式会社ベンチ${r % 50}`, '営業部', '課長', `03${String(r).padStart(8, '0')}`, ...answers]).commit();
  }
  sheet.commit();
  await workbook.commit();
}

/** An item's size as DynamoDB counts it: each attribute's name and value in UTF-8 bytes, a number up to 21 bytes. */
function itemBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (typeof value === 'number') return Math.min(21, Math.ceil(String(value).replace(/^-|\./g, '').length / 2) + 1);
  if (typeof value === 'boolean' || value === null || value === undefined) return 1;
  if (value instanceof Uint8Array) return value.length;
  if (value instanceof Set) return [...value].reduce((sum: number, v) => sum + itemBytes(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + itemBytes(v), 0);
  return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [k, v]) => sum + 1 + Buffer.byteLength(k) + itemBytes(v), 0);
}
const topLevelBytes = (item: Item) => Object.entries(item).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + itemBytes(v), 0);

async function metered(step: (typeof STEPS)[number], per: number, work: () => Promise<void>, figures: StepFigures[]): Promise<void> {
  resetConsumedCapacity();
  await work();
  figures.push({ step, per, capacity: consumedCapacity() });
}

async function importList(campaignId: string, kind: 'participant' | 'invitation', path: string): Promise<void> {
  const key = `imports/${campaignId}/${kind}/list.xlsx`;
  await s3().send(new PutObjectCommand({ Bucket: 'lead-intake', Key: key, Body: createReadStream(path), ContentLength: (await stat(path)).size }));
  const { handler } = await import('../functions/intake/handler');
  await handler({ Records: [{ s3: { object: { key } }, userIdentity: { principalId: 'bench' } }] } as never);
}

/** The campaign's counters, read by key: the import records are listed through an index the keys-only table lacks. */
async function expectCounted(campaignId: string, expected: Record<string, number>): Promise<void> {
  const metrics = await getItem<Record<string, number>>(keys.campaignMetrics(campaignId));
  if (Object.entries(expected).some(([k, n]) => (metrics?.[k] ?? 0) !== n)) {
    throw new Error(`import into ${campaignId}: counters ${JSON.stringify(metrics)}, expected ${JSON.stringify(expected)}`);
  }
}

async function expectStatus(result: unknown, status: number, what: string): Promise<{ body: string }> {
  const response = result as { statusCode: number; body: string };
  if (response.statusCode !== status) throw new Error(`${what}: ${response.statusCode} ${response.body.slice(0, 300)}`);
  return response;
}

/** One table's day of work (the child process). */
async function runOne(projection: IndexProjection, survey: number): Promise<{ figures: StepFigures[]; leadBytes: number }> {
  const bench = await startBenchStack(`bench-index-${projection.toLowerCase()}`, { projection });
  const figures: StepFigures[] = [];
  try {
    process.env.SENDER_EMAIL = 'no-reply@example.com';
    await seedDemoUsers();
    const admin = { userId: 'bench', role: 'admin' } as const;
    const newCampaign = (name: string) => createCampaign({ name, type: 'exhibition', status: 'active', targets: {}, stakeholders: [], attachments: [] }, admin);
    const exhibition = await newCampaign('展示会');
    const seminar = await newCampaign('セミナー');
    const path = join(bench.dir, 'list.xlsx');
    await writeList(path, survey);

    await metered(STEPS[0], people, () => importList(exhibition.campaignId, 'participant', path), figures);
    await expectCounted(exhibition.campaignId, { responded: people, newLeads: people, knownLeads: 0, invited: 0 });
    await metered(STEPS[1], people, () => importList(seminar.campaignId, 'invitation', path), figures);
    await expectCounted(seminar.campaignId, { invited: people, newLeads: 0, knownLeads: people, responded: 0 });

    const claims = await batchGet<{ leadId: string }>(Array.from({ length: people }, (_, r) => keys.leadMatchKey(`e:bench${r}@example.com`)));
    const leadIds = [...claims.values()].map((claim) => claim.leadId);
    if (leadIds.length !== people) throw new Error(`found ${leadIds.length} of ${people} leads`);

    const leads = await import('../functions/http/leads');
    await metered(STEPS[2], people, async () => {
      const result = await leads.handler(httpEvent('POST', '/leads/assign', '/leads/assign', 'manager', { body: { leadIds, ownerId: 'rep1' } }) as never, lambdaContext as never);
      const body = JSON.parse((await expectStatus(result, 200, 'assignment')).body) as { assigned: number };
      if (body.assigned !== people) throw new Error(`assigned ${body.assigned} of ${people}`);
    }, figures);

    const actions = await import('../functions/http/actions');
    await metered(STEPS[3], people, async () => {
      for (const leadId of leadIds) {
        // Now, after the assignment: each lead's first touch since it was given to the rep.
        const body = { campaignId: exhibition.campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在' };
        await expectStatus(await actions.handler(httpEvent('POST', '/leads/{leadId}/actions', `/leads/${leadId}/actions`, 'rep1', { body, pathParameters: { leadId } }) as never, lambdaContext as never), 201, 'action');
      }
    }, figures);

    const before = await batchGet<Item>(leadIds.map((leadId) => keys.lead(leadId)));
    const leadBytes = [...before.values()].reduce((sum, lead) => sum + topLevelBytes(lead), 0) / before.size;
    await metered(STEPS[4], people, async () => {
      for (const leadId of leadIds) {
        const version = before.get(keyString(keys.lead(leadId)))!.version as number;
        const body = { memo: '来月の展示会で再度ご説明予定。決裁者は部長。', version };
        await expectStatus(await leads.handler(httpEvent('PATCH', '/leads/{leadId}', `/leads/${leadId}`, 'rep1', { body, pathParameters: { leadId } }) as never, lambdaContext as never), 200, 'memo edit');
      }
    }, figures);
    const edited = await batchGet<Item>(leadIds.map((leadId) => keys.lead(leadId)));
    await metered(STEPS[5], people, async () => {
      for (const [i, leadId] of leadIds.entries()) {
        const version = edited.get(keyString(keys.lead(leadId)))!.version as number;
        const memo = Array.from({ length: 20 }, (_, line) => surveyAnswer(i, 100 + line)).join('\n').slice(0, 1000);
        const body = { memo, version };
        await expectStatus(await leads.handler(httpEvent('PATCH', '/leads/{leadId}', `/leads/${leadId}`, 'rep1', { body, pathParameters: { leadId } }) as never, lambdaContext as never), 200, 'long memo edit');
      }
    }, figures);
    return { figures, leadBytes };
  } finally {
    await bench.stop();
  }
}

async function inChildProcess(projection: IndexProjection, survey: number): Promise<{ figures: StepFigures[]; leadBytes: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/index-capacity.ts', '--leads', String(people)], {
    env: { ...process.env, BENCH_INDEX_PROJECTION: projection, BENCH_INDEX_SURVEY: String(survey) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  if (code !== 0) throw new Error(`the ${projection} run exited with ${code}`);
  return JSON.parse(output.trim().split('\n').pop()!);
}

const indexUnits = (c: CapacityFigures) => c.write - (c.writesByPlace.table ?? 0);

async function main(): Promise<void> {
  const projection = process.env.BENCH_INDEX_PROJECTION as IndexProjection | undefined;
  if (projection) {
    process.stdout.write(JSON.stringify(await runOne(projection, Number(process.env.BENCH_INDEX_SURVEY))) + '\n');
    return;
  }
  console.log(`${fmt(people)} people; write units per row, lead, action or edit (table + indexes); DynamoDB Local's ReturnConsumedCapacity`);
  for (const survey of [0, surveyColumns]) {
    const all = await inChildProcess('ALL', survey);
    const stack = await inChildProcess('stack', survey);
    const keysOnly = await inChildProcess('KEYS_ONLY', survey);
    console.log(`\n${survey === 0 ? 'the list\'s usual columns' : `${survey} survey columns besides`}: a lead item of about ${fmt(stack.leadBytes)} bytes`);
    console.log(`${'step'.padEnd(32)} ${'ALL'.padStart(20)} ${'stack'.padStart(20)} ${'KEYS_ONLY'.padStart(20)}   stack saves of ALL`);
    for (const [s, step] of all.figures.entries()) {
      const now = stack.figures[s]!;
      const narrow = keysOnly.figures[s]!;
      const cell = (f: StepFigures) => `${fmt(f.capacity.write / f.per, 2)} (${fmt((f.capacity.writesByPlace.table ?? 0) / f.per, 2)} + ${fmt(indexUnits(f.capacity) / f.per, 2)})`;
      const saved = 1 - now.capacity.write / step.capacity.write;
      const floor = step.capacity.transactionItems > 0 ? `   (${fmt(step.capacity.transactionItems / step.per, 2)} items a ${step.step === 'action' || step.step.endsWith('memo edit') ? step.step : 'row'} in transactions: a floor)` : '';
      console.log(`${step.step.padEnd(32)} ${cell(step).padStart(20)} ${cell(now).padStart(20)} ${cell(narrow).padStart(20)}   ${fmt(saved * 100, 0)} %${floor}`);
    }
    console.log('where the index units go, ALL → stack → KEYS_ONLY, per row, lead, action or edit:');
    for (const [s, step] of all.figures.entries()) {
      const now = stack.figures[s]!.capacity.writesByPlace;
      const narrow = keysOnly.figures[s]!.capacity.writesByPlace;
      const places = [...new Set([...Object.keys(step.capacity.writesByPlace), ...Object.keys(now), ...Object.keys(narrow)])]
        .filter((place) => place !== 'table')
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      const moves = places.map((place) => `${place} ${fmt((step.capacity.writesByPlace[place] ?? 0) / step.per, 2)} → ${fmt((now[place] ?? 0) / step.per, 2)} → ${fmt((narrow[place] ?? 0) / step.per, 2)}`);
      console.log(`  ${step.step}: ${moves.join(', ')}`);
    }
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
