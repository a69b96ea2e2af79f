import { batchWrite, putRequest, type Item } from '../table/client';
import { allShards, ENTITY, keys, type Key, type LookupKind } from '../table/keys';
import { queryPages } from '../table/queries';
import { normaliseEmail } from '../text/normalize';
import { phoneKeyOf } from '../text/phone';
import { leadFromItem, type Lead } from './model';

/**
 * The look-up entries of a lead (GET /leads?phone= and, where the dedupe key is e-mail + name, ?email=): one small
 * item per key in the lead's partition, on GSI4 under the key. A lead's phone and mobile are two entries (the lead
 * item has no index left for a second number); the same number twice is one.
 *
 * Where the dedupe key is the e-mail alone, the LEADKEY claim already answers "which lead has this e-mail" in one
 * read, so no e-mail entry is written. Where it is e-mail + name, the claim's key holds the name too and cannot be
 * found from the e-mail: the entry can. Which applies is read from the lead's own dedupe key (`en:` is e-mail +
 * name), so the entries follow the key the lead was given.
 *
 * Entries are written with the lead's writes (intake creation, PATCH, update lists) and taken away by erasure; a
 * reader still checks the lead it finds against the key it looked for, so an entry left behind finds nothing.
 */

export interface LookupKey {
  kind: LookupKind;
  value: string;
}

const EMAIL_AND_NAME_KEY = 'en:';

export function lookupKeysOf(lead: Pick<Lead, 'phone' | 'mobile' | 'email' | 'matchKey' | 'erased'>): LookupKey[] {
  if (lead.erased) return [];
  const found: LookupKey[] = [];
  for (const phone of [lead.phone, lead.mobile]) {
    const value = phoneKeyOf(phone);
    if (value && !found.some((k) => k.value === value)) found.push({ kind: 'PHONE', value });
  }
  if (lead.email && lead.matchKey.startsWith(EMAIL_AND_NAME_KEY)) found.push({ kind: 'EMAIL', value: normaliseEmail(lead.email) });
  return found;
}

/** Whether the lead (as read now) still answers to the key: an entry may outlive the number it was written for. */
export const leadHasLookupKey = (lead: Pick<Lead, 'phone' | 'mobile' | 'email' | 'matchKey' | 'erased'>, key: LookupKey): boolean => lookupKeysOf(lead).some((k) => k.kind === key.kind && k.value === key.value);

export function lookupItem(leadId: string, key: LookupKey): Item {
  return {
    ...keys.leadLookup(leadId, key.kind, key.value),
    ...keys.leadsByLookupIndex(key.kind, key.value, leadId),
    entity: ENTITY.leadLookup,
    leadId,
  };
}

export const lookupItemsOf = (lead: Lead): Item[] => lookupKeysOf(lead).map((key) => lookupItem(lead.leadId, key));

const same = (a: LookupKey, b: LookupKey) => a.kind === b.kind && a.value === b.value;

/** What a write from `previous` to `next` does to the entries: the new keys put, the keys it no longer has deleted. */
export function lookupChanges(previous: Lead, next: Lead): { puts: Item[]; deletes: Key[] } {
  const before = lookupKeysOf(previous);
  const after = lookupKeysOf(next);
  return {
    puts: after.filter((k) => !before.some((b) => same(b, k))).map((k) => lookupItem(next.leadId, k)),
    deletes: before.filter((k) => !after.some((a) => same(a, k))).map((k) => keys.leadLookup(previous.leadId, k.kind, k.value)),
  };
}

/**
 * Writes the look-up entries of every lead (all of them, shard by shard through the every-lead list, GSI4): once,
 * after upgrading a deployment whose leads were written before they had entries, which ?phone= cannot find until
 * then. Rewriting an entry writes the same item, so it may run again. A lead whose number changes while it runs may
 * keep an entry for the old number: a look-up checks the lead and finds nothing there, and erasure deletes it.
 */
export async function backfillLeadLookups(): Promise<{ leads: number; entries: number }> {
  let leads = 0;
  let entries = 0;
  for (const shard of allShards()) {
    for await (const page of queryPages<Item>({ index: 'gsi4', partition: keys.leadsRecentPartition(shard) }, 500)) {
      const items = page.map(leadFromItem).flatMap(lookupItemsOf);
      await batchWrite(items.map(putRequest));
      leads += page.length;
      entries += items.length;
    }
  }
  return { leads, entries };
}
