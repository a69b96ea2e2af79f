import { ulid } from 'ulid';
import { applyMoves, readLeads } from '../../lib/assignment/apply';
import type { AssignmentRecord } from '../../lib/assignment/journal';
import { getUser } from '../../lib/users/repository';
import { leadItem, newMembershipItem, type Lead } from '../../lib/leads/model';
import { getLead, saveLead } from '../../lib/leads/repository';
import { batchWrite, getItem, putRequest } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { queryAll } from '../../lib/table/queries';
import { japanDayBounds, LEAD_TASK_REVISION, taskIdFor, taskItem, type Task } from '../../lib/leads/task-model';
import { japanDateOf } from '../../lib/text/japan-time';
import { intakeHelpers } from '../support/intake';
import { xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';

/**
 * Tasks (ToDo) through the HTTP API: who may create, see and change which, versioned edits, the due windows in Tokyo
 * days, and tasks that follow their lead to a new owner by assignment, hand-over and update list, in the owner
 * change's own transaction; erasure takes a task's note.
 */

const stack = useLocalStack();
const { newCampaign, uploadAs } = intakeHelpers(stack);

/** Leads written straight to the table, with an owner (the intake has tests of its own). */
async function seedLeads(count: number, prefix: string, ownerId?: string): Promise<string[]> {
  const now = new Date().toISOString();
  const leads: Lead[] = Array.from({ length: count }, (_, i) => ({
    leadId: ulid(),
    name: `${prefix} ${i}`,
    email: `${prefix}${i}@example.com`.toLowerCase(),
    company: `株式会社${prefix}`,
    stage: 'new',
    ...(ownerId ? { ownerId } : {}),
    extra: {},
    matchKey: `e:${prefix}${i}@example.com`.toLowerCase(),
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
  await batchWrite(
    leads.flatMap((lead) => [putRequest(leadItem(lead)), putRequest({ ...keys.leadMatchKey(lead.matchKey), entity: 'LeadMatchKey', leadId: lead.leadId })]),
    { concurrency: 8 },
  );
  return leads.map((l) => l.leadId);
}

const api = (...args: Parameters<ReturnType<typeof stack>['api']>) => stack().api(...args);
const storedTask = (task: { leadId: string; taskId: string }) => getItem(keys.task(task.leadId, task.taskId));

/** Every page of GET /tasks for the query. */
async function allTasks(query: string, as: string): Promise<Task[]> {
  const out: Task[] = [];
  let cursor: string | null = null;
  do {
    const res = await api('GET', `/tasks?${query}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(res.status).toBe(200);
    out.push(...res.body.items);
    cursor = res.body.nextCursor;
  } while (cursor);
  return out;
}

describe('tasks by role', () => {
  let repLead: string;
  let agentLead: string;

  beforeAll(async () => {
    repLead = (await seedLeads(1, 'RoleRep', 'rep1'))[0]!;
    agentLead = (await seedLeads(1, 'RoleAgent', 'agent'))[0]!;
  });

  test("the owner rep adds a task for itself: its assignee is the lead's owner", async () => {
    const res = await api('POST', `/leads/${repLead}/tasks`, { as: 'rep1', body: { kind: 'call', title: '折り返し', dueAt: '2027-01-10', note: '午前中希望' } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ leadId: repLead, assigneeId: 'rep1', kind: 'call', status: 'open', createdBy: 'rep1', version: 1 });
    expect(res.headers.get('etag')).toBe('"1"');
    const stored = await storedTask(res.body);
    expect(stored).toMatchObject({ GSI1PK: 'TASKS#open#rep1', GSI1SK: `2027-01-09T15:00:00.000Z#${res.body.taskId}` });
  });

  test('a rep may not give a task to someone else, nor add one to a lead it does not own', async () => {
    expect((await api('POST', `/leads/${repLead}/tasks`, { as: 'rep1', body: { title: 'x', dueAt: '2027-01-10', assigneeId: 'rep2' } })).status).toBe(403);
    expect((await api('POST', `/leads/${repLead}/tasks`, { as: 'rep2', body: { title: 'x', dueAt: '2027-01-10' } })).status).toBe(403);
  });

  test("another rep sees none of the owner's tasks and cannot change them; the agent cannot see the lead", async () => {
    const own = await api('GET', `/leads/${repLead}/tasks`, { as: 'rep1' });
    expect(own.body.items).toHaveLength(1);
    const other = await api('GET', `/leads/${repLead}/tasks`, { as: 'rep2' });
    expect(other.status).toBe(200);
    expect(other.body.items).toEqual([]);
    const task = own.body.items[0];
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep2', body: { status: 'done', version: task.version } })).status).toBe(404);
    expect((await api('GET', `/leads/${repLead}/tasks`, { as: 'agent' })).status).toBe(404);
    expect((await api('POST', `/leads/${repLead}/tasks`, { as: 'agent', body: { title: 'x', dueAt: '2027-01-10' } })).status).toBe(404);
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'agent', body: { status: 'done', version: task.version } })).status).toBe(404);
  });

  test('an agent works tasks on its own lead', async () => {
    const created = await api('POST', `/leads/${agentLead}/tasks`, { as: 'agent', body: { kind: 'email', title: '資料送付', dueAt: '2027-01-11T10:00:00+09:00' } });
    expect(created.status).toBe(201);
    expect(created.body.assigneeId).toBe('agent');
    const done = await api('PATCH', `/tasks/${created.body.taskId}`, { as: 'agent', body: { status: 'done', version: 1 } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', version: 2 });
    expect(done.body.completedAt).toEqual(expect.any(String));
    expect((await api('GET', '/tasks?assigneeId=me&status=done', { as: 'agent' })).body.items.map((t: Task) => t.taskId)).toEqual([created.body.taskId]);
    expect((await storedTask(created.body))!.GSI1PK).toBe('TASKS#done#agent');
  });

  test('a manager gives a task to another rep; a rep may not reassign, and an unknown or marketing assignee is refused', async () => {
    const task = (await api('GET', `/leads/${repLead}/tasks`, { as: 'rep1' })).body.items[0];
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { assigneeId: 'rep2', version: task.version } })).status).toBe(403);
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'manager', body: { assigneeId: 'marketing', version: task.version } })).status).toBe(422);
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'manager', body: { assigneeId: 'nobody', version: task.version } })).status).toBe(422);
    const moved = await api('PATCH', `/tasks/${task.taskId}`, { as: 'manager', headers: { 'if-match': `"${task.version}"` }, body: { assigneeId: 'rep2' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ assigneeId: 'rep2', version: task.version + 1 });
    expect((await api('GET', `/leads/${repLead}/tasks`, { as: 'rep1' })).body.items).toEqual([]);
    expect((await api('GET', `/leads/${repLead}/tasks`, { as: 'rep2' })).body.items.map((t: Task) => t.taskId)).toEqual([task.taskId]);
    expect((await api('GET', `/leads/${repLead}/tasks`, { as: 'manager' })).body.items).toHaveLength(1);
    expect((await storedTask(task))!.GSI1PK).toBe('TASKS#open#rep2');
    // A manager's task for someone on a lead it names.
    const given = await api('POST', `/leads/${repLead}/tasks`, { as: 'manager', body: { title: '訪問準備', kind: 'visit', dueAt: '2027-02-01', assigneeId: 'sales' } });
    expect(given.status).toBe(201);
    expect(given.body).toMatchObject({ assigneeId: 'sales', createdBy: 'manager' });
  });

  test('a stale version is a 409 with the current version; closing sets completedAt and reopening clears it', async () => {
    const task = (await api('POST', `/leads/${repLead}/tasks`, { as: 'rep1', body: { title: '再架電', dueAt: '2027-01-12' } })).body;
    const done = await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { status: 'done', version: 1 } });
    expect(done.body.completedAt).toEqual(expect.any(String));
    const stale = await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { title: '古い版で', version: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(2);
    expect((await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { title: '版なし' } })).status).toBe(422);
    const reopened = await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', headers: { 'if-match': '"2"' }, body: { status: 'open' } });
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ status: 'open', version: 3 });
    expect(reopened.body.completedAt).toBeUndefined();
    const cancelled = await api('PATCH', `/tasks/${task.taskId}`, { as: 'rep1', body: { status: 'cancelled', note: null, version: 3 } });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', version: 4 });
    expect((await storedTask(task))!.GSI1PK).toBe('TASKS#cancelled#rep1');
  });

  test('the list of a lead is open first, by due', async () => {
    const items: Task[] = (await api('GET', `/leads/${repLead}/tasks`, { as: 'manager' })).body.items;
    const open = items.filter((t) => t.status === 'open');
    expect(items.slice(0, open.length)).toEqual(open);
    expect(open.map((t) => t.dueAt)).toEqual(['2027-01-10', '2027-02-01']);
  });

  test("someone else's work list is a manager's to read, not a rep's", async () => {
    expect((await api('GET', '/tasks?assigneeId=rep2', { as: 'rep1' })).status).toBe(403);
    expect((await api('GET', '/tasks?assigneeId=rep2', { as: 'manager' })).status).toBe(200);
    expect((await api('GET', '/tasks?assigneeId=rep1', { as: 'rep1' })).status).toBe(200);
  });

  test('a lead holds at most 20 open tasks', async () => {
    const [lead] = await seedLeads(1, 'Full', 'rep1');
    for (let i = 0; i < 20; i++) expect((await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: `t${i}`, dueAt: '2027-03-01' } })).status).toBe(201);
    const refused = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: 'one too many', dueAt: '2027-03-01' } });
    expect(refused.status).toBe(422);
    const first = (await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items[0];
    expect((await api('PATCH', `/tasks/${first.taskId}`, { as: 'rep1', body: { status: 'done', version: first.version } })).status).toBe(200);
    expect((await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: 'now it fits', dueAt: '2027-03-01' } })).status).toBe(201);
    // Reopening the closed one would make 21.
    expect((await api('PATCH', `/tasks/${first.taskId}`, { as: 'rep1', body: { status: 'open', version: first.version + 1 } })).status).toBe(422);
  }, 60_000);

  test('a call task on a 電話NG lead, an e-mail one on メールNG, a visit on 訪問NG are refused naming the kind', async () => {
    const [lead] = await seedLeads(1, 'Ng', 'rep1');
    const found = (await getLead(lead!))!;
    await saveLead(found.lead, { ...found.lead, ngActions: ['no_call', 'no_email'], updatedAt: new Date().toISOString(), version: found.lead.version + 1 });
    for (const kind of ['call', 'email']) {
      const refused = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { kind, title: '連絡', dueAt: '2027-03-01' } });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([{ path: 'body.kind', message: expect.stringMatching(kind === 'call' ? /no_call/ : /no_email/) }]);
    }
    const meeting = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { kind: 'meeting', title: '打合せ', dueAt: '2027-03-01' } });
    expect(meeting.status).toBe(201);
    const changed = await api('PATCH', `/tasks/${meeting.body.taskId}`, { as: 'rep1', body: { kind: 'call', version: meeting.body.version } });
    expect(changed.status).toBe(422);
    expect((await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items.map((t: Task) => t.kind)).toEqual(['meeting']);
  });
});

