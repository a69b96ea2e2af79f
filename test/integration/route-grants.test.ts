import { ROUTE_GROUP_GRANTS } from '../../infra/route-group-grants';
import { newId } from '../../lib/ids';
import { routeKey, type RouteGroup } from '../../lib/http/route';
import { ROUTE_GROUPS, ROUTES } from '../../lib/http/routes';
import { useLocalStack } from '../support/local-stack';
import { intakeHelpers } from '../support/intake';
import { xlsx } from '../support/lists';
import { allows, itemGrantsOf, recordTableUse, type TableUse } from '../support/table-usage';

/**
 * Every route, driven through the local stack along the paths that touch the table differently (each lead list
 * index, the e-mail and phone look-ups, a lead made by hand, new or attached to, a lead edit that moves the dedupe
 * key or a phone's look-up entries, each form of assignment, a conversion with a new and with an existing account, a
 * recount, replays of Idempotency-Keys), with every table call recorded against the group whose handler made it. Each call must be allowed by that group's
 * grants (infra/route-group-grants.ts), read as IAM reads them: locally nothing enforces IAM, so a grant missing
 * there would only show in production. And each grant must be used: a grant nothing here needs is wider than the
 * routes.
 */

const stack = useLocalStack();
let recorder: ReturnType<typeof recordTableUse>;

type Api = ReturnType<typeof stack>['api'];
const call = async (expected: number, ...args: Parameters<Api>) => {
  const response = await stack().api(...args);
  if (response.status !== expected) throw new Error(`${args[0]} ${args[1]} answered ${response.status}, not ${expected}: ${JSON.stringify(response.body)}`);
  return response.body;
};

/**
 * Grants no call here can reach, each with why. Anything else granted and never used fails the test.
 */
const UNREACHED: Partial<Record<RouteGroup, { action: string; partition: string; why: string }[]>> = {};
/**
 * lib/http/idempotency.ts keeps a first answer over 100 KB in parts beside its record (BatchWriteItem) and reads them
 * back for a replay (Query). Only an assignment answers that much (here: thousands of skipped leads); an upload, an
 * export or a conversion answers a few KB. Their groups keep the parts' grant all the same: the record is one code
 * path for every idempotent route, and an answer that grew would otherwise fail only in production.
 */
const IDEMPOTENT_PARTS = [
  { action: 'BatchWriteItem', partition: 'idempotency', why: 'no answer of this group reaches 100 KB' },
  { action: 'Query', partition: 'idempotency', why: 'no answer of this group reaches 100 KB' },
];
for (const group of ['imports', 'exports', 'deals', 'actions'] as const) UNREACHED[group] = [...IDEMPOTENT_PARTS];
UNREACHED.exports!.push({ action: 'DeleteItem', partition: 'idempotency', why: 'a valid export request is refused only when its worker fails to start' });

beforeAll(async () => {
  const { httpHandlers } = await import('../../functions/http/index');
  recorder = recordTableUse(httpHandlers as never);
});
afterAll(() => recorder?.stop());

