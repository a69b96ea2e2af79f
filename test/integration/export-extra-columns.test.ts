import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAULT_POINTS } from '../../lib/faults';
import { newId } from '../../lib/ids';
import { leadItem, newLead } from '../../lib/leads/model';
import { batchWrite, putRequest } from '../../lib/table/client';
import { EXPORT_COLUMNS } from '../../lib/exports/columns';
import { failing } from '../support/faults';
import { intakeHelpers } from '../support/intake';
import { readWorkbook, xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail } = intakeHelpers(stack);

/**
 * リスト出力 with the lists' extra (survey) columns: a seminar's list and an exhibition's, each with questions of its
 * own and one they share. An export of leads of both has one column per question any of them answered, each lead's
 * answers under their questions and nothing under the others; uploaded back unedited it changes nothing, and an
 * answer edited in the file is the one update. The rows wait on local disk between reading and writing; that spool
 * is gone after every export, written or failed.
 */

const SEMINAR = ['ご関心', '＝評価', 'ご意見'];
const EXHIBITION = ['ご関心', '来場日'];
const BASE = ['*名前', 'メールアドレス', '名刺会社'];
const BASE_LABELS = EXPORT_COLUMNS.map((c) => c.label);
const COMPANY = '調査票商事';

const answers: Record<string, Record<string, string>> = {
  'survey0@example.com': { ご関心: '価格', '＝評価': '=5', ご意見: '事例が\n参考になった' },
  'survey1@example.com': { ご関心: '連携', ご意見: '+資料希望' },
  'survey2@example.com': { ご関心: '導入時期', 来場日: '2026-11-05' },
};
const ids: Record<string, string> = {};
let spoolRoot: string;
let seminarId: string;

const detail = async (email: string) => (await stack().api('GET', `/leads/${ids[email]}`, { as: 'manager' })).body.lead;

async function exported(format: 'xlsx' | 'csv', company = COMPANY, rows = 3): Promise<Buffer> {
  const started = await stack().api('POST', '/exports', { as: 'manager', body: { filter: { company }, format } });
  expect(started.status).toBe(202);
  await stack().intakeIdle();
  const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as: 'manager' });
  expect(done.body).toMatchObject({ status: 'succeeded', rows });
  return Buffer.from(await (await fetch(done.body.url)).arrayBuffer());
}

/** The sheet as objects by label, one per lead, keyed by e-mail. */
function byEmail(rows: unknown[][]): Map<string, Record<string, unknown>> {
  const [header, ...body] = rows as string[][];
  return new Map(body.map((row) => [String(row[header!.indexOf('メールアドレス')]), Object.fromEntries(header!.map((label, i) => [label, row[i]]))]));
}

beforeAll(async () => {
  // os.tmpdir() follows TMPDIR: the exports of this file spool where nothing else does.
  spoolRoot = await mkdtemp(join(tmpdir(), 'export-spools-'));
  process.env.TMPDIR = spoolRoot;
  seminarId = await newCampaign('セミナーアンケート');
  const exhibitionId = await newCampaign('展示会アンケート');
  const seminar = ['survey0@example.com', 'survey1@example.com'].map((email, i) => [`調査 ${i}`, email, `${COMPANY}株式会社`, ...SEMINAR.map((q) => answers[email]![q] ?? '')]);
  expect(await importList(seminarId, 'participant', 'セミナー.xlsx', await xlsx(seminar, [...BASE, ...SEMINAR]))).toMatchObject({ status: 'succeeded', counts: { created: 2 } });
  // The exhibition's list names survey0 again: a known person, whose answers list register does not touch.
  const exhibition = [
    ['調査 2', 'survey2@example.com', `${COMPANY}株式会社`, '導入時期', '2026-11-05'],
    ['調査 0', 'survey0@example.com', `${COMPANY}株式会社`, '別の関心', '2026-11-06'],
  ];
  expect(await importList(exhibitionId, 'invitation', '展示会.xlsx', await xlsx(exhibition, [...BASE, ...EXHIBITION]))).toMatchObject({ status: 'succeeded', counts: { created: 1, matched: 1 } });
  for (const email of Object.keys(answers)) ids[email] = (await leadByEmail(email))!.leadId;
}, 60_000);