describe('due windows, in Tokyo days', () => {
  test('overdue, today and upcoming split at midnight in Tokyo, not in UTC', async () => {
    const [lead] = await seedLeads(1, 'Due', 'sales');
    const { start, end } = japanDayBounds(new Date());
    const at = (iso: string, deltaMs: number) => new Date(Date.parse(iso) + deltaMs).toISOString();
    const tokyoDate = (iso: string) => new Date(Date.parse(iso) + 9 * 3600_000).toISOString().slice(0, 10);
    const today = tokyoDate(start);
    const yesterday = tokyoDate(at(start, -1));
    const tomorrow = tokyoDate(end);
    const dues: [string, string][] = [
      [yesterday, 'overdue'],
      [at(start, -1000).replace('Z', '+00:00'), 'overdue'], // a second before midnight in Tokyo, given in UTC
      [`${yesterday}T23:59:59+09:00`, 'overdue'],
      [today, 'today'],
      [start, 'today'], // midnight in Tokyo: the UTC date is still yesterday's
      [`${today}T23:59:59+09:00`, 'today'],
      [tomorrow, 'upcoming'],
      [`${tomorrow}T00:00:00+09:00`, 'upcoming'],
    ];
    const byTitle = new Map<string, string>();
    for (const [dueAt, window] of dues) {
      const res = await api('POST', `/leads/${lead}/tasks`, { as: 'sales', body: { title: `${window} ${dueAt}`, dueAt } });
      expect(res.status).toBe(201);
      byTitle.set(res.body.taskId, window);
    }
    for (const window of ['overdue', 'today', 'upcoming']) {
      const listed = await allTasks(`assigneeId=me&status=open&due=${window}`, 'sales');
      const expected = [...byTitle].filter(([, w]) => w === window).map(([taskId]) => taskId);
      expect(listed.map((t) => t.taskId).filter((id) => byTitle.has(id)).sort()).toEqual(expected.sort());
      // By due instant.
      const instants = listed.map((t) => Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(t.dueAt) ? `${t.dueAt}T00:00:00+09:00` : t.dueAt));
      expect(instants).toEqual([...instants].sort((a, b) => a - b));
    }
    expect((await allTasks('assigneeId=sales', 'manager')).filter((t) => byTitle.has(t.taskId))).toHaveLength(dues.length);
  });

  test('pages of GET /tasks resume with their signed cursor, and a cursor from another query is refused', async () => {
    const first = await api('GET', '/tasks?assigneeId=me&limit=2', { as: 'sales' });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await api('GET', `/tasks?assigneeId=me&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: 'sales' });
    expect(second.status).toBe(200);
    expect(second.body.items[0].taskId).not.toBe(first.body.items[0].taskId);
    expect((await api('GET', `/tasks?assigneeId=me&due=today&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: 'sales' })).status).toBe(400);
  });
});

