import { forEachConcurrently } from '../async';
import { config } from '../config';
import { FAULT_POINTS, faultPoint } from '../faults';
import { newId } from '../ids';
import { leadItem, type Lead } from '../leads/model';
import { batchGet, batchWrite, keyString, putIfAbsent, putRequest, updateItem, type Item } from '../table/client';
import { ConditionFailedError, TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { ENTITY, keys, shardOf } from '../table/keys';
import { transact, txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import { BloomFilter } from './bloom-filter';
import type { IntakeMetrics } from './chunk-commit';
import { getImportRecord } from './import-record';
import { importOfMarker as creatorOf, isMarkerOf, markerOf, rowOfMarker } from './row-marker';
import type { RowNote } from './row-notes';
import type { LeadDraft } from './row-rules';
import { emptyCounts, type ImportCounts, type ImportStatus } from './schema';

/**
 * List register (リスト登録, seed 000 table A.1.2) for one chunk of valid rows:
 *   no lead with the row's match key → create the lead from the row, and its campaign history;
 *   a lead with that key            → leave the lead as it is, add or update the history for this campaign.
 *
 * Correct under concurrency and retries, by construction:
 *  - A new person is claimed first: its LEADKEY claim (conditional: the key is still free) goes in a transaction
 *    with up to 99 other claims; then the lead and its campaign history go in plain batch writes. Two imports racing
 *    on one person: one claim wins, the other import's transaction is cancelled on it and treats the person as
 *    known. Claims alone in transactions cost about what plain writes do; claim, lead and history together cost
 *    twice as much (measured on DynamoDB Local; on DynamoDB a transactional write is 2 units against 1).
 *  - The price is a moment when a claim points at a lead not yet written, and a lead that stays missing if the import
 *    dies there. Its own retry finds its claims by their marker and writes what is missing. Another import finding a
 *    claim of an import that has not finished checks that the lead exists and, if not, writes it from its own row
 *    (only if still absent). An import finishes only after all its writes have settled, so a finished import's
 *    claims all have their leads, and only claims of imports under way (or dead) are ever checked.
 *  - A known person's history is written with a condition that is exactly what the snapshot read showed (no history
 *    yet / history without this flag). If someone changed it meanwhile, that row is read again and classified
 *    again, so counts and campaign counters are never counted twice. While the import holds its campaign's intake
 *    lock (`exclusive`), nobody else can create this campaign's histories, and first histories go in plain batches.
 *  - The first list of a campaign (`freshCampaign`) reads no history but those of leads it gave one itself, which a
 *    Bloom filter remembers: a known person costs its claim read and one plain write.
 *  - Every write carries the import row that made it (the "marker"): a chunk replayed after a crash finds its own
 *    markers and counts each row as the first attempt did; an in-file duplicate whose first occurrence was in an
 *    earlier chunk (or invocation) is recognised by its marker.
 *  - A chunk's people are read ahead, while the chunk before writes (see Registrar); a person that chunk may have
 *    written for (same match key, or a claim pointing at a lead whose history it wrote) is read again before deciding.
 */

export type RegisterKind = 'invitation' | 'participant';

export interface RegisterContext {
  importId: string;
  campaignId: string;
  kind: RegisterKind;
  now: Date;
  /** リード発生日 when the row gives none: the import's date in Japan. */
  defaultArisenOn: string;
  /** Transactions in flight at once. */
  concurrency?: number;
  /**
   * This import holds the campaign's intake lock: no other import writes this campaign's histories meanwhile, and
   * actions only update histories that exist, so a history our read found missing can be created with a plain
   * batch write and counted exactly.
   */
  exclusive?: boolean;
  /**
   * No history of this campaign existed when this invocation took the campaign's intake lock (it is the lock's
   * first holder). Then only the leads this registrar gave a history can have one, and the others' are not read.
   */
  freshCampaign?: boolean;
}

export interface PreparedRow {
  rowNumber: number;
  cells: string[];
  draft: LeadDraft;
  matchKey: string;
  arisenOn?: string;
}

export interface ChunkResult {
  counts: ImportCounts;
  metrics: IntakeMetrics;
  notes: RowNote[];
}

interface KeyClaim {
  leadId: string;
  createdBy: string;
  createdAt: string;
}

interface MembershipItem extends Item {
  invited?: boolean;
  responded?: boolean;
  invitedBy?: string;
  respondedBy?: string;
  reachedBy?: string;
}

/** Transactions in flight at once; DynamoDB Local serialises transactions, so more than a few only queue. */
export const registerConcurrency = (): number => config.intakeConcurrency();

/** Claims per new-people transaction, and histories per transaction for known people. */
const CLAIMS_PER_TRANSACTION = 100;
const HISTORIES_PER_TRANSACTION = 100;
const MAX_ROUNDS = 8;


function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * What the table knew of a chunk's people when it was read: their LEADKEY claims and, for claims found, this
 * campaign's histories. Read ahead of the chunk's writes (while the previous chunk's writes run), and checked again
 * at write time for every person a chunk written since could have changed.
 */
export interface PreparedChunk {
  rows: PreparedRow[];
  /** The first row of each person in the chunk (later rows of the same person merge into it). */
  firstByKey: Map<string, PreparedRow>;
  /** Registrations completed when the reads started: the chunks registered since may not be in the snapshot. */
  readAfter: number;
  snapshot: Promise<Snapshot>;
}

interface Snapshot {
  claims: Map<string, KeyClaim>;
  histories: Map<string, MembershipItem>;
  /** Leads whose history was read (a missing history is absent from `histories`). */
  historiesRead: Set<string>;
}

/** What a registration writes to: its people's match keys and the leads whose histories it writes. */
interface Touched {
  matchKeys: Set<string>;
  leadIds: Set<string>;
}

/**
 * Registers chunks one after the other, reading each chunk's people ahead of its turn: `prepare` starts the reads,
 * `register` waits for them, reads again the people a chunk registered in between may have changed (an in-file
 * duplicate of a person the previous chunk created or reached, or any row whose claim points at a lead it wrote), and
 * writes. Registrations must not overlap; preparations may run alongside a registration.
 */
export class Registrar {
  private completed = 0;
  private running = false;
  /** What each registration wrote, by its number, kept while a prepared chunk may not have seen it. */
  private readonly touched = new Map<number, Touched>();
  private readonly outstanding = new Set<PreparedChunk>();
  /** In a fresh campaign, the leads this registrar gave a history: the only ones that can have one. */
  private readonly reached?: BloomFilter;
  private readonly mayHaveHistory: (leadId: string) => boolean;

  constructor(private readonly ctx: RegisterContext) {
    const reached = ctx.freshCampaign ? new BloomFilter() : undefined;
    this.reached = reached;
    this.mayHaveHistory = reached ? (leadId) => reached.mightContain(leadId) : () => true;
  }

  prepare(rows: PreparedRow[]): PreparedChunk {
    const firstByKey = new Map<string, PreparedRow>();
    for (const row of rows) if (!firstByKey.has(row.matchKey)) firstByKey.set(row.matchKey, row);
    const snapshot = readPeople(this.ctx, [...firstByKey.keys()], this.mayHaveHistory);
    // A failure surfaces when the chunk is registered; a chunk never registered (the import paused) drops it.
    snapshot.catch(() => undefined);
    const prepared: PreparedChunk = { rows, firstByKey, readAfter: this.completed, snapshot };
    this.outstanding.add(prepared);
    return prepared;
  }

  async register(prepared: PreparedChunk, now?: Date): Promise<ChunkResult> {
    if (this.running) throw new Error('registrations must not overlap');
    if (!this.outstanding.delete(prepared)) throw new Error('chunk not prepared by this registrar, or registered twice');
    this.running = true;
    const touched: Touched = { matchKeys: new Set(prepared.firstByKey.keys()), leadIds: new Set() };
    this.touched.set(this.completed, touched);
    // Recorded before the write goes out: a history being written may already be there when it is next looked for.
    const giveHistory = (leadId: string) => {
      touched.leadIds.add(leadId);
      this.reached?.add(leadId);
    };
    try {
      const snapshot = await prepared.snapshot;
      await this.refresh(prepared, snapshot);
      return await registerChunk(now ? { ...this.ctx, now } : this.ctx, prepared, snapshot, giveHistory, this.mayHaveHistory);
    } finally {
      this.running = false;
      this.completed++;
      const oldestNeeded = Math.min(this.completed, ...[...this.outstanding].map((p) => p.readAfter));
      for (const n of this.touched.keys()) if (n < oldestNeeded) this.touched.delete(n);
    }
  }

  /** Reads again the people that registrations finished or begun since the snapshot was read may have changed. */
  private async refresh(prepared: PreparedChunk, snapshot: Snapshot): Promise<void> {
    const since = [...this.touched.entries()].filter(([n]) => n >= prepared.readAfter && n < this.completed).map(([, t]) => t);
    if (since.length === 0) return;
    const stale = [...prepared.firstByKey.keys()].filter((matchKey) => {
      const claim = snapshot.claims.get(keyString(keys.leadMatchKey(matchKey)));
      return since.some((t) => t.matchKeys.has(matchKey) || (claim !== undefined && t.leadIds.has(claim.leadId)));
    });
    if (stale.length === 0) return;
    for (const matchKey of stale) {
      const claimKey = keyString(keys.leadMatchKey(matchKey));
      const claim = snapshot.claims.get(claimKey);
      snapshot.claims.delete(claimKey);
      if (claim) {
        snapshot.histories.delete(keyString(keys.membership(claim.leadId, this.ctx.campaignId)));
        snapshot.historiesRead.delete(claim.leadId);
      }
    }
    const again = await readPeople(this.ctx, stale, this.mayHaveHistory);
    for (const [k, v] of again.claims) snapshot.claims.set(k, v);
    for (const [k, v] of again.histories) snapshot.histories.set(k, v);
    for (const leadId of again.historiesRead) snapshot.historiesRead.add(leadId);
  }
}

/**
 * The claims of these match keys and, for the claims found, this campaign's histories: those of leads that may have
 * one (the others are known to have none, and count as read). Reads only.
 */
async function readPeople(ctx: RegisterContext, matchKeys: string[], mayHaveHistory: (leadId: string) => boolean): Promise<Snapshot> {
  const claims = await batchGet<KeyClaim>(matchKeys.map((k) => keys.leadMatchKey(k)), { concurrency: ctx.concurrency ?? registerConcurrency() });
  const leadIds = [...new Set([...claims.values()].map((c) => c.leadId))];
  const histories = await readHistories(ctx, leadIds.filter(mayHaveHistory));
  return { claims, histories, historiesRead: new Set(leadIds) };
}

function readHistories(ctx: RegisterContext, leadIds: string[]): Promise<Map<string, MembershipItem>> {
  return batchGet<MembershipItem>(leadIds.map((leadId) => keys.membership(leadId, ctx.campaignId)), { concurrency: ctx.concurrency ?? registerConcurrency() });
}

async function registerChunk(
  ctx: RegisterContext,
  prepared: PreparedChunk,
  snapshot: Snapshot,
  giveHistory: (leadId: string) => void,
  mayHaveHistory: (leadId: string) => boolean,
): Promise<ChunkResult> {
  const { rows, firstByKey } = prepared;
  const counts = emptyCounts();
  const metrics: IntakeMetrics = { invited: 0, responded: 0, newLeads: 0, knownLeads: 0 };
  const notes: RowNote[] = [];
  const concurrency = ctx.concurrency ?? registerConcurrency();
  const flag = ctx.kind === 'invitation' ? 'invited' : 'responded';
  const flagBy = `${flag}By` as const;
  const ours = (marker: string | undefined) => isMarkerOf(ctx.importId, marker);

  const merge = (row: PreparedRow, intoRow: number) => {
    counts.merged++;
    notes.push({ rowNumber: row.rowNumber, outcome: 'merged', reason: `${intoRow}行目と同じ人物として統合しました`, cells: row.cells, mergedIntoRow: intoRow });
  };
  const countCreated = () => {
    counts.created++;
    metrics[flag]++;
    metrics.newLeads++;
  };
  const countMatched = (firstReach: boolean) => {
    counts.matched++;
    metrics[flag]++;
    if (firstReach) metrics.knownLeads++;
  };

  // 1. In-chunk duplicates: the first row of a person speaks for it.
  for (const row of rows) {
    const first = firstByKey.get(row.matchKey)!;
    if (first !== row) merge(row, first.rowNumber);
  }

  // 2. Sort people by what the table knows of them: first from the snapshot, then, for rows whose claim was lost to
  //    a concurrent import, from a fresh read.
  let fresh: PreparedRow[] = [];
  const known: { row: PreparedRow; leadId: string; createdBy: string }[] = [];
  const replayedCreations: { row: PreparedRow; leadId: string }[] = [];
  const sort = (people: PreparedRow[], claims: Map<string, KeyClaim>) => {
    for (const row of people) {
      const claim = claims.get(keyString(keys.leadMatchKey(row.matchKey)));
      const marker = markerOf(ctx.importId, row.rowNumber);
      if (!claim) fresh.push(row);
      else if (claim.createdBy === marker) replayedCreations.push({ row, leadId: claim.leadId });
      else if (ours(claim.createdBy)) merge(row, rowOfMarker(claim.createdBy));
      else known.push({ row, leadId: claim.leadId, createdBy: claim.createdBy });
    }
  };
  sort([...firstByKey.values()], snapshot.claims);

  // 3. New people: their claims in transactions of up to 100 (a claim lost means someone else registered that person
  //    meanwhile), then the claimed people's leads and histories in plain batch writes.
  for (let round = 0; fresh.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`could not register ${fresh.length} new people after ${round} rounds`);
    const batch = fresh.map((row) => ({ row, leadId: newId(ctx.now.getTime()) }));
    fresh = [];
    const lostClaims: PreparedRow[] = [];
    const claimed: typeof batch = [];
    await forEachConcurrently(chunks(batch, CLAIMS_PER_TRANSACTION), concurrency, async (group) => {
      try {
        await transact(group.map(({ row, leadId }) => txPut(row.matchKey, claimItem(ctx, row, leadId), { condition: ITEM_ABSENT })));
        claimed.push(...group);
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        for (const { row } of group) (error.failed(row.matchKey) ? lostClaims : fresh).push(row);
      }
    });
    for (const { leadId } of claimed) giveHistory(leadId);
    if (claimed.length > 0) await faultPoint(FAULT_POINTS.intakeNewPeople);
    await batchWrite(
      claimed.flatMap(({ row, leadId }) => [putRequest(leadOf(ctx, row, leadId)), putRequest(newHistory(ctx, row, leadId))]),
      { concurrency },
    );
    claimed.forEach(countCreated);
    if (lostClaims.length > 0) sort(lostClaims, await batchGet<KeyClaim>(lostClaims.map((r) => keys.leadMatchKey(r.matchKey)), { concurrency }));
  }

  // 4. Creations replayed after a crash: the claim is ours, its lead and history may not have been written yet.
  //    Written only where missing, so nothing done to them since (an edit, an action) is lost.
  const createAgain = async ({ row, leadId }: { row: PreparedRow; leadId: string }) => {
    giveHistory(leadId);
    await putIfAbsent(leadOf(ctx, row, leadId));
    await ensureHistory(ctx, row, leadId);
  };
  await forEachConcurrently(replayedCreations, concurrency, createAgain);
  replayedCreations.forEach(countCreated);

  // 4b. Known people claimed by an import not complete (still under way, died, or given up): between its claims and
  //     its leads, a claim may point at a lead not written yet.
  //     - A failed import's claim past its last committed row was never counted by it: this import takes the claim
  //       over and creates the person (keeping the lead and history it may have written), as a replay would.
  //     - Otherwise a lead still missing is written from this row, only if absent: the claiming import's own lead,
  //       landed first or landing later, is the one that stays. The person counts as matched here, as the claiming
  //       import counts it created.
  const unsure = await claimsOfUnfinishedImports(known);
  const takenOver = new Set<string>();
  await forEachConcurrently(unsure.filter((person) => uncountedByFailedImport(person.createdBy)), concurrency, async (person) => {
    if (!(await takeOverClaim(person.row.matchKey, person.createdBy, markerOf(ctx.importId, person.row.rowNumber)))) return;
    takenOver.add(person.leadId);
    await createAgain(person);
    countCreated();
  });
  const stillUnsure = unsure.filter(({ leadId }) => !takenOver.has(leadId));
  if (stillUnsure.length > 0) {
    const leads = await batchGet(stillUnsure.map(({ leadId }) => keys.lead(leadId)), { concurrency });
    const missing = stillUnsure.filter(({ leadId }) => !leads.has(keyString(keys.lead(leadId))));
    await forEachConcurrently(missing, concurrency, async ({ row, leadId }) => void (await putIfAbsent(leadOf(ctx, row, leadId))));
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
      if (unread.length > 0) for (const [k, v] of await readHistories(ctx, unread)) histories.set(k, v);
    } else {
      histories = await readHistories(ctx, pending.map(({ leadId }) => leadId));
    }
    for (const { leadId } of pending) giveHistory(leadId);
    const writes: { row: PreparedRow; leadId: string; history?: MembershipItem }[] = [];
    for (const person of pending) {
      const history = histories.get(keyString(keys.membership(person.leadId, ctx.campaignId)));
      const marker = markerOf(ctx.importId, person.row.rowNumber);
      if (history?.[flag] === true) {
        const by = history[flagBy];
        if (by === marker) countMatched(history.reachedBy === marker); // replay of our own committed write
        else if (ours(by)) merge(person.row, rowOfMarker(by!));
        else counts.unchanged++;
      } else {
        writes.push({ ...person, history });
      }
    }
    pending = [];
    const firstReach = ctx.exclusive ? writes.filter((w) => w.history === undefined) : [];
    if (firstReach.length > 0) {
      await batchWrite(firstReach.map((w) => putRequest(newHistory(ctx, w.row, w.leadId))), { concurrency });
      firstReach.forEach(() => countMatched(true));
    }
    const conditional = ctx.exclusive ? writes.filter((w) => w.history !== undefined) : writes;
    await forEachConcurrently(chunks(conditional, HISTORIES_PER_TRANSACTION), concurrency, async (group) => {
      try {
        await transact(group.map((w) => historyWrite(ctx, w.row, w.leadId, w.history, flag, flagBy)));
        group.forEach((w) => countMatched(w.history === undefined));
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        // Changed since our read (or a conflicting transaction): read again and decide again.
        pending.push(...group);
      }
    });
  }

  return { counts, metrics, notes };
}

function claimItem(ctx: RegisterContext, row: PreparedRow, leadId: string): Item {
  return { ...keys.leadMatchKey(row.matchKey), entity: ENTITY.leadMatchKey, leadId, createdBy: markerOf(ctx.importId, row.rowNumber), createdAt: ctx.now.toISOString() };
}

/** The lead as a list row creates it (stage new, no owner). */
function leadOf(ctx: RegisterContext, row: PreparedRow, leadId: string): Item {
  const timestamp = ctx.now.toISOString();
  const { extra, ...fields } = row.draft;
  const lead: Lead = {
    leadId,
    ...(fields as Omit<LeadDraft, 'extra'>),
    name: row.draft.name!,
    stage: 'new',
    extra,
    matchKey: row.matchKey,
    source: { campaignId: ctx.campaignId, importId: ctx.importId },
    createdAt: timestamp,
    updatedAt: timestamp,
    version: 1,
  };
  return leadItem(lead);
}

/** Imports seen complete, and failed ones with their last committed row: both are for good, so they are kept. */
const completeImports = new Set<string>();
const failedImports = new Map<string, number>();
const COMPLETE: readonly string[] = ['succeeded', 'completed_with_errors'] satisfies ImportStatus[];

/**
 * The people whose claim an import not complete made. An import completes only after every write of every chunk
 * has settled, so a complete import's claims all have their leads. A failed one may have stopped between claims and
 * leads (its events failed every attempt, or its file broke off midway), so its claims stay unsure. Claims made
 * otherwise (a lead edit moving its key) are written with their lead.
 */
async function claimsOfUnfinishedImports<T extends { createdBy: string }>(people: T[]): Promise<T[]> {
  const creators = new Set(people.map((p) => creatorOf(p.createdBy)).filter((c): c is string => c !== undefined && !completeImports.has(c) && !failedImports.has(c)));
  for (const importId of creators) {
    const record = await getImportRecord(importId);
    if (record && COMPLETE.includes(record.status)) completeImports.add(importId);
    if (record?.status === 'failed') failedImports.set(importId, record.checkpointRow ?? 0);
  }
  return people.filter((person) => {
    const creator = creatorOf(person.createdBy);
    return creator !== undefined && !completeImports.has(creator);
  });
}

/** The claim was made by a failed import in a row it never committed: no import has counted that person. */
function uncountedByFailedImport(createdBy: string): boolean {
  const committedTo = failedImports.get(creatorOf(createdBy) ?? '');
  return committedTo !== undefined && rowOfMarker(createdBy) > committedTo;
}

/** Moves a claim from the marker that made it to ours; false when someone else moved it first. */
async function takeOverClaim(matchKey: string, theirs: string, ours: string): Promise<boolean> {
  try {
    await updateItem({ key: keys.leadMatchKey(matchKey), update: 'SET createdBy = :ours', condition: 'createdBy = :theirs', values: { ':ours': ours, ':theirs': theirs } });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}

/**
 * This import's history of a person it creates: written whole if absent; if another import left one (a failed
 * import whose claim this one took over), this list's flag is added to it.
 */
async function ensureHistory(ctx: RegisterContext, row: PreparedRow, leadId: string): Promise<void> {
  if (await putIfAbsent(newHistory(ctx, row, leadId))) return;
  const flag = ctx.kind === 'invitation' ? 'invited' : 'responded';
  try {
    await updateItem({
      key: keys.membership(leadId, ctx.campaignId),
      update: 'SET #flag = :true, #flagBy = :marker, updatedAt = :now',
      condition: 'attribute_not_exists(#flag) OR #flag = :false',
      names: { '#flag': flag, '#flagBy': `${flag}By` },
      values: { ':true': true, ':false': false, ':marker': markerOf(ctx.importId, row.rowNumber), ':now': ctx.now.toISOString() },
    });
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
  }
}

/**
 * The history write for a known person, conditional on exactly what we read: no history yet, or a history without
 * this flag. If either changed meanwhile the transaction is cancelled and the rows are read again.
 */
function historyWrite(
  ctx: RegisterContext,
  row: PreparedRow,
  leadId: string,
  seen: MembershipItem | undefined,
  flag: string,
  flagBy: string,
): TransactionWrite {
  const marker = markerOf(ctx.importId, row.rowNumber);
  const now = ctx.now.toISOString();
  if (seen) {
    return txUpdate(leadId, {
      key: keys.membership(leadId, ctx.campaignId),
      update: 'SET #flag = :true, #flagBy = :marker, updatedAt = :now',
      condition: `${ITEM_EXISTS} AND (attribute_not_exists(#flag) OR #flag = :false)`,
      names: { '#flag': flag, '#flagBy': flagBy },
      values: { ':true': true, ':false': false, ':marker': marker, ':now': now },
    });
  }
  return txPut(leadId, newHistory(ctx, row, leadId), { condition: ITEM_ABSENT });
}

/** A campaign history as first written: this list's flag set, the other one not (yet). */
function newHistory(ctx: RegisterContext, row: PreparedRow, leadId: string): Item {
  const timestamp = ctx.now.toISOString();
  const marker = markerOf(ctx.importId, row.rowNumber);
  const arisenOn = row.arisenOn ?? ctx.defaultArisenOn;
  const [flag, other] = ctx.kind === 'invitation' ? ['invited', 'responded'] : ['responded', 'invited'];
  return {
    ...keys.membership(leadId, ctx.campaignId),
    ...keys.campaignMembersIndex(ctx.campaignId, shardOf(leadId), arisenOn, leadId),
    entity: ENTITY.membership,
    leadId,
    campaignId: ctx.campaignId,
    [flag]: true,
    [`${flag}By`]: marker,
    [other]: false,
    reachedBy: marker,
    arisenOn,
    followStatus: 'not_started',
    createdAt: timestamp,
    updatedAt: timestamp,
  };
}
