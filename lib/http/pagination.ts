import { decodeCursor, encodeCursor } from './cursor';
import type { Item } from '../table/client';

/**
 * Turns a DynamoDB position into the API's `{ items, nextCursor }` and back. The scope ties a cursor to the query
 * that produced it: the route plus every filter value, but not the page size, which a client may change.
 */

export function scopeOf(route: string, query: Record<string, unknown>): string {
  const filters = Object.entries(query)
    .filter(([k, v]) => k !== 'cursor' && k !== 'limit' && v !== undefined)
    .sort(([a], [b]) => a.localeCompare(b));
  return `${route}?${JSON.stringify(filters)}`;
}

export async function startKeyFrom(cursor: string | undefined, scope: string): Promise<Item | undefined> {
  return cursor === undefined ? undefined : decodeCursor<Item>(cursor, scope);
}

export async function pageResponse<T>(items: T[], lastKey: unknown, scope: string) {
  return { items, nextCursor: lastKey === undefined ? null : await encodeCursor(lastKey, scope) };
}
