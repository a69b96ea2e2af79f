import { INDEXES, type IndexKey } from './definition';
import type { Item } from './client';
import { positionOf, queryPage, type PageRequest } from './pages';

/**
 * One page across several partitions of an index, in one order: the lead lists are spread over shards (and a
 * multi-stage filter over several stages), so a page is the first `limit` items of a merge of every partition.
 *
 * The position is per partition: the key to continue after, or null once that partition is exhausted. Each
 * partition is read up to `limit` items ahead, in parallel; only the items that make the page are consumed, so
 * the next page resumes each partition exactly where this one stopped.
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

export async function shardedQuery<T extends Item>(request: ShardedRequest): Promise<{ items: T[]; position?: ShardedPosition }> {
  const sortKey = INDEXES[request.index].sortKey;
  const live = request.partitions.filter((p) => request.position?.[p] !== null);
  const pages = await Promise.all(
    live.map(async (partition) => {
      const page = await queryPage<T>({
        index: request.index,
        partition,
        descending: request.descending,
        limit: request.limit,
        sortPrefix: request.sortPrefix,
        filter: request.filter,
        startKey: request.position?.[partition] ?? undefined,
      });
      return { partition, ...page };
    }),
  );

  const candidates = pages.flatMap((page) => page.items.map((item) => ({ item, partition: page.partition })));
  const order = request.descending ? -1 : 1;
  candidates.sort((a, b) => (String(a.item[sortKey]) < String(b.item[sortKey]) ? -order : String(a.item[sortKey]) > String(b.item[sortKey]) ? order : 0));
  const taken = candidates.slice(0, request.limit);

  const position: ShardedPosition = { ...(request.position ?? {}) };
  for (const page of pages) {
    const consumed = taken.filter((c) => c.partition === page.partition);
    if (consumed.length === page.items.length) {
      // Everything read from this partition made the page: continue after its last key, or it is done.
      position[page.partition] = page.lastKey ?? null;
    } else if (consumed.length > 0) {
      position[page.partition] = positionOf(consumed[consumed.length - 1]!.item, request.index);
    }
  }
  // A partition absent from the position has not been read past its start; null means it is exhausted.
  const more = request.partitions.some((p) => position[p] !== null);
  return { items: taken.map((c) => c.item), position: more ? position : undefined };
}
