import { campaignIdsOf } from '../leads/campaign-count';
import { batchGet, keyString, type Item } from '../table/client';
import { keys } from '../table/keys';
import { erasedAmong } from '../leads/erased-key';
import { BloomFilter } from './bloom-filter';
import { registerChunk, type Snapshot } from './register-chunk';
import { registerConcurrency, type ChunkResult, type KeyClaim, type MembershipItem, type PreparedRow, type RegisterContext } from './registration';

export type { PreparedRow, RegisterKind } from './registration';

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
 *    yet / history without this flag, and the other flag as read). If someone changed it meanwhile, that row is read
 *    again and classified again, so counts and campaign counters are never counted twice, and a write knows whether
 *    it made the history both invited and responded (./history-writes.ts). While the import holds its campaign's intake
 *    lock (`exclusive`), nobody else can create this campaign's histories, and first histories go in plain batches.
 *  - The first list of a campaign (`freshCampaign`) reads no history but those of leads it gave one itself, which a
 *    Bloom filter remembers: a known person costs its claim read and one plain write.
 *  - Every write carries the import row that made it (the "marker"): a chunk replayed after a crash finds its own
 *    markers and counts each row as the first attempt did; an in-file duplicate whose first occurrence was in an
 *    earlier chunk (or invocation) is recognised by its marker.
 *  - A chunk's people are read ahead, while the chunk before writes (see Registrar); a person that chunk may have
 *    written for (same match key, or a claim pointing at a lead whose history it wrote) is read again before deciding.
 *
 * Here the registrar (reading ahead); beside it each step in a file of its own: ./classify-people.ts decides what
 * each person is (pure), ./claims.ts is the claim protocol, ./register-chunk.ts writes a chunk and counts it.
 */

/**
 * What the table knew of a chunk's people when it was read: their LEADKEY claims and, for claims found, this
 * campaign's histories; for the others, whether they were erased on request. Read ahead of the chunk's writes (while the previous chunk's writes run), and checked again
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
      const ctx = now ? { ...this.ctx, now } : this.ctx;
      return await registerChunk(ctx, prepared, snapshot, { giveHistory, mayHaveHistory: this.mayHaveHistory, readHistories: (leadIds) => readHistories(ctx, leadIds) });
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
    // Sets only gain campaigns: what the first read saw in them is still there.
    for (const leadId of again.campaignInSet) snapshot.campaignInSet.add(leadId);
    for (const matchKey of stale) snapshot.erased.delete(matchKey);
    for (const matchKey of again.erased) snapshot.erased.add(matchKey);
  }
}

/**
 * The claims of these match keys and, for the claims found, this campaign's histories: those of leads that may have
 * one (the others are known to have none, and count as read). Reads only.
 */
async function readPeople(ctx: RegisterContext, matchKeys: string[], mayHaveHistory: (leadId: string) => boolean): Promise<Snapshot> {
  const concurrency = ctx.concurrency ?? registerConcurrency();
  const claims = await batchGet<KeyClaim>(matchKeys.map((k) => keys.leadMatchKey(k)), { concurrency });
  const leadIds = [...new Set([...claims.values()].map((c) => c.leadId))];
  // Only a person nobody holds can be one erased on request (erasure deletes the claim as it records the hash).
  const unclaimed = matchKeys.filter((k) => !claims.has(keyString(keys.leadMatchKey(k))));
  const [{ histories, campaignInSet }, erased] = await Promise.all([readHistoriesAndSets(ctx, leadIds.filter(mayHaveHistory)), erasedAmong(unclaimed, { concurrency })]);
  return { claims, histories, historiesRead: new Set(leadIds), campaignInSet, erased };
}

/**
 * This campaign's histories of these leads, then, for the leads that have one, whether their campaign set names the
 * campaign already. A set names a campaign only once a history of it exists and never forgets it, so only those
 * sets can, and a later list of the campaign skips the set's update for them (lib/leads/campaign-count.ts): a read
 * instead of a write for every person the campaign had reached.
 */
async function readHistoriesAndSets(ctx: RegisterContext, leadIds: string[]): Promise<{ histories: Map<string, MembershipItem>; campaignInSet: Set<string> }> {
  const histories = await readHistories(ctx, leadIds);
  const withHistory = [...histories.values()].map((history) => String(history.leadId));
  const sets = await batchGet<Item>(withHistory.map((leadId) => keys.leadCampaigns(leadId)), { concurrency: ctx.concurrency ?? registerConcurrency() });
  const campaignInSet = new Set(withHistory.filter((leadId) => campaignIdsOf(sets.get(keyString(keys.leadCampaigns(leadId)))).has(ctx.campaignId)));
  return { histories, campaignInSet };
}

function readHistories(ctx: RegisterContext, leadIds: string[]): Promise<Map<string, MembershipItem>> {
  return batchGet<MembershipItem>(leadIds.map((leadId) => keys.membership(leadId, ctx.campaignId)), { concurrency: ctx.concurrency ?? registerConcurrency() });
}
