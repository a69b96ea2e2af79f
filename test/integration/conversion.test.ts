import { getLead, saveLead } from '../../lib/leads/repository';
import type { Lead } from '../../lib/leads/model';
import { getItem, type Item } from '../../lib/table/client';
import { queryAll } from '../../lib/table/queries';
import { keys } from '../../lib/table/keys';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';

const stack = useLocalStack();

/** Six seminar participants; rep1 owns p0–p3, rep2 owns p4, p5 has no company. */
let seminar: string;
let webinar: string;
const ids: string[] = [];

async function setLead(leadId: string, change: Partial<Lead>) {
  const found = (await getLead(leadId))!;
  await saveLead(found.lead, { ...found.lead, ...change, updatedAt: new Date().toISOString(), version: found.lead.version + 1 });
}

const lead = async (leadId: string) => (await stack().api('GET', `/leads/${leadId}`, { as: 'admin' })).body;

const partition = (pk: string, prefix: string): Promise<Item[]> => queryAll<Item>({ partition: pk, sortPrefix: prefix });
const notificationsOf = (userId: string) => partition(keys.userPartition(userId), keys.notificationPrefix);

const conversion = (extra: Record<string, unknown> = {}) => ({
  campaignId: seminar,
  account: { new: {} },
  deal: { name: '基幹刷新案件', ownerId: 'sales', amountJpy: 3_000_000, expectedCloseDate: '2027-03-31', stage: '提案' },
  notify: true,
  ...extra,
});

beforeAll(async () => {
  for (const [name, type] of [['SFA活用セミナー', 'seminar'], ['別のウェビナー', 'webinar']] as const) {
    const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, type, startDate: '2026-09-01', endDate: '2026-09-01' } });
    if (type === 'seminar') seminar = body.campaignId;
    else webinar = body.campaignId;
  }
  const people = [
    ['田中 一郎', 'c0@example.com', '株式会社ミライ商事', '情報システム部', '部長', '03-1111-2222'],
    ['田中 二郎', 'c1@example.com', '(株)ミライ商事', '経理部', '', ''],
    ['田中 三郎', 'c2@example.com', 'ヒカリ工業', '', '', ''],
    ['田中 四郎', 'c3@example.com', 'ヒカリ工業', '', '', ''],
    ['田中 五郎', 'c4@example.com', 'ソラ電機', '', '', ''],
    ['田中 六郎', 'c5@example.com', '', '', '', ''],
  ];
  await stack().upload(`imports/${seminar}/participant/seminar.xlsx`, await xlsx(people));
  for (const person of people) {
    const page = await stack().api('GET', `/leads?name=${encodeURIComponent(person[0]!)}`, { as: 'admin' });
    ids.push(page.body.items[0].leadId);
  }
  for (let i = 0; i < 6; i++) await setLead(ids[i]!, { ownerId: i === 4 ? 'rep2' : 'rep1' });
  // Some history for the owner's e-mail, one with a name that must stay text in HTML.
  for (const [i, result] of ['不在', '興味あり', 'アポ獲得'].entries()) {
    const logged = await stack().api('POST', `/leads/${ids[0]}/actions`, {
      as: 'rep1',
      body: { campaignId: seminar, at: `2026-09-0${i + 2}T10:00:00+09:00`, channel: i === 2 ? 'web_meeting' : 'phone', content: 'ヒアリング', result, note: i === 2 ? '<b>予算</b>あり' : undefined },
    });
    expect(logged.status).toBe(201);
  }
}, 60_000);

/** The first conversion's answer, which later tests build on. */
let first: any;

