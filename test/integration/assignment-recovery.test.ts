import { ulid } from 'ulid';
import { handler as dispatcher } from '../../functions/notifications/handler';
import { resumeAbandonedAssignments, resumeAssignment } from '../../lib/assignment/assign';
import { getOperation, recordOperation, unfinishedAssignments, type AssignmentRecord } from '../../lib/assignment/journal';
import { leadItem, type Lead } from '../../lib/leads/model';
import { getLead } from '../../lib/leads/repository';
import { FAULT_POINTS } from '../../lib/faults';
import { batchWrite, getItem, putRequest } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { failing } from '../support/faults';
import { useLocalStack } from '../support/local-stack';
import { eventually } from '../support/waiting';

const stack = useLocalStack();

async function seedLeads(count: number): Promise<string[]> {
  const now = new Date().toISOString();
  const leads: Lead[] = Array.from({ length: count }, (_, i) => ({
    leadId: ulid(),
    name: `復旧 ${i}`,
    email: `recover${i}@example.com`,
    stage: 'new',
    extra: {},
    matchKey: `recover${i}@example.com`,
    createdAt: now,
    updatedAt: now,
    version: 1,
  }));
  await batchWrite(leads.map((lead) => putRequest(leadItem(lead))));
  return leads.map((l) => l.leadId);
}

it('finishes an assignment whose function died midway: the leads stay assigned and the owner hears of them once', async () => {
  const leadIds = await seedLeads(30);
  // The function "dies" after the leads are written, when it is about to write the notifications.
  const fault = failing(FAULT_POINTS.assignmentPublish, (n) => (n === 1 ? 'the function died before notifying' : undefined));
  const res = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds, ownerId: 'rep2' } });
  fault.restore();
  expect(res.status).toBe(500);
  expect(JSON.stringify(res.body)).not.toContain('injected');
  for (const leadId of leadIds) expect((await getLead(leadId))!.lead.ownerId).toBe('rep2');

  // Left applying, listed as unfinished; nothing told to the owner yet.
  const [assignmentId] = await unfinishedAssignments(new Date(Date.now() + 1000));
  expect(assignmentId).toBeDefined();
  expect((await getItem<{ status: string }>(keys.assignment(assignmentId!)))!.status).toBe('applying');
  expect((await stack().api('GET', '/me/notifications', { as: 'rep2' })).body.items).toHaveLength(0);
  // The sweep leaves operations younger than two minutes alone: the API call may still be running.
  await dispatcher({ sweep: true });
  expect((await getItem<{ status: string }>(keys.assignment(assignmentId!)))!.status).toBe('applying');

  // What the sweep does once the operation is old enough, twice (a retried sweep changes nothing more).
  await resumeAssignment(assignmentId!);
  await resumeAssignment(assignmentId!);
  const record = (await getItem<{ status: string; result: { assigned: number } }>(keys.assignment(assignmentId!)))!;
  expect(record).toMatchObject({ status: 'applied', result: { assigned: 30 } });
  expect(await unfinishedAssignments(new Date(Date.now() + 1000))).toEqual([]);
  for (const leadId of leadIds) expect((await getLead(leadId))!.lead.version).toBe(2);
  const history = await stack().api('GET', `/leads/${leadIds[0]}/history`, { as: 'manager' });
  expect(history.body.items).toHaveLength(1);

  const inbox = await stack().api('GET', '/me/notifications', { as: 'rep2' });
  expect(inbox.body.items).toHaveLength(1);
  expect(inbox.body.items[0]).toMatchObject({ leadCount: 30, sourceId: assignmentId });
  await stack().outboxIdle();
  const mails = await stack().sentMail();
  expect(mails).toHaveLength(1);
  expect(mails[0]).toMatchObject({ destination: { to: ['rep2@example.com'] }, subject: '【リード割り当て】30件のリードが割り当てられました' });
});

it('an operation that cannot go on ends failed with its reason, and never blocks the others', async () => {
  const [stuckLead, goodLead] = await seedLeads(2);
  const created = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const operation = (assignmentId: string, createdAt: string): AssignmentRecord => ({ assignmentId, actorId: 'manager', status: 'applying', planParts: 1, skipped: [], createdAt });
  // Ten operations whose plan moves one lead twice: no transaction can write them, however often they are tried.
  const stuck = Array.from({ length: 10 }, () => ulid());
  for (const [i, id] of stuck.entries()) {
    await recordOperation(operation(id, created(60 - i)), [
      { leadId: stuckLead!, to: 'rep1', version: 1 },
      { leadId: stuckLead!, to: 'rep1', version: 1 },
    ]);
  }
  // A sound one, younger than all of them: the sweep reads ten at a time, oldest turn first.
  const good = ulid();
  await recordOperation(operation(good, created(30)), [{ leadId: goodLead!, to: 'rep1', version: 1 }]);

  // The local stack's sweep runs every few hundred milliseconds, as the cloud's runs every minute: the ten fail and
  // are put off, and the sound one behind them is finished.
  await eventually(async () => {
    expect(await getOperation(good)).toMatchObject({ status: 'applied', result: { assigned: 1 } });
    for (const id of stuck) expect(await getOperation(id)).toMatchObject({ status: 'applying', resumes: expect.any(Number), reason: expect.stringContaining('resuming failed') });
  });
  expect((await getLead(goodLead!))!.lead.ownerId).toBe('rep1');

  // Each failed resume puts the next one off; after the fifth the operation ends failed and leaves the index.
  for (let sweep = 1; sweep <= 5; sweep++) await resumeAbandonedAssignments(new Date(Date.now() + sweep * 10 * 60_000));
  for (const id of stuck) {
    const record = await getOperation(id);
    expect(record).toMatchObject({ status: 'failed', resumes: 5, reason: expect.stringMatching(/resuming failed: .*5 times/) });
  }
  expect(await unfinishedAssignments(new Date(Date.now() + 3_600_000))).toEqual([]);
  expect((await getLead(stuckLead!))!.lead.ownerId).toBeUndefined();
}, 60_000);
