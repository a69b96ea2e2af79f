import { ulid } from 'ulid';
import { actionItem } from '../../lib/actions/model';
import { FAULT_POINTS } from '../../lib/faults';
import { unpacked } from '../../lib/leads/packed-text';
import { ERASED_NAME } from '../../lib/leads/tombstone';
import { batchWrite, getItem, putRequest } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { queryAll } from '../../lib/table/queries';
import { failing } from '../support/faults';
import { intakeHelpers } from '../support/intake';
import { readWorkbook, xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';
import { resolved } from '../support/openapi';

/**
 * Erasure on request (個人情報の消去), end to end: a person comes in through the bucket, is worked (actions with
 * memos, an assignment digest, a hand-over), is erased by an admin, and is then looked for everywhere the product keeps
 * data, in the table itself as well as through the API; a later list with the same person is turned away.
 */

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail, metrics } = intakeHelpers(stack);

const PERSON = {
  name: '鈴木 一朗',
  kana: 'スズキ イチロウ',
  email: 'suzuki.ichiro@example.com',
  company: '株式会社スズキ商会',
  department: '情報システム部',
  title: '部長',
  phone: '03-1234-9876',
};
const MEMO = '奥様の入院で来月まで不在とのこと';
const HANDOVER_NOTE = '鈴木さんは決裁者、携帯 090-1111-2222';
/** Everything that would tell who the person was, or what was written about them. */
const PERSONAL = [PERSON.name, '鈴木', PERSON.kana, PERSON.email, 'suzuki.ichiro', PERSON.company, 'スズキ', PERSON.department, PERSON.phone, MEMO, HANDOVER_NOTE, '090-1111-2222'];

/** A survey answer long enough that the lead item stores its extra columns packed (lib/leads/packed-text.ts). */
const SURVEY_ANSWER = `${PERSON.name}様ご本人の回答：現在の顧客管理はExcelで、担当者ごとに書式が異なり集計に時間がかかる。来期の予算申請に向けて三社ほど比較したい。連絡は携帯 090-1111-2222 へ平日午後に。`;
const HEADER = ['*名前', 'フリガナ', 'メールアドレス', '名刺会社', '組織', '役職', '電話番号', 'アンケート：ご関心の理由'];

const personalIn = (value: unknown): string[] => {
  // Packed extra columns are read as the product reads them: a person's answers must not hide in compressed bytes.
  const text = JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? unpacked(v) : v));
  return PERSONAL.filter((p) => text.includes(p));
};

let campaignId: string;
let leadId: string;
let otherId: string;
let before: Record<string, number>;
let erasure: { status: number; body: any };

beforeAll(async () => {
  campaignId = await newCampaign('プライバシーセミナー');
  const imported = await importList(
    campaignId,
    'participant',
    '参加者.xlsx',
    await xlsx(
      [
        [PERSON.name, PERSON.kana, PERSON.email, PERSON.company, PERSON.department, PERSON.title, PERSON.phone, SURVEY_ANSWER],
        ['残る 花子', 'ノコル ハナコ', 'stays@example.com', '株式会社ノコル', '', '', '', ''],
      ],
      HEADER,
    ),
  );
  expect(imported.counts).toMatchObject({ created: 2 });
  leadId = (await leadByEmail(PERSON.email))!.leadId;
  otherId = (await leadByEmail('stays@example.com'))!.leadId;
  // The answer is stored packed, and the scan below sees into it.
  const stored = await getItem<Record<string, unknown>>(keys.lead(leadId));
  expect(stored!.extra).toBeInstanceOf(Uint8Array);
  expect(personalIn(stored)).toEqual(expect.arrayContaining([PERSON.name, '090-1111-2222']));
  // And a long shared memo about them, stored packed as well.
  const { version } = (await stack().api('GET', `/leads/${leadId}`, { as: 'manager' })).body.lead;
  expect((await stack().api('PATCH', `/leads/${leadId}`, { as: 'manager', body: { version, memo: `${SURVEY_ANSWER}${MEMO}` } })).status).toBe(200);
  expect((await getItem<Record<string, unknown>>(keys.lead(leadId)))!.memo).toBeInstanceOf(Uint8Array);

  // Assigned to a rep (a digest naming both), worked with memos, handed over (a notification about this lead alone).
  const assigned = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [leadId, otherId], ownerId: 'rep1' } });
  expect(assigned.body.assigned).toBe(2);
  for (const [at, note] of [['2025-04-01T10:00:00+09:00', MEMO], ['2025-04-02T10:00:00+09:00', `${PERSON.name}様に資料送付`]] as const) {
    const logged = await stack().api('POST', `/leads/${leadId}/actions`, { as: 'rep1', body: { campaignId, at, channel: 'phone', content: 'ヒアリング', result: '興味あり', note } });
    expect(logged.status).toBe(201);
  }
  const handed = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'rep1', body: { ownerId: 'sales', note: HANDOVER_NOTE } });
  expect(handed.status).toBe(200);
  await stack().outboxIdle();

  before = (await stack().api('GET', `/campaigns/${campaignId}/metrics`, { as: 'marketing' })).body;
  expect(before).toMatchObject({ responded: 2, newLeads: 2, actions: 2 });
  erasure = await stack().api('DELETE', `/leads/${leadId}`, { as: 'admin' });
}, 120_000);

