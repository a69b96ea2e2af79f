import { ulid } from 'ulid';
import { backfillLeadIndexes } from '../../lib/leads/index-backfill';
import { campaignHistoriesFollowLeads } from '../../lib/leads/memberships';
import { leadItem, newMembershipItem, type Lead } from '../../lib/leads/model';
import { newTask, taskItem, type Task } from '../../lib/leads/task-model';
import { batchWrite, putRequest, type Item } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { japanDateOf } from '../../lib/text/japan-time';
import { intakeHelpers } from '../support/intake';
import { xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';

/**
 * GET /me/queue on a hand-made book of leads: the order api.md gives (overdue tasks oldest first, today's tasks,
 * untouched leads oldest assignment first, recent responses with no action since), each lead once, never a closed
 * or erased lead or someone else's; pages that resume with their cursor; and the way a lead gets into the queue and
 * out of it through the product itself (a list, an assignment, an action).
 */

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail } = intakeHelpers(stack);
const api = (...args: Parameters<ReturnType<typeof stack>['api']>) => stack().api(...args);

const DAY = 86_400_000;
const ago = (days: number, hours = 0) => new Date(Date.now() - days * DAY - hours * 3_600_000).toISOString();
/** The day in Japan `days` from today, as `YYYY-MM-DD`. */
const japanDay = (days: number) => japanDateOf(new Date(Date.now() + days * DAY));

function lead(name: string, change: Partial<Lead> = {}): Lead {
  return {
    leadId: ulid(),
    name,
    email: `${ulid().toLowerCase()}@example.com`,
    company: '株式会社キュー',
    phone: '03-1234-5678',
    stage: 'working',
    ownerId: 'rep1',
    assignedAt: ago(30),
    lastActionAt: ago(20),
    extra: {},
    matchKey: `e:${ulid().toLowerCase()}`,
    createdAt: ago(40),
    updatedAt: ago(20),
    version: 1,
    ...change,
  };
}

const task = (l: Lead, dueAt: string, assigneeId = 'rep1'): Task => newTask({ leadId: l.leadId, assigneeId, kind: 'call', title: `${l.name}に電話`, dueAt, createdBy: 'manager' }, ago(5));

type QueueItem = { reason: string; lead: { leadId: string; name: string; phone?: string; nextActionAt?: string }; task?: Task; campaignId?: string };

