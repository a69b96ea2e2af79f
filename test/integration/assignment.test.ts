import { ulid } from 'ulid';
import { handler as dispatcher } from '../../functions/notifications/handler';
import { dispatchNotification } from '../../lib/notifications/dispatch';
import { newNotification, notificationItem, notificationWrites } from '../../lib/notifications/model';
import { countOpenLeads } from '../../lib/assignment/plan';
import { leadItem, type Lead } from '../../lib/leads/model';
import { getLead } from '../../lib/leads/repository';
import { batchWrite, getItem, putRequest, toAttributes, updateItem } from '../../lib/table/client';
import { transact } from '../../lib/table/transaction';
import { keys } from '../../lib/table/keys';
import { eventually } from '../support/waiting';
import { useLocalStack, type SentMail } from '../support/local-stack';
import { HEADER, readWorkbook, xlsx } from '../support/lists';
import { intakeHelpers } from '../support/intake';

const stack = useLocalStack();
const { uploadAs } = intakeHelpers(stack);

/** Leads written straight to the table, faster than through the intake (which has tests of its own). */
async function seedLeads(count: number, campaignId: string, prefix: string): Promise<string[]> {
  const now = new Date().toISOString();
  const leads: Lead[] = Array.from({ length: count }, (_, i) => ({
    leadId: ulid(),
    name: `${prefix} ${i}`,
    email: `${prefix}${i}@example.com`,
    company: `株式会社${prefix}${i % 50}`,
    stage: 'new',
    extra: {},
    matchKey: `${prefix}${i}@example.com`,
    source: { campaignId },
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
  await batchWrite(leads.map((lead) => putRequest(leadItem(lead))), { concurrency: 8 });
  return leads.map((l) => l.leadId);
}

async function mailTo(address: string): Promise<SentMail[]> {
  return (await stack().sentMail()).filter((m) => m.destination.to.includes(address));
}


async function campaign(name: string): Promise<string> {
  const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, type: 'seminar' } });
  return body.campaignId;
}