describe('extra columns in a list export', () => {
  test('the leads hold the answers their first list gave', async () => {
    for (const [email, expected] of Object.entries(answers)) expect((await detail(email)).extra).toEqual(expected);
  });

  test('.xlsx: one column per question after the export’s own, each lead’s answers under theirs and nothing under the others', async () => {
    const sheet = (await readWorkbook(await exported('xlsx'))).get('リード')!;
    const header = sheet[0] as string[];
    expect(header.slice(0, BASE_LABELS.length)).toEqual(BASE_LABELS);
    expect([...header.slice(BASE_LABELS.length)].sort()).toEqual(['ご関心', 'ご意見', '来場日', '＝評価'].sort());
    const rows = byEmail(sheet);
    for (const [email, expected] of Object.entries(answers)) {
      const row = rows.get(email)!;
      for (const question of ['ご関心', '＝評価', 'ご意見', '来場日']) expect(row[question]).toBe(expected[question]);
    }
  });

  test('.csv: the same columns, a formula-like question and answer kept as text', async () => {
    const text = (await exported('csv')).toString('utf8').replace(/^\ufeff/, '');
    const header = text.split('\r\n')[0]!.split(',');
    expect(header.slice(0, BASE_LABELS.length)).toEqual(BASE_LABELS);
    expect([...header.slice(BASE_LABELS.length)].sort()).toEqual(['ご関心', 'ご意見', '来場日', "'＝評価"].sort());
    expect(text).toContain("'=5");
    expect(text).toContain('"事例が\n参考になった"');
    // An empty cell is empty, not a word for nothing.
    expect(text).not.toMatch(/null|undefined/);
  });

  test.each(['xlsx', 'csv'] as const)('an exported list (%s) uploaded back unedited changes no answer', async (format) => {
    const imported = await importList(seminarId, 'update', `unedited.${format}`, await exported(format));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 3, unchanged: 3, updated: 0, rejected: 0 } });
    for (const [email, expected] of Object.entries(answers)) expect((await detail(email)).extra).toEqual(expected);
  });

  test('an answer edited in the exported file is updated; the rest stay as they were', async () => {
    const sheet = (await readWorkbook(await exported('xlsx'))).get('リード')!;
    const header = sheet[0] as string[];
    const edited = sheet.map((row, r) => {
      const cells = header.map((_, i) => (row as unknown[])[i] ?? '');
      if (r > 0 && cells[header.indexOf('メールアドレス')] === 'survey2@example.com') cells[header.indexOf('来場日')] = '2026-11-07';
      return cells;
    });
    const imported = await importList(seminarId, 'update', 'edited.xlsx', await xlsx(edited.slice(1), header));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 3, updated: 1, unchanged: 2, rejected: 0 } });
    expect((await detail('survey2@example.com')).extra).toEqual({ ...answers['survey2@example.com'], 来場日: '2026-11-07' });
    for (const email of ['survey0@example.com', 'survey1@example.com']) expect((await detail(email)).extra).toEqual(answers[email]);
  });

  test('1,234 leads, more than two pages of the spool: each row once, with its own answers', async () => {
    const count = 1_234;
    const at = Date.UTC(2026, 10, 1);
    const leads = Array.from({ length: count }, (_, i) =>
      newLead({
        leadId: newId(),
        fields: { name: `多数 ${i}`, email: `many${i}@example.com`, company: '多数回答工業' },
        extra: i % 3 === 0 ? { 番号: String(i) } : { 番号: String(i), 備考: `備考${i}` },
        matchKey: `e:many${i}@example.com`,
        at: new Date(at + i * 1000).toISOString(),
      }),
    );
    await batchWrite(leads.map((l) => putRequest(leadItem(l))), { concurrency: 8 });
    const rows = byEmail((await readWorkbook(await exported('xlsx', '多数回答工業', count))).get('リード')!);
    expect(rows.size).toBe(count);
    for (let i = 0; i < count; i++) {
      const row = rows.get(`many${i}@example.com`)!;
      expect([row['番号'], row['備考']]).toEqual([String(i), i % 3 === 0 ? undefined : `備考${i}`]);
    }
  }, 60_000);

  test('no spool is left on disk, after a written export or a failed one', async () => {
    expect(await readdir(spoolRoot)).toEqual([]);
    const fault = failing(FAULT_POINTS.exportWrite, () => 'disk full');
    try {
      const started = await stack().api('POST', '/exports', { as: 'manager', body: { filter: { company: COMPANY }, format: 'xlsx' } });
      await stack().intakeIdle();
      expect(fault.reached).toBe(1);
      const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as: 'manager' });
      expect(done.body).toMatchObject({ status: 'failed', reason: 'the export could not be written; please ask for it again' });
    } finally {
      fault.restore();
    }
    expect(await readdir(spoolRoot)).toEqual([]);
  });
});