describe('tasks follow their lead to its new owner', () => {
  test('an assignment of 300 leads moves every open task of the previous owner, and a retry moves nothing twice', async () => {
    const leadIds = await seedLeads(300, 'Follow', 'rep1');
    const now = new Date().toISOString();
    const task = (leadId: string, n: string, assigneeId: string, status: Task['status'] = 'open'): Task => ({
      taskId: taskIdFor(leadId, ulid()),
      leadId,
      assigneeId,
      kind: 'call',
      title: `架電 ${n}`,
      dueAt: '2027-04-01',
      status,
      createdBy: 'manager',
      createdAt: now,
      updatedAt: now,
      version: 1,
    });
    const open = leadIds.map((leadId, i) => task(leadId, String(i), 'rep1'));
    // Tasks that stay: one for someone else, one already done.
    const othersTask = task(leadIds[0]!, 'sales', 'sales');
    const doneTask = task(leadIds[1]!, 'done', 'rep1', 'done');
    await batchWrite(
      [
        ...[...open, othersTask, doneTask].map((t) => putRequest(taskItem(t))),
        // The leads as task writes leave them: with a task revision.
      ],
      { concurrency: 8 },
    );
    for (const leadId of leadIds) {
      const item = (await getItem(keys.lead(leadId)))!;
      await batchWrite([putRequest({ ...item, [LEAD_TASK_REVISION]: 1 })]);
    }

    const request = { leadIds, ownerId: 'rep2' };
    const headers = { 'idempotency-key': 'tasks-follow-300' };
    const assigned = await api('POST', '/leads/assign', { as: 'manager', headers, body: request });
    expect(assigned.status).toBe(200);
    expect(assigned.body.assigned).toBe(300);

    const check = async () => {
      for (const t of open) {
        const stored = (await storedTask(t))!;
        expect([t.taskId, stored.assigneeId, stored.version, stored.GSI1PK]).toEqual([t.taskId, 'rep2', 2, 'TASKS#open#rep2']);
      }
      expect((await storedTask(othersTask))!).toMatchObject({ assigneeId: 'sales', version: 1 });
      expect((await storedTask(doneTask))!).toMatchObject({ assigneeId: 'rep1', version: 1 });
      const listed = (await allTasks('assigneeId=me&status=open', 'rep2')).map((t) => t.taskId);
      expect(open.filter((t) => !listed.includes(t.taskId))).toEqual([]);
      expect((await allTasks('assigneeId=me&status=open', 'rep1')).filter((t) => leadIds.includes(t.leadId))).toEqual([]);
    };
    await check();

    // The same request retried with its key answers the same and writes nothing; without it, every lead is skipped.
    const replay = await api('POST', '/leads/assign', { as: 'manager', headers, body: request });
    expect(replay.body).toEqual(assigned.body);
    const again = await api('POST', '/leads/assign', { as: 'manager', body: request });
    expect(again.body.assigned).toBe(0);
    expect(again.body.skipped).toHaveLength(300);
    await check();
  }, 180_000);

  test('an assignment by filter moves the tasks too', async () => {
    const leadIds = await seedLeads(5, 'Filterfollow', 'rep1');
    const tasks = [];
    for (const leadId of leadIds) tasks.push((await api('POST', `/leads/${leadId}/tasks`, { as: 'rep1', body: { title: '架電', dueAt: '2027-04-02' } })).body);
    const res = await api('POST', '/leads/assign', { as: 'manager', body: { filter: { owner: 'rep1', name: 'Filterfollow' }, ownerIds: ['sales'], strategy: 'round_robin' } });
    expect(res.status).toBe(200);
    expect(res.body.assigned).toBe(5);
    for (const t of tasks) expect((await storedTask(t))!).toMatchObject({ assigneeId: 'sales', version: 2 });
  });

  test('a PATCH of the lead keeps its task revision, so the next owner change still finds its tasks', async () => {
    const [lead] = await seedLeads(1, 'Race', 'rep1');
    const first = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '一件目', dueAt: '2027-05-01' } });
    const second = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '二件目', dueAt: '2027-05-02' } });
    expect((await getItem(keys.lead(lead!)))![LEAD_TASK_REVISION]).toBe(2);
    // A PATCH of the lead keeps the revision, so the next owner change still finds the tasks.
    const detail = await api('GET', `/leads/${lead}`, { as: 'rep1' });
    expect((await api('PATCH', `/leads/${lead}`, { as: 'rep1', body: { memo: 'メモ', version: detail.body.version } })).status).toBe(200);
    expect((await getItem(keys.lead(lead!)))![LEAD_TASK_REVISION]).toBe(2);
    expect((await api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [lead], ownerId: 'rep2' } })).body.assigned).toBe(1);
    for (const t of [first.body, second.body]) expect((await storedTask(t))!.assigneeId).toBe('rep2');
  });

  test('an owner change that read the lead before a task was added is refused, reads again, and moves that task too', async () => {
    const [lead] = await seedLeads(1, 'Stale', 'rep1');
    const readBefore = await readLeads([lead!]);
    const added = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '読んだ後に追加', dueAt: '2027-05-03' } });
    expect(added.status).toBe(201);
    const record: AssignmentRecord = { assignmentId: ulid(), actorId: 'manager', status: 'applying', planParts: 1, skipped: [], createdAt: new Date().toISOString() };
    const owners = new Map([['rep2', (await getUser('rep2'))!]]);
    const { applied } = await applyMoves(record, [{ leadId: lead!, to: 'rep2', version: 1 }], readBefore, owners, new Date());
    expect(applied.map((a) => a.leadId)).toEqual([lead]);
    expect((await getItem(keys.lead(lead!)))!.ownerId).toBe('rep2');
    expect((await storedTask(added.body))!).toMatchObject({ assigneeId: 'rep2', version: 2 });
  });

  test('a hand-over ends inside sales\' work: the open tasks are cancelled with it and listed in the new owner\'s mail', async () => {
    const [lead] = await seedLeads(1, 'Handover', 'rep1');
    const mine = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '引継ぎ前の確認', dueAt: '2027-06-01', note: '見積の件' } });
    const managers = await api('POST', `/leads/${lead}/tasks`, { as: 'manager', body: { title: '責任者の確認', dueAt: '2027-06-02', assigneeId: 'manager' } });
    const res = await api('POST', `/leads/${lead}/handover`, { as: 'rep1', body: { ownerId: 'sales', note: 'デモ希望' } });
    expect(res.status).toBe(200);
    for (const task of [mine.body, managers.body]) {
      expect((await storedTask(task))!).toMatchObject({ status: 'cancelled', version: 2, completedAt: expect.any(String), GSI1PK: `TASKS#cancelled#${task.assigneeId}` });
    }
    const detail = await api('GET', `/leads/${lead}`, { as: 'sales' });
    expect(detail.body.lead).toMatchObject({ stage: 'handed_over', ownerId: 'sales' });
    expect(detail.body.lead.nextActionAt).toBeUndefined();
    expect(await getItem(keys.lead(lead!))).not.toHaveProperty('GSI8PK');
    await stack().outboxIdle();
    const mail = (await stack().sentMail()).find((m) => m.subject.startsWith('【営業引継ぎ】') && m.subject.includes('Handover 0'));
    expect(mail?.body.text).toContain('引継ぎ前の予定（2件、引継ぎで終了）');
    expect(mail?.body.text).toContain('引継ぎ前の確認');
    expect(mail?.body.text).toContain('見積の件');
    // The new owner works the lead on: it adds tasks of its own.
    const visit = await api('POST', `/leads/${lead}/tasks`, { as: 'sales', body: { title: '訪問', kind: 'visit', dueAt: '2027-06-03' } });
    expect(visit.status).toBe(201);
    expect((await api('GET', `/leads/${lead}`, { as: 'sales' })).body.lead.nextActionAt).toBe('2027-06-03');
  });

  test("an update list's リード担当者 gives the open tasks to the new owner", async () => {
    const campaignId = await newCampaign('タスク更新リスト');
    const [lead] = await seedLeads(1, 'Listed', 'rep1');
    const task = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '更新前', dueAt: '2027-07-01' } });
    const imported = await uploadAs('manager', campaignId, 'update', 'owners.xlsx', await xlsx([[lead, 'rep2']], ['リードID', 'リード担当者']));
    expect(imported.counts).toMatchObject({ updated: 1, rejected: 0 });
    expect((await getItem(keys.lead(lead!)))!.ownerId).toBe('rep2');
    expect((await storedTask(task.body))!).toMatchObject({ assigneeId: 'rep2', version: 2, GSI1PK: 'TASKS#open#rep2' });
  });
});

