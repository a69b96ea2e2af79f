import { ulid } from 'ulid';
import { FAULT_POINTS } from '../../lib/faults';
import { createImportRecord } from '../../lib/intake/import-record';
import { emptyCounts } from '../../lib/intake/schema';
import { recountCounters } from '../../lib/read-models/campaign-metrics';
import { dynamo, putItem, updateItem } from '../../lib/table/client';
import { ENTITY, keys } from '../../lib/table/keys';
import { failing } from '../support/faults';
import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';

/**
 * How list intake keeps every person exactly once when an import dies halfway, when another import died between
 * its claims and its leads, and how the first list of a campaign skips reading histories without getting them wrong.
 */

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail, membership, metrics } = intakeHelpers(stack);

const people = (tag: string, n: number) => Array.from({ length: n }, (_, i) => [`${tag} ${i}`, `${tag}${i}@example.com`, `会社${i}`, '', '', '']);

async function withChunkRows<T>(rows: number, work: () => Promise<T>): Promise<T> {
  process.env.INTAKE_CHUNK_ROWS = String(rows);
  try {
    return await work();
  } finally {
    delete process.env.INTAKE_CHUNK_ROWS;
  }
}

/** Counts the campaign-history keys that BatchGetItem calls ask for while `work` runs. */
async function historyKeysRead(work: () => Promise<unknown>): Promise<number> {
  let read = 0;
  const name = `countHistoryReads${ulid()}`;
  dynamo().middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'BatchGetItemCommand') {
        for (const request of Object.values((args.input as { RequestItems: Record<string, { Keys: { SK: { S: string } }[] }> }).RequestItems)) {
          read += request.Keys.filter((key) => key.SK.S.startsWith('CAMPAIGN#')).length;
        }
      }
      return next(args);
    },
    { step: 'initialize', name },
  );
  try {
    await work();
  } finally {
    dynamo().middlewareStack.remove(name);
  }
  return read;
}

