import { INDEXES, type IndexKey } from './definition';
import type { Item } from './client';
import { positionOf, queryPage, ReadBudget, type PageRequest } from './queries';

/**
 * One page across several partitions of an index, in one order: the lead lists are spread over shards (and a
 * multi-stage filter over several stages), so a page is the first `limit` items of a merge of every partition.
 *
 * A lazy k-way merge: each partition is read a few items ahead (its share of the page, with a margin), the merge
 * takes the best head, and only a partition that runs dry before the page is full is read again, twice as far each
 * time and never further than the page still needs, so a partition that holds most of the page is read in a few
 * round trips and the others are not read far past what they give. The item each read takes past its page to know
 * whether more follows is merged too, not thrown away and read again.
 *
 * How far ahead: the shards are a hash of the lead id, so a page's items fall on them as a binomial draw, each
 * shard's count its share give or take about the square root of it. Each is read its share plus two of those
 * spreads (and the item read ahead): a page of 50 over 8 shards reads 13 from each, 104 items in one round trip,
 * and needs a second only when a shard holds 13 of the page's first 49, about one page in twenty (a fixed margin of
 * 3 left one page in two needing it, and a page of 500 nearly every one). A second round trip costs a whole
 * request of latency; the two dozen items read ahead cost only their size in read units.
 *
 * A partition whose read ended on an item read ahead may or may not have more: when such partitions alone stand
 * between the page and the end of the list, each is probed with one short read, so a cursor never leads to an
 * empty page.
 *
 * The position is per partition: the key to continue after, or null once that partition is exhausted; a partition
 * absent from the position has not been read past its start.
 *
 * All partitions share one read budget. A partition the budget stopped has a frontier, the last key it read: what
 * lies beyond sorts after it, so the merge goes on handing out other partitions' items only while they sort before
 * every frontier, and then stops with a short page. The next page resumes each stopped partition at its frontier,
 * so nothing is skipped and nothing repeated, and no page reads past the budget whatever the filter.
 */

export type ShardedPosition = Record<string, Item | null>;

export interface ShardedRequest {
  index: IndexKey;
  partitions: string[];
  descending: boolean;
  limit: number;
  sortPrefix?: string;
  /** Only sort keys between these two, both included (every partition alike). */
  sortBetween?: [from: string, to: string];
  filter?: PageRequest['filter'];
  position?: ShardedPosition;
  /** Shared with the rest of the request's reads; one of its own otherwise. */
  budget?: ReadBudget;
}

export interface ShardedPage<T> {
  items: T[];
  position?: ShardedPosition;
  /** The read budget ran out before the page was full. */
  cutShort: boolean;
}

interface Cursor {
  partition: string;
  buffer: Item[];
  /** Where the next read of this partition starts; undefined at its start. */
  next?: Item;
  exhausted: boolean;
  /** The last item this page took from the partition. */
  taken?: Item;
  /** Dry, with more to read, and the budget is spent: `next` is its frontier. */
  blocked: boolean;
  /** Reads of this partition so far in this page. */
  reads: number;
  /** Its last read ended on items read ahead: `next` is after them, and whether more follows is not known. */
  unsure: boolean;
}

/**
 * What each partition is read first for a page of `limit` (the read takes one item more, to know whether more
 * follows): its share and twice its square root, a little over two standard deviations of the binomial draw (above).
 * One partition holds the whole page.
 */
export function readAhead(limit: number, partitions: number): number {
  if (partitions <= 1) return limit;
  const share = limit / partitions;
  return Math.min(limit, Math.ceil(share + 2 * Math.sqrt(share)));
}