describe('an action that answers a task', () => {
  test('completesTaskId closes the task as done by that action, in the same write; a closed, foreign or other lead\'s task is refused', async () => {
    const campaignId = await newCampaign('タスク完了');
    const [lead, other] = await seedLeads(2, 'Answer', 'rep1');
    await batchWrite([lead!, other!].map((leadId) => putRequest(newMembershipItem({ leadId, campaignId, flag: 'responded', marker: 'm', arisenOn: '2026-11-01', at: new Date().toISOString() }))));
    const task = (await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { kind: 'call', title: '折り返し', dueAt: '2026-11-30' } })).body;
    const managers = (await api('POST', `/leads/${lead}/tasks`, { as: 'manager', body: { kind: 'meeting', title: '同席', dueAt: '2026-11-30', assigneeId: 'manager' } })).body;
    const othersTask = (await api('POST', `/leads/${other}/tasks`, { as: 'rep1', body: { kind: 'call', title: '別', dueAt: '2026-11-30' } })).body;
    const action = (extra: Record<string, unknown>) => ({ campaignId, at: '2026-11-30T10:00:00+09:00', channel: 'phone', content: 'ヒアリング', result: '不在', ...extra });

    for (const [taskId, message] of [[othersTask.taskId, /not a task of this lead/], [managers.taskId, /no such task/]] as const) {
      const refused = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ completesTaskId: taskId }) });
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([{ path: 'body.completesTaskId', message: expect.stringMatching(message) }]);
    }
    expect((await api('GET', `/leads/${lead}/actions`, { as: 'rep1' })).body.items).toEqual([]);

    const logged = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ completesTaskId: task.taskId }) });
    expect(logged.status).toBe(201);
    const closed = (await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items.find((t: Task) => t.taskId === task.taskId);
    expect(closed).toMatchObject({ status: 'done', completedByActionId: logged.body.action.actionId, version: task.version + 1 });
    expect(closed.completedAt).toEqual(expect.any(String));
    expect(await storedTask(task)).toMatchObject({ GSI1PK: 'TASKS#done#rep1' });
    expect((await allTasks('assigneeId=me&status=open', 'rep1')).map((t) => t.taskId)).not.toContain(task.taskId);

    const again = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ completesTaskId: task.taskId, at: '2026-11-30T11:00:00+09:00' }) });
    expect(again.status).toBe(422);
    expect(again.body.errors[0].message).toMatch(/done already/);
    // The lead's task revision moved with the close, so an owner change reads the lead's tasks again.
    expect((await getItem(keys.lead(lead!)))?.[LEAD_TASK_REVISION]).toBe(3);
  });
});

