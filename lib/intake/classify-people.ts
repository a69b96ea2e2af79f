import { isMarkerOf, markerOf, rowOfMarker } from './row-marker';
import type { KeyClaim, MembershipItem, PreparedRow } from './registration';

/**
 * The dedupe decision of list register, pure: what a chunk's people are, from what the table showed of them. No I/O,
 * so every case (fresh, known, a replay of our own write, a duplicate of an earlier row) is unit-tested alone.
 */

export interface Merge {
  row: PreparedRow;
  /** The earlier row of the same person, which speaks for it. */
  intoRow: number;
}

/** Later rows of a person within the chunk merge into its first row. */
export function duplicatesInChunk(rows: PreparedRow[], firstByKey: Map<string, PreparedRow>): Merge[] {
  const merges: Merge[] = [];
  for (const row of rows) {
    const first = firstByKey.get(row.matchKey)!;
    if (first !== row) merges.push({ row, intoRow: first.rowNumber });
  }
  return merges;
}

export interface ByClaim {
  /** Nobody holds the person's key: a new person to claim. */
  fresh: PreparedRow[];
  /** The key is held by this very row: a creation replayed after a crash. */
  replayed: { row: PreparedRow; leadId: string; takenOverFrom?: string }[];
  /** The key is held by an earlier row of this import (an earlier chunk or invocation). */
  merged: Merge[];
  /** Someone else's lead: a known person. */
  known: { row: PreparedRow; leadId: string; createdBy: string }[];
}

/** Sorts people by the claim of their dedupe key (`claimOf` gives the claim found, if any). */
export function classifyByClaim(people: PreparedRow[], claimOf: (row: PreparedRow) => KeyClaim | undefined, importId: string): ByClaim {
  const sorted: ByClaim = { fresh: [], replayed: [], merged: [], known: [] };
  for (const row of people) {
    const claim = claimOf(row);
    if (!claim) sorted.fresh.push(row);
    else if (claim.createdBy === markerOf(importId, row.rowNumber)) sorted.replayed.push({ row, leadId: claim.leadId, ...(claim.takenOverFrom ? { takenOverFrom: claim.takenOverFrom } : {}) });
    else if (isMarkerOf(importId, claim.createdBy)) sorted.merged.push({ row, intoRow: rowOfMarker(claim.createdBy) });
    else sorted.known.push({ row, leadId: claim.leadId, createdBy: claim.createdBy });
  }
  return sorted;
}

export type HistoryDecision =
  /** The flag is set by this very row: our own write, replayed; it first reached the person if it made the history. */
  | { kind: 'replayed'; firstReach: boolean }
  /** The flag is set by an earlier row of this import. */
  | { kind: 'merged'; intoRow: number }
  /** The flag was set by another list: nothing to do. */
  | { kind: 'unchanged' }
  /** No history, or one without this list's flag: write it. */
  | { kind: 'write' };

/** What a known person's campaign history says this row must do. */
export function decideHistory(history: MembershipItem | undefined, row: PreparedRow, importId: string, flag: 'invited' | 'responded'): HistoryDecision {
  if (history?.[flag] !== true) return { kind: 'write' };
  const marker = markerOf(importId, row.rowNumber);
  const by = history[`${flag}By`];
  if (by === marker) return { kind: 'replayed', firstReach: history.reachedBy === marker };
  if (isMarkerOf(importId, by)) return { kind: 'merged', intoRow: rowOfMarker(by!) };
  return { kind: 'unchanged' };
}

/**
 * This very row's write made the history both invited and responded (the write records it, ./history-writes.ts):
 * a replay counts invitedResponded as the first attempt did, whatever the other list has done since.
 */
export const madeBothByRow = (history: MembershipItem | undefined, row: PreparedRow, importId: string): boolean =>
  history?.invitedRespondedBy === markerOf(importId, row.rowNumber);
