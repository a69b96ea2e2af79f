import { forEachConcurrently } from '../async';
import { updateItem, type Item } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { allShards, keys } from '../table/keys';
import { queryPages } from '../table/queries';
import { leadFromItem, leadIndexKeys } from './model';

/**
 * Gives every lead the keys of the indexes added after it was written: its owner's untouched leads (GSI10, the work
 * queue's and the morning digest's "not acted on since it was given"), and the next-action lists (GSI8/GSI9) where
 * it has a next action. Once, after upgrading a deployment whose leads predate them; until then an old lead given to
 * a rep and never called is missing from the rep's queue. Each lead is written only if its version is still the one
 * read (a lead written meanwhile has its keys from that write), and only when a key is missing, so it may run again.
 */
export async function backfillLeadIndexes(): Promise<{ leads: number; updated: number }> {
  const added = new Set([...keys.leadNextActionAttributes, ...keys.leadUntouchedAttributes]);
  let leads = 0;
  let updated = 0;
  for (const shard of allShards()) {
    for await (const page of queryPages<Item>({ index: 'gsi4', partition: keys.leadsRecentPartition(shard) }, 500)) {
      leads += page.length;
      await forEachConcurrently(page, 8, async (item) => {
        const wanted = Object.fromEntries(Object.entries(leadIndexKeys(leadFromItem(item))).filter(([name, value]) => added.has(name) && item[name] !== value));
        if (Object.keys(wanted).length === 0) return;
        try {
          await updateItem({ key: keys.lead(item.leadId as string), changes: { set: wanted }, condition: 'version = :v', values: { ':v': item.version } });
          updated++;
        } catch (error) {
          if (!(error instanceof ConditionFailedError)) throw error;
        }
      });
    }
  }
  return { leads, updated };
}
