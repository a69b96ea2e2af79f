import { INDEXES, TABLE_PARTITION_KEY, TABLE_SORT_KEY, type IndexKey } from './definition';
import { query, toAttributes, type Item } from './client';

/**
 * One page of a query, `limit` items long even when a filter drops some: DynamoDB applies `Limit` before the
 * filter, so we keep reading until the page is full or the partition ends. The returned position is the key of the
 * last item handed out, so the next page starts exactly after it; there is none when nothing follows.
 */

export interface PageRequest {
  index?: IndexKey;
  partition: string;
  /** Only sort keys starting with this. */
  sortPrefix?: string;
  /** Only sort keys between these two, both included (not with sortPrefix). */
  sortBetween?: [from: string, to: string];
  /** Newest first for ULID and timestamp sort keys. */
  descending?: boolean;
  filter?: { expression: string; names?: Record<string, string>; values?: Item };
  limit: number;
  startKey?: Item;
}

export interface Page<T> {
  items: T[];
  lastKey?: Item;
}

function keyAttributes(index?: IndexKey): string[] {
  const base = [TABLE_PARTITION_KEY, TABLE_SORT_KEY];
  if (!index) return base;
  return [...base, INDEXES[index].partitionKey, INDEXES[index].sortKey];
}

export function positionOf(item: Item, index?: IndexKey): Item {
  return Object.fromEntries(keyAttributes(index).map((k) => [k, item[k]]));
}

export async function queryPage<T extends Item>(request: PageRequest): Promise<Page<T>> {
  const pk = request.index ? INDEXES[request.index].partitionKey : TABLE_PARTITION_KEY;
  const sk = request.index ? INDEXES[request.index].sortKey : TABLE_SORT_KEY;
  const names: Record<string, string> = { '#pk': pk, ...(request.filter?.names ?? {}) };
  const values: Item = { ':pk': request.partition, ...(request.filter?.values ?? {}) };
  let condition = '#pk = :pk';
  if (request.sortPrefix !== undefined) {
    names['#sk'] = sk;
    values[':skPrefix'] = request.sortPrefix;
    condition += ' AND begins_with(#sk, :skPrefix)';
  } else if (request.sortBetween !== undefined) {
    names['#sk'] = sk;
    values[':skFrom'] = request.sortBetween[0];
    values[':skTo'] = request.sortBetween[1];
    condition += ' AND #sk BETWEEN :skFrom AND :skTo';
  }
  // Read one item past the page: if it exists there is a next page, and the cursor never leads to an empty one.
  const wanted = request.limit + 1;
  const items: T[] = [];
  let startKey = request.startKey;
  do {
    const page = await query<T>({
      IndexName: request.index ? INDEXES[request.index].indexName : undefined,
      KeyConditionExpression: condition,
      FilterExpression: request.filter?.expression,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: toAttributes(values),
      ScanIndexForward: !request.descending,
      // Read ahead when filtering, so short filtered pages need fewer round trips.
      Limit: request.filter ? Math.min(1000, wanted * 2) : wanted - items.length,
      startKey,
    });
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey && items.length < wanted);
  if (items.length < wanted) return { items };
  const pageItems = items.slice(0, request.limit);
  return { items: pageItems, lastKey: positionOf(pageItems[pageItems.length - 1]!, request.index) };
}
