import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { config } from '../config';
import { ConfigError } from '../errors';
import { dynamo, fromAttributes, tableName, toAttributes, translate, type Item } from './client';
import { INDEXES, REPLACED_INDEXES, TABLE_PARTITION_KEY, TABLE_SORT_KEY, indexNameOf, type IndexKey } from './definition';

/**
 * Reading a partition of the table or of an index: one page (`queryPage`), every page (`queryPages`, `queryAll`),
 * or how many items there are (`countAll`, no item travels). Each is one partition key and at most one condition on
 * the sort key; all of them go through the adapter's error translation, so a throttle is a 429 wherever it happens.
 */

export interface QuerySpec {
  index?: IndexKey;
  partition: string;
  /** Only sort keys starting with this. */
  sortPrefix?: string;
  /** Only sort keys between these two, both included. */
  sortBetween?: [from: string, to: string];
  /** Only sort keys before this one (not included). */
  sortBefore?: string;
  /** Only sort keys up to this one (included). */
  sortUpTo?: string;
  /** Newest first for ULID and timestamp sort keys. */
  descending?: boolean;
  filter?: { expression: string; names?: Record<string, string>; values?: Item };
  /** A strongly consistent read (the table only, not an index): sees every write that finished before it. */
  consistent?: boolean;
}

/**
 * How a page reads by key what its index read named (the leads behind campaign histories or tasks, the page's owners,
 * deals and campaign sets): eventually consistent, at half the read units of a strong read. The index the page came
 * from is itself eventually consistent, so a strong read behind it would make the page no fresher than the index
 * (a page of 50 by name: about 104 read units strong, half of it these reads; `TABLE_CAPACITY_METER=1 npm run
 * bench:leads`).
 */
export const READ_BEHIND_AN_INDEX = { consistent: false } as const;

/**
 * What one request may still read: items before filters (READ_BUDGET_ITEMS, 2,000 by default) and time
 * (READ_BUDGET_MS, 3 s), after which it hands back what it has found. A selective filter (a product nobody has, an owner behind a name index) would
 * otherwise read a whole partition, 20 items a round trip, until the function timed out. When the budget runs out a
 * page is handed back short, with a position that resumes the read where it stopped (api.md allows short pages).
 * One budget may be shared by several queries: the shards of one lead-list page.
 */
export class ReadBudget {
  private read = 0;
  private readonly deadline: number;

  constructor(
    readonly items = config.readBudgetItems(),
    ms = config.readBudgetMs(),
  ) {
    this.deadline = Date.now() + ms;
  }

  spend(count: number): void {
    this.read += count;
  }

  /**
   * Takes up to `count` items of the budget before a read, so reads running side by side (the shards of a page)
   * cannot together go past it; `settle` gives back what the read did not use.
   */
  reserve(count: number): number {
    const granted = Math.min(count, this.remaining);
    this.read += granted;
    return granted;
  }

  settle(reserved: number, used: number): void {
    this.read += used - reserved;
  }

  get remaining(): number {
    return Math.max(0, this.items - this.read);
  }

  get exhausted(): boolean {
    return this.read >= this.items || Date.now() >= this.deadline;
  }
}

export interface PageRequest extends QuerySpec {
  limit: number;
  startKey?: Item;
  /** Shared with other queries of the same request; a budget of its own otherwise. */
  budget?: ReadBudget;
}

export interface Page<T> {
  items: T[];
  /**
   * Items read past the page, in order (the one read to know there is a next page, and any a filtered read fetched
   * beyond it): a merge across partitions may hand them out instead of reading them again (./sharded-query.ts).
   */
  ahead?: T[];
  lastKey?: Item;
  /** The budget ran out before the page was full: `lastKey` is where the read stopped, not the last item given. */
  cutShort?: boolean;
}

/** The index's name as this deployment reads it (its former name while an upgrade builds its successor). */
function readIndexName(index: IndexKey): string {
  const former = config.tableFormerIndexes();
  const unknown = former.filter((name) => !(name in REPLACED_INDEXES));
  if (unknown.length > 0) throw new ConfigError(`TABLE_FORMER_INDEXES names no replaced index: ${unknown.join(', ')} (replaced: ${Object.keys(REPLACED_INDEXES).join(', ')})`);
  return indexNameOf(index, former);
}

function keyAttributes(index?: IndexKey): string[] {
  const base = [TABLE_PARTITION_KEY, TABLE_SORT_KEY];
  if (!index) return base;
  return [...base, INDEXES[index].partitionKey, INDEXES[index].sortKey];
}

/** Where a query stands after `item`: the key attributes the next page starts after. */
export function positionOf(item: Item, index?: IndexKey): Item {
  return Object.fromEntries(keyAttributes(index).map((k) => [k, item[k]]));
}