describe('the table calls of every route group', () => {
  const ids: Record<string, string> = {};

  test('system and users', async () => {
    await call(200, 'GET', '/health');
    await call(200, 'GET', '/openapi.json');
    await call(200, 'GET', '/docs');
    await call(200, 'GET', '/docs/assets/swagger-ui.css');
    await call(404, 'GET', '/docs/assets/nothing.js');
    const created = await call(201, 'POST', '/users', { as: 'admin', body: { userId: 'sales2', name: '営業 六郎', email: 'sales2@example.com', role: 'sales' } });
    await call(200, 'GET', '/users', { as: 'admin' });
    await call(200, 'GET', '/users?role=sales&limit=1', { as: 'admin' });
    await call(200, 'GET', '/users/sales2', { as: 'admin' });
    const renamed = await call(200, 'PATCH', '/users/sales2', { as: 'admin', body: { name: '営業 六朗', version: created.version } });
    // A new e-mail moves its uniqueness guard: put the new one, delete the old one, in one transaction.
    await call(200, 'PATCH', '/users/sales2', { as: 'admin', body: { email: 'sales2-new@example.com', version: renamed.version } });
    await call(409, 'PATCH', '/users/sales2', { as: 'admin', body: { name: 'x', version: 1 } });
  });

  test('campaigns', async () => {
    const seminar = await call(201, 'POST', '/campaigns', { as: 'marketing', body: { name: 'DXセミナー', type: 'seminar', status: 'active', budgetJpy: 500_000 } });
    const webinar = await call(201, 'POST', '/campaigns', { as: 'marketing', body: { name: '別のウェビナー', type: 'webinar' } });
    ids.seminar = seminar.campaignId;
    ids.webinar = webinar.campaignId;
    await call(200, 'GET', '/campaigns?limit=1', { as: 'rep1' });
    await call(200, 'GET', '/campaigns?status=active', { as: 'rep1' });
    await call(200, 'GET', '/campaigns?status=active,planned', { as: 'rep1' });
    await call(200, 'GET', `/campaigns/${ids.seminar}`, { as: 'rep1' });
    await call(200, 'PATCH', `/campaigns/${ids.seminar}`, { as: 'marketing', body: { actualCostJpy: 200_000, version: seminar.version } });
  });

  test('imports', async () => {
    const request = { campaignId: ids.seminar, kind: 'participant', fileName: '参加者.xlsx' };
    const headers = { 'idempotency-key': 'grants-import' };
    const upload = await call(201, 'POST', '/imports', { as: 'marketing', headers, body: request });
    await call(201, 'POST', '/imports', { as: 'marketing', headers, body: request });
    await call(404, 'GET', `/imports/${upload.importId}/rejections`, { as: 'marketing' });
    // Refused after taking its key (no such campaign): the record is deleted.
    await call(422, 'POST', '/imports', { as: 'marketing', headers: { 'idempotency-key': 'grants-import-refused' }, body: { ...request, campaignId: 'no-such-campaign' } });

    const people = [
      ['田中 一郎', 'g0@example.com', '株式会社ミライ商事', '情報システム部', '部長', '03-1111-2222'],
      ['田中 二郎', 'g1@example.com', '(株)ミライ商事', '経理部', '', ''],
      ['田中 三郎', 'g2@example.com', 'ヒカリ工業', '', '', ''],
      ['田中 四郎', 'g3@example.com', 'ヒカリ工業', '', '', ''],
      ['田中 五郎', 'g4@example.com', 'ソラ電機', '', '', ''],
      ['田中 六郎', 'g5@example.com', 'ソラ電機', '', '', ''],
      ['', '', '', '', '', ''],
      ['', 'nobody@example.com', '名無し', '', '', ''],
    ];
    await stack().upload(`imports/${ids.seminar}/participant/list.xlsx`, await xlsx(people));
    const imports = await call(200, 'GET', `/imports?campaignId=${ids.seminar}`, { as: 'marketing' });
    await call(200, 'GET', '/imports?limit=1', { as: 'marketing' });
    const done = imports.items.find((i: { key: string }) => i.key.endsWith('list.xlsx'));
    await call(200, 'GET', `/imports/${done.importId}`, { as: 'marketing' });
    await call(200, 'GET', `/imports/${done.importId}/rejections`, { as: 'marketing' });
  });

  test('leads: every list index, the detail, edits, history', async () => {
    const all = await call(200, 'GET', '/leads?limit=50', { as: 'admin' });
    expect(all.items).toHaveLength(6);
    for (const item of all.items) ids[item.name.slice(3)] = item.leadId;
    await call(200, 'GET', '/leads?limit=2', { as: 'admin' });
    await call(200, 'GET', '/leads?owner=unassigned', { as: 'admin' });
    await call(200, 'GET', '/leads?owner=unassigned&stage=new', { as: 'admin' });
    await call(200, 'GET', '/leads?stage=new,working', { as: 'admin' });
    await call(200, 'GET', `/leads?campaignId=${ids.seminar}&responded=true&stage=new`, { as: 'admin' });
    await call(200, 'GET', `/leads?name=${encodeURIComponent('田中')}`, { as: 'admin' });
    await call(200, 'GET', '/leads?sort=lastActionAt', { as: 'admin' });
    await call(200, 'GET', '/leads?sort=nextActionAt', { as: 'admin' });
    await call(200, 'GET', '/leads?sort=nextActionAt&owner=me', { as: 'rep1' });
    await call(200, 'GET', '/me/queue', { as: 'rep1' });
    await call(200, 'GET', '/leads?owner=me', { as: 'agent' });
    // The exact look-ups: the e-mail's dedupe-key claim (LEADKEY#), then the lead; a phone's look-up entries (GSI4),
    // then their leads.
    await call(200, 'GET', `/leads?email=${encodeURIComponent('Ｇ０＠example.com')}`, { as: 'admin' });
    await call(200, 'GET', `/leads?phone=${encodeURIComponent('０３（１１１１）２２２２')}`, { as: 'admin' });
    await call(200, 'GET', '/leads?phone=0311112222', { as: 'agent' });

    const leadId = ids.六郎!;
    const detail = await call(200, 'GET', `/leads/${leadId}`, { as: 'admin' });
    const edited = await call(200, 'PATCH', `/leads/${leadId}`, { as: 'admin', body: { memo: 'メモ', version: detail.version } });
    // A new e-mail moves the lead's dedupe-key claim, in one transaction with the lead.
    await call(200, 'PATCH', `/leads/${leadId}`, { as: 'admin', body: { email: 'g5-new@example.com', version: edited.version } });
    // A new phone moves the lead's look-up entries, in one transaction with the lead.
    const current = await call(200, 'GET', `/leads/${leadId}`, { as: 'admin' });
    await call(200, 'PATCH', `/leads/${leadId}`, { as: 'admin', body: { phone: '06-1234-5678', version: current.version } });
    await call(409, 'PATCH', `/leads/${leadId}`, { as: 'admin', body: { memo: 'x', version: 1 } });
    await call(200, 'GET', `/leads/${leadId}/campaigns`, { as: 'admin' });
    await call(200, 'GET', `/leads/${leadId}/history`, { as: 'admin' });
  });

  test('leads: one by hand, new, refused as a duplicate, attached, replayed', async () => {
    // A new person with a campaign: claim, lead, look-up entry, event, history, counters and the intake lock's check
    // in one transaction.
    const headers = { 'idempotency-key': 'grants-create-lead' };
    const inquiry = { name: '問合 一郎', email: 'grants-hand@example.com', company: '問合せ商事', phone: '03-5555-0000', campaignId: ids.webinar };
    const created = await call(201, 'POST', '/leads', { as: 'rep1', headers, body: inquiry });
    await call(201, 'POST', '/leads', { as: 'rep1', headers, body: inquiry });
    // Without a campaign, by a manager for an owner it names.
    await call(201, 'POST', '/leads', { as: 'manager', body: { name: '問合 二郎', email: 'grants-hand2@example.com', ownerId: 'rep2' } });
    // The same person again: refused, naming the lead (after taking its key, which goes).
    await call(409, 'POST', '/leads', { as: 'rep1', headers: { 'idempotency-key': 'grants-create-lead-refused' }, body: { ...inquiry, campaignId: undefined } });
    // A known person attached to a campaign it has no history of: the history, the counters, the lock's check; then
    // the history follows the lead's owner.
    await call(200, 'POST', '/leads', { as: 'marketing', body: { name: '田中 三郎', email: 'G2@example.com', campaignId: ids.webinar, onDuplicate: 'attach' } });
    await call(200, 'GET', `/leads/${created.leadId}/history`, { as: 'rep1' });
  });

  test('leads: assignment in every form, hand-over', async () => {
    const headers = { 'idempotency-key': 'grants-assign' };
    const byIds = { leadIds: [ids.一郎, ids.二郎], ownerId: 'rep1' };
    await call(200, 'POST', '/leads/assign', { as: 'manager', headers, body: byIds });
    await call(200, 'POST', '/leads/assign', { as: 'manager', headers, body: byIds });
    const filter = { campaignId: ids.seminar, owner: 'unassigned' };
    await call(200, 'POST', '/leads/assign', { as: 'manager', body: { filter, ownerIds: ['rep1', 'rep2'], strategy: 'balanced', dryRun: true } });
    await call(200, 'POST', '/leads/assign', { as: 'manager', body: { filter: { ...filter, name: '田中 三' }, ownerIds: ['rep1', 'rep2'], strategy: 'balanced' } });
    await call(200, 'POST', '/leads/assign', { as: 'manager', body: { filter, ownerIds: ['rep1', 'rep2'], strategy: 'round_robin' } });
    await call(200, 'GET', '/leads?owner=me&stage=new', { as: 'rep1' });

    // An answer over 100 KB (3,000 leads skipped as unknown) is kept in parts, and a replay reads them back.
    const unknown = { leadIds: Array.from({ length: 3000 }, () => newId()), ownerId: 'rep2' };
    const large = { 'idempotency-key': 'grants-assign-large' };
    const first = await call(200, 'POST', '/leads/assign', { as: 'manager', headers: large, body: unknown });
    expect(first.skipped).toHaveLength(3000);
    await call(200, 'POST', '/leads/assign', { as: 'manager', headers: large, body: unknown });

    const handedOver = ids.二郎!;
    await call(200, 'POST', `/leads/${handedOver}/handover`, { as: 'rep1', headers: { 'idempotency-key': 'grants-handover' }, body: { ownerId: 'sales', note: '引継ぎ' } });
    // Refused after taking its key (the lead has moved on since version 1): the record is deleted.
    await call(409, 'POST', `/leads/${handedOver}/handover`, { as: 'manager', headers: { 'idempotency-key': 'grants-handover-stale' }, body: { ownerId: 'sales', version: 1 } });
    await call(200, 'GET', `/leads/${handedOver}/history`, { as: 'sales' });

    // An agent's campaigns come through the histories of its own leads, which follow the lead's owner.
    await call(200, 'POST', '/leads/assign', { as: 'manager', body: { leadIds: [ids.一郎], ownerId: 'agent' } });
    await call(200, 'GET', '/campaigns', { as: 'agent' });
    await call(200, 'GET', `/campaigns/${ids.seminar}`, { as: 'agent' });
    await call(200, 'POST', '/leads/assign', { as: 'manager', body: { leadIds: [ids.一郎], ownerId: 'rep1' } });
    // A 3,000-lead request and its replay: more than the default 30 s on two busy cores.
  }, 120_000);

  test('actions', async () => {
    const leadId = ids.一郎!;
    for (const [i, result] of ['不在', 'アポ獲得'].entries()) {
      await call(201, 'POST', `/leads/${leadId}/actions`, {
        as: 'rep1',
        body: { campaignId: ids.seminar, at: `2026-09-0${i + 2}T10:00:00+09:00`, channel: 'phone', content: 'ヒアリング', result },
      });
    }
    // A second action on the lead the same day: the lead is touched already (its marker is checked, not put); sent
    // twice with one Idempotency-Key, it is logged once.
    const again = { as: 'rep1', headers: { 'idempotency-key': 'grants-action' }, body: { campaignId: ids.seminar, at: '2026-09-03T16:00:00+09:00', channel: 'email', content: 'お礼', result: '検討中' } };
    await call(201, 'POST', `/leads/${leadId}/actions`, again);
    await call(201, 'POST', `/leads/${leadId}/actions`, again);
    // Refused after taking its key (not one of the lead's campaigns): the record is deleted.
    await call(422, 'POST', `/leads/${leadId}/actions`, {
      as: 'rep1',
      headers: { 'idempotency-key': 'grants-action-refused' },
      body: { campaignId: ids.webinar, at: '2026-09-04T10:00:00+09:00', channel: 'phone', content: 'ヒアリング', result: '不在' },
    });
    await call(200, 'GET', `/leads/${leadId}/actions?limit=1`, { as: 'rep1' });
    await call(200, 'GET', '/actions?actorId=me&from=2026-09-01&to=2026-09-30', { as: 'rep1' });
    await call(200, 'GET', '/actions?actorId=rep1', { as: 'manager' });
    await call(200, 'GET', '/settings/choices', { as: 'agent' });
  });

  test('tasks', async () => {
    const leadId = ids.一郎!;
    const task = await call(201, 'POST', `/leads/${leadId}/tasks`, { as: 'rep1', body: { kind: 'call', title: '折り返し電話', dueAt: '2026-09-10' } });
    await call(201, 'POST', `/leads/${leadId}/tasks`, { as: 'manager', body: { title: '資料送付', dueAt: '2026-09-11T10:00:00+09:00', assigneeId: 'rep2' } });
    await call(200, 'GET', `/leads/${leadId}/tasks`, { as: 'rep1' });
    const done = await call(200, 'PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { status: 'done', version: task.version } });
    await call(409, 'PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { status: 'open', version: task.version } });
    await call(200, 'PATCH', `/tasks/${task.taskId}`, { as: 'manager', headers: { 'if-match': `"${done.version}"` }, body: { status: 'open', assigneeId: 'rep1' } });
    await call(200, 'GET', '/tasks?assigneeId=me&due=overdue', { as: 'rep1' });
    await call(200, 'GET', '/tasks?assigneeId=rep2&status=open&limit=1', { as: 'manager' });
  });

  test('my notifications', async () => {
    const page = await call(200, 'GET', '/me/notifications?limit=1', { as: 'rep1' });
    expect(page.items.length).toBeGreaterThan(0);
    await call(200, 'GET', '/me/notifications?unread=true', { as: 'rep1' });
    await call(200, 'POST', `/me/notifications/${page.items[0].notificationId}/read`, { as: 'rep1' });
    await call(200, 'POST', '/me/notifications/read-all', { as: 'rep1' });
  });

  test('my preferences', async () => {
    await call(200, 'GET', '/me/preferences', { as: 'agent' });
    await call(200, 'PATCH', '/me/preferences', { as: 'agent', body: { dailyDigest: { email: false } } });
    await call(200, 'GET', '/me/preferences', { as: 'agent' });
    await call(200, 'PATCH', '/me/preferences', { as: 'agent', body: { dailyDigest: { email: true } } });
  });

  test('exports', async () => {
    const headers = { 'idempotency-key': 'grants-export' };
    const body = { filter: { campaignId: ids.seminar }, format: 'csv' };
    const requested = await call(202, 'POST', '/exports', { as: 'marketing', headers, body });
    await call(202, 'POST', '/exports', { as: 'marketing', headers, body });
    await stack().intakeIdle();
    const done = await call(200, 'GET', `/exports/${requested.exportId}`, { as: 'marketing' });
    expect(done.status).toBe('succeeded');
  });

  test('conversion, deals, accounts', async () => {
    const deal = { name: '基幹刷新案件', ownerId: 'sales', amountJpy: 3_000_000, expectedCloseDate: '2027-03-31' };
    const conversion = {
      as: 'rep1',
      headers: { 'idempotency-key': 'grants-convert' },
      body: { campaignId: ids.seminar, account: { new: {} }, deal, notify: true },
    };
    const first = await call(201, 'POST', `/leads/${ids.一郎}/convert`, conversion);
    await call(201, 'POST', `/leads/${ids.一郎}/convert`, conversion);
    // The same company again, unforced: refused with the accounts of that name (after taking its key, which goes).
    await call(409, 'POST', `/leads/${ids.三郎}/convert`, {
      as: 'manager',
      headers: { 'idempotency-key': 'grants-convert-refused' },
      body: { campaignId: ids.seminar, account: { new: { name: 'ミライ商事' } }, deal, notify: false },
    });
    await call(201, 'POST', `/leads/${ids.三郎}/convert`, {
      as: 'manager',
      body: { campaignId: ids.seminar, account: { id: first.account.accountId }, deal: { ...deal, name: '追加案件' }, notify: false },
    });
    await call(201, 'POST', `/leads/${ids.四郎}/convert`, {
      as: 'manager',
      body: { campaignId: ids.seminar, account: { new: { name: 'ミライ商事' } }, deal: { ...deal, name: '別会社案件' }, notify: false, force: true },
    });
    await call(200, 'GET', '/deals', { as: 'manager' });
    await call(200, 'GET', '/deals?ownerId=me', { as: 'sales' });
    await call(200, 'GET', '/deals?status=open', { as: 'manager' });
    await call(200, 'GET', `/deals?campaignId=${ids.seminar}`, { as: 'manager' });
    await call(200, 'GET', `/deals/${first.deal.dealId}`, { as: 'sales' });
    await call(200, 'PATCH', `/deals/${first.deal.dealId}`, { as: 'sales', body: { status: 'won', version: first.deal.version } });
    await call(200, 'GET', `/accounts?name=${encodeURIComponent('ミライ')}`, { as: 'sales' });
    await call(200, 'GET', '/accounts', { as: 'sales' });
    await call(200, 'GET', `/accounts/${first.account.accountId}`, { as: 'sales' });
    await call(200, 'GET', '/leads', { as: 'admin' });
  });

  test('campaign metrics, counted and recounted, one campaign and many', async () => {
    await call(200, 'GET', `/campaigns/${ids.seminar}/metrics`, { as: 'manager' });
    const recounted = await call(200, 'GET', `/campaigns/${ids.seminar}/metrics?recount=true`, { as: 'admin' });
    expect(recounted.recount.agrees).toBe(true);
    await call(200, 'GET', `/campaigns/metrics?ids=${ids.seminar},${ids.webinar}`, { as: 'marketing' });
    await call(200, 'GET', '/campaigns/metrics?status=active&limit=1', { as: 'manager' });
  });

  test("the manager's view: activity, its recount, the pipeline", async () => {
    await call(200, 'GET', '/stats/activity?from=2026-09-01&to=2026-09-30&groupBy=week', { as: 'manager' });
    await call(200, 'GET', '/stats/activity?from=2026-09-01&to=2026-09-30&userId=rep1', { as: 'manager' });
    await call(200, 'GET', '/stats/activity?from=2026-09-01&to=2026-09-30', { as: 'rep1' });
    const recounted = await call(200, 'GET', '/stats/activity?from=2026-09-01&to=2026-09-30&userId=rep1&recount=true', { as: 'admin' });
    expect(recounted.recount.agrees).toBe(true);
    await call(200, 'GET', '/stats/pipeline', { as: 'manager' });
  });

  test('erasure of a lead an update list assigned, with an action, notifications and history', async () => {
    const leadId = ids.五郎!;
    const owner = (await call(200, 'GET', `/leads/${leadId}`, { as: 'admin' })).lead.ownerId === 'rep2' ? 'rep1' : 'rep2';
    const imported = await intakeHelpers(stack).uploadAs('manager', ids.seminar!, 'update', 'owners.xlsx', await xlsx([[leadId, owner]], ['リードID', 'リード担当者']));
    expect(imported.counts).toMatchObject({ updated: 1, rejected: 0 });
    await call(201, 'POST', `/leads/${leadId}/actions`, {
      as: owner,
      body: { campaignId: ids.seminar, at: '2026-09-05T10:00:00+09:00', channel: 'phone', content: 'ヒアリング', result: '不在', note: '本人の携帯 090-0000-0000' },
    });
    const erased = await call(200, 'DELETE', `/leads/${leadId}`, { as: 'admin' });
    expect(await call(200, 'DELETE', `/leads/${leadId}`, { as: 'admin' })).toEqual(erased);
  });
});

describe('the grants of every route group', () => {
  const usesOf = (group: RouteGroup) => recorder.uses.filter((use) => use.group === group);
  const show = (use: TableUse) => `${use.route}: ${use.command} ${use.actions.join('+')} on ${use.index ?? use.partitions.join(' ')}`;

  test('the check refuses what a group is not granted', () => {
    const use = (change: Partial<TableUse>): TableUse => ({ group: 'actions', route: 'test', command: 'GetItem', actions: ['GetItem'], partitions: ['lead'], ...change });
    const grants = ROUTE_GROUP_GRANTS.actions;
    expect(allows(grants, use({}))).toBe(true);
    expect(allows(grants, use({ command: 'Scan', actions: ['Scan'], partitions: [] }))).toBe(false);
    expect(allows(grants, use({ command: 'DeleteItem', actions: ['DeleteItem'] }))).toBe(false);
    expect(allows(grants, use({ partitions: ['deal'] }))).toBe(false);
    expect(allows(grants, use({ command: 'Query', actions: ['Query'], partitions: [], index: 'gsi5' }))).toBe(false);
    // A transaction needs one grant holding every action and every partition of its writes.
    expect(allows(grants, use({ command: 'TransactWriteItems', actions: ['PutItem', 'DeleteItem'], partitions: ['lead'] }))).toBe(false);
    expect(allows(grants, use({ command: 'TransactWriteItems', actions: ['PutItem', 'UpdateItem'], partitions: ['campaign', 'user'] }))).toBe(false);
  });

  test('every route ran', () => {
    expect(ROUTES.map(routeKey).filter((key) => !recorder.routes.has(key))).toEqual([]);
  });

  test.each([...ROUTE_GROUPS])('%s: every table call it made is granted', (group) => {
    const uses = usesOf(group);
    if (group !== 'system' && group !== 'docs') expect(uses.length).toBeGreaterThan(0);
    expect([...new Set(uses.filter((use) => !allows(ROUTE_GROUP_GRANTS[group], use)).map(show))]).toEqual([]);
  });

  test.each([...ROUTE_GROUPS])('%s: every grant it holds was used', (group) => {
    const grants = ROUTE_GROUP_GRANTS[group];
    const uses = usesOf(group);
    const unreached = new Set((UNREACHED[group] ?? []).map((u) => `${u.action} on ${u.partition}`));
    const unused: string[] = [];
    for (const index of grants.queries ?? []) if (!uses.some((use) => use.index === index)) unused.push(`Query on ${index}`);
    for (const grant of itemGrantsOf(grants)) {
      // A grant is a set of actions by a set of partitions: each action must be used on one of its partitions, and
      // each partition by one of its actions.
      for (const action of grant.actions) {
        const used = uses.some((use) => !use.index && use.actions.includes(action) && use.partitions.some((p) => grant.partitions.includes(p as never)));
        if (!used && !grant.partitions.some((p) => unreached.has(`${action} on ${p}`))) unused.push(`${action} on ${grant.partitions.join(' ')}`);
      }
      for (const partition of grant.partitions) {
        const used = uses.some((use) => !use.index && use.partitions.includes(partition) && use.actions.some((a) => grant.actions.includes(a as never)));
        if (!used) unused.push(`${grant.actions.join('+')} on ${partition}`);
      }
    }
    expect(unused).toEqual([]);
  });
});
