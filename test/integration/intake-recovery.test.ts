import type { WriteRequest } from '@aws-sdk/client-dynamodb';
import { ulid } from 'ulid';
import { commitChunk, createImportRecord } from '../../lib/intake/imports-repository';
import { emptyCounts } from '../../lib/intake/schema';
import { batchWrite, dynamo, putItem, updateItem } from '../../lib/table/client';
import { ENTITY, keys } from '../../lib/table/keys';
import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';

/**
 * How list intake keeps every person exactly once when an import dies halfway, when another import died between
 * its claims and its leads, and how the first list of a campaign skips reading histories without getting them wrong.
 */

// Fault injection only: the real functions run unless a test makes one call fail.
jest.mock('../../lib/intake/imports-repository', () => {
  const actual = jest.requireActual('../../lib/intake/imports-repository');
  return { ...actual, commitChunk: jest.fn(actual.commitChunk) };
});
jest.mock('../../lib/table/client', () => {
  const actual = jest.requireActual('../../lib/table/client');
  return { ...actual, batchWrite: jest.fn(actual.batchWrite) };
});

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

const holdsLeads = (requests: WriteRequest[]) => requests.some((r) => r.PutRequest?.Item?.entity?.S === ENTITY.lead);

describe('list intake when things go wrong halfway', () => {
  test('a crash between a chunk’s claims and its leads: the retry writes what is missing and counts each person once', async () => {
    const campaignId = await newCampaign();
    const write = jest.mocked(batchWrite);
    const real = jest.requireActual('../../lib/table/client').batchWrite;
    let leadBatches = 0;
    // The second chunk's claims are in; the function dies before its leads and histories are written.
    write.mockImplementation(async (requests, options) => {
      if (holdsLeads(requests) && ++leadBatches === 2) throw new Error('injected: the function died after claiming');
      return real(requests, options);
    });
    try {
      const imported = await withChunkRows(10, async () => importList(campaignId, 'invitation', 'claims.xlsx', await xlsx(people('claimcrash', 30))));
      expect(leadBatches).toBeGreaterThanOrEqual(3);
      expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 30, created: 30, matched: 0, merged: 0 } });
    } finally {
      write.mockImplementation(real);
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
    const commit = jest.mocked(commitChunk);
    const real = jest.requireActual('../../lib/intake/imports-repository').commitChunk;
    commit.mockImplementationOnce(real).mockImplementationOnce(async () => {
      throw new Error('injected: the function died before committing');
    });
    const imported = await withChunkRows(10, async () => importList(campaignId, 'participant', 'known.xlsx', await xlsx(people('firstlist', 40))));
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
});