describe('DELETE /leads/{leadId}', () => {
  test('is for admins alone: every other role gets 403, an unknown lead 404', async () => {
    for (const as of ['marketing', 'manager', 'rep1', 'sales', 'agent']) {
      const res = await stack().api('DELETE', `/leads/${otherId}`, { as });
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await stack().api('GET', `/leads/${otherId}`, { as: 'admin' })).body.lead.erased).toBeUndefined();
    expect((await stack().api('DELETE', `/leads/${ulid()}`, { as: 'admin' })).status).toBe(404);
  });

  test('is in /openapi.json with its answer and its problems', async () => {
    const { body } = await stack().api('GET', '/openapi.json');
    const erase = body.paths['/leads/{leadId}'].delete;
    expect(erase).toMatchObject({ operationId: 'eraseLead', 'x-roles': ['admin'] });
    expect(Object.keys(erase.responses)).toEqual(expect.arrayContaining(['200', '403', '404']));
    expect(resolved(body, erase.responses['200'].content['application/json'].schema).required).toEqual(expect.arrayContaining(['leadId', 'erased', 'erasedAt', 'erasedBy']));
    expect(Object.keys(body.paths['/leads/{leadId}'].patch.responses)).toContain('410');
  });

  test('answers the erasure, and the same answer again when repeated', async () => {
    expect(erasure.status).toBe(200);
    expect(erasure.body).toEqual({ leadId, erased: true, erasedAt: expect.any(String), erasedBy: 'admin' });
    const again = await stack().api('DELETE', `/leads/${leadId}`, { as: 'admin' });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(erasure.body);
  });

  test('leaves an anonymous tombstone: stage, owner and last action kept, every personal field gone', async () => {
    const { status, body } = await stack().api('GET', `/leads/${leadId}`, { as: 'admin' });
    expect(status).toBe(200);
    expect(body.lead).toMatchObject({ leadId, erased: true, erasedBy: 'admin', name: ERASED_NAME, stage: 'handed_over', ownerId: 'sales', lastActionResult: '興味あり', extra: {} });
    for (const field of ['nameKana', 'email', 'company', 'department', 'title', 'phone', 'mobile', 'memo', 'stageReason']) expect(body.lead[field]).toBeUndefined();
    expect(personalIn(body)).toEqual([]);
    expect(body.counts).toMatchObject({ campaigns: 1, actions: 2 });
  });

  test('leaves nothing personal in the lead, its histories, actions and events as stored, and no claim on its key', async () => {
    const partition = await queryAll<Record<string, unknown>>({ partition: keys.leadPartition(leadId) });
    // The lead's campaign set stays with its histories: campaign ids only, nothing of the person.
    expect(partition.map((i) => i.entity).sort()).toEqual(['Action', 'Action', 'CampaignMembership', 'Lead', 'LeadCampaigns', 'LeadEvent', 'LeadEvent']);
    expect(personalIn(partition)).toEqual([]);
    const actions = partition.filter((i) => i.entity === 'Action');
    expect(actions.every((a) => a.note === undefined && a.channel === 'phone' && a.result === '興味あり' && a.content === 'ヒアリング')).toBe(true);
    const history = partition.find((i) => i.entity === 'CampaignMembership')!;
    expect(history).toMatchObject({ responded: true, invited: false });
    // No index key that carries personal data, and no lead list finds it.
    const lead = partition.find((i) => i.entity === 'Lead')!;
    expect(Object.keys(lead).filter((k) => /^GSI\d/.test(k) || k === 'nameKey' || k === 'companyKey')).toEqual([]);
    expect(await getItem(keys.leadMatchKey(`e:${PERSON.email}`))).toBeUndefined();
    expect(await leadByEmail(PERSON.email)).toBeUndefined();
  });

  test('takes the person out of the notifications that named them, and keeps the others in a digest', async () => {
    const rep = await queryAll<Record<string, unknown>>({ partition: keys.userPartition('rep1'), sortPrefix: keys.notificationPrefix });
    const sales = await queryAll<Record<string, unknown>>({ partition: keys.userPartition('sales'), sortPrefix: keys.notificationPrefix });
    expect(rep.length + sales.length).toBeGreaterThanOrEqual(2);
    expect(sales.some((n) => n.kind === 'lead_handed_over')).toBe(true);
    expect(personalIn([...rep, ...sales])).toEqual([]);
    // The assignment digest still tells the rep of both leads; only the erased person's data left it.
    const digest = rep.find((n) => n.kind === 'leads_assigned')!;
    expect(digest).toMatchObject({ leadCount: 2, leadIds: expect.arrayContaining([leadId, otherId]) });
    const inApp = await stack().api('GET', '/me/notifications', { as: 'sales' });
    expect(personalIn(inApp.body)).toEqual([]);
    expect(inApp.body.items[0].title).toBe('リードの情報は消去されました');
  });

  test('keeps the campaign metrics exactly as they were: the erased lead still counts, anonymously', async () => {
    const after = (await stack().api('GET', `/campaigns/${campaignId}/metrics`, { as: 'marketing' })).body;
    expect(after).toEqual(before);
    const recount = (await stack().api('GET', `/campaigns/${campaignId}/metrics?recount=true`, { as: 'admin' })).body;
    expect(recount).toMatchObject({ responded: 2, newLeads: 2, actions: 2 });
  });

  test('is found by no lookup: name, company, campaign members, every list, an export', async () => {
    for (const query of [`name=${encodeURIComponent('鈴木')}`, `company=${encodeURIComponent('スズキ')}`, `campaignId=${campaignId}`, '', 'owner=sales', 'stage=handed_over', 'sort=name', 'sort=lastActionAt']) {
      const { status, body } = await stack().api('GET', `/leads?${query}`, { as: 'admin' });
      expect(status).toBe(200);
      expect(body.items.map((i: any) => i.leadId)).not.toContain(leadId);
    }
    const members = await stack().api('GET', `/leads?campaignId=${campaignId}`, { as: 'admin' });
    expect(members.body.items.map((i: any) => i.leadId)).toEqual([otherId]);

    const started = await stack().api('POST', '/exports', { as: 'admin', body: { filter: { campaignId }, format: 'csv' } });
    expect(started.status).toBe(202);
    await stack().intakeIdle();
    const done = await stack().api('GET', `/exports/${started.body.exportId}`, { as: 'admin' });
    expect(done.body).toMatchObject({ status: 'succeeded', rows: 1 });
    const file = await (await fetch(done.body.url)).text();
    expect(file).toContain('stays@example.com');
    expect(PERSONAL.filter((p) => file.includes(p))).toEqual([]);
    expect(file).not.toContain(leadId);
  });

  test('refuses every further write to the erased lead with 410 problem+json; assignment skips it', async () => {
    const patch = await stack().api('PATCH', `/leads/${leadId}`, { as: 'admin', body: { memo: '戻す', version: 99 } });
    expect(patch.status).toBe(410);
    expect(patch.headers.get('content-type')).toMatch(/problem\+json/);
    expect(patch.body).toMatchObject({ status: 410, title: 'Gone', leadId, erased: true });
    const action = await stack().api('POST', `/leads/${leadId}/actions`, { as: 'admin', body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'お礼', result: '不在' } });
    expect(action.status).toBe(410);
    const handover = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'admin', body: { ownerId: 'sales' } });
    expect(handover.status).toBe(410);
    const assign = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [leadId], ownerId: 'rep2' } });
    expect(assign.status).toBe(200);
    expect(assign.body).toMatchObject({ assigned: 0, skipped: [{ leadId, reason: 'erased' }] });
  });

  test('a later list with the same person, e-mail in full-width upper case, is rejected with the reason and creates nothing', async () => {
    const later = await newCampaign('翌月の展示会');
    const imported = await importList(
      later,
      'invitation',
      '招待.xlsx',
      await xlsx(
        [
          ['鈴木　一朗', '', 'ＳＵＺＵＫＩ．ＩＣＨＩＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ', '株式会社スズキ商会', '', '', ''],
          ['新しい 人', '', 'new.person@example.com', '株式会社アタラシ', '', '', ''],
          ['鈴木 一朗', '', ' Suzuki.Ichiro@Example.com ', '', '', '', ''],
        ],
        HEADER,
      ),
    );
    expect(imported).toMatchObject({ status: 'completed_with_errors', counts: { rows: 3, created: 1, matched: 0, rejected: 2, merged: 0 } });
    expect(await leadByEmail(PERSON.email)).toBeUndefined();
    expect(await metrics(later)).toMatchObject({ invited: 1, newLeads: 1 });
    const link = await stack().api('GET', `/imports/${imported.importId}/rejections`, { as: 'marketing' });
    const sheets = await readWorkbook(await (await fetch(link.body.url)).arrayBuffer());
    const rejected = sheets.get('取り込めなかった行')!;
    expect(rejected.slice(1).map((r) => [r[0], r[1]])).toEqual([
      [2, '消去依頼により登録できません'],
      [4, '消去依頼により登録できません'],
    ]);
    const found = await stack().api('GET', `/leads?name=${encodeURIComponent('鈴木')}`, { as: 'admin' });
    expect(found.body.items).toEqual([]);
  });

  test("no edit brings the person back under another lead: a PATCH or an update list giving it their e-mail is refused", async () => {
    const other = (await stack().api('GET', `/leads/${otherId}`, { as: 'admin' })).body.lead;
    const patched = await stack().api('PATCH', `/leads/${otherId}`, { as: 'manager', body: { email: 'ＳＵＺＵＫＩ．ＩＣＨＩＲＯ＠ＥＸＡＭＰＬＥ．ＣＯＭ', version: other.version } });
    expect(patched.status).toBe(422);
    expect(patched.body.errors).toEqual([{ path: 'body.email', message: 'erased on request' }]);

    const listed = await importList(campaignId, 'update', '更新.xlsx', await xlsx([[otherId, ' Suzuki.Ichiro@Example.com ']], ['リードID', 'メールアドレス']));
    expect(listed).toMatchObject({ counts: { rows: 1, updated: 0, rejected: 1 } });
    const link = await stack().api('GET', `/imports/${listed.importId}/rejections`, { as: 'marketing' });
    const rejected = (await readWorkbook(await (await fetch(link.body.url)).arrayBuffer())).get('取り込めなかった行')!;
    expect(String(rejected[1]![1])).toMatch(/^消去依頼により登録できません/);

    const after = (await stack().api('GET', `/leads/${otherId}`, { as: 'admin' })).body.lead;
    expect(after).toMatchObject({ email: other.email, version: other.version });
    expect(await leadByEmail(PERSON.email)).toBeUndefined();
  });
});

