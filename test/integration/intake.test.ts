import { FAULT_POINTS, injectFault } from '../../lib/faults';
import { getImportRecord } from '../../lib/intake/import-record';
import { getItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { failing } from '../support/faults';
import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { csv, HEADER, readWorkbook, xlsx } from '../support/lists';
import { workbookParts, zipArchive } from '../support/workbooks';

const stack = useLocalStack();

const { newCampaign, importList, uploadAs, leadByEmail, membership, metrics } = intakeHelpers(stack);

describe('list intake through the bucket', () => {
  test('new people become leads; width, case and spaces do not hide a known person; in-file duplicates merge', async () => {
    const campaignId = await newCampaign();
    const first = await importList(
      campaignId,
      'participant',
      '参加者.xlsx',
      await xlsx([
        ['長谷川 隆', 'hasegawa@example.com', '株式会社フリーダム', '営業1課', '課長', 312345678],
        ['海田 弘和', 'ＫＡＩＤＡ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'NNTネクスト株式会社', '', '', '03-1234-5678'],
        ['海田　弘和', ' kaida@EXAMPLE.com ', 'NNTネクスト㈱', '', '', ''],
        ['棚橋 太郎', '', '(株)イーゼスサイド', '', '', ''],
        ['棚橋太郎', '', 'イーゼスサイド株式会社', '', '', ''],
      ]),
    );
    expect(first).toMatchObject({ status: 'succeeded', totalRows: 5, counts: { rows: 5, created: 3, merged: 2, matched: 0, rejected: 0 } });

    const kaida = await leadByEmail('kaida@example.com');
    // The stored value keeps what the user typed; only the key is normalised.
    expect(kaida).toMatchObject({ name: '海田 弘和', email: 'ＫＡＩＤＡ＠ｅｘａｍｐｌｅ．ｃｏｍ', stage: 'new' });
    expect(kaida?.ownerId).toBeUndefined();
    expect((await leadByEmail('hasegawa@example.com'))?.phone).toBe('312345678');
    expect(await membership(kaida!.leadId, campaignId)).toMatchObject({ responded: true, invited: false, followStatus: 'not_started' });

    // A second list, for another campaign, with one known and one new person.
    const other = await newCampaign('展示会');
    const second = await importList(
      other,
      'participant',
      'booth.xlsx',
      await xlsx([
        ['長谷川 たかし', 'HASEGAWA@example.com', '別の会社', '', '', ''],
        ['三沢 慎吾', 'misawa@example.com', '和歌山ワイズ株式会社', '', '', ''],
      ]),
    );
    expect(second.counts).toMatchObject({ rows: 2, created: 1, matched: 1, unchanged: 0 });
    // リスト登録 does not update a known lead's base information.
    expect(await leadByEmail('hasegawa@example.com')).toMatchObject({ name: '長谷川 隆', company: '株式会社フリーダム' });
    expect(await metrics(other)).toMatchObject({ responded: 2, newLeads: 1, knownLeads: 1 });
  });

  test('cells are read as Excel shows them: rich text, mailto hyperlinks, formulas, numbers, dates', async () => {
    const campaignId = await newCampaign();
    const body = await xlsx(
      [
        [
          { richText: [{ text: '富樫 ', font: { bold: true } }, { text: '義博' }] },
          { text: 'togashi@example.com', hyperlink: 'mailto:togashi@example.com' },
          { formula: 'CONCATENATE("株式会社","リッチ")', result: '株式会社リッチ' },
          '',
          '',
          8012345678,
          new Date(Date.UTC(2026, 3, 1)),
        ],
      ],
      [...HEADER, 'リード発生日'],
    );
    const imported = await importList(campaignId, 'participant', 'cells.xlsx', body);
    expect(imported).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    const lead = await leadByEmail('togashi@example.com');
    expect(lead).toMatchObject({ name: '富樫 義博', email: 'togashi@example.com', company: '株式会社リッチ', phone: '8012345678' });
    expect(await membership(lead!.leadId, campaignId)).toMatchObject({ arisenOn: '2026-04-01' });
  });

  test('invitation then participant list: one history per campaign with both flags, the first date kept', async () => {
    const campaignId = await newCampaign();
    const list = (date: string) =>
      xlsx(
        [
          ['岡田 明信', 'okada@example.com', '株式会社ホエールズ商事', '', '', '', date],
          ['片平 光男', 'katahira@example.com', '福島ワイズ株式会社', '', '', '', date],
        ],
        [...HEADER, 'リード発生日'],
      );
    const invited = await importList(campaignId, 'invitation', 'invite.xlsx', await list('2026/04/01'));
    expect(invited.counts).toMatchObject({ created: 2 });
    const attended = await importList(campaignId, 'participant', 'attended.xlsx', await list('2026/04/10'));
    expect(attended.counts).toMatchObject({ matched: 2, created: 0, unchanged: 0 });

    const okada = await leadByEmail('okada@example.com');
    expect(await membership(okada!.leadId, campaignId)).toMatchObject({ invited: true, responded: true, arisenOn: '2026-04-01' });
    expect(await metrics(campaignId)).toMatchObject({ invited: 2, responded: 2, newLeads: 2 });
    expect((await metrics(campaignId))?.knownLeads ?? 0).toBe(0);
  });

  test('the same file twice, or the same event twice, changes nothing the second time', async () => {
    const campaignId = await newCampaign();
    const body = await xlsx([
      ['山下 新作', 'yamashita@example.com', '和歌山ワイズ株式会社', '', '', ''],
      ['片山 一', 'katayama@example.com', 'A社', '', '', ''],
    ]);
    const once = await importList(campaignId, 'invitation', 'twice.xlsx', body);
    expect(once.counts).toMatchObject({ created: 2 });
    const again = await importList(campaignId, 'invitation', 'twice-again.xlsx', body);
    expect(again.counts).toMatchObject({ rows: 2, created: 0, matched: 0, unchanged: 2 });
    expect(await metrics(campaignId)).toMatchObject({ invited: 2, newLeads: 2 });

    // A redelivered S3 event for the first object: the same import, already finished, is not run again.
    const { handler } = await import('../../functions/intake/handler');
    await handler({ Records: [{ s3: { object: { key: `imports/${campaignId}/invitation/twice-again.xlsx` } } }] } as never);
    const { body: page } = await stack().api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' });
    expect(page.items).toHaveLength(2);
    expect(await metrics(campaignId)).toMatchObject({ invited: 2, newLeads: 2 });
  });

  test('two overlapping imports at once leave exactly one lead per person', async () => {
    const [a, b] = [await newCampaign('A'), await newCampaign('B')];
    const people = Array.from({ length: 120 }, (_, i) => [`同時 ${i}`, `same${i}@example.com`, `会社${i}`, '', '', '']);
    const [listA, listB] = [await xlsx(people.slice(0, 90)), await xlsx(people.slice(30))];
    await Promise.all([
      stack().upload(`imports/${a}/participant/a.xlsx`, listA),
      stack().upload(`imports/${b}/invitation/b.xlsx`, listB),
    ]);
    await stack().intakeIdle();
    const [ia, ib] = await Promise.all([a, b].map(async (c) => (await stack().api('GET', `/imports?campaignId=${c}`, { as: 'marketing' })).body.items[0]));
    expect(ia.status).toBe('succeeded');
    expect(ib.status).toBe('succeeded');
    // 120 people, 60 shared: each shared person was created by exactly one import and matched by the other.
    expect(ia.counts.created + ib.counts.created).toBe(120);
    expect(ia.counts.matched + ib.counts.matched).toBe(60);
    const leadIds = new Set<string>();
    for (let i = 0; i < 120; i++) leadIds.add((await leadByEmail(`same${i}@example.com`))!.leadId);
    expect(leadIds.size).toBe(120);
  });

  test('two lists of the same campaign at once take turns, and every history and counter is exact', async () => {
    const campaignId = await newCampaign('同時同一キャンペーン');
    const people = Array.from({ length: 80 }, (_, i) => [`順番 ${i}`, `turn${i}@example.com`, `会社${i}`, '', '', '']);
    // Half the people exist already (reached by another campaign), so both paths run: new people and known people.
    const earlier = await newCampaign('前回');
    await importList(earlier, 'participant', 'earlier.xlsx', await xlsx(people.slice(0, 40)));
    await Promise.all([
      stack().upload(`imports/${campaignId}/invitation/invite.xlsx`, await xlsx(people.slice(0, 60))),
      stack().upload(`imports/${campaignId}/participant/attend.xlsx`, await xlsx(people.slice(20, 80))),
    ]);
    await stack().intakeIdle();
    const { body: page } = await stack().api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' });
    expect(page.items.map((i: { status: string }) => i.status)).toEqual(['succeeded', 'succeeded']);
    const total = (key: string) => page.items.reduce((sum: number, i: { counts: Record<string, number> }) => sum + i.counts[key]!, 0);
    // 40 people were new to the table: each created once, by whichever list reached them first.
    expect(total('created')).toBe(40);
    expect(total('created') + total('matched')).toBe(120);
    expect(await metrics(campaignId)).toMatchObject({ invited: 60, responded: 60, newLeads: 40, knownLeads: 40 });
    for (const i of [0, 30, 70]) {
      const lead = await leadByEmail(`turn${i}@example.com`);
      expect(await membership(lead!.leadId, campaignId)).toMatchObject({ invited: i < 60, responded: i >= 20 });
    }
  });

  test('a person repeated across a chunk boundary merges into the row that created or reached it in the chunk before', async () => {
    // Each chunk's people are looked up while the chunk before is still writing: the repeats below are people that
    // chunk creates or reaches, so the lookup alone would take them for new or not yet reached.
    const earlier = await newCampaign('前回');
    const knownPeople = Array.from({ length: 6 }, (_, i) => [`既知 ${i}`, `seam-known${i}@example.com`, `会社${i}`, '', '', '']);
    await importList(earlier, 'participant', 'earlier.xlsx', await xlsx(knownPeople));
    const campaignId = await newCampaign('境目');
    const newPerson = (i: number, upper = false) => [`新規 ${i}`, upper ? `SEAM-NEW${i}@EXAMPLE.COM` : `seam-new${i}@example.com`, `会社${i}`, '', '', ''];
    const knownPerson = (i: number, upper = false) => [`既知 ${i}`, upper ? `SEAM-KNOWN${i}@EXAMPLE.COM` : `seam-known${i}@example.com`, `会社${i}`, '', '', ''];
    const rows: unknown[][] = [];
    for (let i = 0; i < 6; i++) rows.push(knownPerson(i), newPerson(i), knownPerson(i, true), newPerson(i, true));
    process.env.INTAKE_CHUNK_ROWS = '2';
    try {
      const imported = await importList(campaignId, 'invitation', 'seams.xlsx', await xlsx(rows));
      expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 24, created: 6, matched: 6, unchanged: 0, merged: 12 } });
    } finally {
      delete process.env.INTAKE_CHUNK_ROWS;
    }
    expect(await metrics(campaignId)).toMatchObject({ invited: 12, newLeads: 6, knownLeads: 6 });
    for (let i = 0; i < 6; i++) {
      const known = await leadByEmail(`seam-known${i}@example.com`);
      // The history is the first row's: row 2 + 4i is the known person's first row (the header is row 1).
      expect(await membership(known!.leadId, campaignId)).toMatchObject({ invited: true, invitedBy: expect.stringMatching(new RegExp(`#${2 + 4 * i}$`)) });
      expect((await leadByEmail(`seam-new${i}@example.com`))?.name).toBe(`新規 ${i}`);
    }
  });

  test('rejected rows are reported with reasons in a workbook; the rest of the file goes on', async () => {
    const campaignId = await newCampaign();
    const imported = await importList(
      campaignId,
      'participant',
      'mixed.xlsx',
      await xlsx([
        ['正常 一郎', 'ok1@example.com', 'A社', '', '', ''],
        ['', 'noname@example.com', 'B社', '', '', ''],
        ['不正 メール', 'not-an-email', 'C社', '', '', ''],
        ['照合 不能', '', '', '', '', ''],
        ['長い 名前'.repeat(30), 'long@example.com', 'D社', '', '', ''],
        ['正常 二郎', 'ok2@example.com', 'E社', '', '', ''],
        ['正常 二郎', 'OK2@example.com', 'E社', '', '', ''],
      ]),
    );
    expect(imported).toMatchObject({ status: 'completed_with_errors', hasRejections: true, counts: { rows: 7, created: 2, rejected: 4, merged: 1 } });

    const link = await stack().api('GET', `/imports/${imported.importId}/rejections`, { as: 'marketing' });
    expect(link.status).toBe(200);
    expect(link.body).toMatchObject({ rejected: 4, merged: 1 });
    const download = await fetch(link.body.url);
    expect(download.status).toBe(200);
    const sheets = await readWorkbook(await download.arrayBuffer());
    const rejected = sheets.get('取り込めなかった行')!;
    expect(rejected[0]!.slice(0, 3)).toEqual(['行番号', '理由', '*名前']);
    expect(rejected.slice(1).map((r) => r[0])).toEqual([3, 4, 5, 6]);
    expect(rejected[1]![1]).toBe('名前がありません');
    expect(rejected[2]![1]).toMatch(/メールアドレスの形式/);
    expect(rejected[2]![3]).toBe('not-an-email');
    expect(rejected[3]![1]).toMatch(/照合できません/);
    expect(rejected[4]![1]).toMatch(/名前が長すぎます/);
    expect(sheets.get('統合された行')!.slice(1).map((r) => r.slice(0, 2))).toEqual([[8, 7]]);

    const clean = await importList(campaignId, 'participant', 'clean.xlsx', await xlsx([['正常 三郎', 'ok3@example.com', 'F社', '', '', '']]));
    expect((await stack().api('GET', `/imports/${clean.importId}/rejections`, { as: 'marketing' })).status).toBe(404);
  });

  test('update lists update matched leads and reject rows that match none', async () => {
    const campaignId = await newCampaign();
    await importList(campaignId, 'participant', 'base.xlsx', await xlsx([['更新 太郎', 'update@example.com', '旧社名', '旧部署', '', '']]));
    const updated = await importList(
      campaignId,
      'update',
      'update.xlsx',
      await xlsx([
        ['更新 太郎', 'UPDATE@example.com', '新社名株式会社', '', '部長', ''],
        ['存在 しない', 'nobody@example.com', 'X社', '', '', ''],
      ]),
    );
    expect(updated).toMatchObject({ status: 'completed_with_errors', counts: { rows: 2, updated: 1, rejected: 1, created: 0 } });
    // Blank cells leave fields as they were.
    expect(await leadByEmail('update@example.com')).toMatchObject({ company: '新社名株式会社', department: '旧部署', title: '部長', version: 2 });
  });

  test('CSV in UTF-8 with and without BOM, and in Shift_JIS', async () => {
    const campaignId = await newCampaign();
    const rows = (tag: string) => [[`ＣＳＶ ${tag}`, `csv-${tag}@example.com`, '株式会社テスト, 東京支店', '', '', '']];
    for (const [encoding, tag] of [['utf8bom', 'bom'], ['utf8', 'plain'], ['sjis', 'sjis']] as const) {
      const imported = await importList(campaignId, 'invitation', `${tag}.csv`, csv(rows(tag), encoding));
      expect(imported).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
      expect(await leadByEmail(`csv-${tag}@example.com`)).toMatchObject({ name: `ＣＳＶ ${tag}`, company: '株式会社テスト, 東京支店' });
    }
  });

  test('a file that cannot be read fails the import with a clear reason', async () => {
    const campaignId = await newCampaign();
    const corrupt = await importList(campaignId, 'participant', 'corrupt.xlsx', Buffer.from('this is not a workbook at all'));
    expect(corrupt).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not an .xlsx workbook/i) });

    const header = '<row r="1"><c r="A1" t="inlineStr"><is><t>名前</t></is></c><c r="B1" t="inlineStr"><is><t>会社名</t></is></c></row>';
    const bomb = zipArchive([...workbookParts({ sheets: [{ name: 'S', rows: header }] }), { name: 'xl/media/zeros.bin', data: Buffer.alloc(16 * 1024 * 1024) }]);
    expect(bomb.length).toBeLessThan(100_000);
    const refused = await importList(campaignId, 'participant', 'bomb.xlsx', bomb);
    expect(refused).toMatchObject({ status: 'failed', reason: expect.stringMatching(/expands \d+ times/) });

    const headless = await importList(campaignId, 'participant', 'headless.xlsx', await xlsx([['a', 'b']], ['x', 'y']));
    expect(headless).toMatchObject({ status: 'failed', reason: expect.stringMatching(/no header row/) });
  });

  test('an unknown campaign or kind is recorded as failed, never dropped', async () => {
    await stack().upload('imports/01NOSUCHCAMPAIGN0000000000/participant/x.xlsx', await xlsx([]));
    const { body: page } = await stack().api('GET', '/imports?campaignId=01NOSUCHCAMPAIGN0000000000', { as: 'admin' });
    expect(page.items[0]).toMatchObject({ status: 'failed', reason: 'no campaign 01NOSUCHCAMPAIGN0000000000' });

    const campaignId = await newCampaign();
    const wrongKind = await importList(campaignId, 'attendees', 'x.xlsx', await xlsx([]));
    expect(wrongKind).toMatchObject({ status: 'failed', kind: 'attendees', reason: expect.stringMatching(/unknown list kind "attendees"/) });
  });

  test('an import outgrowing its time budget pauses and resumes in fresh invocations with exact counts', async () => {
    const campaignId = await newCampaign();
    const people = Array.from({ length: 230 }, (_, i) => [`再開 ${i}`, `resume${i % 200}@example.com`, `会社${i}`, '', '', '']);
    process.env.INTAKE_TIME_BUDGET_MS = '1';
    process.env.INTAKE_CHUNK_ROWS = '40';
    try {
      const imported = await importList(campaignId, 'participant', 'big.xlsx', await xlsx(people));
      expect(imported).toMatchObject({ status: 'succeeded', totalRows: 230, counts: { rows: 230, created: 200, merged: 30 } });
    } finally {
      delete process.env.INTAKE_TIME_BUDGET_MS;
      delete process.env.INTAKE_CHUNK_ROWS;
    }
    expect(await metrics(campaignId)).toMatchObject({ responded: 200, newLeads: 200 });
    // Six chunks, each a fresh invocation: on two busy cores more than jest's default 30 s. Timing out would leave
    // the import running into the next test, with this test's settings.
  }, 120_000);

  test('a crash after the writes but before the commit is retried without double counting', async () => {
    const campaignId = await newCampaign();
    // The second chunk's commit dies once: its writes are done, its checkpoint and counters are not.
    const commits = failing(FAULT_POINTS.intakeCommit, (n) => (n === 2 ? 'the function died before committing' : undefined));
    process.env.INTAKE_CHUNK_ROWS = '25';
    try {
      const people = Array.from({ length: 80 }, (_, i) => [`障害 ${i}`, `crash${i}@example.com`, `会社${i}`, '', '', '']);
      const imported = await importList(campaignId, 'invitation', 'crash.xlsx', await xlsx(people));
      // Four chunks (25, 25, 25, 5) plus the commit that died.
      expect(commits.reached).toBe(5);
      expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 80, created: 80, matched: 0, unchanged: 0, merged: 0 } });
    } finally {
      commits.restore();
      delete process.env.INTAKE_CHUNK_ROWS;
    }
    expect(await metrics(campaignId)).toMatchObject({ invited: 80, newLeads: 80 });
  });

  test('the record says how many rows the file holds before the first chunk commits, and how many are done after each', async () => {
    const campaignId = await newCampaign();
    // What a client polling GET /imports/{id} would see at each commit: the record just before the chunk commits.
    const seen: { totalRows?: number; rows: number }[] = [];
    const watch = injectFault(FAULT_POINTS.intakeCommit, async () => {
      const record = await getImportRecord((await stack().api('GET', `/imports?campaignId=${campaignId}&limit=1`, { as: 'marketing' })).body.items[0].importId);
      seen.push({ totalRows: record?.totalRows, rows: record!.counts.rows });
    });
    process.env.INTAKE_CHUNK_ROWS = '20';
    try {
      const people = Array.from({ length: 50 }, (_, i) => [`進捗 ${i}`, `progress${i}@example.com`, `会社${i}`, '', '', '']);
      const imported = await importList(campaignId, 'participant', 'progress.xlsx', await xlsx([...people.slice(0, 25), [], ...people.slice(25)]));
      expect(imported).toMatchObject({ status: 'succeeded', totalRows: 50, counts: { rows: 50, created: 50 } });
    } finally {
      watch();
      delete process.env.INTAKE_CHUNK_ROWS;
    }
    // The blank row is not a data row: 50 of 50, never 50 of 51.
    expect(seen).toEqual([
      { totalRows: 50, rows: 0 },
      { totalRows: 50, rows: 20 },
      { totalRows: 50, rows: 40 },
    ]);
  });

  test('POST /imports gives a presigned upload that runs as the requesting user', async () => {
    const campaignId = await newCampaign();
    const started = await stack().api('POST', '/imports', { as: 'marketing', body: { campaignId, kind: 'participant', fileName: 'ウェビナー参加者.xlsx' } });
    expect(started.status).toBe(201);
    const queued = await stack().api('GET', `/imports/${started.body.importId}`, { as: 'marketing' });
    expect(queued.body).toMatchObject({ status: 'queued', uploadedBy: 'marketing', campaignId });

    const put = await fetch(started.body.uploadUrl, { method: 'PUT', headers: started.body.uploadHeaders, body: await xlsx([['署名 付き', 'presigned@example.com', 'P社', '', '', '']]) });
    expect(put.status).toBe(200);
    await stack().intakeIdle();
    const done = await stack().api('GET', `/imports/${started.body.importId}`, { as: 'marketing' });
    expect(done.body).toMatchObject({ status: 'succeeded', uploadedBy: 'marketing', counts: { created: 1 } });

    // The same file through a new link, to the same place: an import of its own, which finds everyone unchanged.
    const again = await uploadAs('marketing', campaignId, 'participant', 'ウェビナー参加者.xlsx', await xlsx([['署名 付き', 'presigned@example.com', 'P社', '', '', '']]));
    expect(again).toMatchObject({ status: 'succeeded', totalRows: 1, counts: { rows: 1, created: 0, unchanged: 1 } });
    expect(again.importId).not.toBe(started.body.importId);

    expect((await stack().api('POST', '/imports', { as: 'rep1', body: { campaignId, kind: 'participant', fileName: 'x.xlsx' } })).status).toBe(403);
    const bad = await stack().api('POST', '/imports', { as: 'marketing', body: { campaignId: '01NOSUCH', kind: 'other', fileName: '../x.xls' } });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.fileName', 'body.kind']);
  });

  test('an upload link serves one import, of the size it was asked for, and a file over the limit is refused before it is read', async () => {
    const campaignId = await newCampaign();
    const list = await xlsx([['一回 限り', 'once@example.com', 'O社', '', '', '']]);
    const tooBig = await stack().api('POST', '/imports', { as: 'marketing', body: { campaignId, kind: 'participant', fileName: 'big.xlsx', sizeBytes: 300 * 1024 * 1024 } });
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toMatchObject({ status: 413, maxBytes: 200 * 1024 * 1024 });

    const started = await stack().api('POST', '/imports', { as: 'marketing', body: { campaignId, kind: 'participant', fileName: 'once.xlsx', sizeBytes: list.length } });
    expect(started.status).toBe(201);
    // S3 refuses a body of another length, since the length is signed (the local S3 server does not check it).
    expect(new URL(started.body.uploadUrl).searchParams.get('X-Amz-SignedHeaders')?.split(';')).toContain('content-length');
    expect((await fetch(started.body.uploadUrl, { method: 'PUT', headers: started.body.uploadHeaders, body: list })).status).toBe(200);
    await stack().intakeIdle();
    expect((await stack().api('GET', `/imports/${started.body.importId}`, { as: 'marketing' })).body).toMatchObject({ status: 'succeeded', counts: { created: 1 } });

    // The same link again, with another file of the same size: recorded, refused, and credited to who asked for it.
    const other = await xlsx([['二回 目だ', 'twice@example.com', 'T社', '', '', '']]);
    const again = Buffer.concat([other, Buffer.alloc(Math.max(0, list.length - other.length))]).subarray(0, list.length);
    expect((await fetch(started.body.uploadUrl, { method: 'PUT', headers: started.body.uploadHeaders, body: again })).status).toBe(200);
    await stack().intakeIdle();
    const imports = (await stack().api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' })).body.items;
    expect(imports).toHaveLength(2);
    expect(imports[0]).toMatchObject({ status: 'failed', uploadedBy: 'marketing', reason: expect.stringContaining('one link serves one import') });
    expect(await leadByEmail('twice@example.com')).toBeUndefined();

    // The deployment's limit holds for a file put straight into the bucket too, before it is downloaded.
    process.env.MAX_UPLOAD_BYTES = String(list.length - 1);
    try {
      const refused = await importList(campaignId, 'participant', 'straight.xlsx', list);
      expect(refused).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^the file is \d+ KB; lists up to \d+ KB are accepted$/) });
    } finally {
      delete process.env.MAX_UPLOAD_BYTES;
    }
  });
});

