import { forEachConcurrently } from '../async';
import { FAULT_POINTS, faultPoint } from '../faults';
import { newId } from '../ids';
import { leadsJoinedCampaign } from '../leads/campaign-count';
import { campaignHistoriesFollowLeads } from '../leads/memberships';
import { lookupItemsOf } from '../leads/lookups';
import { leadItem, newLead, type Lead } from '../leads/model';
import { batchGet, batchWrite, keyString, putIfAbsent, putRequest, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { transact } from '../table/transaction';
import type { IntakeMetrics } from './chunk-commit';
import { claimNewPeople, claimsOfUnfinishedImports, takeOverClaim, uncountedByFailedImport } from './claims';
import { classifyByClaim, decideHistory, duplicatesInChunk, madeBothByRow, type Merge } from './classify-people';
import { ensureHistory, historyOf, historyWrite, makesBoth, type HistoryEffect } from './history-writes';
import { markerOf } from './row-marker';
import type { RowNote } from './row-notes';
import { flagOf, otherFlagOf, registerConcurrency, type ChunkResult, type KeyClaim, type MembershipItem, type PreparedRow, type RegisterContext } from './registration';
import { emptyCounts } from './schema';

/**
 * The writes of one chunk of list register, on what the table showed of its people (see ./register-list.ts for why
 * each step is safe under retries and concurrency). The decisions are ./classify-people.ts's; here they are carried
 * out and counted.
 */

const HISTORIES_PER_TRANSACTION = 100;
const MAX_ROUNDS = 8;
/** A history written new for a new lead: this list's flag alone. */
const NEW_HISTORY: HistoryEffect = { madeBoth: false, adopted: false };

/** What the registrar read of the chunk's people before its turn (and read again where it may be stale). */
export interface Snapshot {
  claims: Map<string, KeyClaim>;
  histories: Map<string, MembershipItem>;
  /** Leads whose history was read (a missing history is absent from `histories`). */
  historiesRead: Set<string>;
  /** Leads whose campaign set already named this campaign when read (sets never lose one). */
  campaignInSet: Set<string>;
  /** Match keys of people erased on request (lib/leads/erased-key.ts): their rows are rejected, never created. */
  erased: Set<string>;
}

/** The rejections workbook's reason for a row of a person erased on request. */
export const ERASED_ON_REQUEST = { code: 'erased_on_request', reason: '消去依頼により登録できません' } as const;

export interface ChunkPeople {
  rows: PreparedRow[];
  /** The first row of each person in the chunk (later rows of the same person merge into it). */
  firstByKey: Map<string, PreparedRow>;
}

export interface HistoryReads {
  /** Records that a history of this lead is being written (the registrar reads it again if a later chunk needs it). */
  giveHistory: (leadId: string) => void;
  /** False only for leads known to have no history of the campaign. */
  mayHaveHistory: (leadId: string) => boolean;
  readHistories: (leadIds: string[]) => Promise<Map<string, MembershipItem>>;
}

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

function newLeadOf(ctx: RegisterContext, row: PreparedRow, leadId: string): Lead {
  const { extra, ...fields } = row.draft;
  return newLead({ leadId, fields, extra, matchKey: row.matchKey, source: { campaignId: ctx.campaignId, importId: ctx.importId }, at: ctx.now.toISOString() });
}

const leadOf = (ctx: RegisterContext, row: PreparedRow, leadId: string): Item => leadItem(newLeadOf(ctx, row, leadId));

/** The new lead's look-up entries (its phone keys), plain puts beside the lead: rewriting one writes the same item. */
const lookupsOf = (ctx: RegisterContext, row: PreparedRow, leadId: string): Item[] => lookupItemsOf(newLeadOf(ctx, row, leadId));

/** A lead written again only where missing; when it is, so are its look-up entries. */
async function putLeadIfAbsent(ctx: RegisterContext, row: PreparedRow, leadId: string): Promise<void> {
  if (await putIfAbsent(leadOf(ctx, row, leadId))) await batchWrite(lookupsOf(ctx, row, leadId).map(putRequest));
}

export async function registerChunk(ctx: RegisterContext, chunk: ChunkPeople, snapshot: Snapshot, reads: HistoryReads): Promise<ChunkResult> {
  const { rows, firstByKey } = chunk;
  const { mayHaveHistory } = reads;
  // Every lead this chunk gives a history of the campaign (or finds one): its campaign set takes the campaign once
  // the histories are written (lib/leads/campaign-count.ts), on every attempt alike.
  const joined = new Set<string>();
  const giveHistory = (leadId: string) => {
    joined.add(leadId);
    reads.giveHistory(leadId);
  };
  const counts = emptyCounts();
  const metrics: IntakeMetrics = { invited: 0, responded: 0, invitedResponded: 0, newLeads: 0, knownLeads: 0 };
  const notes: RowNote[] = [];
  const concurrency = ctx.concurrency ?? registerConcurrency();
  const flag = flagOf(ctx.kind);
  const other = otherFlagOf(ctx.kind);

  const merge = ({ row, intoRow }: Merge) => {
    counts.merged++;
    notes.push({ rowNumber: row.rowNumber, outcome: 'merged', reason: `${intoRow}行目と同じ人物として統合しました`, cells: row.cells, mergedIntoRow: intoRow });
  };
  // Besides the row's own flag: a history it made both invited and responded, and a flag it adopted (history-writes.ts).
  const countHistory = ({ madeBoth, adopted }: HistoryEffect) => {
    metrics[flag]++;
    if (madeBoth) metrics.invitedResponded++;
    if (adopted) metrics[other]++;
  };
  const countCreated = (effect: HistoryEffect) => {
    counts.created++;
    metrics.newLeads++;
    countHistory(effect);
  };
  const countMatched = (firstReach: boolean, madeBoth: boolean) => {
    counts.matched++;
    if (firstReach) metrics.knownLeads++;
    countHistory({ madeBoth, adopted: false });
  };

  // 0. People erased on request: every row of theirs is rejected with the reason, none creates or merges anything.
  const erased = (row: PreparedRow) => snapshot.erased.has(row.matchKey);
  for (const row of rows.filter(erased)) {
    counts.rejected++;
    notes.push({ rowNumber: row.rowNumber, outcome: 'rejected', ...ERASED_ON_REQUEST, cells: row.cells });
  }
  const people = [...firstByKey.values()].filter((row) => !erased(row));

  // 1. In-chunk duplicates: the first row of a person speaks for it.
  duplicatesInChunk(rows.filter((row) => !erased(row)), firstByKey).forEach(merge);

  // 2. Sort people by what the table knows of them: first from the snapshot, then, for rows whose claim was lost to
  //    a concurrent import, from a fresh read.
  let fresh: PreparedRow[] = [];
  const known: { row: PreparedRow; leadId: string; createdBy: string }[] = [];
  const replayedCreations: { row: PreparedRow; leadId: string }[] = [];
  const sort = (rowsToSort: PreparedRow[], claims: Map<string, KeyClaim>) => {
    const sorted = classifyByClaim(rowsToSort, (row) => claims.get(keyString(keys.leadMatchKey(row.matchKey))), ctx.importId);
    fresh.push(...sorted.fresh);
    replayedCreations.push(...sorted.replayed);
    sorted.merged.forEach(merge);
    known.push(...sorted.known);
  };
  sort(people, snapshot.claims);

  // 3. New people: their claims (./claims.ts), then the claimed people's leads and histories in plain batch writes.
  for (let round = 0; fresh.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`could not register ${fresh.length} new people after ${round} rounds`);
    const { claimed, lost, again } = await claimNewPeople(ctx, fresh.map((row) => ({ row, leadId: newId(ctx.now.getTime()) })), concurrency);
    fresh = again;
    for (const { leadId } of claimed) giveHistory(leadId);
    if (claimed.length > 0) await faultPoint(FAULT_POINTS.intakeNewPeople);
    await batchWrite(
      claimed.flatMap(({ row, leadId }) => [putRequest(leadOf(ctx, row, leadId)), putRequest(historyOf(ctx, row, leadId)), ...lookupsOf(ctx, row, leadId).map(putRequest)]),
      { concurrency },
    );
    claimed.forEach(() => countCreated(NEW_HISTORY));
    if (lost.length > 0) sort(lost, await batchGet<KeyClaim>(lost.map((r) => keys.leadMatchKey(r.matchKey)), { concurrency }));
  }

  // 4. Creations replayed after a crash: the claim is ours, its lead and history may not have been written yet.
  //    Written only where missing, so nothing done to them since (an edit, an action) is lost.
  // Leads that may have an owner and got this campaign's history from this chunk (or may have, in a replay): their
  // histories take the owner once written (lib/leads/memberships.ts). A new person's lead is nobody's yet.
  const mayBeOwned: string[] = [];
  const createAgain = async ({ row, leadId, takenOverFrom }: { row: PreparedRow; leadId: string; takenOverFrom?: string }) => {
    giveHistory(leadId);
    mayBeOwned.push(leadId);
    await putLeadIfAbsent(ctx, row, leadId);
    countCreated(await ensureHistory(ctx, row, leadId, takenOverFrom));
  };
  await forEachConcurrently(replayedCreations, concurrency, createAgain);

  // 4b. Known people claimed by an import not complete (still under way, died, or given up): between its claims and
  //     its leads, a claim may point at a lead not written yet.
  //     - A failed import's claim past its last committed row was never counted by it: this import takes the claim
  //       over and creates the person (keeping the lead and history it may have written), as a replay would, and
  //       counts the flag the failed import set on that history, which it never counted.
  //     - Otherwise a lead still missing is written from this row, only if absent: the claiming import's own lead,
  //       landed first or landing later, is the one that stays. The person counts as matched here, as the claiming
  //       import counts it created.
  const unsure = await claimsOfUnfinishedImports(known);
  const takenOver = new Set<string>();
  await forEachConcurrently(unsure.filter((person) => uncountedByFailedImport(person.createdBy)), concurrency, async (person) => {
    if (!(await takeOverClaim(person.row.matchKey, person.createdBy, markerOf(ctx.importId, person.row.rowNumber)))) return;
    takenOver.add(person.leadId);
    await createAgain({ ...person, takenOverFrom: person.createdBy });
  });
  const stillUnsure = unsure.filter(({ leadId }) => !takenOver.has(leadId));
  if (stillUnsure.length > 0) {
    const leads = await batchGet(stillUnsure.map(({ leadId }) => keys.lead(leadId)), { concurrency });
    const missing = stillUnsure.filter(({ leadId }) => !leads.has(keyString(keys.lead(leadId))));
    await forEachConcurrently(missing, concurrency, async ({ row, leadId }) => putLeadIfAbsent(ctx, row, leadId));
  }

  // 5. Known people: add this campaign's flag to their history, unless it is there already. The first round decides
  //    on the snapshot (reading the histories it lacks); a round after a lost condition reads them again.
  let pending: { row: PreparedRow; leadId: string }[] = takenOver.size > 0 ? known.filter(({ leadId }) => !takenOver.has(leadId)) : known;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`could not attach ${pending.length} campaign histories after ${round} rounds`);
    let histories: Map<string, MembershipItem>;
    if (round === 0) {
      histories = snapshot.histories;
      // People whose claim a concurrent import made after the snapshot was read.
      const unread = pending.filter(({ leadId }) => !snapshot.historiesRead.has(leadId) && mayHaveHistory(leadId)).map(({ leadId }) => leadId);
      if (unread.length > 0) for (const [k, v] of await reads.readHistories(unread)) histories.set(k, v);
    } else {
      histories = await reads.readHistories(pending.map(({ leadId }) => leadId));
    }
    for (const { leadId } of pending) giveHistory(leadId);
    const writes: { row: PreparedRow; leadId: string; history?: MembershipItem }[] = [];
    for (const person of pending) {
      const history = histories.get(keyString(keys.membership(person.leadId, ctx.campaignId)));
      const decision = decideHistory(history, person.row, ctx.importId, flag);
      if (decision.kind === 'replayed') {
        countMatched(decision.firstReach, madeBothByRow(history, person.row, ctx.importId)); // our own write, replayed
        mayBeOwned.push(person.leadId);
      }
      else if (decision.kind === 'merged') merge({ row: person.row, intoRow: decision.intoRow });
      else if (decision.kind === 'unchanged') counts.unchanged++;
      else writes.push({ ...person, history });
    }
    pending = [];
    const firstReach = ctx.exclusive ? writes.filter((w) => w.history === undefined) : [];
    if (firstReach.length > 0) {
      await batchWrite(firstReach.map((w) => putRequest(historyOf(ctx, w.row, w.leadId))), { concurrency });
      firstReach.forEach((w) => {
        countMatched(true, false);
        mayBeOwned.push(w.leadId);
      });
    }
    const conditional = ctx.exclusive ? writes.filter((w) => w.history !== undefined) : writes;
    await forEachConcurrently(chunks(conditional, HISTORIES_PER_TRANSACTION), concurrency, async (group) => {
      try {
        await transact(group.map((w) => historyWrite(ctx, w.row, w.leadId, w.history)));
        group.forEach((w) => {
          countMatched(w.history === undefined, makesBoth(ctx, w.history));
          // A history that existed keeps the owner it carries; a new one has none yet.
          if (w.history === undefined) mayBeOwned.push(w.leadId);
        });
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        // Changed since our read (or a conflicting transaction): read again and decide again.
        pending.push(...group);
      }
    });
  }

  // The campaign sets first: an owner change that reads a lead's set after this sees the campaign and moves the
  // history itself; one that read it before committed its owner before the read below (lib/leads/memberships.ts).
  // A set that named the campaign when the snapshot was read still does: no write for it.
  await leadsJoinedCampaign(ctx.campaignId, [...joined].filter((leadId) => !snapshot.campaignInSet.has(leadId)), concurrency);
  await campaignHistoriesFollowLeads(ctx.campaignId, [...new Set(mayBeOwned)], concurrency);

  return { counts, metrics, notes };
}
