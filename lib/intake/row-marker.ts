import { isId } from '../ids';

/**
 * The marker every write of an import carries: `{importId}#{rowNumber}`, the row that made it. A chunk replayed after
 * a crash finds its own markers and counts each row as the first attempt did; a claim's marker says which import
 * made it, and so whether that import finished.
 */

export const markerOf = (importId: string, rowNumber: number): string => `${importId}#${rowNumber}`;

export const rowOfMarker = (marker: string): number => Number(marker.slice(marker.lastIndexOf('#') + 1));

/** The import a marker names; undefined for a claim made otherwise (a lead edit moving its key). */
export function importOfMarker(marker: string): string | undefined {
  const creator = marker.slice(0, marker.lastIndexOf('#'));
  return isId(creator) ? creator : undefined;
}

/** The marker was written by this import. */
export const isMarkerOf = (importId: string, marker: string | undefined): boolean => marker?.startsWith(`${importId}#`) ?? false;

/**
 * The marker of a write made by hand (POST /leads) by this user: a claim written in one transaction with its lead,
 * or the history flag it set. Its creator part (`hand`) is no import's id, so no import waits for its lead, takes it
 * for its own row, or counts it as its own.
 */
export const handMarkerOf = (userId: string): string => `hand#${userId}`;