export async function shardedQuery<T extends Item>(request: ShardedRequest): Promise<ShardedPage<T>> {
  const sortKey = INDEXES[request.index].sortKey;
  const budget = request.budget ?? new ReadBudget();
  const batch = readAhead(request.limit, request.partitions.length);
  const cursors: Cursor[] = request.partitions.map((partition) => ({
    partition,
    buffer: [],
    next: request.position?.[partition] ?? undefined,
    exhausted: request.position?.[partition] === null,
    blocked: false,
    reads: 0,
    unsure: false,
  }));

  const refill = async (cursor: Cursor, size: number) => {
    const page = await queryPage<T>({
      index: request.index,
      partition: cursor.partition,
      descending: request.descending,
      limit: size,
      sortPrefix: request.sortPrefix,
      sortBetween: request.sortBetween,
      filter: request.filter,
      startKey: cursor.next,
      budget,
    });
    cursor.reads++;
    const ahead = page.ahead ?? [];
    cursor.buffer.push(...page.items, ...ahead);
    cursor.unsure = ahead.length > 0;
    cursor.next = ahead.length > 0 ? positionOf(ahead[ahead.length - 1]!, request.index) : page.lastKey;
    cursor.exhausted = page.lastKey === undefined;
  };
  const before = (a: Item, b: Item) => (request.descending ? String(a[sortKey]) > String(b[sortKey]) : String(a[sortKey]) < String(b[sortKey]));

  await Promise.all(cursors.filter((c) => !c.exhausted).map((c) => refill(c, batch)));
  const items: T[] = [];
  while (items.length < request.limit) {
    // A live partition with nothing buffered could hold the next item: read it (more this time) before choosing.
    const dry = cursors.filter((c) => c.buffer.length === 0 && !c.exhausted && !c.blocked);
    if (dry.length > 0) {
      if (budget.exhausted) for (const cursor of dry) cursor.blocked = true;
      else await Promise.all(dry.map((c) => refill(c, Math.min(request.limit - items.length, batch * 2 ** c.reads))));
      continue;
    }
    let best: Cursor | undefined;
    for (const cursor of cursors) if (cursor.buffer.length > 0 && (!best || before(cursor.buffer[0]!, best.buffer[0]!))) best = cursor;
    if (!best) break;
    // A stopped partition may hold an item between its frontier and this one: only what sorts before it is sure.
    const head = best.buffer[0]!;
    if (cursors.some((c) => c.blocked && !(c.next?.[sortKey] !== undefined && before(head, c.next)))) break;
    const item = best.buffer.shift()!;
    best.taken = item;
    items.push(item as T);
  }

  // Partitions read to their end of what was read ahead, all of it handed out: is there more? Asked only when nothing
  // else says the list goes on, so the page's cursor leads to items.
  const unsure = cursors.filter((c) => c.unsure && c.buffer.length === 0 && !c.blocked);
  if (unsure.length > 0 && !cursors.some((c) => c.buffer.length > 0 || (!c.exhausted && !c.unsure))) {
    await Promise.all(
      unsure.map(async (cursor) => {
        const probe = await queryPage<T>({ index: request.index, partition: cursor.partition, descending: request.descending, limit: 1, sortPrefix: request.sortPrefix, sortBetween: request.sortBetween, filter: request.filter, startKey: cursor.next, budget });
        if (probe.items.length === 0 && !probe.cutShort) cursor.exhausted = true;
      }),
    );
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
  return { items, position: more ? position : undefined, cutShort: cursors.some((c) => c.blocked) };
}

/**
 * Where the merge stands after only the first `count` of a page's items, for a reader that keeps fewer than it read
 * (the work queue reads a little past what its page needs, as some leads belong elsewhere, and stops once the page
 * is full). The page is a prefix of the merge, so each partition resumes after its last item among those kept, or
 * where the page started it; one whose items were all kept is exhausted if the page found it so.
 */
export function positionAfter(request: Pick<ShardedRequest, 'index' | 'partitions' | 'position'>, page: ShardedPage<Item>, count: number): ShardedPosition | undefined {
  if (count >= page.items.length) return page.position;
  const partitionKey = INDEXES[request.index].partitionKey;
  const kept = page.items.slice(0, count);
  const position: ShardedPosition = {};
  for (const partition of request.partitions) {
    const last = kept.filter((item) => item[partitionKey] === partition).at(-1);
    const allKept = !page.items.slice(count).some((item) => item[partitionKey] === partition);
    if (allKept && (page.position === undefined || page.position[partition] === null)) position[partition] = null;
    else if (last) position[partition] = positionOf(last, request.index);
    else if (request.position?.[partition] !== undefined) position[partition] = request.position[partition]!;
  }
  return request.partitions.some((p) => position[p] !== null) ? position : undefined;
}
