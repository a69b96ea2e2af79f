import { newMembershipItem } from '../leads/model';
import { getItem, putIfAbsent, updateItem, type Item, type UpdateRequest } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { keys } from '../table/keys';
import { txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import { madeBothByRow } from './classify-people';
import { markerOf } from './row-marker';
import { flagOf, otherFlagOf, type MembershipItem, type PreparedRow, type RegisterContext } from './registration';

/**
 * The campaign-history writes of list register, and what each tells the campaign's counters besides this list's own
 * flag. A history becomes both invited and responded (invitedResponded) through the write that adds its second flag,
 * and that write knows the other flag exactly: it is either a new history (the other flag not set) or conditional on
 * the other flag as read. The row that made a history both is recorded on it (`invitedRespondedBy`), so a chunk
 * replayed after a crash counts it as the first attempt did.
 */

const MAX_ROUNDS = 8;

/** What a history write adds to the counters beyond this list's flag. */
export interface HistoryEffect {
  /** The history became both invited and responded by this row's write. */
  madeBoth: boolean;
  /** The other flag was set by a failed import's row that nobody counted; this row counts it (see ensureHistory). */
  adopted: boolean;
}

export function historyOf(ctx: RegisterContext, row: PreparedRow, leadId: string): Item {
  return newMembershipItem({
    leadId,
    campaignId: ctx.campaignId,
    flag: flagOf(ctx.kind),
    marker: markerOf(ctx.importId, row.rowNumber),
    arisenOn: row.arisenOn ?? ctx.defaultArisenOn,
    at: ctx.now.toISOString(),
  });
}

/**
 * Sets a flag on a history read as `seen` without it, on condition that the history still lacks it and that the
 * other flag is still as read: then whether this write makes the history both is known, not guessed. `marker` is the
 * write that sets it (an import's row, or a lead made by hand).
 */
export function flagUpdateOf(input: { leadId: string; campaignId: string; flag: 'invited' | 'responded'; marker: string; at: string }, seen: MembershipItem): UpdateRequest {
  const { flag, marker } = input;
  const other = flag === 'invited' ? 'responded' : 'invited';
  const both = seen[other] === true;
  return {
    key: keys.membership(input.leadId, input.campaignId),
    changes: {
      set: {
        [flag]: true,
        [`${flag}By`]: marker,
        updatedAt: input.at,
        ...(both ? { invitedRespondedBy: marker } : {}),
        // A response waits for its owner's action (the work queue's "responded recently").
        ...(flag === 'responded' ? { respondedAt: input.at, ...keys.respondedOrderKey(input.at, input.leadId) } : {}),
      },
    },
    condition: `${ITEM_EXISTS} AND (attribute_not_exists(#flag) OR #flag = :false) AND ${both ? '#other = :true' : '(attribute_not_exists(#other) OR #other = :false)'}`,
    names: { '#flag': flag, '#other': other },
    values: both ? { ':true': true, ':false': false } : { ':false': false },
  };
}

/** Sets this list's flag on a history read as `seen` without it (see flagUpdateOf). */
const flagUpdate = (ctx: RegisterContext, row: PreparedRow, leadId: string, seen: MembershipItem): UpdateRequest =>
  flagUpdateOf({ leadId, campaignId: ctx.campaignId, flag: flagOf(ctx.kind), marker: markerOf(ctx.importId, row.rowNumber), at: ctx.now.toISOString() }, seen);

/** Whether the write for a history read as `seen` makes it both invited and responded. */
export const makesBoth = (ctx: RegisterContext, seen: MembershipItem | undefined): boolean => seen?.[otherFlagOf(ctx.kind)] === true;

/**
 * The history write for a known person, conditional on exactly what we read: no history yet, or a history without
 * this flag and with the other flag as read. If either changed meanwhile the transaction is cancelled and the rows
 * are read again.
 */
export const historyWrite = (ctx: RegisterContext, row: PreparedRow, leadId: string, seen: MembershipItem | undefined): TransactionWrite =>
  seen ? txUpdate(leadId, flagUpdate(ctx, row, leadId, seen)) : txPut(leadId, historyOf(ctx, row, leadId), { condition: ITEM_ABSENT });

/**
 * This import's history of a person it creates again (a replay) or has taken over from a failed import: written
 * whole if absent; otherwise this list's flag is added, conditional on the history as read (read again if it
 * changed). A flag already set by this very row is a replay of our own write, which says whether it made the history
 * both. `takenOverFrom` is the failed import's row whose claim this row took: a flag that row set on the history was
 * never counted (the failed import never committed that row), so this row counts it, on every attempt alike.
 */
export async function ensureHistory(ctx: RegisterContext, row: PreparedRow, leadId: string, takenOverFrom?: string): Promise<HistoryEffect> {
  const flag = flagOf(ctx.kind);
  const other = otherFlagOf(ctx.kind);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (await putIfAbsent(historyOf(ctx, row, leadId))) return { madeBoth: false, adopted: false };
    const seen = await getItem<MembershipItem>(keys.membership(leadId, ctx.campaignId));
    if (!seen) continue;
    const adopted = takenOverFrom !== undefined && seen[other] === true && seen[`${other}By`] === takenOverFrom;
    if (seen[flag] === true) return { madeBoth: madeBothByRow(seen, row, ctx.importId), adopted };
    try {
      await updateItem(flagUpdate(ctx, row, leadId, seen));
      return { madeBoth: makesBoth(ctx, seen), adopted };
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      // The other flag came (or the history changed) since our read: read it again.
    }
  }
  throw new Error(`could not write the campaign history of lead ${leadId} after ${MAX_ROUNDS} rounds`);
}