describe('an erasure interrupted midway', () => {
  test('blocks the lead at once, and finishes when the DELETE is retried; 250 actions take several transactions', async () => {
    const imported = await importList(campaignId, 'participant', '追加.xlsx', await xlsx([['途中 次郎', '', 'halfway@example.com', '株式会社トチュウ', '', '', '']], HEADER));
    expect(imported.counts).toMatchObject({ created: 1 });
    const id = (await leadByEmail('halfway@example.com'))!.leadId;
    // Written straight to the table: the action route has tests of its own, and 250 of them would be slow.
    const actions = Array.from({ length: 250 }, (_, i) => ({
      actionId: ulid(),
      leadId: id,
      campaignId,
      actorId: 'rep1',
      at: new Date(Date.UTC(2025, 0, 1, 0, i)).toISOString(),
      channel: 'phone' as const,
      content: 'ヒアリング',
      result: '不在',
      note: `途中様メモ ${i}`,
      createdAt: new Date().toISOString(),
    }));
    await batchWrite(actions.map((a) => putRequest(actionItem(a))), { concurrency: 4 });

    const crash = failing(FAULT_POINTS.erasureStep, (reached) => (reached === 2 ? 'the function died' : undefined));
    try {
      expect((await stack().api('DELETE', `/leads/${id}`, { as: 'admin' })).status).toBe(500);
    } finally {
      crash.restore();
    }
    const halfway = await queryAll<Record<string, unknown>>({ partition: keys.leadPartition(id), sortPrefix: keys.actionPrefix });
    const scrubbed = halfway.filter((a) => a.note === undefined).length;
    expect(scrubbed).toBeGreaterThanOrEqual(100);
    expect(scrubbed).toBeLessThan(250);
    // Not erased yet, but nothing may be written about the person meanwhile.
    const lead = (await stack().api('GET', `/leads/${id}`, { as: 'admin' })).body.lead;
    expect(lead.erased).toBeUndefined();
    expect((await stack().api('PATCH', `/leads/${id}`, { as: 'admin', body: { memo: 'x', version: lead.version } })).status).toBe(410);

    const retried = await stack().api('DELETE', `/leads/${id}`, { as: 'admin' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ leadId: id, erased: true, erasedBy: 'admin' });
    const after = await queryAll<Record<string, unknown>>({ partition: keys.leadPartition(id) });
    expect(after.filter((i) => i.entity === 'Action')).toHaveLength(250);
    expect(JSON.stringify(after)).not.toMatch(/途中|halfway|トチュウ/);
    expect(await getItem(keys.leadMatchKey('e:halfway@example.com'))).toBeUndefined();
    expect((await stack().api('GET', `/campaigns/${campaignId}/metrics?recount=true`, { as: 'admin' })).body).toMatchObject({ responded: 3, newLeads: 3 });
  }, 60_000);
});