describe('list intake when things go wrong halfway', () => {
  test('a crash between a chunk’s claims and its leads: the retry writes what is missing and counts each person once', async () => {
    const campaignId = await newCampaign();
    // The second chunk's claims are in; the function dies before its leads and histories are written.
    const leadBatches = failing(FAULT_POINTS.intakeNewPeople, (n) => (n === 2 ? 'the function died after claiming' : undefined));
    try {
      const imported = await withChunkRows(10, async () => importList(campaignId, 'invitation', 'claims.xlsx', await xlsx(people('claimcrash', 30))));
      expect(leadBatches.reached).toBeGreaterThanOrEqual(3);
      expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 30, created: 30, matched: 0, merged: 0 } });
    } finally {
      leadBatches.restore();
    }
    for (let i = 0; i < 30; i++) {
      const lead = await leadByEmail(`claimcrash${i}@example.com`);
      expect(lead).toMatchObject({ name: `claimcrash ${i}`, stage: 'new' });
      expect(await membership(lead!.leadId, campaignId)).toMatchObject({ invited: true, responded: false });
    }
    expect(await metrics(campaignId)).toMatchObject({ invited: 30, newLeads: 30 });
  });

  test('known people in a campaign’s first list: a retry after a crash reads the histories it wrote and counts exactly', async () => {
    await importList(await newCampaign('前回'), 'participant', 'earlier.xlsx', await xlsx(people('firstlist', 40)));
    const campaignId = await newCampaign('初回');
    const commits = failing(FAULT_POINTS.intakeCommit, (n) => (n === 2 ? 'the function died before committing' : undefined));
    let imported: any;
    try {
      imported = await withChunkRows(10, async () => importList(campaignId, 'participant', 'known.xlsx', await xlsx(people('firstlist', 40))));
    } finally {
      commits.restore();
    }
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 40, created: 0, matched: 40, unchanged: 0, merged: 0 } });
    expect(await metrics(campaignId)).toMatchObject({ responded: 40, knownLeads: 40 });
    for (const i of [0, 15, 39]) {
      const lead = await leadByEmail(`firstlist${i}@example.com`);
      // Row i + 2 (the header is row 1) reached the person, whichever attempt wrote it.
      expect(await membership(lead!.leadId, campaignId)).toMatchObject({ responded: true, invited: false, respondedBy: `${imported.importId}#${i + 2}` });
    }
  });

  test('a campaign’s first list reads no history; its second list reads each one and keeps both flags', async () => {
    await importList(await newCampaign('前回'), 'participant', 'earlier.xlsx', await xlsx(people('reads', 20)));
    const campaignId = await newCampaign();
    let first: any;
    expect(await historyKeysRead(async () => (first = await importList(campaignId, 'invitation', 'invite.xlsx', await xlsx(people('reads', 20)))))).toBe(0);
    expect(first.counts).toMatchObject({ matched: 20, created: 0 });
    let second: any;
    expect(await historyKeysRead(async () => (second = await importList(campaignId, 'participant', 'attended.xlsx', await xlsx(people('reads', 20)))))).toBe(20);
    expect(second.counts).toMatchObject({ matched: 20, unchanged: 0 });
    const lead = await leadByEmail('reads7@example.com');
    expect(await membership(lead!.leadId, campaignId)).toMatchObject({ invited: true, responded: true });
  });

  test('a lock item older than first holders: the counters show the campaign has histories, and they are read', async () => {
    const campaignId = await newCampaign();
    await importList(campaignId, 'invitation', 'invite.xlsx', await xlsx(people('oldlock', 5)));
    // As the lock was written before it remembered its first holder.
    await updateItem({ key: keys.campaignIntakeLock(campaignId), update: 'REMOVE firstHolder' });
    const attended = await importList(campaignId, 'participant', 'attended.xlsx', await xlsx(people('oldlock', 5)));
    expect(attended.counts).toMatchObject({ matched: 5, unchanged: 0, created: 0 });
    for (let i = 0; i < 5; i++) {
      const lead = await leadByEmail(`oldlock${i}@example.com`);
      expect(await membership(lead!.leadId, campaignId)).toMatchObject({ invited: true, responded: true });
    }
  });

  test('a claim left by an import that died before writing its lead: the next list creates the lead from its row', async () => {
    const dead = ulid();
    await createImportRecord({ importId: dead, campaignId: 'elsewhere', kind: 'participant', status: 'running', key: 'imports/elsewhere/participant/x.xlsx', fileName: 'x.xlsx', counts: emptyCounts(), createdAt: new Date().toISOString(), hasRejections: false });
    const leadId = ulid();
    await putItem({ ...keys.leadMatchKey('e:orphan@example.com'), entity: ENTITY.leadMatchKey, leadId, createdBy: `${dead}#7`, createdAt: new Date().toISOString() });

    const campaignId = await newCampaign();
    const imported = await importList(campaignId, 'participant', 'orphan.xlsx', await xlsx([['孤児 花子', 'orphan@example.com', '株式会社残り', '', '', ''], ...people('orphanmate', 2)]));
    expect(imported.counts).toMatchObject({ rows: 3, created: 2, matched: 1 });
    const { status, body } = await stack().api('GET', `/leads/${leadId}`, { as: 'manager' });
    expect(status).toBe(200);
    expect(body.lead).toMatchObject({ leadId, name: '孤児 花子', company: '株式会社残り', stage: 'new' });
    expect(await membership(leadId, campaignId)).toMatchObject({ responded: true });
  });

  test('an import whose every attempt fails ends failed with the reason; the file uploaded again imports the rest, each person counted once', async () => {
    const campaignId = await newCampaign();
    // The first chunk commits; from then on the table refuses every commit, on every attempt Lambda makes.
    const commits = failing(FAULT_POINTS.intakeCommit, (n) => (n >= 2 ? 'the table is unavailable' : undefined));
    const list = await xlsx(people('doomed', 30));
    let failed: any;
    try {
      failed = await withChunkRows(10, async () => importList(campaignId, 'invitation', 'doomed.xlsx', list));
    } finally {
      commits.restore();
    }
    expect(commits.reached).toBeGreaterThanOrEqual(4); // one good commit, then one failed commit per attempt
    expect(failed).toMatchObject({ status: 'failed', counts: { rows: 10, created: 10 } });
    expect(failed.reason).toMatch(/failed 3 times \(Error\).*Upload the file again/);
    expect(failed.finishedAt).toEqual(expect.any(String));
    const { body: shown } = await stack().api('GET', `/imports/${failed.importId}`, { as: 'marketing' });
    expect(shown).toMatchObject({ status: 'failed', reason: failed.reason });

    // The people past the last commit were claimed (some with leads and histories) but counted by nobody: the
    // same list again creates them, counts them once, and does not wait for the failed import's campaign lock.
    const again = await withChunkRows(10, async () => importList(campaignId, 'invitation', 'doomed-again.xlsx', list));
    expect(again).toMatchObject({ status: 'succeeded', counts: { rows: 30, created: 20, unchanged: 10, matched: 0, merged: 0 } });
    expect(await metrics(campaignId)).toMatchObject({ invited: 30, newLeads: 30 });
    const leadIds = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const lead = await leadByEmail(`doomed${i}@example.com`);
      expect(lead).toMatchObject({ name: `doomed ${i}`, stage: 'new' });
      expect(await membership(lead!.leadId, campaignId)).toMatchObject({ invited: true, responded: false });
      leadIds.add(lead!.leadId);
    }
    expect(leadIds.size).toBe(30);

    // Later lists see them as people they know, never as new again.
    const attended = await importList(campaignId, 'participant', 'doomed-attended.xlsx', list);
    expect(attended.counts).toMatchObject({ rows: 30, created: 0, matched: 30 });
    expect(await metrics(campaignId)).toMatchObject({ invited: 30, responded: 30, newLeads: 30 });
    // Three attempts of a failing import, each with Lambda's pause between: more than a plain test's time on a busy machine.
  }, 90_000);

  test('a participant list replayed after a crash counts each invited person who came once', async () => {
    const campaignId = await newCampaign();
    await importList(campaignId, 'invitation', 'invited.xlsx', await xlsx(people('replayboth', 30)));
    const commits = failing(FAULT_POINTS.intakeCommit, (n) => (n === 2 ? 'the function died before committing' : undefined));
    try {
      const came = [...people('replayboth', 30), ...people('replaywalkin', 10)];
      const attended = await withChunkRows(10, async () => importList(campaignId, 'participant', 'came.xlsx', await xlsx(came)));
      expect(attended).toMatchObject({ status: 'succeeded', counts: { rows: 40, created: 10, matched: 30 } });
      expect(commits.reached).toBeGreaterThanOrEqual(5); // four chunks, the second committed on the retry
    } finally {
      commits.restore();
    }
    expect(await metrics(campaignId)).toMatchObject({ invited: 30, responded: 40, invitedResponded: 30 });
    expect(await recountCounters(campaignId)).toMatchObject({ invited: 30, responded: 40, invitedResponded: 30 });
  });

  test('people taken over from a failed participant list: the flag it set is counted once, by the invitation list', async () => {
    const campaignId = await newCampaign();
    const commits = failing(FAULT_POINTS.intakeCommit, (n) => (n >= 2 ? 'the table is unavailable' : undefined));
    const list = await xlsx(people('adopted', 30));
    try {
      const failed = await withChunkRows(10, async () => importList(campaignId, 'participant', 'came.xlsx', list));
      expect(failed).toMatchObject({ status: 'failed', counts: { rows: 10, created: 10 } });
    } finally {
      commits.restore();
    }
    const invited = await withChunkRows(10, async () => importList(campaignId, 'invitation', 'invited.xlsx', list));
    expect(invited).toMatchObject({ status: 'succeeded', counts: { rows: 30, created: 20, matched: 10 } });
    const counters = await metrics(campaignId);
    expect(counters).toMatchObject({ invited: 30, newLeads: 30 });
    // Rows 11–20 at least were written (claims, leads, histories) before the failing commit: their flag is counted.
    expect(counters!.responded).toBeGreaterThanOrEqual(20);
    // Every participant was invited; the recount finds exactly what the counters say.
    expect(counters!.invitedResponded).toBe(counters!.responded);
    expect(await recountCounters(campaignId)).toEqual(expect.objectContaining({ invited: 30, responded: counters!.responded, invitedResponded: counters!.responded }));
  });

  test('the failure queue: an import still held is left for later; an event for a file never recorded still leaves an import', async () => {
    const { handler } = await import('../../functions/intake/failures');
    const message = (requestPayload: unknown, condition = 'RetriesExhausted') => ({
      Records: [{ messageId: 'm1', body: JSON.stringify({ requestContext: { condition, approximateInvokeCount: 3 }, requestPayload, responsePayload: { errorType: 'Error' } }) }],
    });
    const held = ulid();
    await createImportRecord({ importId: held, campaignId: 'elsewhere', kind: 'participant', status: 'running', key: 'imports/elsewhere/participant/y.xlsx', fileName: 'y.xlsx', counts: emptyCounts(), createdAt: new Date().toISOString(), hasRejections: false });
    await updateItem({ key: keys.import(held), update: 'SET lease = :lease', values: { ':lease': { owner: 'another', until: Date.now() + 60_000 } } });
    expect((await handler(message({ continueImport: held }) as never)).batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect((await stack().api('GET', `/imports/${held}`, { as: 'marketing' })).body.status).toBe('running');

    await updateItem({ key: keys.import(held), update: 'SET lease.#until = :past', names: { '#until': 'until' }, values: { ':past': Date.now() - 1 } });
    expect((await handler(message({ continueImport: held }, 'EventAgeExceeded') as never)).batchItemFailures).toEqual([]);
    const { body: ended } = await stack().api('GET', `/imports/${held}`, { as: 'marketing' });
    expect(ended).toMatchObject({ status: 'failed', reason: expect.stringContaining('could not be run in time') });
    // Delivered twice (SQS is at least once): already ended, nothing changes.
    expect((await handler(message({ continueImport: held }) as never)).batchItemFailures).toEqual([]);
    expect((await stack().api('GET', `/imports/${held}`, { as: 'marketing' })).body.reason).toBe(ended.reason);

    const campaignId = await newCampaign();
    const key = `imports/${campaignId}/invitation/never%20seen.xlsx`;
    expect((await handler(message({ Records: [{ s3: { object: { key, eTag: 'abc' } } }] }) as never)).batchItemFailures).toEqual([]);
    const { body: page } = await stack().api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' });
    expect(page.items).toEqual([expect.objectContaining({ status: 'failed', fileName: 'never seen.xlsx', reason: 'the uploaded file is no longer in the bucket' })]);
  });
});