async function countLeads(query: string, as = 'admin'): Promise<number> {
  let total = 0;
  let cursor: string | null = null;
  do {
    const page: any = await stack().api('GET', `/leads?${query}&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as });
    expect(page.status).toBe(200);
    total += page.body.items.length;
    cursor = page.body.nextCursor;
  } while (cursor);
  return total;
}

let fair: string;
let bulk: string[];

beforeAll(async () => {
  fair = await campaign('秋のセミナー');
  const people = Array.from({ length: 31 }, (_, i) => [`参加者 ${i}`, `fair${i}@example.com`, `株式会社サンプル${i}`, '', '', '']);
  await stack().upload(`imports/${fair}/participant/fair.xlsx`, await xlsx(people, HEADER));
  bulk = await seedLeads(300, await campaign('大規模展示会'), 'bulk');
}, 120_000);

describe('POST /leads/assign: who may, and what it accepts', () => {
  it('refuses a rep, marketing and an agent (403) and a token-less call (401)', async () => {
    for (const as of ['rep1', 'marketing', 'agent']) {
      const res = await stack().api('POST', '/leads/assign', { as, body: { leadIds: [bulk[0]], ownerId: 'rep1' } });
      expect(res.status).toBe(403);
    }
    expect((await stack().api('POST', '/leads/assign', { body: { leadIds: [bulk[0]], ownerId: 'rep1' } })).status).toBe(401);
  });

  it('explains a body that is neither form, or mixes them (422 with paths)', async () => {
    const none = await stack().api('POST', '/leads/assign', { as: 'manager', body: { ownerId: 'rep1' } });
    expect(none.status).toBe(422);
    expect(none.body.errors.map((e: any) => e.path)).toContain('body.leadIds');
    const noStrategy = await stack().api('POST', '/leads/assign', { as: 'manager', body: { filter: { campaignId: fair }, ownerIds: ['rep1'] } });
    expect(noStrategy.status).toBe(422);
    expect(noStrategy.body.errors.map((e: any) => e.path)).toContain('body.strategy');
    const badStrategy = await stack().api('POST', '/leads/assign', { as: 'manager', body: { filter: {}, ownerIds: ['rep1'], strategy: 'random' } });
    expect(badStrategy.status).toBe(422);
  });

  it('accepts only active users whose role owns leads, and changes nothing otherwise', async () => {
    for (const ownerId of ['marketing', 'nobody']) {
      const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: bulk.slice(0, 3), ownerId } });
      expect(res.status).toBe(422);
      expect(res.body.errors[0].path).toBe('body.ownerId');
    }
    const many = await stack().api('POST', '/leads/assign', { as: 'manager', body: { filter: { campaignId: fair }, ownerIds: ['rep1', 'admin'], strategy: 'round_robin' } });
    expect(many.status).toBe(422);
    expect(many.body.errors[0].path).toBe('body.ownerIds.1');
    expect((await getLead(bulk[0]!))!.lead.ownerId).toBeUndefined();
  });
});

describe('bulk assignment by ids', () => {
  // 10,000 leads in one call: test/heavy/bulk-assignment.test.ts, run on its own after this suite.
  it('gives a batch of leads to one rep in one call, records each in its history and mails the rep once', async () => {
    const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: bulk, ownerId: 'rep1' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: false, assigned: 300, owners: [{ ownerId: 'rep1', count: 300 }], skipped: [] });

    expect(await countOpenLeads('rep1')).toBe(300);
    const lead = (await getLead(bulk[123]!))!.lead;
    expect(lead).toMatchObject({ ownerId: 'rep1', ownerTeam: 'インサイドセールス部', version: 2 });
    const history = await stack().api('GET', `/leads/${bulk[123]}/history`, { as: 'rep1' });
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'assigned', actorId: 'manager', toOwnerId: 'rep1', assignmentId: res.body.assignmentId })]);
    expect(history.body.items[0].fromOwnerId).toBeUndefined();

    const mails = await eventually(async () => {
      const sent = await mailTo('rep1@example.com');
      expect(sent).toHaveLength(1);
      return sent;
    });
    expect(mails[0]!.subject).toBe('【リード割り当て】300件のリードが割り当てられました');
    expect(mails[0]!.from).toBe('no-reply@example.com');
    // A digest: the first 20 leads by name and company, the rest counted, the campaign named, a link to the list.
    expect(mails[0]!.body.text).toContain('大規模展示会');
    expect(mails[0]!.body.text).toContain('ほか280件');
    expect(mails[0]!.body.text).toContain('/leads?owner=me');
    expect(mails[0]!.body.html).toContain('<td>bulk 0</td>');
    expect(mails[0]!.body.html).not.toContain('bulk 20<');

    const inbox = await stack().api('GET', '/me/notifications', { as: 'rep1' });
    expect(inbox.body.unreadCount).toBe(1);
    expect(inbox.body.items[0]).toMatchObject({ kind: 'leads_assigned', leadCount: 300, read: false, emailStatus: 'sent', emailAttempts: 1 });
    expect(inbox.body.items[0].leadIds).toEqual(bulk);
    expect(inbox.body.items[0].mail).toBeUndefined();
  }, 60_000);

  it('changes nothing and tells nobody when the leads already belong to that rep', async () => {
    const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: bulk.slice(0, 50), ownerId: 'rep1' } });
    expect(res.status).toBe(200);
    expect(res.body.assigned).toBe(0);
    expect(res.body.skipped).toHaveLength(50);
    expect(res.body.skipped.every((s: any) => s.reason === 'already_owned')).toBe(true);
    expect((await getLead(bulk[0]!))!.lead.version).toBe(2);
    await stack().outboxIdle();
    expect(await mailTo('rep1@example.com')).toHaveLength(1);
    expect((await stack().api('GET', '/me/notifications', { as: 'rep1' })).body.unreadCount).toBe(1);
  });

  it('reports unknown leads as skipped and moves the others, recording from whom', async () => {
    const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [bulk[0], 'NOSUCHLEAD', bulk[1]], ownerId: 'rep2' } });
    expect(res.body).toMatchObject({ assigned: 2, skipped: [{ leadId: 'NOSUCHLEAD', reason: 'not_found' }] });
    const history = await stack().api('GET', `/leads/${bulk[0]}/history`, { as: 'manager' });
    expect(history.body.items.at(-1)).toMatchObject({ kind: 'assigned', fromOwnerId: 'rep1', toOwnerId: 'rep2' });
    const mails = await eventually(async () => {
      const sent = await mailTo('rep2@example.com');
      expect(sent).toHaveLength(1);
      return sent;
    });
    expect(mails[0]!.subject).toContain('2件');
  });
});

describe('Idempotency-Key on assignment', () => {
  it('replays a finished call, refuses one still running, and lets a retry run in place of one that died', async () => {
    const [leadId] = await seedLeads(1, fair, 'idem');
    const call = () => stack().api('POST', '/leads/assign', { as: 'manager', headers: { 'idempotency-key': 'assign-idem-1' }, body: { leadIds: [leadId], ownerId: 'rep2' } });
    const first = await call();
    expect(first.body.assigned).toBe(1);
    const replay = await call();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);

    const key = keys.idempotency('manager', 'POST /leads/assign', 'assign-idem-1');
    const now = Math.floor(Date.now() / 1000);
    // Still running (its lease is live): a second request waits its turn.
    await updateItem({ key, update: 'SET #state = :running, leaseUntil = :later REMOVE reply', names: { '#state': 'state' }, values: { ':running': 'in_progress', ':later': now + 60 } });
    expect((await call()).status).toBe(409);
    // Died (its lease ran out): the retry runs; the lead is already the rep's, so nothing changes twice.
    await updateItem({ key, update: 'SET leaseUntil = :past', values: { ':past': now - 1 } });
    const retried = await call();
    expect(retried.status).toBe(200);
    expect(retried.headers.get('idempotent-replayed')).toBeNull();
    expect(retried.body).toMatchObject({ assigned: 0, skipped: [{ leadId, reason: 'already_owned' }] });
    expect((await getLead(leadId!))!.lead.version).toBe(2);
  });
});

describe('assignment by filter', () => {
  it('a dry run gives the planned spread and changes nothing', async () => {
    const res = await stack().api('POST', '/leads/assign', {
      as: 'manager',
      body: { filter: { campaignId: fair, owner: 'unassigned' }, ownerIds: ['rep1', 'rep2', 'agent'], strategy: 'round_robin', dryRun: true },
    });
    expect(res.status).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.assignmentId).toBeUndefined();
    const counts = res.body.owners.map((o: any) => o.count).sort();
    expect(counts).toEqual([10, 10, 11]);
    expect(new Set(res.body.owners.flatMap((o: any) => o.leadIds)).size).toBe(31);
    expect(await countLeads(`campaignId=${fair}&owner=unassigned`)).toBe(31);
  });

  it('round robin spreads evenly within one and mails each rep once', async () => {
    // The tests before this one mailed rep2 too: their mails must be out before they are counted.
    await stack().outboxIdle();
    const before = { rep1: (await mailTo('rep1@example.com')).length, rep2: (await mailTo('rep2@example.com')).length };
    const res = await stack().api('POST', '/leads/assign', {
      as: 'manager',
      body: { filter: { campaignId: fair, owner: 'unassigned' }, ownerIds: ['rep1', 'rep2', 'agent'], strategy: 'round_robin' },
    });
    expect(res.status).toBe(200);
    expect(res.body.assigned).toBe(31);
    const byOwner = Object.fromEntries(res.body.owners.map((o: any) => [o.ownerId, o.count]));
    expect(Object.values(byOwner).sort()).toEqual([10, 10, 11]);
    for (const owner of ['rep1', 'rep2', 'agent']) expect(await countLeads(`campaignId=${fair}&owner=${owner}`)).toBe(byOwner[owner]);
    await eventually(async () => {
      expect(await mailTo('rep1@example.com')).toHaveLength(before.rep1 + 1);
      expect(await mailTo('rep2@example.com')).toHaveLength(before.rep2 + 1);
      expect(await mailTo('agent@example.com')).toHaveLength(1);
    });
    const agentMail = (await mailTo('agent@example.com'))[0]!;
    expect(agentMail.subject).toContain(`${byOwner.agent}件`);
    expect(agentMail.body.text).toContain('秋のセミナー');
  });

  it('balanced evens out the owners\' open leads', async () => {
    const extra = await seedLeads(7, fair, 'late');
    const open = async (owner: string) => countLeads(`owner=${owner}&stage=new,working`);
    const before = { rep2: await open('rep2'), agent: await open('agent') };
    const res = await stack().api('POST', '/leads/assign', {
      as: 'manager',
      body: { filter: { campaignId: fair, owner: 'unassigned' }, ownerIds: ['rep2', 'agent'], strategy: 'balanced' },
    });
    // 7 new leads (the seeded ones carry no campaign history, so the filter finds none of them)…
    expect(res.body.assigned).toBe(0);
    // …so deal them by id instead: balanced needs a filter, take every unassigned lead.
    const byFilter = await stack().api('POST', '/leads/assign', {
      as: 'manager',
      body: { filter: { owner: 'unassigned' }, ownerIds: ['rep2', 'agent'], strategy: 'balanced' },
    });
    expect(byFilter.body.assigned).toBe(7);
    const after = { rep2: await open('rep2'), agent: await open('agent') };
    expect(after.rep2 + after.agent).toBe(before.rep2 + before.agent + 7);
    const expected = Math.abs(before.rep2 - before.agent) >= 7 ? Math.abs(before.rep2 - before.agent) - 7 : (before.rep2 + before.agent + 7) % 2;
    expect(Math.abs(after.rep2 - after.agent)).toBe(expected);
    for (const leadId of extra) expect(['rep2', 'agent']).toContain((await getLead(leadId))!.lead.ownerId);
  });
});

describe('hand-over (営業引継ぎ)', () => {
  it('moves the lead to field sales in stage handed_over and mails the new owner the summary', async () => {
    const leadId = bulk[150]!;
    const refused = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'rep2', body: { ownerId: 'sales' } });
    expect(refused.status).toBe(403);
    const notSales = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'manager', body: { ownerId: 'rep2' } });
    expect(notSales.status).toBe(422);

    const res = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'rep1', body: { ownerId: 'sales', note: '来週デモ希望' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ leadId, stage: 'handed_over', ownerId: 'sales', ownerTeam: 'フィールドセールス部', version: 3 });
    const history = await stack().api('GET', `/leads/${leadId}/history`, { as: 'sales' });
    expect(history.body.items.map((e: any) => e.kind)).toEqual(['assigned', 'handed_over']);
    expect(history.body.items[1]).toMatchObject({ actorId: 'rep1', fromOwnerId: 'rep1', toOwnerId: 'sales', note: '来週デモ希望' });

    const mail = await eventually(async () => {
      const sent = await mailTo('sales@example.com');
      expect(sent).toHaveLength(1);
      return sent[0]!;
    });
    expect(mail.subject).toBe('【営業引継ぎ】bulk 150（株式会社bulk0）');
    expect(mail.body.text).toContain('来週デモ希望');
    expect(mail.body.text).toContain('大規模展示会');

    // Asking again changes nothing and tells nobody twice.
    const again = await stack().api('POST', `/leads/${leadId}/handover`, { as: 'manager', body: { ownerId: 'sales' } });
    expect(again.body.version).toBe(3);
    await stack().outboxIdle();
    expect(await mailTo('sales@example.com')).toHaveLength(1);
  });

  it('answers 409 when the caller saw an older version', async () => {
    const res = await stack().api('POST', `/leads/${bulk[151]}/handover`, { as: 'manager', body: { ownerId: 'sales', version: 1 } });
    expect(res.status).toBe(409);
    expect(res.body.currentVersion).toBe(2);
  });
});

describe('notifications', () => {
  it('marks one read, then all, keeping the unread count exact', async () => {
    const inbox = await stack().api('GET', '/me/notifications', { as: 'rep1' });
    const unread = inbox.body.unreadCount;
    expect(unread).toBeGreaterThanOrEqual(2);
    const first = inbox.body.items[0].notificationId;
    const read = await stack().api('POST', `/me/notifications/${first}/read`, { as: 'rep1' });
    expect(read.body).toMatchObject({ notificationId: first, read: true });
    await stack().api('POST', `/me/notifications/${first}/read`, { as: 'rep1' });
    expect((await stack().api('GET', '/me/notifications', { as: 'rep1' })).body.unreadCount).toBe(unread - 1);
    expect((await stack().api('GET', '/me/notifications?unread=true', { as: 'rep1' })).body.items).toHaveLength(unread - 1);
    const all = await stack().api('POST', '/me/notifications/read-all', { as: 'rep1' });
    expect(all.body).toEqual({ marked: unread - 1, unreadCount: 0 });
    // Another user's notification is not there for me.
    expect((await stack().api('POST', `/me/notifications/${first}/read`, { as: 'rep2' })).status).toBe(404);
  });

  it('sends nothing for a redelivered stream record, or for a second dispatch racing the first', async () => {
    // Due in an hour, so the local dispatcher's own stream poll and sweep leave it alone until we call it.
    const due = new Date(Date.now() + 3_600_000);
    const notification = newNotification({
      userId: 'rep2',
      kind: 'leads_assigned',
      sourceId: 'redelivery-check',
      title: '再送確認',
      body: '再送確認',
      leadIds: [],
      mail: { subject: '再送確認', text: '再送確認', html: '<p>再送確認</p>' },
      now: due,
    });
    await transact(notificationWrites(notification));
    const record = { eventName: 'INSERT', dynamodb: { NewImage: toAttributes(notificationItem(notification)), SequenceNumber: '1' } };
    const sent = async () => (await mailTo('rep2@example.com')).filter((m) => m.subject === '再送確認').length;

    expect(await dispatcher({ Records: [record] } as never)).toEqual({ batchItemFailures: [] });
    expect(await sent()).toBe(0); // not due yet
    const outcomes = await Promise.all([dispatchNotification('rep2', notification.notificationId, due), dispatchNotification('rep2', notification.notificationId, due)]);
    expect(outcomes.sort()).toEqual(['sent', 'skipped']);
    await dispatcher({ Records: [record, record] } as never);
    expect(await dispatchNotification('rep2', notification.notificationId, due)).toBe('skipped');
    expect(await sent()).toBe(1);
    // Once sent, the rendered mail (it quotes leads) is not kept; the notification itself goes after its retention.
    const stored = (await getItem<Record<string, unknown>>(keys.notification('rep2', notification.notificationId)))!;
    expect(stored.mail).toBeUndefined();
    expect(stored.expiresAt).toBe(Math.floor(due.getTime() / 1000) + 90 * 86_400);
  });

  it('takes an unread notification the TTL deletes off the unread count, once however often the record comes', async () => {
    const unread = async () => (await stack().api('GET', '/me/notifications', { as: 'sales' })).body.unreadCount as number;
    const notification = newNotification({ userId: 'sales', kind: 'deal_assigned', sourceId: 'expiry-check', title: '期限', body: '期限', leadIds: [], mail: { subject: '期限', text: '期限', html: '<p>期限</p>' }, now: new Date() });
    await transact(notificationWrites(notification));
    const before = await unread();
    const image = toAttributes({ ...notificationItem(notification), read: false });
    const deleted = (userIdentity?: object) => ({ eventName: 'REMOVE', ...(userIdentity ? { userIdentity } : {}), dynamodb: { OldImage: image, SequenceNumber: '2' } });
    const byTtl = deleted({ type: 'Service', principalId: 'dynamodb.amazonaws.com' });

    // A delete by anything but the TTL says nothing about the count.
    await dispatcher({ Records: [deleted()] } as never);
    expect(await unread()).toBe(before);
    await dispatcher({ Records: [byTtl, byTtl] } as never);
    await dispatcher({ Records: [byTtl] } as never);
    expect(await unread()).toBe(before - 1);
    // A notification read before it expired was counted off when it was read.
    await dispatcher({ Records: [{ ...byTtl, dynamodb: { OldImage: toAttributes({ ...notificationItem(notification), notificationId: 'other', read: true }) } }] } as never);
    expect(await unread()).toBe(before - 1);
  });

  it('keeps the assignment when SES is down, and mails once SES is back', async () => {
    const leads = await seedLeads(3, fair, 'outage');
    await stack().setSesAvailable(false);
    try {
      const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: leads, ownerId: 'agent' } });
      expect(res.status).toBe(200);
      expect(res.body.assigned).toBe(3);
      expect((await getLead(leads[0]!))!.lead.ownerId).toBe('agent');
      const failing = await eventually(async () => {
        const inbox = await stack().api('GET', '/me/notifications', { as: 'agent' });
        expect(inbox.body.items[0].emailAttempts).toBeGreaterThanOrEqual(2);
        return inbox.body.items[0];
      });
      expect(failing).toMatchObject({ emailStatus: 'pending', leadCount: 3 });
      expect(failing.emailError).toBeDefined();
    } finally {
      await stack().setSesAvailable(true);
    }
    const sent = await eventually(async () => {
      const mails = (await mailTo('agent@example.com')).filter((m) => m.subject.includes('3件'));
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(sent).toHaveLength(1);
    await stack().outboxIdle();
    expect((await mailTo('agent@example.com')).filter((m) => m.subject.includes('3件'))).toHaveLength(1);
    const inbox = await stack().api('GET', '/me/notifications', { as: 'agent' });
    expect(inbox.body.items[0]).toMatchObject({ emailStatus: 'sent' });
    expect(inbox.body.items[0].nextAttemptAt).toBeUndefined();
  }, 60_000);
});

describe('assignment by update list (リード担当者)', () => {
  it('assigns by e-mail, id or unique name, rejects unknown, ambiguous and ineligible owners, and mails each owner once', async () => {
    const listed = await campaign('リスト割当');
    const people = Array.from({ length: 10 }, (_, i) => [`名簿 ${i}`, `roster${i}@example.com`, `株式会社名簿${i}`, '', '', '']);
    await stack().upload(`imports/${listed}/participant/roster.xlsx`, await xlsx(people, HEADER));
    for (const name of ['山田 太郎', '山田　太郎']) {
      const created = await stack().api('POST', '/users', { as: 'admin', body: { name, email: `${name.length}-${Date.now()}@example.com`, role: 'rep' } });
      expect(created.status).toBe(201);
    }
    await stack().outboxIdle();
    const before = { rep2: (await mailTo('rep2@example.com')).length, sales: (await mailTo('sales@example.com')).length };

    const owners = ['REP2@example.com', 'rep2@example.com', 'ｒｅｐ２＠ｅｘａｍｐｌｅ．ｃｏｍ', 'rep2@example.com', 'rep2@example.com', '担当 三子', 'sales', 'nobody@example.com', 'marketing@example.com', '山田太郎'];
    const rows = owners.map((owner, i) => [`名簿 ${i}`, `roster${i}@example.com`, owner]);
    await uploadAs('manager', listed, 'update', 'owners.xlsx', await xlsx(rows, ['*名前', 'メールアドレス', 'リード担当者']));

    const imports = await stack().api('GET', `/imports?campaignId=${listed}`, { as: 'marketing' });
    const update = imports.body.items.find((i: any) => i.kind === 'update');
    expect(update.reason).toBeUndefined();
    expect(update).toMatchObject({ status: 'completed_with_errors', counts: { rows: 10, updated: 7, rejected: 3 } });
    const rejections = await stack().api('GET', `/imports/${update.importId}/rejections`, { as: 'marketing' });
    expect(rejections.status).toBe(200);

    const ownerOf = async (i: number) => {
      const page = await stack().api('GET', `/leads?name=${encodeURIComponent(`名簿 ${i}`)}`, { as: 'admin' });
      return page.body.items[0].ownerId;
    };
    for (let i = 0; i < 6; i++) expect(await ownerOf(i)).toBe('rep2');
    expect(await ownerOf(6)).toBe('sales');
    for (let i = 7; i < 10; i++) expect(await ownerOf(i)).toBeUndefined();

    await eventually(async () => {
      expect(await mailTo('rep2@example.com')).toHaveLength(before.rep2 + 1);
      expect(await mailTo('sales@example.com')).toHaveLength(before.sales + 1);
    });
    const rep2Mail = (await mailTo('rep2@example.com')).at(-1)!;
    expect(rep2Mail.subject).toBe('【リード割り当て】6件のリードが割り当てられました');
    expect(rep2Mail.body.text).toContain('owners.xlsx');
    expect(rep2Mail.body.text).toContain('リスト割当');
    const history = await stack().api('GET', `/leads/${(await stack().api('GET', `/leads?name=${encodeURIComponent('名簿 6')}`, { as: 'admin' })).body.items[0].leadId}/history`, { as: 'admin' });
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'assigned', toOwnerId: 'sales', actorId: update.uploadedBy, importId: update.importId })]);

    // The same list again: every owner is already right, so nothing changes and nobody is told.
    await uploadAs('manager', listed, 'update', 'owners-again.xlsx', await xlsx(rows, ['*名前', 'メールアドレス', 'リード担当者']));
    const again = (await stack().api('GET', `/imports?campaignId=${listed}`, { as: 'marketing' })).body.items.find((i: any) => i.key.endsWith('owners-again.xlsx'));
    expect(again.counts).toMatchObject({ updated: 0, unchanged: 7, rejected: 3 });
    await stack().outboxIdle();
    expect(await mailTo('rep2@example.com')).toHaveLength(before.rep2 + 1);
  });

  it('changes no owner for a marketer, nor for a file put straight into the bucket: those rows are rejected with the reason', async () => {
    const listed = await campaign('担当変更の権限');
    const people = Array.from({ length: 4 }, (_, i) => [`権限 ${i}`, `authority${i}@example.com`, `株式会社権限${i}`, '', '', '']);
    await stack().upload(`imports/${listed}/participant/roster.xlsx`, await xlsx(people, HEADER));
    const header = ['*名前', 'メールアドレス', '役職', 'リード担当者'];
    // Row 2 changes only a title; rows 3 and 4 would give their leads to the outside agent.
    const rows = [
      ['権限 0', 'authority0@example.com', '部長', ''],
      ['権限 1', 'authority1@example.com', '', 'agent'],
      ['権限 2', 'authority2@example.com', '課長', 'agent@example.com'],
    ];
    const byMarketing = await uploadAs('marketing', listed, 'update', 'by-marketing.xlsx', await xlsx(rows, header));
    expect(byMarketing).toMatchObject({ status: 'completed_with_errors', counts: { rows: 3, updated: 1, rejected: 2 } });
    await stack().upload(`imports/${listed}/update/straight-in.xlsx`, await xlsx(rows, header));
    const straightIn = (await stack().api('GET', `/imports?campaignId=${listed}`, { as: 'marketing' })).body.items.find((i: any) => i.key.endsWith('straight-in.xlsx'));
    expect(straightIn).toMatchObject({ status: 'completed_with_errors', counts: { rows: 3, unchanged: 1, rejected: 2 } });

    const ownerOf = async (i: number) => (await stack().api('GET', `/leads?name=${encodeURIComponent(`権限 ${i}`)}`, { as: 'admin' })).body.items[0];
    expect(await ownerOf(0)).not.toHaveProperty('ownerId');
    for (const i of [1, 2]) expect((await ownerOf(i)).ownerId).toBeUndefined();
    expect((await stack().api('GET', '/leads', { as: 'agent' })).body.items.filter((l: any) => l.name.startsWith('権限'))).toEqual([]);
    const report = await stack().api('GET', `/imports/${byMarketing.importId}/rejections`, { as: 'marketing' });
    const sheets = await readWorkbook(await (await fetch(report.body.url)).arrayBuffer());
    expect(sheets.get('取り込めなかった行')!.slice(1).map((r) => [r[0], r[1]])).toEqual([
      [3, 'リード担当者を変更できるのは、管理者またはインサイドセールス責任者が依頼した更新リストだけです'],
      [4, 'リード担当者を変更できるのは、管理者またはインサイドセールス責任者が依頼した更新リストだけです'],
    ]);
  });
});