/**
 * A time `days` after today in Japan, at `hour`:00 there: as the API is given it, and as it stores it. The next
 * actions below must stay ahead of the day the suite runs (an action answers a task due today by itself).
 */
function daysAheadInJapan(days: number, hour: number): { jst: string; utc: string } {
  const JST = 9 * 3_600_000;
  const today = new Date(Date.now() + JST).toISOString().slice(0, 10);
  const at = new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000 + hour * 3_600_000 - JST);
  const day = new Date(at.getTime() + JST).toISOString().slice(0, 10);
  return { jst: `${day}T${String(hour).padStart(2, '0')}:00:00+09:00`, utc: at.toISOString() };
}

describe('next actions', () => {
  test("nextActionAt opens the lead's next task for its owner, a later one moves it, and an action that completes it opens the next", async () => {
    const campaignId = await newCampaign('次回対応');
    const [lead] = await seedLeads(1, 'Next', 'rep1');
    await batchWrite([putRequest(newMembershipItem({ leadId: lead!, campaignId, flag: 'responded', marker: 'm', arisenOn: '2026-11-01', at: new Date().toISOString() }))]);
    const action = (extra: Record<string, unknown>) => ({ campaignId, at: '2026-11-30T10:00:00+09:00', channel: 'phone', content: 'ヒアリング', result: '不在', ...extra });
    const openOf = async () => (await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items.filter((t: Task) => t.status === 'open');

    const [inThree, inFive, inTen] = [daysAheadInJapan(3, 15), daysAheadInJapan(5, 10), daysAheadInJapan(10, 9)];
    const first = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ nextActionAt: inThree.jst }) });
    expect(first.status).toBe(201);
    const [opened] = await openOf();
    expect(opened).toMatchObject({ assigneeId: 'rep1', kind: 'call', title: '次回対応', dueAt: inThree.utc, openedByActionId: first.body.action.actionId, version: 1 });

    const second = await api('POST', `/leads/${lead}/actions`, {
      as: 'rep1',
      body: action({ at: '2026-11-30T11:00:00+09:00', nextActionAt: inFive.jst, nextActionKind: 'email', nextActionTitle: '資料送付' }),
    });
    expect(second.status).toBe(201);
    expect(await openOf()).toEqual([expect.objectContaining({ taskId: opened.taskId, kind: 'email', title: '資料送付', dueAt: inFive.utc, version: 2 })]);

    const third = await api('POST', `/leads/${lead}/actions`, {
      as: 'rep1',
      body: action({ at: '2026-11-30T12:00:00+09:00', channel: 'email', completesTaskId: opened.taskId, nextActionAt: inTen.jst }),
    });
    expect(third.status).toBe(201);
    const now = await openOf();
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({ kind: 'call', dueAt: inTen.utc, openedByActionId: third.body.action.actionId });
    expect(now[0].taskId).not.toBe(opened.taskId);
  });

  test('a next action the person declined, or a kind without a time, is a 422 and stores nothing', async () => {
    const campaignId = await newCampaign('次回対応NG');
    const [lead] = await seedLeads(1, 'NextNg', 'rep1');
    await batchWrite([putRequest(newMembershipItem({ leadId: lead!, campaignId, flag: 'responded', marker: 'm', arisenOn: '2026-11-01', at: new Date().toISOString() }))]);
    const found = (await getLead(lead!))!;
    await saveLead(found.lead, { ...found.lead, ngActions: ['no_call'], updatedAt: new Date().toISOString(), version: found.lead.version + 1 });
    const action = (extra: Record<string, unknown>) => ({ campaignId, at: '2026-11-30T10:00:00+09:00', channel: 'email', content: 'ヒアリング', result: '不在', ...extra });
    const declined = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ nextActionAt: daysAheadInJapan(3, 10).jst }) });
    expect(declined.status).toBe(422);
    expect(declined.body.errors[0].path).toBe('body.nextActionKind');
    const noTime = await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ nextActionKind: 'email' }) });
    expect(noTime.status).toBe(422);
    expect(noTime.body.errors[0].path).toBe('body.nextActionAt');
    expect((await api('GET', `/leads/${lead}/actions`, { as: 'rep1' })).body.items).toEqual([]);
    expect((await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items).toEqual([]);
    expect((await api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: action({ nextActionAt: daysAheadInJapan(3, 10).jst, nextActionKind: 'email' }) })).status).toBe(201);
  });
});

