import { getLead, saveLead } from '../../lib/leads/repository';
import { forgetNames } from '../../lib/users/display-names';
import type { Lead } from '../../lib/leads/model';
import { useLocalStack } from '../support/local-stack';
import { HEADER, xlsx } from '../support/lists';
import { callsDuring, type TableCall } from '../support/table-calls';

const stack = useLocalStack();

/**
 * 30 participants of a seminar and 10 invitees of a webinar (5 people in both), imported through the bucket.
 * Owners and stages are then set with the lead repository's own write, as assignment will.
 */
let seminar: string;
let webinar: string;
const ids: Record<string, string> = {};

async function setLead(email: string, change: Partial<Lead>) {
  const found = (await getLead(ids[email]!))!;
  await saveLead(found.lead, { ...found.lead, ...change, updatedAt: new Date().toISOString(), version: found.lead.version + 1 });
}

async function all(path: string, as: string, limit = 500): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const page: any = await stack().api('GET', `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    cursor = page.body.nextCursor;
  } while (cursor);
  return items;
}

const emails = (items: { leadId: string }[]) =>
  items.map((i) => Object.keys(ids).find((email) => ids[email] === i.leadId)).sort();

beforeAll(async () => {
  for (const [name, type] of [['秋のセミナー', 'seminar'], ['製品ウェビナー', 'webinar']] as const) {
    const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, type } });
    if (type === 'seminar') seminar = body.campaignId;
    else webinar = body.campaignId;
  }
  const people = Array.from({ length: 35 }, (_, i) => [
    `${i % 2 ? '佐藤' : '鈴木'} ${String(i).padStart(2, '0')}`,
    `p${i}@example.com`,
    i % 3 === 0 ? `株式会社ミライ${i}` : `(株)ヒカリ${i}`,
    i % 4 === 0 ? '情報システム部' : '営業部',
    '',
    '',
    i % 5 === 0 ? 'SFA, MA' : 'SFA',
  ]);
  await stack().upload(`imports/${seminar}/participant/seminar.xlsx`, await xlsx(people.slice(0, 30), [...HEADER, '対象製品']));
  await stack().upload(`imports/${webinar}/invitation/webinar.xlsx`, await xlsx(people.slice(25, 35), [...HEADER, '対象製品']));
  for (const [i] of people.entries()) {
    const page = await stack().api('GET', `/leads?name=${encodeURIComponent(people[i]![0] as string)}`, { as: 'admin' });
    ids[`p${i}@example.com`] = page.body.items[0].leadId;
  }
  // rep1: p0–p7 (p0–p3 working), rep2: p8–p12, agent: p13–p15; the rest unassigned.
  for (let i = 0; i < 16; i++) {
    const ownerId = i < 8 ? 'rep1' : i < 13 ? 'rep2' : 'agent';
    await setLead(`p${i}@example.com`, { ownerId, ownerTeam: ownerId === 'agent' ? '外注コールセンター' : 'インサイドセールス部', stage: i < 4 || i === 8 ? 'working' : 'new' });
  }
}, 60_000);

describe('GET /leads', () => {
  test('every lead, most recently updated first, across pages with a stable order and no repeats', async () => {
    const everyone = await all('/leads', 'manager', 7);
    expect(everyone).toHaveLength(35);
    expect(new Set(everyone.map((l) => l.leadId)).size).toBe(35);
    const times = everyone.map((l) => l.updatedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(everyone.find((l) => l.leadId === ids['p26@example.com'])).toMatchObject({ counts: { campaigns: 2, openDeals: 0, wonDeals: 0 }, stage: 'new' });
    expect(everyone.find((l) => l.leadId === ids['p0@example.com'])).toMatchObject({ ownerId: 'rep1', ownerName: '担当 二郎', stage: 'working' });
  });

  test("owners' names: read with the first page, remembered for the next pages instead of read per page", async () => {
    const userReads = (calls: TableCall[]) => calls.flatMap((c) => c.batchKeys.map((k) => k.PK)).filter((pk) => pk.startsWith('USER#'));
    forgetNames();
    const first = await callsDuring(() => stack().api('GET', '/leads?owner=rep1', { as: 'manager' }));
    expect(userReads(first.calls)).toEqual(['USER#rep1']);
    const again = await callsDuring(() => stack().api('GET', '/leads?owner=rep1', { as: 'manager' }));
    expect(userReads(again.calls)).toEqual([]);
    for (const page of [first.result, again.result]) {
      expect(page.body.items).toHaveLength(8);
      expect(page.body.items.every((l: { ownerName: string }) => l.ownerName === '担当 二郎')).toBe(true);
    }
  });

  test('owner: me, unassigned, a user; with stage; by team', async () => {
    expect(emails(await all('/leads?owner=me', 'rep1'))).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'].map((p) => `${p}@example.com`).sort());
    expect(await all('/leads?owner=unassigned', 'manager')).toHaveLength(19);
    expect(emails(await all('/leads?owner=rep2&stage=working', 'manager'))).toEqual(['p8@example.com']);
    expect(emails(await all('/leads?owner=me&stage=new,working', 'rep2'))).toHaveLength(5);
    expect(await all('/leads?ownerTeam=外注コールセンター', 'manager')).toHaveLength(3);
  });

  test('stage across owners, and combined with other conditions', async () => {
    expect(await all('/leads?stage=working', 'manager')).toHaveLength(5);
    expect(await all('/leads?stage=new', 'manager')).toHaveLength(30);
    expect(emails(await all('/leads?stage=working&department=情報システム部', 'manager'))).toEqual(['p0@example.com', 'p8@example.com']);
  });

  test('members of a campaign, with their history flags and follow status', async () => {
    const seminarMembers = await all(`/leads?campaignId=${seminar}`, 'marketing', 4);
    expect(seminarMembers).toHaveLength(30);
    expect(seminarMembers[0]).toMatchObject({ followStatus: 'not_started' });
    expect(await all(`/leads?campaignId=${webinar}&invited=true`, 'marketing')).toHaveLength(10);
    expect(await all(`/leads?campaignId=${webinar}&responded=true`, 'marketing')).toHaveLength(0);
    expect(emails(await all(`/leads?campaignId=${seminar}&responded=true&owner=rep2&stage=working`, 'marketing'))).toEqual(['p8@example.com']);
    expect(await all(`/leads?campaignId=${seminar}&followStatus=not_started&product=MA`, 'marketing')).toHaveLength(6);
  });

  test("a campaign's members: their leads and campaign sets in one batch read, the counts exact", async () => {
    // Both owners of the webinar's members read once, so that the page below names no owner it has not read.
    await stack().api('GET', `/leads?campaignId=${webinar}`, { as: 'marketing' });
    const { result: page, calls } = await callsDuring(() => stack().api('GET', `/leads?campaignId=${webinar}`, { as: 'marketing' }));
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(10);
    // p25–p29 were in both lists, p30–p34 only in the webinar's.
    const counts = Object.fromEntries(page.body.items.map((l: { leadId: string; counts: { campaigns: number } }) => [emails([l])[0], l.counts.campaigns]));
    for (let i = 25; i < 35; i++) expect(counts[`p${i}@example.com`]).toBe(i < 30 ? 2 : 1);
    const batches = calls.filter((c) => c.command === 'BatchGetItemCommand');
    expect(batches).toHaveLength(1);
    expect(batches[0]!.batchKeys.filter((k) => k.SK === 'CAMPAIGNS')).toHaveLength(10);
  });

  test('name and company match ignoring width, case, spaces and legal forms; sort by name', async () => {
    expect(await all(`/leads?name=${encodeURIComponent('佐藤　0')}`, 'manager')).toHaveLength(5);
    expect(emails(await all(`/leads?company=${encodeURIComponent('ミライ３')}`, 'manager'))).toEqual(['p3@example.com', 'p30@example.com', 'p33@example.com'].sort());
    expect(await all(`/leads?company=${encodeURIComponent('ヒカリ')}&owner=rep1`, 'manager')).toHaveLength(5);
    const byName = await all('/leads?sort=name', 'manager', 6);
    expect(byName.map((l) => l.name)).toEqual([...byName.map((l) => l.name)].sort((a, b) => (a.replace(/\s/g, '') < b.replace(/\s/g, '') ? -1 : 1)));
  });

  test('リード発生日, industry and last action conditions', async () => {
    const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() + 9 * 3600_000 - 86_400_000).toISOString().slice(0, 10);
    expect(await all(`/leads?campaignId=${seminar}&arisenFrom=${today}&arisenTo=${today}`, 'manager')).toHaveLength(30);
    expect(await all(`/leads?campaignId=${seminar}&arisenTo=${yesterday}`, 'manager')).toHaveLength(0);

    await setLead('p5@example.com', { industry: '製造業', lastActionAt: '2026-10-01T01:00:00.000Z', lastActionResult: '不在' });
    await setLead('p6@example.com', { industry: '製造業', lastActionAt: '2026-10-15T01:00:00.000Z', lastActionResult: 'アポ獲得' });
    expect(emails(await all('/leads?industry=製造業', 'manager'))).toEqual(['p5@example.com', 'p6@example.com']);
    expect(emails(await all(`/leads?lastActionResult=${encodeURIComponent('不在')}&owner=rep1`, 'manager'))).toEqual(['p5@example.com']);
    expect(emails(await all('/leads?lastActionFrom=2026-10-10&lastActionTo=2026-10-31', 'manager'))).toEqual(['p6@example.com']);
    expect(emails(await all('/leads?lastActionTo=2026-10-01', 'manager'))).toEqual(['p5@example.com']);

    // Sorted by last action: the latest first, then the leads never acted on.
    const byAction = await all('/leads?sort=lastActionAt', 'manager', 4);
    expect(byAction).toHaveLength(35);
    expect(byAction.slice(0, 2).map((l) => l.leadId)).toEqual([ids['p6@example.com'], ids['p5@example.com']]);
    expect(byAction.slice(2).every((l) => l.lastActionAt === undefined)).toBe(true);
    const mineByAction = await all('/leads?sort=lastActionAt&owner=me&stage=new', 'rep1');
    expect(mineByAction.map((l) => l.leadId).slice(0, 2)).toEqual([ids['p6@example.com'], ids['p5@example.com']]);
    expect(mineByAction.every((l) => l.ownerId === 'rep1' && l.stage === 'new')).toBe(true);
  });

  test('an agent sees only its own leads, whatever it asks for', async () => {
    expect(emails(await all('/leads', 'agent'))).toEqual(['p13@example.com', 'p14@example.com', 'p15@example.com']);
    expect(emails(await all('/leads?owner=unassigned', 'agent'))).toHaveLength(3);
    expect(await all(`/leads?campaignId=${seminar}`, 'agent')).toHaveLength(3);
  });

  test('conditions that need a campaign, and bad values, are 422', async () => {
    const noCampaign = await stack().api('GET', '/leads?responded=true', { as: 'manager' });
    expect(noCampaign.status).toBe(422);
    expect(noCampaign.body.errors[0].path).toBe('query.campaignId');
    const badStage = await stack().api('GET', '/leads?stage=hot', { as: 'manager' });
    expect(badStage.status).toBe(422);
    const first = await stack().api('GET', '/leads?limit=2', { as: 'rep1' });
    const replayed = await stack().api('GET', `/leads?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: 'rep2' });
    expect(replayed.status).toBe(400);
  });

  test('a list parameter names each value once and is bounded: repeats read once, a flood is 422, never a 500', async () => {
    const once = await all('/leads?stage=new', 'manager');
    const twice = await all('/leads?stage=new,new,new', 'manager');
    expect(twice.map((l: any) => l.leadId)).toEqual(once.map((l: any) => l.leadId));
    const flood = await stack().api('GET', `/leads?stage=${Array.from({ length: 101 }, () => 'new').join(',')}`, { as: 'manager' });
    expect(flood.status).toBe(422);
    expect(flood.headers.get('content-type')).toContain('application/problem+json');
    const everyStage = await stack().api('GET', '/leads?stage=new,working,disqualified,recycle,handed_over,converted,new', { as: 'manager' });
    expect(everyStage.status).toBe(200);
  });
});

