import { ulid } from 'ulid';
import { countOpenLeads } from '../../lib/assignment/plan';
import { leadItem, type Lead } from '../../lib/leads/model';
import { getLead } from '../../lib/leads/repository';
import { batchWrite, putRequest } from '../../lib/table/client';
import { useLocalStack } from '../support/local-stack';

/**
 * 10,000 leads to one rep in one call (the seed product assigns a page at a time). It loads DynamoDB Local for a
 * minute or more, so it runs on its own after the rest of the suite (jest.heavy.config.js), not beside it.
 */

const stack = useLocalStack();
const COUNT = 10_000;
let leadIds: string[];

beforeAll(async () => {
  const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name: '大規模展示会', type: 'exhibition' } });
  const now = new Date().toISOString();
  const leads: Lead[] = Array.from({ length: COUNT }, (_, i) => ({
    leadId: ulid(),
    name: `来場者 ${i}`,
    email: `visitor${i}@example.com`,
    company: `株式会社来場${i % 50}`,
    stage: 'new',
    extra: {},
    matchKey: `visitor${i}@example.com`,
    source: { campaignId: body.campaignId },
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
  await batchWrite(leads.map((lead) => putRequest(leadItem(lead))), { concurrency: 8 });
  leadIds = leads.map((l) => l.leadId);
}, 120_000);

it('assigns 10,000 leads in one call, each with its history, and mails the rep one digest', async () => {
  const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds, ownerId: 'rep1' } });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ dryRun: false, assigned: COUNT, owners: [{ ownerId: 'rep1', count: COUNT }], skipped: [] });
  expect(await countOpenLeads('rep1')).toBe(COUNT);
  for (const index of [0, 4321, COUNT - 1]) {
    expect((await getLead(leadIds[index]!))!.lead).toMatchObject({ ownerId: 'rep1', version: 2 });
    const history = await stack().api('GET', `/leads/${leadIds[index]}/history`, { as: 'rep1' });
    expect(history.body.items).toEqual([expect.objectContaining({ kind: 'assigned', toOwnerId: 'rep1', assignmentId: res.body.assignmentId })]);
  }

  await stack().outboxIdle();
  const mails = await stack().sentMail();
  expect(mails).toHaveLength(1);
  expect(mails[0]).toMatchObject({ destination: { to: ['rep1@example.com'] }, subject: '【リード割り当て】10000件のリードが割り当てられました' });
  expect(mails[0]!.body.text).toContain('ほか9980件');
  expect(mails[0]!.body.html).toContain('<td>来場者 0</td>');
  expect(mails[0]!.body.html).toContain('<td>来場者 19</td>');
  expect(mails[0]!.body.html).not.toContain('<td>来場者 20</td>');

  // In the app: the count in full, the ids up to the notification's cap.
  const inbox = await stack().api('GET', '/me/notifications', { as: 'rep1' });
  expect(inbox.body.items).toHaveLength(1);
  expect(inbox.body.items[0]).toMatchObject({ leadCount: COUNT, emailStatus: 'sent' });
  expect(inbox.body.items[0].leadIds).toEqual(leadIds.slice(0, 1000));
}, 600_000);

it('answers a retry of a 10,000-lead request with the same key with the same answer, however large', async () => {
  // Every lead is rep1's already: the answer lists all 10,000 as skipped, more than a table item can hold.
  const request = { as: 'manager', body: { leadIds, ownerId: 'rep1' }, headers: { 'idempotency-key': 'bulk-again-1' } };
  const first = await stack().api('POST', '/leads/assign', request);
  expect(first.status).toBe(200);
  expect(first.body).toMatchObject({ assigned: 0 });
  expect(first.body.skipped).toHaveLength(COUNT);
  expect(first.body.skipped.every((s: { reason: string }) => s.reason === 'already_owned')).toBe(true);
  expect(JSON.stringify(first.body).length).toBeGreaterThan(400 * 1024);

  const retried = await stack().api('POST', '/leads/assign', request);
  expect(retried.status).toBe(200);
  expect(retried.headers.get('idempotent-replayed')).toBe('true');
  expect(retried.body).toEqual(first.body);
}, 120_000);