async function wholeQueue(as: string, limit = 50): Promise<QueueItem[]> {
  const out: QueueItem[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res = await api('GET', `/me/queue?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor && ++pages < 50);
  return out;
}

const book: Record<string, Lead> = {};
let campaignId: string;

beforeAll(async () => {
  campaignId = await newCampaign('キューの本');
  const make = (key: string, change: Partial<Lead> = {}) => (book[key] = lead(key, change));
  // Tasks: two overdue, two due today (a date, then a time), one tomorrow.
  make('overdue-old', { nextActionAt: japanDay(-3) });
  make('overdue-new', { nextActionAt: japanDay(-1) });
  make('today-date', { nextActionAt: japanDay(0) });
  make('today-time', { nextActionAt: `${japanDay(0)}T23:30:00+09:00` });
  make('tomorrow', { nextActionAt: japanDay(1) });
  // Untouched: given to rep1 and not acted on since, oldest assignment first; one acted on before it was given.
  make('untouched-old', { stage: 'new', assignedAt: ago(3), lastActionAt: undefined });
  make('untouched-new', { stage: 'recycle', assignedAt: ago(1), lastActionAt: ago(2) });
  // Untouched and due today: there once, for its task.
  make('untouched-due', { stage: 'new', assignedAt: ago(2), lastActionAt: undefined, nextActionAt: japanDay(0) });
  // Responses in the last seven days with no action since; one acted on since, one too old.
  make('responded', {});
  make('responded-acted', { lastActionAt: ago(0, 1) });
  make('responded-old', {});
  // Never in rep1's queue: closed stages, erased, someone else's.
  make('converted', { stage: 'converted', nextActionAt: japanDay(-2) });
  make('disqualified', { stage: 'disqualified', stageReason: '予算なし', assignedAt: ago(1), lastActionAt: undefined });
  make('others', { ownerId: 'rep2', assignedAt: ago(1), lastActionAt: undefined });
  make('erased', { erased: true, name: '消去済み', nextActionAt: japanDay(-2) });

  const tasks = [
    task(book['overdue-old']!, japanDay(-3)),
    task(book['overdue-new']!, japanDay(-1)),
    task(book['today-time']!, `${japanDay(0)}T23:30:00+09:00`),
    task(book['today-date']!, japanDay(0)),
    task(book['tomorrow']!, japanDay(1)),
    task(book['untouched-due']!, japanDay(0)),
    task(book['converted']!, japanDay(-2)),
    task(book['erased']!, japanDay(-2)),
    task(book['others']!, japanDay(-1), 'rep2'),
  ];
  const responses: Item[] = [
    newMembershipItem({ leadId: book['responded']!.leadId, campaignId, flag: 'responded', marker: 'm1', arisenOn: japanDay(-2), at: ago(2) }),
    newMembershipItem({ leadId: book['responded-acted']!.leadId, campaignId, flag: 'responded', marker: 'm2', arisenOn: japanDay(-2), at: ago(2) }),
    newMembershipItem({ leadId: book['responded-old']!.leadId, campaignId, flag: 'responded', marker: 'm3', arisenOn: japanDay(-10), at: ago(10) }),
    // An untouched lead that responded too is there once, as untouched.
    newMembershipItem({ leadId: book['untouched-old']!.leadId, campaignId, flag: 'responded', marker: 'm4', arisenOn: japanDay(-1), at: ago(1) }),
  ];
  await batchWrite([...Object.values(book).map((l) => putRequest(leadItem(l))), ...tasks.map((t) => putRequest(taskItem(t))), ...responses.map(putRequest)], { concurrency: 8 });
  // The histories take their leads' owner as list intake has them do.
  await campaignHistoriesFollowLeads(
    campaignId,
    responses.map((r) => r.leadId as string),
  );
}, 60_000);

describe('GET /me/queue', () => {
  test('is in the order api.md gives, each lead once, with its reason, its task and the contact fields', async () => {
    const queue = await wholeQueue('rep1');
    expect(queue.map((i) => [i.reason, i.lead.name])).toEqual([
      ['overdue', 'overdue-old'],
      ['overdue', 'overdue-new'],
      ['due_today', 'today-date'],
      ['due_today', 'untouched-due'],
      ['due_today', 'today-time'],
      ['new_untouched', 'untouched-old'],
      ['new_untouched', 'untouched-new'],
      ['responded_recently', 'responded'],
    ]);
    const first = queue[0]!;
    expect(first.task).toMatchObject({ leadId: book['overdue-old']!.leadId, status: 'open', dueAt: japanDay(-3) });
    expect(first.lead).toMatchObject({ phone: '03-1234-5678', nextActionAt: japanDay(-3) });
    expect(queue.find((i) => i.reason === 'new_untouched')!.task).toBeUndefined();
    expect(queue.find((i) => i.reason === 'responded_recently')!.campaignId).toBe(campaignId);
  });

  test('pages resume with their cursor and give exactly the one-page queue', async () => {
    const whole = await wholeQueue('rep1');
    for (const limit of [1, 2, 3]) expect(await wholeQueue('rep1', limit)).toEqual(whole);
    const tampered = await api('GET', '/me/queue?cursor=bm90LWEtY3Vyc29y', { as: 'rep1' });
    expect(tampered.status).toBe(400);
  });

  test("is the caller's own: another rep sees its own, marketing has none, bad input is a 422", async () => {
    expect((await wholeQueue('rep2')).map((i) => [i.reason, i.lead.name])).toEqual([
      ['overdue', 'others'],
    ]);
    expect((await api('GET', '/me/queue', { as: 'marketing' })).status).toBe(403);
    const bad = await api('GET', '/me/queue?limit=0&owner=rep1', { as: 'rep1' });
    expect(bad.status).toBe(422);
  });
});

describe('an upgraded deployment', () => {
  test("a lead written before the queue's indexes joins the queue once the backfill gave it its keys", async () => {
    const old = lead('古いリード', { ownerId: 'agent', stage: 'new', assignedAt: undefined, lastActionAt: undefined });
    const item = leadItem(old);
    for (const attribute of keys.leadUntouchedAttributes) delete item[attribute];
    await batchWrite([putRequest(item)]);
    expect((await wholeQueue('agent')).map((i) => i.lead.name)).not.toContain('古いリード');
    const { updated } = await backfillLeadIndexes();
    expect(updated).toBeGreaterThanOrEqual(1);
    expect((await wholeQueue('agent')).map((i) => [i.reason, i.lead.name])).toContainEqual(['new_untouched', '古いリード']);
    // Again: nothing is missing any more.
    expect((await backfillLeadIndexes()).updated).toBe(0);
  });
});

describe('into the queue and out of it, through the product', () => {
  test('a listed person given to a rep is untouched until its first action; a later response asks for a call until it gets one', async () => {
    const first = await newCampaign('初回セミナー');
    const email = `queue-${ulid().toLowerCase()}@example.com`;
    await importList(first, 'participant', 'first.xlsx', await xlsx([['行列 一郎', email, '株式会社キュー', '', '', '03-5555-0000']]));
    const created = (await leadByEmail(email))!;
    const inQueue = async (as = 'rep2') => (await wholeQueue(as)).filter((i) => i.lead.leadId === created.leadId).map((i) => i.reason);
    // An unassigned lead is nobody's work yet.
    expect(await inQueue()).toEqual([]);

    expect((await api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [created.leadId], ownerId: 'rep2' } })).status).toBe(200);
    expect(await inQueue()).toEqual(['new_untouched']);
    const call = (campaign: string) =>
      api('POST', `/leads/${created.leadId}/actions`, { as: 'rep2', body: { campaignId: campaign, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在' } });
    expect((await call(first)).status).toBe(201);
    expect(await inQueue()).toEqual([]);

    // The person comes to a second event: the owner's queue asks for a call about it.
    const second = await newCampaign('二回目セミナー');
    await importList(second, 'participant', 'second.xlsx', await xlsx([['行列 一郎', email.toUpperCase(), '株式会社キュー', '', '', '']]));
    const queue = (await wholeQueue('rep2')).filter((i) => i.lead.leadId === created.leadId);
    expect(queue).toEqual([expect.objectContaining({ reason: 'responded_recently', campaignId: second })]);
    expect((await call(second)).status).toBe(201);
    expect(await inQueue()).toEqual([]);

    // A next action due today puts it back, for that task.
    const next = await api('POST', `/leads/${created.leadId}/tasks`, { as: 'rep2', body: { title: '折り返し', dueAt: japanDay(0) } });
    expect(next.status).toBe(201);
    expect(await inQueue()).toEqual(['due_today']);
  });
});