describe('GET /leads/{id}', () => {
  test('the detail page in one call', async () => {
    const detail = await stack().api('GET', `/leads/${ids['p26@example.com']}`, { as: 'rep1' });
    expect(detail.status).toBe(200);
    expect(detail.headers.get('etag')).toBe(`"${detail.body.version}"`);
    expect(detail.body.lead).toMatchObject({ name: '鈴木 26', email: 'p26@example.com', stage: 'new' });
    expect(detail.body.campaigns.map((c: { campaignId: string }) => c.campaignId).sort()).toEqual([seminar, webinar].sort());
    expect(detail.body.counts).toEqual({ campaigns: 2, actions: 0, deals: 0, accounts: 0 });

    const owned = await stack().api('GET', `/leads/${ids['p0@example.com']}`, { as: 'manager' });
    expect(owned.body.owner).toEqual({ userId: 'rep1', name: '担当 二郎', team: 'インサイドセールス部' });
    const history = await stack().api('GET', `/leads/${ids['p26@example.com']}/campaigns`, { as: 'sales' });
    expect(history.body.items).toHaveLength(2);
  });

  test("another's lead is 404 for an agent; its own is there", async () => {
    expect((await stack().api('GET', `/leads/${ids['p0@example.com']}`, { as: 'agent' })).status).toBe(404);
    expect((await stack().api('GET', `/leads/${ids['p0@example.com']}/campaigns`, { as: 'agent' })).status).toBe(404);
    expect((await stack().api('GET', `/leads/${ids['p13@example.com']}`, { as: 'agent' })).status).toBe(200);
    expect((await stack().api('GET', '/leads/01NOSUCHLEAD00000000000000', { as: 'admin' })).status).toBe(404);
  });
});