describe('POST /leads/{id}/convert', () => {
  test('creates the account (the lead company by default), the deal and the links, converts the lead, notifies the owner once', async () => {
    const before = await lead(ids[0]!);
    const converted = await stack().api('POST', `/leads/${ids[0]}/convert`, { as: 'rep1', headers: { 'idempotency-key': 'convert-c0' }, body: conversion() });
    expect(converted.status).toBe(201);
    first = converted.body;
    expect(first.account).toMatchObject({ name: '株式会社ミライ商事', createdBy: 'rep1' });
    expect(first.deal).toMatchObject({
      name: '基幹刷新案件',
      accountId: first.account.accountId,
      leadId: ids[0],
      campaignId: seminar,
      ownerId: 'sales',
      amountJpy: 3_000_000,
      expectedCloseDate: '2027-03-31',
      stage: '提案',
      status: 'open',
      version: 1,
    });
    expect(converted.headers.get('location')).toBe(`/deals/${first.deal.dealId}`);
    expect(first.lead).toEqual({ leadId: ids[0], stage: 'converted', accountId: first.account.accountId, dealIds: [first.deal.dealId], version: before.version + 1 });

    const after = await lead(ids[0]!);
    expect(after.lead).toMatchObject({ stage: 'converted', accountId: first.account.accountId, dealIds: [first.deal.dealId] });
    expect(after.counts).toMatchObject({ deals: 1, accounts: 1 });
    const listed = await stack().api('GET', `/leads?owner=rep1&stage=converted`, { as: 'rep1' });
    expect(listed.body.items.find((l: { leadId: string }) => l.leadId === ids[0]).counts).toMatchObject({ openDeals: 1, wonDeals: 0 });
    expect((await stack().api('GET', `/deals/${first.deal.dealId}`, { as: 'marketing' })).body).toEqual(first.deal);
    expect((await getItem(keys.campaignMetrics(seminar)))?.deals).toBe(1);

    const events = await partition(keys.leadPartition(ids[0]!), keys.leadEventPrefix);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'converted', actorId: 'rep1', dealId: first.deal.dealId, accountId: first.account.accountId, leadId: ids[0] });
    // The history route shows it too, within its declared schema (the stack checks every reply against it).
    const history = await stack().api('GET', `/leads/${ids[0]}/history`, { as: 'rep1' });
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'converted', dealId: first.deal.dealId, campaignId: seminar })]);

    const notifications = await notificationsOf('sales');
    expect(notifications).toHaveLength(1);
    const [notification] = notifications;
    expect(notification).toMatchObject({
      notificationId: first.notificationId,
      userId: 'sales',
      kind: 'deal_assigned',
      dealId: first.deal.dealId,
      leadIds: [ids[0]],
      read: false,
      link: `http://localhost:3000/deals/${first.deal.dealId}`,
    });
    // The dispatcher sends it through SES: exactly one e-mail to the deal owner.
    await stack().outboxIdle();
    const sent = (await stack().sentMail()).filter((m) => m.subject.startsWith('【案件化】'));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.destination.to).toEqual(['sales@example.com']);
    // The mail as the owner reads it in the inbox (the stored notification drops its rendered copy once sent).
    const mail = { subject: sent[0]!.subject, text: sent[0]!.body.text ?? '', html: sent[0]!.body.html ?? '' };
    expect(mail.subject).toBe('【案件化】基幹刷新案件（株式会社ミライ商事）');
    expect(mail.text).toContain('営業 四郎 様');
    expect(mail.text).toContain('金額: 3,000,000円');
    expect(mail.text).toContain('キャンペーン名: SFA活用セミナー');
    expect(mail.text).toContain('電話番号: 03-1111-2222');
    // The lead's actions, newest first.
    const rows = mail.text.split('\n').filter((line) => line.startsWith('・2026/'));
    expect(rows).toHaveLength(3);
    expect(rows[0]).toBe('・2026/09/04 10:00 / Web会議 / ヒアリング / アポ獲得 / 担当 二郎 / <b>予算</b>あり');
    expect(rows[2]).toBe('・2026/09/02 10:00 / 電話 / ヒアリング / 不在 / 担当 二郎 / 新規→対応中');
    expect(mail.html).toContain('&lt;b&gt;予算&lt;/b&gt;あり');
    expect((await getItem(keys.notificationCounter('sales')))?.unread).toBe(1);
  });

  test('a retry with the same Idempotency-Key answers the first result and creates nothing; without a key it is refused', async () => {
    const replay = await stack().api('POST', `/leads/${ids[0]}/convert`, { as: 'rep1', headers: { 'idempotency-key': 'convert-c0' }, body: conversion() });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first);

    const again = await stack().api('POST', `/leads/${ids[0]}/convert`, { as: 'rep1', body: conversion() });
    expect(again.status).toBe(409);
    expect(again.body.detail).toMatch(/already converted/);
    expect(again.body.dealIds).toEqual([first.deal.dealId]);
    const otherBody = await stack().api('POST', `/leads/${ids[0]}/convert`, { as: 'rep1', headers: { 'idempotency-key': 'convert-c0' }, body: conversion({ notify: false }) });
    expect(otherBody.status).toBe(422);

    const deals = await stack().api('GET', `/deals?campaignId=${seminar}`, { as: 'manager' });
    expect(deals.body.items.map((d: { dealId: string }) => d.dealId)).toEqual([first.deal.dealId]);
    expect(await notificationsOf('sales')).toHaveLength(1);
    expect((await getItem(keys.campaignMetrics(seminar)))?.deals).toBe(1);
    expect(await partition(keys.accountPartition(first.account.accountId), keys.accountContactPrefix)).toHaveLength(1);
  });

  test('a double click without a key converts once', async () => {
    const [a, b] = await Promise.all([
      stack().api('POST', `/leads/${ids[2]}/convert`, { as: 'rep1', body: conversion({ deal: { name: 'ヒカリ案件A', ownerId: 'rep1' }, notify: false }) }),
      stack().api('POST', `/leads/${ids[2]}/convert`, { as: 'rep1', body: conversion({ deal: { name: 'ヒカリ案件A', ownerId: 'rep1' }, notify: false, force: true }) }),
    ]);
    expect([a.status, b.status].sort()).toEqual([201, 409]);
    const deals = await stack().api('GET', `/deals?campaignId=${seminar}&ownerId=rep1`, { as: 'manager' });
    expect(deals.body.items).toHaveLength(1);
    expect((await lead(ids[2]!)).lead.dealIds).toHaveLength(1);
    expect((await getItem(keys.campaignMetrics(seminar)))?.deals).toBe(2);
  });

  test('a new account whose normalised name exists is a 409 with the candidates; an existing account or force resolves it', async () => {
    const duplicate = await stack().api('POST', `/leads/${ids[1]}/convert`, { as: 'manager', body: conversion({ notify: false }) });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.candidates).toEqual([first.account]);
    expect((await lead(ids[1]!)).lead.stage).not.toBe('converted');

    const linked = await stack().api('POST', `/leads/${ids[1]}/convert`, {
      as: 'manager',
      body: conversion({ account: { id: first.account.accountId }, deal: { name: '経理システム案件', ownerId: 'sales', amountJpy: 800_000 }, notify: false }),
    });
    expect(linked.status).toBe(201);
    expect(linked.body.account).toEqual(first.account);
    expect(linked.body.notificationId).toBeUndefined();
    expect(await notificationsOf('sales')).toHaveLength(1);

    const account = await stack().api('GET', `/accounts/${first.account.accountId}`, { as: 'rep2' });
    expect(account.status).toBe(200);
    expect(account.body.contacts.map((c: { leadId: string }) => c.leadId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(account.body.contacts.find((c: { leadId: string }) => c.leadId === ids[0])).toMatchObject({ name: '田中 一郎', stage: 'converted', title: '部長' });
    expect(account.body.deals.map((d: { dealId: string }) => d.dealId)).toEqual([linked.body.deal.dealId, first.deal.dealId]);

    const forced = await stack().api('POST', `/leads/${ids[3]}/convert`, {
      as: 'rep1',
      body: conversion({ account: { new: { name: 'ヒカリ工業株式会社', domain: 'Hikari.example.co.jp' } }, deal: { name: 'ヒカリ案件B', ownerId: 'sales' }, notify: false }),
    });
    expect(forced.status).toBe(409);
    const forcedAgain = await stack().api('POST', `/leads/${ids[3]}/convert`, {
      as: 'rep1',
      body: conversion({ account: { new: { name: 'ヒカリ工業株式会社', domain: 'Hikari.example.co.jp' } }, deal: { name: 'ヒカリ案件B', ownerId: 'sales' }, notify: false, force: true }),
    });
    expect(forcedAgain.status).toBe(201);
    expect(forcedAgain.body.account).toMatchObject({ name: 'ヒカリ工業株式会社', domain: 'hikari.example.co.jp' });
  });

  test('rules: the campaign must be the lead\'s, the owner an active sales/rep/manager user, ownership and choices respected', async () => {
    const post = (as: string, body: unknown, leadId = ids[4]!) => stack().api('POST', `/leads/${leadId}/convert`, { as, body });
    const body = conversion({ account: { new: { name: 'ソラ電機' } }, notify: false });
    const notItsCampaign = await post('rep2', { ...body, campaignId: webinar });
    expect(notItsCampaign.status).toBe(422);
    expect(notItsCampaign.body.errors[0].path).toBe('body.campaignId');
    for (const ownerId of ['marketing', 'agent', 'nobody']) {
      const refused = await post('rep2', { ...body, deal: { name: 'x', ownerId } });
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].path).toBe('body.deal.ownerId');
    }
    expect((await post('rep2', { ...body, deal: { name: 'x', ownerId: 'sales', stage: '妄想' } })).body.errors[0].path).toBe('body.deal.stage');
    expect((await post('rep2', { ...body, account: { id: '01NOSUCHACCOUNT00000000000' } })).body.errors[0].path).toBe('body.account.id');
    expect((await post('rep2', { ...body, deal: { name: 'x', ownerId: 'sales', amountJpy: 1.5 } })).status).toBe(422);
    expect((await post('rep1', body)).status).toBe(403);
    expect((await post('agent', body)).status).toBe(403);
    expect((await post('marketing', body)).status).toBe(403);
    const noCompany = await post('rep1', conversion({ notify: false }), ids[5]);
    expect(noCompany.status).toBe(422);
    expect(noCompany.body.errors[0].path).toBe('body.account.new.name');
    expect((await lead(ids[4]!)).lead.stage).toBe('new');
    // Refused after its Idempotency-Key was taken: the key's record goes with the refusal (it used to stay, expired at
    // 0, which TTL never deletes), and the same key with the mistake corrected then converts.
    const keyed = { 'idempotency-key': 'convert-refused-then-fixed' };
    const refusedWithKey = await stack().api('POST', `/leads/${ids[4]}/convert`, { as: 'rep2', headers: keyed, body: { ...body, deal: { name: 'x', ownerId: 'sales', stage: '妄想' } } });
    expect(refusedWithKey.status).toBe(422);
    expect(await getItem(keys.idempotency('rep2', `POST /leads/${ids[4]}/convert`, keyed['idempotency-key']))).toBeUndefined();
    expect((await stack().api('POST', `/leads/${ids[4]}/convert`, { as: 'rep2', headers: keyed, body })).status).toBe(201);
  });
});

