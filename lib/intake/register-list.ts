import { ulid } from 'ulid';
import { leadItem, type Lead } from '../leads/model';
import { batchGet, batchWrite, forEachConcurrently, keyString, putRequest, updateItem, type Item } from '../table/client';
import { ENTITY, keys, shardOf } from '../table/keys';
import type { IntakeMetrics, RowNote } from './imports-repository';
import type { LeadDraft } from './row-rules';
import { emptyCounts, type ImportCounts } from './schema';

/**
 * List register (リスト登録, seed 000 table A.1.2) for one chunk of valid rows:
 *   no lead with the row's match key → create the lead from the row, and its campaign history;
 *   a lead with that key            → leave the lead as it is, add or update the history for this campaign.
 *
 * Uniqueness: the key is claimed on a LEADKEY item with `if_not_exists`, which returns the winner in the same call,
 * so two imports racing on one person end with one lead. Every write records which import row made it (the
 * "marker"), so a chunk replayed after a crash classifies each row exactly as the first attempt did, and an
 * in-file duplicate is recognised even when its first occurrence was in an earlier chunk or invocation.
 */

export type RegisterKind = 'invitation' | 'participant';

export interface RegisterContext {
  importId: string;
  campaignId: string;
  kind: RegisterKind;
  now: Date;
  /** リード発生日 when the row gives none: the import's date in Japan. */
  defaultArisenOn: string;
  /** Parallel single-item writes; DynamoDB Local saturates around 8–16. */
  concurrency?: number;
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

const markerOf = (importId: string, rowNumber: number) => `${importId}#${rowNumber}`;
const rowOfMarker = (marker: string) => Number(marker.slice(marker.lastIndexOf('#') + 1));

function newLead(row: PreparedRow, claim: KeyClaim, ctx: RegisterContext): Lead {
  const { extra, ...fields } = row.draft;
  return {
    leadId: claim.leadId,
    ...(fields as Omit<LeadDraft, 'extra'>),
    name: row.draft.name!,
    stage: 'new',
    extra,
    matchKey: row.matchKey,
    source: { campaignId: ctx.campaignId, importId: ctx.importId },
    // The claim's time, not now: a replayed chunk rewrites the lead byte for byte.
    createdAt: claim.createdAt,
    updatedAt: claim.createdAt,
    version: 1,
  };
}

export async function registerRows(ctx: RegisterContext, rows: PreparedRow[]): Promise<ChunkResult> {
  const counts = emptyCounts();
  const metrics: IntakeMetrics = { invited: 0, responded: 0, newLeads: 0, knownLeads: 0 };
  const notes: RowNote[] = [];
  const concurrency = ctx.concurrency ?? 12;
  const merge = (row: PreparedRow, intoRow: number) => {
    counts.merged++;
    notes.push({ rowNumber: row.rowNumber, outcome: 'merged', reason: `${intoRow}行目と同じ人物として統合しました`, cells: row.cells, mergedIntoRow: intoRow });
  };

  // 1. In-chunk duplicates: the first row of a person speaks for it.
  const firstByKey = new Map<string, PreparedRow>();
  for (const row of rows) {
    const first = firstByKey.get(row.matchKey);
    if (first) merge(row, first.rowNumber);
    else firstByKey.set(row.matchKey, row);
  }
  const primaries = [...firstByKey.values()];

  // 2. Who is known already? One read per hundred people.
  const claims = await batchGet<KeyClaim>(primaries.map((r) => keys.leadMatchKey(r.matchKey)));

  // 3. Claim the unknown keys. A claim that comes back with someone else's marker lost a race: that person is known.
  const claimOf = new Map<string, KeyClaim>();
  await forEachConcurrently(primaries, concurrency, async (row) => {
    const existing = claims.get(keyString(keys.leadMatchKey(row.matchKey)));
    if (existing) return void claimOf.set(row.matchKey, existing);
    const claim = await updateItem<KeyClaim>({
      key: keys.leadMatchKey(row.matchKey),
      update: 'SET leadId = if_not_exists(leadId, :leadId), createdBy = if_not_exists(createdBy, :marker), createdAt = if_not_exists(createdAt, :now), entity = :entity',
      values: { ':leadId': ulid(ctx.now.getTime()), ':marker': markerOf(ctx.importId, row.rowNumber), ':now': ctx.now.toISOString(), ':entity': ENTITY.leadMatchKey },
    });
    claimOf.set(row.matchKey, claim);
  });

  // 4. Sort each person: created by this row, merged into an earlier row of this import, or known before.
  const created: PreparedRow[] = [];
  const known: PreparedRow[] = [];
  const replayedCreations: PreparedRow[] = [];
  for (const row of primaries) {
    const claim = claimOf.get(row.matchKey)!;
    const marker = markerOf(ctx.importId, row.rowNumber);
    if (claim.createdBy === marker) {
      created.push(row);
      if (claims.has(keyString(keys.leadMatchKey(row.matchKey)))) replayedCreations.push(row);
    } else if (claim.createdBy.startsWith(`${ctx.importId}#`)) {
      merge(row, rowOfMarker(claim.createdBy));
    } else {
      known.push(row);
    }
  }

  // 5. Write the new leads. On a replay, a lead that made it before the crash is left alone: someone may have
  //    touched it since.
  let toWrite = created;
  if (replayedCreations.length > 0) {
    const present = await batchGet(replayedCreations.map((r) => keys.lead(claimOf.get(r.matchKey)!.leadId)));
    const skip = new Set(replayedCreations.filter((r) => present.has(keyString(keys.lead(claimOf.get(r.matchKey)!.leadId)))));
    toWrite = created.filter((r) => !skip.has(r));
  }
  await batchWrite(toWrite.map((row) => putRequest(leadItem(newLead(row, claimOf.get(row.matchKey)!, ctx)))), { concurrency: 4 });

  // 6. Campaign history. Known people whose history for this campaign already has this flag need no write at all
  //    (the same list uploaded twice costs reads only).
  const flag = ctx.kind === 'invitation' ? 'invited' : 'responded';
  const flagBy = `${flag}By` as const;
  const other = ctx.kind === 'invitation' ? 'responded' : 'invited';
  const memberships = await batchGet<MembershipItem>(known.map((r) => keys.membership(claimOf.get(r.matchKey)!.leadId, ctx.campaignId)));

  const attach: { row: PreparedRow; isNew: boolean }[] = [];
  for (const row of created) attach.push({ row, isNew: true });
  for (const row of known) {
    const current = memberships.get(keyString(keys.membership(claimOf.get(row.matchKey)!.leadId, ctx.campaignId)));
    const by = current?.[flagBy];
    if (current?.[flag] === true && by && !by.startsWith(`${ctx.importId}#`)) {
      counts.unchanged++;
      continue;
    }
    attach.push({ row, isNew: false });
  }

  await forEachConcurrently(attach, concurrency, async ({ row, isNew }) => {
    const leadId = claimOf.get(row.matchKey)!.leadId;
    const marker = markerOf(ctx.importId, row.rowNumber);
    const arisenOn = row.arisenOn ?? ctx.defaultArisenOn;
    const index = keys.campaignMembersIndex(ctx.campaignId, shardOf(leadId), arisenOn, leadId);
    const old = await updateItem<MembershipItem>({
      key: keys.membership(leadId, ctx.campaignId),
      update: [
        `SET ${flag} = :true`,
        `${flagBy} = if_not_exists(${flagBy}, :marker)`,
        `${other} = if_not_exists(${other}, :false)`,
        'reachedBy = if_not_exists(reachedBy, :marker)',
        'arisenOn = if_not_exists(arisenOn, :arisenOn)',
        'followStatus = if_not_exists(followStatus, :notStarted)',
        'GSI5PK = if_not_exists(GSI5PK, :gsi5pk)',
        'GSI5SK = if_not_exists(GSI5SK, :gsi5sk)',
        'leadId = :leadId, campaignId = :campaignId, entity = :entity',
        'createdAt = if_not_exists(createdAt, :now), updatedAt = :now',
      ].join(', '),
      values: {
        ':true': true,
        ':false': false,
        ':marker': marker,
        ':arisenOn': arisenOn,
        ':notStarted': 'not_started',
        ':gsi5pk': index.GSI5PK,
        ':gsi5sk': index.GSI5SK,
        ':leadId': leadId,
        ':campaignId': ctx.campaignId,
        ':entity': ENTITY.membership,
        ':now': ctx.now.toISOString(),
      },
      returnOld: true,
    });
    const by = old[flagBy];
    if (old[flag] === true && by !== marker) {
      // Set before by another row of this file (merged), or by another import between our read and write.
      if (by?.startsWith(`${ctx.importId}#`)) merge(row, rowOfMarker(by));
      else counts.unchanged++;
      return;
    }
    // This row set the flag now, or did on a first attempt whose commit never happened: count it either way.
    metrics[flag]++;
    if (isNew) {
      counts.created++;
      metrics.newLeads++;
    } else {
      counts.matched++;
      if (!old.reachedBy || old.reachedBy === marker) metrics.knownLeads++;
    }
  });

  return { counts, metrics, notes };
}