describe('PATCH /leads/{id}', () => {
  test('edits at the version seen; a stale version is 409 with the current one and changes nothing', async () => {
    const id = ids['p1@example.com']!;
    const { body: before } = await stack().api('GET', `/leads/${id}`, { as: 'rep1' });
    const edited = await stack().api('PATCH', `/leads/${id}`, {
      as: 'rep1',
      headers: { 'if-match': `"${before.version}"` },
      body: { title: '部長', memo: '来期予算あり', qualification: { budget: '500万円', timeline: '来期' }, ngActions: ['no_dm'] },
    });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ title: '部長', memo: '来期予算あり', qualification: { budget: '500万円' }, ngActions: ['no_dm'], version: before.version + 1 });

    const stale = await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: before.version, title: '課長' } });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(before.version + 1);
    expect((await stack().api('GET', `/leads/${id}`, { as: 'rep1' })).body.lead.title).toBe('部長');

    const moved = await stack().api('GET', `/leads?owner=rep1&stage=working&name=${encodeURIComponent('佐藤 01')}`, { as: 'rep1' });
    expect(moved.body.items[0]).toMatchObject({ leadId: id, version: before.version + 1 });
  });

  test('stage rules: a reason for 対象外, never converted or handed over by edit', async () => {
    const id = ids['p2@example.com']!;
    const { body } = await stack().api('GET', `/leads/${id}`, { as: 'rep1' });
    const noReason = await stack().api('PATCH', `/leads/${id}`, { as: 'rep1', body: { version: body.version, stage: 'disqualified' } });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].path).toBe('body.stageReason');
    for (const stage of ['converted', 'handed_over']) {
      expect((await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: body.version, stage } })).status).toBe(422);
    }
    const ok = await stack().api('PATCH', `/leads/${id}`, { as: 'rep1', body: { version: body.version, stage: 'disqualified', stageReason: '競合導入済み' } });
    expect(ok.body).toMatchObject({ stage: 'disqualified', stageReason: '競合導入済み' });
    // The reason explains its stage: moving to リサイクル needs a new one, and 対象外 cannot lose it.
    for (const change of [{ stage: 'recycle' }, { stageReason: null }]) {
      const refused = await stack().api('PATCH', `/leads/${id}`, { as: 'rep1', body: { version: ok.body.version, ...change } });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].path).toBe('body.stageReason');
    }
  });

  test("ownership: a rep edits only its own leads; an agent cannot see others'; marketing cannot edit", async () => {
    const theirs = ids['p9@example.com']!;
    const { body } = await stack().api('GET', `/leads/${theirs}`, { as: 'manager' });
    expect((await stack().api('PATCH', `/leads/${theirs}`, { as: 'rep1', body: { version: body.version, title: 'x' } })).status).toBe(403);
    expect((await stack().api('PATCH', `/leads/${theirs}`, { as: 'agent', body: { version: body.version, title: 'x' } })).status).toBe(404);
    expect((await stack().api('PATCH', `/leads/${theirs}`, { as: 'marketing', body: { version: body.version, title: 'x' } })).status).toBe(403);
  });

  test('a new e-mail moves the dedupe key; one that belongs to another lead is 409', async () => {
    const id = ids['p4@example.com']!;
    let { body } = await stack().api('GET', `/leads/${id}`, { as: 'rep1' });
    const taken = await stack().api('PATCH', `/leads/${id}`, { as: 'rep1', body: { version: body.version, email: 'P5@example.com' } });
    expect(taken.status).toBe(409);
    const moved = await stack().api('PATCH', `/leads/${id}`, { as: 'rep1', body: { version: body.version, email: 'ｎｅｗ４＠example.com' } });
    expect(moved.status).toBe(200);
    expect(moved.body.email).toBe('new4@example.com');
    // The next list with the old address creates a new person; the new address matches this lead.
    await stack().upload(`imports/${seminar}/participant/again.xlsx`, await xlsx([['佐藤 04', 'NEW4@example.com', 'X', '', '', '']]));
    ({ body } = await stack().api('GET', `/imports?campaignId=${seminar}&limit=1`, { as: 'marketing' }));
    expect(body.items[0].counts).toMatchObject({ unchanged: 1, created: 0 });
  });
});

