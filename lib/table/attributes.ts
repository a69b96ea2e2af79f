import { INDEXES, TABLE_PARTITION_KEY, TABLE_SORT_KEY, TTL_ATTRIBUTE, keyAttributeNames, type IndexKey } from './definition';
import type { Item } from './item';

/**
 * The attributes the table needs and the product does not: keys, index keys, the entity tag, the expiry. Every
 * `…FromItem` strips them here, and names any bookkeeping of its own beside.
 */

const TABLE_ATTRIBUTES = new Set([...keyAttributeNames(), 'entity', TTL_ATTRIBUTE]);

export function withoutTableAttributes<T = Item>(item: Item, ...alsoDrop: readonly string[]): T {
  const out: Item = {};
  for (const [attribute, value] of Object.entries(item)) {
    if (!TABLE_ATTRIBUTES.has(attribute) && !alsoDrop.includes(attribute)) out[attribute] = value;
  }
  return out as T;
}

/** The key attribute names of one index: what an item leaves behind to drop out of a sparse index. */
export const indexAttributes = (index: IndexKey): [string, string] => [INDEXES[index].partitionKey, INDEXES[index].sortKey];

/** Whether an attribute is one of the table's (key, index key, entity, expiry). */
export const isTableAttribute = (attribute: string): boolean => TABLE_ATTRIBUTES.has(attribute);


/** The table key of an item as read: to write back to the very item a query returned. */
export const keyOfItem = (item: Item): { PK: string; SK: string } => ({ PK: item[TABLE_PARTITION_KEY] as string, SK: item[TABLE_SORT_KEY] as string });