describe('deals and accounts', () => {
  test('lists pick their index and filter the rest, newest first, page by page', async () => {
    const all = await stack().api('GET', '/deals?limit=2', { as: 'rep1' });
    expect(all.body.items).toHaveLength(2);
    const rest = await stack().api('GET', `/deals?limit=50&cursor=${encodeURIComponent(all.body.nextCursor)}`, { as: 'rep1' });
    const every = [...all.body.items, ...rest.body.items].map((d) => d.dealId);
    expect(every).toHaveLength(5);
    expect(every).toEqual([...every].sort().reverse());
    expect((await stack().api('GET', '/deals?ownerId=sales', { as: 'manager' })).body.items).toHaveLength(4);
    expect((await stack().api('GET', '/deals?ownerId=me', { as: 'sales' })).body.items).toHaveLength(4);
    expect((await stack().api('GET', '/deals?status=open&ownerId=rep1', { as: 'manager' })).body.items).toHaveLength(1);
    expect((await stack().api('GET', '/deals?status=won', { as: 'manager' })).body.items).toHaveLength(0);
    expect((await stack().api('GET', `/deals?campaignId=${webinar}`, { as: 'manager' })).body.items).toHaveLength(0);
    expect((await stack().api('GET', '/deals', { as: 'agent' })).status).toBe(403);
    expect((await stack().api('GET', '/deals/01NOSUCHDEAL00000000000000', { as: 'manager' })).status).toBe(404);
  });

  test('PATCH /deals/{id}: at its version, by its owner or a manager; won and lost close it, and a reopen is possible', async () => {
    const dealId = first.deal.dealId;
    const staleFree = await stack().api('PATCH', `/deals/${dealId}`, { as: 'sales', body: { stage: '交渉' } });
    expect(staleFree.status).toBe(422);
    expect((await stack().api('PATCH', `/deals/${dealId}`, { as: 'rep1', body: { version: 1, stage: '交渉' } })).status).toBe(403);
    expect((await stack().api('PATCH', `/deals/${dealId}`, { as: 'sales', body: { version: 1, stage: '夢' } })).status).toBe(422);
    const won = await stack().api('PATCH', `/deals/${dealId}`, { as: 'sales', headers: { 'if-match': '"1"' }, body: { status: 'won', amountJpy: 3_200_000 } });
    expect(won.status).toBe(200);
    expect(won.body).toMatchObject({ status: 'won', amountJpy: 3_200_000, version: 2 });
    expect(won.body.closedAt).toBeDefined();
    expect(won.headers.get('etag')).toBe('"2"');
    const stale = await stack().api('PATCH', `/deals/${dealId}`, { as: 'manager', body: { version: 1, status: 'lost' } });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(2);

    const listed = await stack().api('GET', `/leads?owner=rep1&stage=converted`, { as: 'rep1' });
    expect(listed.body.items.find((l: { leadId: string }) => l.leadId === ids[0]).counts).toMatchObject({ openDeals: 0, wonDeals: 1 });
    expect((await stack().api('GET', '/deals?status=won', { as: 'manager' })).body.items.map((d: { dealId: string }) => d.dealId)).toEqual([dealId]);

    const reopened = await stack().api('PATCH', `/deals/${dealId}`, { as: 'manager', body: { version: 2, status: 'open', expectedCloseDate: null } });
    expect(reopened.body).toMatchObject({ status: 'open', version: 3 });
    expect(reopened.body.closedAt).toBeUndefined();
    expect(reopened.body.expectedCloseDate).toBeUndefined();
  });

  test('GET /accounts?name= ignores width, case, spaces and legal forms', async () => {
    const names = async (q: string) => (await stack().api('GET', `/accounts?name=${encodeURIComponent(q)}`, { as: 'sales' })).body.items.map((a: { name: string }) => a.name).sort();
    expect(await names('ﾐﾗｲ')).toEqual(['株式会社ミライ商事']);
    expect(await names('㈱ ミライ商事')).toEqual(['株式会社ミライ商事']);
    expect(await names('ヒカリ工業')).toEqual(['ヒカリ工業', 'ヒカリ工業株式会社']);
    expect(await names('ソラ')).toEqual(['ソラ電機']);
    expect(await names('ない会社')).toEqual([]);
    expect((await stack().api('GET', '/accounts', { as: 'sales' })).body.items).toHaveLength(4);
    expect((await stack().api('GET', '/accounts/01NOSUCHACCOUNT00000000000', { as: 'sales' })).status).toBe(404);
    expect((await stack().api('GET', '/accounts', { as: 'agent' })).status).toBe(403);
  });
});