describe('row limit', () => {
  test('a CSV with more rows than the limit is refused before anything is written', async () => {
    const { body: campaign } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name: '上限', type: 'dm' } });
    process.env.INTAKE_MAX_ROWS = '3';
    try {
      await stack().upload(
        `imports/${campaign.campaignId}/invitation/too-many.csv`,
        csv([1, 2, 3, 4].map((i) => [`上限 ${i}`, `limit${i}@example.com`, 'L社', '', '', '']), 'utf8'),
      );
    } finally {
      delete process.env.INTAKE_MAX_ROWS;
    }
    const { body: page } = await stack().api('GET', `/imports?campaignId=${campaign.campaignId}`, { as: 'marketing' });
    expect(page.items[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/more than 3 rows/), counts: { rows: 0, created: 0 } });
    expect(await getItem(keys.leadMatchKey('e:limit1@example.com'))).toBeUndefined();
  });

  test('a workbook with more rows than the limit is refused before anything is written too', async () => {
    const { body: campaign } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name: '上限', type: 'dm' } });
    process.env.INTAKE_MAX_ROWS = '3';
    process.env.INTAKE_CHUNK_ROWS = '2';
    try {
      await stack().upload(
        `imports/${campaign.campaignId}/invitation/too-many.xlsx`,
        await xlsx([1, 2, 3, 4].map((i) => [`上限 ${i}`, `xlimit${i}@example.com`, 'L社', '', '', ''])),
      );
    } finally {
      delete process.env.INTAKE_MAX_ROWS;
      delete process.env.INTAKE_CHUNK_ROWS;
    }
    const { body: page } = await stack().api('GET', `/imports?campaignId=${campaign.campaignId}`, { as: 'marketing' });
    expect(page.items[0]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/more than 3 rows/), counts: { rows: 0, created: 0 } });
    expect(await getItem(keys.leadMatchKey('e:xlimit1@example.com'))).toBeUndefined();
  });
});
