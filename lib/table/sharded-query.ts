import { INDEXES, type IndexKey } from './definition';
import type { Item } from './client';
import { positionOf, queryPage, type PageRequest } from './queries';

/**
 * One page across several partitions of an index, in one order: the lead lists are spread over shards (and a
 * multi-stage filter over several stages), so a page is the first `limit` items of a merge of every partition.
 *
 * A lazy k-way merge: each partition is read a few items ahead (its share of the page, with a margin), the merge
 * takes the best head, and only a partition that runs dry before the page is full is read again. A page of 50 over
 * 8 shards reads about 1.5× its size, not 8×.
 *
 * The position is per partition: the key to continue after, or null once that partition is exhausted; a partition
 * absent from the position has not been read past its start.
 */

export type ShardedPosition = Record<string, Item | null>;

export interface ShardedRequest {
  index: IndexKey;
  partitions: string[];
  descending: boolean;
  limit: number;
  sortPrefix?: string;
  filter?: PageRequest['filter'];
  position?: ShardedPosition;
}

interface Cursor {
  partition: string;
  buffer: Item[];
  /** Where the next read of this partition starts; undefined at its start. */
  next?: Item;
  exhausted: boolean;
  /** The last item this page took from the partition. */
  taken?: Item;
}

export async function shardedQuery<T extends Item>(request: ShardedRequest): Promise<{ items: T[]; position?: ShardedPosition }> {
  const sortKey = INDEXES[request.index].sortKey;
  const batch = Math.ceil(request.limit / request.partitions.length) + 2;
  const cursors: Cursor[] = request.partitions.map((partition) => ({
    partition,
    buffer: [],
    next: request.position?.[partition] ?? undefined,
    exhausted: request.position?.[partition] === null,
  }));

  const refill = async (cursor: Cursor, size: number) => {
    const page = await queryPage<T>({
      index: request.index,
      partition: cursor.partition,
      descending: request.descending,
      limit: size,
      sortPrefix: request.sortPrefix,
      filter: request.filter,
      startKey: cursor.next,
    });
    cursor.buffer.push(...page.items);
    cursor.next = page.lastKey;
    cursor.exhausted = page.lastKey === undefined;
  };
  const before = (a: Item, b: Item) => (request.descending ? String(a[sortKey]) > String(b[sortKey]) : String(a[sortKey]) < String(b[sortKey]));

  await Promise.all(cursors.filter((c) => !c.exhausted).map((c) => refill(c, batch)));
  const items: T[] = [];
  while (items.length < request.limit) {
    // A live partition with nothing buffered could hold the next item: read it (more this time) before choosing.
    const dry = cursors.filter((c) => c.buffer.length === 0 && !c.exhausted);
    if (dry.length > 0) {
      await Promise.all(dry.map((c) => refill(c, Math.max(batch, request.limit - items.length))));
      continue;
    }
    let best: Cursor | undefined;
    for (const cursor of cursors) if (cursor.buffer.length > 0 && (!best || before(cursor.buffer[0]!, best.buffer[0]!))) best = cursor;
    if (!best) break;
    const item = best.buffer.shift()!;
    best.taken = item;
    items.push(item as T);
  }

  const position: ShardedPosition = {};
  for (const cursor of cursors) {
    if (cursor.buffer.length > 0) {
      // Read ahead but not taken: continue after the last item taken (or from where this page started).
      const resumeAt = cursor.taken ? positionOf(cursor.taken, request.index) : request.position?.[cursor.partition];
      if (resumeAt !== undefined) position[cursor.partition] = resumeAt;
    } else {
      position[cursor.partition] = cursor.exhausted ? null : (cursor.next ?? null);
    }
  }
  const more = request.partitions.some((p) => position[p] !== null);
  return { items, position: more ? position : undefined };
}