function keyCondition(spec: QuerySpec) {
  const pk = spec.index ? INDEXES[spec.index].partitionKey : TABLE_PARTITION_KEY;
  const sk = spec.index ? INDEXES[spec.index].sortKey : TABLE_SORT_KEY;
  const names: Record<string, string> = { '#pk': pk, ...(spec.filter?.names ?? {}) };
  const values: Item = { ':pk': spec.partition, ...(spec.filter?.values ?? {}) };
  let condition = '#pk = :pk';
  const onSort = (clause: string, vals: Item) => {
    if (names['#sk']) throw new Error('a query takes one condition on the sort key');
    names['#sk'] = sk;
    Object.assign(values, vals);
    condition += ` AND ${clause}`;
  };
  if (spec.sortPrefix !== undefined) onSort('begins_with(#sk, :skPrefix)', { ':skPrefix': spec.sortPrefix });
  if (spec.sortBetween !== undefined) onSort('#sk BETWEEN :skFrom AND :skTo', { ':skFrom': spec.sortBetween[0], ':skTo': spec.sortBetween[1] });
  if (spec.sortBefore !== undefined) onSort('#sk < :skBefore', { ':skBefore': spec.sortBefore });
  if (spec.sortUpTo !== undefined) onSort('#sk <= :skUpTo', { ':skUpTo': spec.sortUpTo });
  return { condition, names, values };
}

/** One Query call. */
async function queryOnce<T>(spec: QuerySpec, options: { limit?: number; startKey?: Item; count?: boolean }): Promise<{ items: T[]; count: number; scanned: number; lastKey?: Item }> {
  const { condition, names, values } = keyCondition(spec);
  try {
    const out = await dynamo().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: spec.index ? readIndexName(spec.index) : undefined,
        KeyConditionExpression: condition,
        FilterExpression: spec.filter?.expression,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: toAttributes(values),
        ScanIndexForward: !spec.descending,
        ...(spec.consistent ? { ConsistentRead: true } : {}),
        Limit: options.limit,
        ExclusiveStartKey: options.startKey ? toAttributes(options.startKey) : undefined,
        ...(options.count ? { Select: 'COUNT' as const } : {}),
      }),
    );
    return {
      items: (out.Items ?? []).map((i) => fromAttributes<T>(i)),
      count: out.Count ?? 0,
      scanned: out.ScannedCount ?? out.Count ?? 0,
      lastKey: out.LastEvaluatedKey ? fromAttributes(out.LastEvaluatedKey) : undefined,
    };
  } catch (error) {
    translate(error);
  }
}

/**
 * One page, `limit` items long even when a filter drops some: DynamoDB applies `Limit` before the filter, so we keep
 * reading until the page is full, the partition ends or the read budget runs out. The returned position is the key
 * of the last item handed out, so the next page starts exactly after it; there is none when nothing follows. A page
 * the budget cut short has fewer items and the position where the read stopped.
 */
export async function queryPage<T extends Item>(request: PageRequest): Promise<Page<T>> {
  const budget = request.budget ?? new ReadBudget();
  // Read one item past the page: if it exists there is a next page, and the cursor never leads to an empty one.
  const wanted = request.limit + 1;
  const items: T[] = [];
  let startKey = request.startKey;
  // A filtered read first asks for what the page needs (a filter that drops little costs nothing more), then twice as
  // far each round trip that leaves the page short (a selective filter is soon read 1,000 items a trip, not 20), and
  // never past the budget.
  let readAhead = wanted;
  do {
    // Every read takes its share of the budget first (reads side by side cannot together pass it); at least one
    // item, so every query moves on.
    const reserved = budget.reserve(request.filter ? Math.min(1000, readAhead) : wanted - items.length);
    const page = await queryOnce<T>(request, { limit: Math.max(1, reserved), startKey });
    readAhead *= 2;
    budget.settle(reserved, page.scanned);
    items.push(...page.items);
    startKey = page.lastKey;
  } while (startKey && items.length < wanted && !budget.exhausted);
  if (items.length < wanted) return startKey ? { items, lastKey: startKey, cutShort: true } : { items };
  const pageItems = items.slice(0, request.limit);
  return { items: pageItems, ahead: items.slice(request.limit), lastKey: positionOf(pageItems[pageItems.length - 1]!, request.index) };
}

/** Every item of the query, a DynamoDB page at a time (`pageSize` items, or up to 1 MB when not given). */
export async function* queryPages<T = Item>(spec: QuerySpec, pageSize?: number): AsyncGenerator<T[]> {
  let startKey: Item | undefined;
  do {
    const page = await queryOnce<T>(spec, { limit: pageSize, startKey });
    if (page.items.length > 0) yield page.items;
    startKey = page.lastKey;
  } while (startKey);
}

/** Every item of the query. For partitions known to stay small (a lead's histories, an account's links). */
export async function queryAll<T = Item>(spec: QuerySpec): Promise<T[]> {
  const out: T[] = [];
  for await (const page of queryPages<T>(spec)) out.push(...page);
  return out;
}

/** How many items the query finds (after its filter); a COUNT query, so no item travels. */
export async function countAll(spec: QuerySpec): Promise<number> {
  let total = 0;
  let startKey: Item | undefined;
  do {
    const page = await queryOnce(spec, { startKey, count: true });
    total += page.count;
    startKey = page.lastKey;
  } while (startKey);
  return total;
}

/**
 * How many items the query finds, counting within a read budget shared with other counts of the same request: the
 * budget is checked before each page (a page is at most 1 MB of items), so it is passed by at most a page per count in
 * flight. `complete` is false when it ran out first; `count` is then what was counted so far.
 */
export async function countWithin(spec: QuerySpec, budget: ReadBudget): Promise<{ count: number; complete: boolean }> {
  let total = 0;
  let startKey: Item | undefined;
  do {
    if (budget.exhausted) return { count: total, complete: false };
    const page = await queryOnce(spec, { startKey, count: true });
    budget.spend(page.scanned);
    total += page.count;
    startKey = page.lastKey;
  } while (startKey);
  return { count: total, complete: true };
}
