/**
 * Users' names as the lists show them beside each lead (the owner column), remembered for a minute in the function's
 * memory. A page of 50 leads of a whole team names up to 50 owners: read by key each time, they were a third of the
 * page's read units and half the keys of its batch read, for names that change a few times a year. Only a display
 * reads this: who a caller is and what it may do is read from its user item on every request (lib/http/middleware.ts).
 *
 * A renamed user is shown under the former name for at most NAME_TTL_MS by a function that read it before. A name
 * is remembered from the read of the page that needed it, so a new user is never missing, only read once.
 *
 * Hand-written rather than a cache library: it needs only expiry after the read and a bound on its size (the
 * oldest read goes first), a Map in insertion order is both.
 */

export const NAME_TTL_MS = 60_000;
/** Far more users than a sales floor has; only a bound on memory. */
const MAX_NAMES = 5_000;

/** A user's name, or null for an id with no user item; with the instant it stops being trusted. */
const remembered = new Map<string, { name: string | null; until: number }>();

/** The names still trusted (null: known to have no user), and the ids to read. */
export function rememberedNames(userIds: readonly string[], now = Date.now()): { names: Map<string, string | null>; unknown: string[] } {
  const names = new Map<string, string | null>();
  const unknown: string[] = [];
  for (const userId of new Set(userIds)) {
    const entry = remembered.get(userId);
    if (entry && entry.until > now) names.set(userId, entry.name);
    else unknown.push(userId);
  }
  return { names, unknown };
}

/** Names just read (null: the id has no user item), trusted for NAME_TTL_MS from `now`. */
export function rememberNames(read: ReadonlyMap<string, string | null>, now = Date.now()): void {
  for (const [userId, name] of read) {
    // Re-inserted at the end: the Map's order is the order of the reads, the oldest first.
    remembered.delete(userId);
    remembered.set(userId, { name, until: now + NAME_TTL_MS });
  }
  for (const userId of remembered.keys()) {
    if (remembered.size <= MAX_NAMES) break;
    remembered.delete(userId);
  }
}

/** Forgets every name (tests; a function's cold start does the same). */
export function forgetNames(): void {
  remembered.clear();
}