/** The day in Japan `days` from today, as `YYYY-MM-DD`. */
const japanDay = (days: number) => japanDateOf(new Date(Date.now() + days * 86_400_000));

describe("the lead's next action", () => {
  test('is its earliest open task, in the detail and the list, filtered and sorted soonest first, and follows every task write', async () => {
    const [a, b, c] = await seedLeads(3, 'NextSort', 'rep2');
    const task = async (lead: string, dueAt: string, extra: Record<string, unknown> = {}) =>
      (await api('POST', `/leads/${lead}/tasks`, { as: 'rep2', body: { title: '次', dueAt, ...extra } })).body as Task;
    const late = await task(a!, '2027-03-10');
    const early = await task(a!, '2027-03-01T18:00:00+09:00');
    await task(b!, '2027-02-01');
    const nextOf = async (lead: string) => (await api('GET', `/leads/${lead}`, { as: 'rep2' })).body.lead.nextActionAt;
    expect(await nextOf(a!)).toBe('2027-03-01T18:00:00+09:00');
    expect(await nextOf(b!)).toBe('2027-02-01');
    expect(await nextOf(c!)).toBeUndefined();

    const sorted = await api('GET', '/leads?owner=me&sort=nextActionAt&name=NextSort', { as: 'rep2' });
    expect(sorted.status).toBe(200);
    // Soonest first; a lead without a next action is not in this order.
    expect(sorted.body.items.map((i: { leadId: string }) => i.leadId)).toEqual([b, a]);
    expect(sorted.body.items[0]).toMatchObject({ nextActionAt: '2027-02-01' });
    const everyone = await api('GET', '/leads?sort=nextActionAt&name=NextSort', { as: 'manager' });
    expect(everyone.body.items.map((i: { leadId: string }) => i.leadId)).toEqual([b, a]);
    // Days in Japan: 2027-03-01 18:00 JST is on 2027-03-01 (09:00 UTC).
    const onDay = await api('GET', '/leads?owner=rep2&nextActionFrom=2027-03-01&nextActionTo=2027-03-01&name=NextSort', { as: 'manager' });
    expect(onDay.body.items.map((i: { leadId: string }) => i.leadId)).toEqual([a]);
    const untilFeb = await api('GET', '/leads?owner=rep2&nextActionTo=2027-02-28&name=NextSort', { as: 'manager' });
    expect(untilFeb.body.items.map((i: { leadId: string }) => i.leadId)).toEqual([b]);

    // Closing the earliest moves it to the next; moving a due date moves it; closing the last clears it.
    const closed = await api('PATCH', `/tasks/${early.taskId}`, { as: 'rep2', body: { status: 'done', version: early.version } });
    expect(closed.status).toBe(200);
    expect(await nextOf(a!)).toBe('2027-03-10');
    const moved = await api('PATCH', `/tasks/${late.taskId}`, { as: 'rep2', body: { dueAt: '2027-01-15', version: late.version } });
    expect(moved.status).toBe(200);
    expect(await nextOf(a!)).toBe('2027-01-15');
    expect((await api('GET', '/leads?owner=me&sort=nextActionAt&name=NextSort', { as: 'rep2' })).body.items.map((i: { leadId: string }) => i.leadId)).toEqual([a, b]);
    await api('PATCH', `/tasks/${late.taskId}`, { as: 'rep2', body: { status: 'cancelled', version: moved.body.version } });
    expect(await nextOf(a!)).toBeUndefined();
    expect(await getItem(keys.lead(a!))).not.toHaveProperty('GSI9PK');

    // An assignment moves the lead to its new owner's next-action list.
    const assigned = await api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [b], ownerId: 'rep1' } });
    expect(assigned.status).toBe(200);
    expect((await api('GET', '/leads?owner=me&sort=nextActionAt&name=NextSort', { as: 'rep1' })).body.items.map((i: { leadId: string }) => i.leadId)).toEqual([b]);
    expect((await api('GET', '/leads?owner=me&sort=nextActionAt&name=NextSort', { as: 'rep2' })).body.items).toEqual([]);
  });

  test('an action answers the task due today or earlier without naming it, when its channel does that task', async () => {
    const campaignId = await newCampaign('期限の来たタスク');
    const [lead] = await seedLeads(1, 'Answered', 'rep1');
    await batchWrite([putRequest(newMembershipItem({ leadId: lead!, campaignId, flag: 'responded', marker: 'm', arisenOn: '2026-11-01', at: new Date().toISOString() }))]);
    const task = async (kind: string, dueAt: string) => (await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { kind, title: kind, dueAt } })).body as Task;
    const overdueCall = await task('call', japanDay(-2));
    const todaysCall = await task('call', japanDay(0));
    const todaysMail = await task('email', japanDay(0));
    const tomorrowsCall = await task('call', japanDay(1));
    const call = () => api('POST', `/leads/${lead}/actions`, { as: 'rep1', body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在' } });

    const first = await call();
    expect(first.status).toBe(201);
    const statuses = async () => Object.fromEntries(((await api('GET', `/leads/${lead}/tasks`, { as: 'rep1' })).body.items as Task[]).map((t) => [t.taskId, t.status]));
    // The earliest due call is answered; the mail and tomorrow's call are not.
    expect(await statuses()).toEqual({ [overdueCall.taskId]: 'done', [todaysCall.taskId]: 'open', [todaysMail.taskId]: 'open', [tomorrowsCall.taskId]: 'open' });
    expect(await storedTask(overdueCall)).toMatchObject({ completedByActionId: first.body.action.actionId });
    await call();
    await call();
    expect(await statuses()).toEqual({ [overdueCall.taskId]: 'done', [todaysCall.taskId]: 'done', [todaysMail.taskId]: 'open', [tomorrowsCall.taskId]: 'open' });
    expect((await api('GET', `/leads/${lead}`, { as: 'rep1' })).body.lead.nextActionAt).toBe(japanDay(0));
  });

  test('disqualifying a lead (by action, by PATCH, by update list) or converting it cancels its open tasks in the same write', async () => {
    const campaignId = await newCampaign('終了したリード');
    const leads = await seedLeads(4, 'Closing', 'rep1');
    await batchWrite(leads.map((leadId) => putRequest(newMembershipItem({ leadId, campaignId, flag: 'responded', marker: 'm', arisenOn: '2026-11-01', at: new Date().toISOString() }))));
    const tasks: Task[] = [];
    for (const lead of leads) tasks.push((await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { kind: 'email', title: '資料', dueAt: '2027-04-01' } })).body);

    const byAction = await api('POST', `/leads/${leads[0]}/actions`, {
      as: 'rep1',
      body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在', stage: 'disqualified', stageReason: '予算なし' },
    });
    expect(byAction.status).toBe(201);
    const withNext = await api('POST', `/leads/${leads[1]}/actions`, {
      as: 'rep1',
      body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result: '不在', stage: 'disqualified', stageReason: '予算なし', nextActionAt: '2027-05-01T10:00:00+09:00' },
    });
    expect(withNext.status).toBe(422);
    expect(withNext.body.errors[0].path).toBe('body.nextActionAt');
    const detail = (await api('GET', `/leads/${leads[1]}`, { as: 'rep1' })).body.lead;
    expect((await api('PATCH', `/leads/${leads[1]}`, { as: 'rep1', body: { stage: 'disqualified', stageReason: '競合採用', version: detail.version } })).status).toBe(200);
    const imported = await uploadAs('manager', campaignId, 'update', 'close.xlsx', await xlsx([[leads[2], '対象外', '連絡不可']], ['リードID', 'リードステージ', 'ステージ理由']));
    expect(imported.counts).toMatchObject({ updated: 1, rejected: 0 });
    const converted = await api('POST', `/leads/${leads[3]}/convert`, {
      as: 'rep1',
      body: { campaignId, account: { new: {} }, deal: { name: '案件', ownerId: 'sales' }, notify: false },
    });
    expect(converted.status).toBe(201);

    for (const [i, task] of tasks.entries()) {
      expect(await storedTask(task)).toMatchObject({ status: 'cancelled', GSI1PK: 'TASKS#cancelled#rep1', version: 2 });
      const lead = await getItem(keys.lead(leads[i]!));
      expect(lead).not.toHaveProperty('nextActionAt');
      expect(lead).not.toHaveProperty('GSI8PK');
    }
    expect((await allTasks('assigneeId=me&status=open', 'rep1')).map((t) => t.leadId)).not.toEqual(expect.arrayContaining([leads[0]]));
  });
});

describe('erasure and tasks', () => {
  test("erasure takes a task's note, and the erased lead takes no more tasks", async () => {
    const [lead] = await seedLeads(1, 'Erased', 'rep1');
    const note = '本人の携帯 090-9999-8888、奥様が窓口';
    const task = await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: '折り返し', dueAt: '2027-08-01', note } });
    expect((await storedTask(task.body))!.note).toBe(note);
    expect((await api('DELETE', `/leads/${lead}`, { as: 'admin' })).status).toBe(200);
    const left = await queryAll({ partition: keys.leadPartition(lead!), sortPrefix: keys.taskPrefix });
    expect(left).toHaveLength(1);
    expect(JSON.stringify(left)).not.toContain('090-9999-8888');
    expect(left[0]!.note).toBeUndefined();
    expect((await api('POST', `/leads/${lead}/tasks`, { as: 'rep1', body: { title: 'x', dueAt: '2027-08-01' } })).status).toBe(410);
    expect((await api('PATCH', `/tasks/${task.body.taskId}`, { as: 'rep1', body: { status: 'done', version: 1 } })).status).toBe(410);
  });
});
