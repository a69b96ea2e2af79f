import { forEachConcurrently } from '../async';
import type { Item } from '../table/client';
import { getItem, updateItem } from '../table/client';
import { ConditionFailedError, TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { transact, txPut, type TransactionWrite } from '../table/transaction';
import { getImportRecord } from './import-record';
import { importOfMarker, markerOf, rowOfMarker } from './row-marker';
import type { KeyClaim, PreparedRow, RegisterContext } from './registration';
import type { ImportStatus } from './schema';

/**
 * The dedupe-key claim protocol (名寄せキー). One LEADKEY item per person: whoever writes it first, conditionally,
 * is the one who creates that person; everyone else finds it and treats the person as known. Claims go alone in
 * transactions of up to 100 (about the cost of plain writes), and the lead and history follow in plain batches, so
 * for a moment a claim may point at a lead not written yet. Who may then write it, and who counts the person, is
 * settled here by the claim's marker (the import row that made it) and how that import ended.
 */

const CLAIMS_PER_TRANSACTION = 100;

function claimItem(ctx: RegisterContext, row: PreparedRow, leadId: string): Item {
  return { ...keys.leadMatchKey(row.matchKey), entity: ENTITY.leadMatchKey, leadId, createdBy: markerOf(ctx.importId, row.rowNumber), createdAt: ctx.now.toISOString() };
}

/**
 * Claims new people, each with the lead id it will have. A claim lost means someone else registered that person
 * meanwhile (`lost`); a transaction cancelled for another reason leaves its people to claim again (`again`).
 */
export async function claimNewPeople(
  ctx: RegisterContext,
  people: { row: PreparedRow; leadId: string }[],
  concurrency: number,
): Promise<{ claimed: { row: PreparedRow; leadId: string }[]; lost: PreparedRow[]; again: PreparedRow[] }> {
  const claimed: { row: PreparedRow; leadId: string }[] = [];
  const lost: PreparedRow[] = [];
  const again: PreparedRow[] = [];
  const groups: (typeof people)[] = [];
  for (let i = 0; i < people.length; i += CLAIMS_PER_TRANSACTION) groups.push(people.slice(i, i + CLAIMS_PER_TRANSACTION));
  await forEachConcurrently(groups, concurrency, async (group) => {
    try {
      await transact(group.map(({ row, leadId }) => txPut(row.matchKey, claimItem(ctx, row, leadId), { condition: ITEM_ABSENT })));
      claimed.push(...group);
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      for (const { row } of group) (error.failed(row.matchKey) ? lost : again).push(row);
    }
  });
  return { claimed, lost, again };
}

/** Who holds the person's dedupe key, if anyone: the lead it names, and the marker of the write that claimed it. */
export const readClaim = (matchKey: string): Promise<KeyClaim | undefined> => getItem<KeyClaim>(keys.leadMatchKey(matchKey));

/**
 * The claim of a lead made by hand (POST /leads), for the transaction that writes the lead itself: conditional on
 * the key being free, like an import's, so a list import of the same person at the same moment and this lead cannot
 * both create them. Written with its lead, it never points at a lead not written yet (its marker names no import).
 */
export const claimWithLead = (matchKey: string, leadId: string, marker: string, at: string): TransactionWrite =>
  txPut('claim', { ...keys.leadMatchKey(matchKey), entity: ENTITY.leadMatchKey, leadId, createdBy: marker, createdAt: at }, { condition: ITEM_ABSENT });

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
export async function claimsOfUnfinishedImports<T extends { createdBy: string }>(people: T[]): Promise<T[]> {
  const creators = new Set(people.map((p) => importOfMarker(p.createdBy)).filter((c): c is string => c !== undefined && !completeImports.has(c) && !failedImports.has(c)));
  for (const importId of creators) {
    const record = await getImportRecord(importId);
    if (record && COMPLETE.includes(record.status)) completeImports.add(importId);
    if (record?.status === 'failed') failedImports.set(importId, record.checkpointRow ?? 0);
  }
  return people.filter((person) => {
    const creator = importOfMarker(person.createdBy);
    return creator !== undefined && !completeImports.has(creator);
  });
}

/** The claim was made by a failed import in a row it never committed: no import has counted that person. */
export function uncountedByFailedImport(createdBy: string): boolean {
  const committedTo = failedImports.get(importOfMarker(createdBy) ?? '');
  return committedTo !== undefined && rowOfMarker(createdBy) > committedTo;
}

/**
 * Moves a claim from the marker that made it to ours; false when someone else moved it first. The claim remembers
 * whose it was, so a replay of the row that took it over still knows which flags nobody counted.
 */
export async function takeOverClaim(matchKey: string, theirs: string, ours: string): Promise<boolean> {
  try {
    await updateItem({ key: keys.leadMatchKey(matchKey), changes: { set: { createdBy: ours, takenOverFrom: theirs } }, condition: 'createdBy = :theirs', values: { ':theirs': theirs } });
    return true;
  } catch (error) {
    if (error instanceof ConditionFailedError) return false;
    throw error;
  }
}