describe('update lists made safe', () => {
  test('a row carrying an older バージョン is rejected as a conflict; the other rows apply', async () => {
    const [fresh, edited] = [ids['p20@example.com']!, ids['p21@example.com']!];
    const versions = Object.fromEntries(
      await Promise.all([fresh, edited].map(async (id) => [id, (await stack().api('GET', `/leads/${id}`, { as: 'manager' })).body.version])),
    );
    // Someone edits p21 in the system after the list was exported.
    await stack().api('PATCH', `/leads/${edited}`, { as: 'manager', body: { version: versions[edited], memo: 'システムで更新' } });

    const header = ['リードID', 'バージョン', '*名前', 'メールアドレス', '役職', '共有メモ'];
    await stack().upload(
      `imports/${seminar}/update/外注戻り.xlsx`,
      await xlsx(
        [
          [fresh, versions[fresh], '鈴木 20', 'p20@example.com', '主任', '外注: 折返し希望'],
          [edited, versions[edited], '佐藤 21', 'p21@example.com', '係長', '外注: 不在'],
          ['01NOSUCHLEAD00000000000000', 1, '誰か', 'x@example.com', '', ''],
        ],
        header,
      ),
    );
    const { body } = await stack().api('GET', `/imports?campaignId=${seminar}&limit=1`, { as: 'marketing' });
    expect(body.items[0]).toMatchObject({ kind: 'update', status: 'completed_with_errors', counts: { rows: 3, updated: 1, rejected: 2 } });
    expect((await stack().api('GET', `/leads/${fresh}`, { as: 'manager' })).body.lead).toMatchObject({ title: '主任', memo: '外注: 折返し希望' });
    // The edit made in the system survives.
    expect((await stack().api('GET', `/leads/${edited}`, { as: 'manager' })).body.lead).toMatchObject({ memo: 'システムで更新' });
    expect((await stack().api('GET', `/leads/${edited}`, { as: 'manager' })).body.lead.title).toBeUndefined();

    const link = await stack().api('GET', `/imports/${body.items[0].importId}/rejections`, { as: 'marketing' });
    const { readWorkbook } = await import('../support/lists');
    const rejected = (await readWorkbook(await (await fetch(link.body.url)).arrayBuffer())).get('取り込めなかった行')!;
    expect(rejected[1]![1]).toMatch(/出力後にシステム上で変更されています/);
    expect(String(rejected[1]![rejected[0]!.length - 1])).toContain('共有メモ: システムで更新');
    expect(rejected[2]![1]).toBe('該当するリードがありません');
  });
});

