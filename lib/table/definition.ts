/**
 * The single table, described once as data. The CDK storage stack and the local stack both create the table
 * from this object, so the cloud and the laptop cannot disagree about keys or indexes.
 *
 * Every item has a generic `PK`/`SK` and may carry the key attributes of any of the global secondary indexes
 * below (sparse: an item absent from an index simply lacks its attributes). What each index answers is in
 * README.md ("Access patterns") and in lib/table/keys.ts, which is the only place that builds key values.
 */

export interface IndexDefinition {
  indexName: string;
  partitionKey: string;
  sortKey: string;
  /**
   * The attributes the index holds besides the keys (DynamoDB's INCLUDE projection), when its readers need no more;
   * absent: every attribute (ALL). Every write of an item is paid again in each index that holds it, by the size of
   * what the index holds, and a write that changes only attributes an index does not hold costs that index nothing.
   */
  projects?: readonly string[];
}

export const TABLE_PARTITION_KEY = 'PK';
export const TABLE_SORT_KEY = 'SK';
/** Epoch seconds; DynamoDB's TTL deletes idempotency records and other expiring items. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const INDEXES = {
  /** Owner-scoped lists: leads by owner (sharded), users, campaigns, imports by campaign, actions by actor. */
  gsi1: { indexName: 'GSI1', partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
  /** Lists narrowed by a status: leads by owner + stage (sharded), campaigns by status, deals by status. */
  gsi2: { indexName: 'GSI2', partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
  /** Leads by stage across owners (sharded); accounts by normalised name. */
  gsi3: { indexName: 'GSI3', partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
  /** Every lead, most recently updated first (sharded); deals by campaign; leads by phone key (or e-mail) look-up entry. */
  gsi4: { indexName: 'GSI4', partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
  /**
   * Members of a campaign (sharded), from the campaign-history items. Its readers (the campaign's member list, the
   * metrics recount, the histories' owner backfill) take the lead id and the history's own conditions from it and
   * read the lead by key, so it holds only those: the owner an assignment sets on every history, an action's marks
   * and the history's version no longer rewrite it. It replaces the first GSI5 (every attribute) under a new name,
   * since an index's projection cannot change (REPLACED_INDEXES).
   */
  gsi5: { indexName: 'GSI5v2', partitionKey: 'GSI5PK', sortKey: 'GSI5SK', projects: ['leadId', 'invited', 'responded', 'followStatus', 'arisenOn'] },
  /** Leads by normalised name (sharded): name prefix search and sort by name. */
  gsi6: { indexName: 'GSI6', partitionKey: 'GSI6PK', sortKey: 'GSI6SK' },
  /** Leads by last action (sharded), latest first; leads never acted on come last. */
  gsi7: { indexName: 'GSI7', partitionKey: 'GSI7PK', sortKey: 'GSI7SK' },
  /** Leads with an open task by their next action (sharded), soonest (most overdue) first. Sparse. */
  gsi8: { indexName: 'GSI8', partitionKey: 'GSI8PK', sortKey: 'GSI8SK' },
  /** One owner's leads with an open task by their next action (sharded), soonest first. Sparse. */
  gsi9: { indexName: 'GSI9', partitionKey: 'GSI9PK', sortKey: 'GSI9SK' },
  /** One owner's leads not acted on since they were given to it (sharded), longest waiting first. Sparse. */
  gsi10: { indexName: 'GSI10', partitionKey: 'GSI10PK', sortKey: 'GSI10SK' },
} as const satisfies Record<string, IndexDefinition>;

export type IndexKey = keyof typeof INDEXES;

/**
 * Indexes a release replaced by one of a new name, with the same keys: DynamoDB cannot change what an index
 * projects, and CloudFormation creates or deletes one index per stack update. A deployment made before keeps the
 * former beside its successor for one deployment (infra/app.ts `tableIndexes`), reading the former
 * (`TABLE_FORMER_INDEXES`) while DynamoDB builds the successor from the table; the next deployment drops it.
 */
export const REPLACED_INDEXES = {
  gsi5: { indexName: 'GSI5', partitionKey: 'GSI5PK', sortKey: 'GSI5SK' },
} as const satisfies Partial<Record<IndexKey, IndexDefinition>>;

export type ReplacedIndexKey = keyof typeof REPLACED_INDEXES;

/** The name an index is read under: its former one while a deployment upgrades, else its own. */
export function indexNameOf(index: IndexKey, formerIndexes: readonly string[]): string {
  return formerIndexes.includes(index) && index in REPLACED_INDEXES ? REPLACED_INDEXES[index as ReplacedIndexKey].indexName : INDEXES[index].indexName;
}

export const TABLE_DEFINITION = {
  partitionKey: TABLE_PARTITION_KEY,
  sortKey: TABLE_SORT_KEY,
  timeToLiveAttribute: TTL_ATTRIBUTE,
  indexes: Object.values(INDEXES) as IndexDefinition[],
} as const;

/** Every key attribute is a string. */
export function keyAttributeNames(): string[] {
  return [TABLE_PARTITION_KEY, TABLE_SORT_KEY, ...TABLE_DEFINITION.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
}