describe('list export (リスト出力)', () => {
  async function exportLeads(as: string, body: unknown) {
    const started = await stack().api('POST', '/exports', { as, body });
    expect(started.status).toBe(202);
    await stack().intakeIdle();
    const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as });
    expect(done.body.status).toBe('succeeded');
    return done.body as { exportId: string; rows: number; url: string };
  }

  test('an .xlsx of the filtered leads, under the labels intake reads, with リードID and バージョン', async () => {
    const exported = await exportLeads('manager', { filter: { owner: 'unassigned', company: 'ミライ' }, format: 'xlsx' });
    const { readWorkbook } = await import('../support/lists');
    const sheet = (await readWorkbook(await (await fetch(exported.url)).arrayBuffer())).get('リード')!;
    expect(sheet[0]!.slice(0, 6)).toEqual(['リードID', 'バージョン', '名前', '名前（カナ）', 'メールアドレス', '名刺会社']);
    const unassignedMirai = Object.keys(ids).filter((e) => Number(e.slice(1, e.indexOf('@'))) >= 16 && Number(e.slice(1, e.indexOf('@'))) % 3 === 0);
    expect(exported.rows).toBe(unassignedMirai.length);
    expect(sheet.slice(1).map((r) => r[4]).sort()).toEqual(unassignedMirai.sort());
    expect((await stack().api('GET', `/exports/${exported.exportId}`, { as: 'marketing' })).status).toBe(404);
  });

  test('an agent exports only its own leads; a rep only its own', async () => {
    expect((await exportLeads('agent', { filter: { owner: 'unassigned' } })).rows).toBe(3);
    expect((await exportLeads('rep2', { filter: {}, format: 'csv' })).rows).toBe(5);
    expect((await stack().api('POST', '/exports', { as: 'sales', body: {} })).status).toBe(403);
    expect((await stack().api('POST', '/exports', { as: 'manager', body: { filter: { stage: 'hot' } } })).status).toBe(422);
  });

  test('formula-like text is exported as text and reads back as the same text after a round trip', async () => {
    const id = ids['p30@example.com']!;
    const { body } = await stack().api('GET', `/leads/${id}`, { as: 'manager' });
    const dangerous = { memo: '=HYPERLINK("http://evil.example","click")', department: '+81 営業', title: '@SUM(1)', products: '-1' };
    await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: body.version, ...dangerous } });

    const csvExport = await exportLeads('manager', { filter: { name: '鈴木 30' }, format: 'csv' });
    const bytes = Buffer.from(await (await fetch(csvExport.url)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // a BOM, so Excel opens it as UTF-8
    const text = bytes.toString('utf8');
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(text).toContain(",'+81 営業,");
    expect(text).toContain(",'@SUM(1),");

    const xlsxExport = await exportLeads('manager', { filter: { name: '鈴木 30' } });
    const ExcelJS = (await import('exceljs')).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await (await fetch(xlsxExport.url)).arrayBuffer());
    const sheet = workbook.getWorksheet('リード')!;
    const memoColumn = (sheet.getRow(1).values as unknown[]).indexOf('共有メモ');
    expect(memoColumn).toBeGreaterThan(0);
    const memoCell = sheet.getRow(2).getCell(memoColumn);
    expect(memoCell.type).toBe(ExcelJS.ValueType.String);
    expect(memoCell.value).toBe(dangerous.memo);

    // Edit the CSV as a person would (a new title) and upload it as an update list.
    const edited = text.replace(",'@SUM(1),", ',部長,');
    await stack().upload(`imports/${seminar}/update/roundtrip.csv`, Buffer.from(edited, 'utf8'));
    const { body: imports } = await stack().api('GET', `/imports?campaignId=${seminar}&limit=1`, { as: 'marketing' });
    expect(imports.items[0]).toMatchObject({ status: 'succeeded', counts: { updated: 1, rejected: 0 } });
    const after = (await stack().api('GET', `/leads/${id}`, { as: 'manager' })).body.lead;
    expect(after).toMatchObject({ ...dangerous, title: '部長' });
  });
});
