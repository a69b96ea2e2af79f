import { FAULT_POINTS, faultPoint } from '../faults';
import { NotFoundError } from '../errors';
import { log } from '../log';
import { erasedKeyOf } from '../leads/erased-key';
import { leadFromItem, leadItemReplacing, type Lead } from '../leads/model';
import { anonymousLead, identifyingValues } from '../leads/tombstone';
import { keyOfItem } from '../table/attributes';
import { batchGet, getItem, putItem, updateItem, type Item, type UpdateRequest } from '../table/client';
import { ConditionFailedError, TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT, ITEM_EXISTS } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryAll, queryPages } from '../table/queries';
import { transact, txDelete, txPut, txUpdate } from '../table/transaction';
import type { Caller } from '../users/caller';
import { actionRedaction, eventRedaction, importAssignmentsRedaction, notificationRedaction, taskRedaction } from './redaction';

/**
 * DELETE /leads/{leadId}: erasure on request (個人情報の消去; GDPR's right to erasure). The person's data goes from the
 * lead, the free text of its actions, its tasks and its history, the notifications that name them and the update-list digests
 * not yet sent; the lead stays as an anonymous tombstone (lib/leads/tombstone.ts), so every counter that counted it
 * stays exact, and its dedupe key is replaced by a keyed one-way hash that turns a later list row for the same person
 * away (lib/leads/erased-key.ts).
 *
 * Why it can die anywhere and finish on retry:
 *  1. The lead is marked first (`erasure`, conditional on the version read). From then on every write to it answers
 *     410, and any write that had read it before fails its version condition, so nothing new is written about the
 *     person while the erasure runs. The lead keeps its data until the end: the later steps need the values to find.
 *  2. Related items are scrubbed in transactions of at most 100 items, each removing only what is still there, so a
 *     retry redoes nothing that was done and skips nothing that was not.
 *  3. Last, one transaction writes the tombstone, deletes the LEADKEY claim and the look-up entries (phone keys)
 *     and writes the erased-key hash. Before it the erasure is unfinished and a retry resumes it; after it, a DELETE
 *     answers what the first one did.
 *
 * Nothing here logs the person's values: only the lead id.
 */

const WRITES_PER_TRANSACTION = 100;
const MAX_ATTEMPTS = 5;

export interface ErasureResult {
  leadId: string;
  erased: true;
  erasedAt: string;
  erasedBy: string;
}

const resultOf = (lead: Lead): ErasureResult => ({ leadId: lead.leadId, erased: true, erasedAt: lead.erasedAt!, erasedBy: lead.erasedBy! });

export async function eraseLead(caller: Caller, leadId: string, now = new Date()): Promise<ErasureResult> {
  const marked = await markForErasure(caller, leadId, now);
  if (marked.lead.erased) return resultOf(marked.lead);
  const { lead } = marked;

  const events = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.leadEventPrefix });
  await scrubActions(leadId);
  await scrubTasks(leadId);
  await scrubEvents(events);
  await scrubNotifications(lead, events);
  await scrubImportAssignments(leadId, events);

  const tombstone = await writeTombstone(leadId, now);
  log.info('lead erased on request', { leadId, erasedBy: tombstone.erasedBy });
  return resultOf(tombstone);
}

/** Step 1: the lead marked as being erased (or found marked, or found erased). 404 for no such lead. */
async function markForErasure(caller: Caller, leadId: string, now: Date): Promise<{ lead: Lead; item: Item }> {
  for (let attempt = 1; ; attempt++) {
    const item = await getItem(keys.lead(leadId), { consistent: true });
    if (!item) throw new NotFoundError(`no lead ${leadId}`);
    const lead = leadFromItem(item);
    if (lead.erased || lead.erasure) return { lead, item };
    const next: Lead = { ...lead, erasure: { requestedAt: now.toISOString(), requestedBy: caller.userId }, version: lead.version + 1 };
    try {
      await putItem(leadItemReplacing(item, next), { condition: 'version = :v', values: { ':v': lead.version } });
      return { lead: next, item };
    } catch (error) {
      // Changed since our read (an action, an edit): read it again; the mark blocks the next one.
      if (!(error instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Writes the updates in transactions of at most WRITES_PER_TRANSACTION, each only on an item still there. An item
 * gone meanwhile (a notification its TTL deleted) cancels its transaction: the rest then go one by one.
 */
async function applyInSteps(updates: UpdateRequest[]): Promise<void> {
  for (let offset = 0; offset < updates.length; offset += WRITES_PER_TRANSACTION) {
    const group = updates.slice(offset, offset + WRITES_PER_TRANSACTION).map((u) => ({ ...u, condition: ITEM_EXISTS }));
    try {
      await transact(group.map((update, i) => txUpdate(`scrub:${i}`, update)));
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      for (const update of group) {
        await updateItem(update).catch((inner) => {
          if (!(inner instanceof ConditionFailedError)) throw inner;
        });
      }
    }
    await faultPoint(FAULT_POINTS.erasureStep);
  }
}

const scrubsOf = (items: Item[], redaction: (item: Item) => UpdateRequest['changes'] | undefined): UpdateRequest[] =>
  items.flatMap((item) => {
    const changes = redaction(item);
    return changes ? [{ key: keyOfItem(item), changes }] : [];
  });

/** Step 2a: the actions' memos and stage reasons, a page of actions at a time. */
async function scrubActions(leadId: string): Promise<void> {
  const withFreeText = { expression: 'attribute_exists(#note) OR attribute_exists(#reason)', names: { '#note': 'note', '#reason': 'stageReason' } };
  for await (const page of queryPages<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.actionPrefix, filter: withFreeText })) {
    await applyInSteps(scrubsOf(page, actionRedaction));
  }
}

/** Step 2a': the tasks' notes. The mark on the lead refuses every task write from now on (lib/tasks/tasks.ts). */
async function scrubTasks(leadId: string): Promise<void> {
  const withNote = { expression: 'attribute_exists(#note)', names: { '#note': 'note' } };
  for await (const page of queryPages<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.taskPrefix, filter: withNote })) {
    await applyInSteps(scrubsOf(page, taskRedaction));
  }
}

/** Step 2b: the hand-over memos in the lead's history. */
const scrubEvents = (events: Item[]) => applyInSteps(scrubsOf(events, eventRedaction));

/**
 * Step 2c: the notifications that name the person. Only people the lead was given to (its history), its owner, the
 * owners of its deals and the assignees of its tasks (the morning digest lists those) were ever told of it, so only
 * their notifications are read.
 */
async function scrubNotifications(lead: Lead, events: Item[]): Promise<void> {
  const deals = await batchGet<Item>((lead.dealIds ?? []).map((dealId) => keys.deal(dealId)));
  const tasks = await queryAll<Item>({ partition: keys.leadPartition(lead.leadId), sortPrefix: keys.taskPrefix });
  const told = new Set<string>([
    ...(lead.ownerId ? [lead.ownerId] : []),
    ...events.map((e) => e.toOwnerId as string | undefined).filter((id): id is string => Boolean(id)),
    ...[...deals.values()].map((d) => d.ownerId as string),
    ...tasks.map((t) => t.assigneeId as string),
  ]);
  const values = identifyingValues(lead);
  const aboutLead = { expression: 'contains(#leadIds, :leadId)', names: { '#leadIds': 'leadIds' }, values: { ':leadId': lead.leadId } };
  for (const userId of told) {
    const notifications = await queryAll<Item>({ partition: keys.userPartition(userId), sortPrefix: keys.notificationPrefix, filter: aboutLead });
    await applyInSteps(scrubsOf(notifications, (n) => notificationRedaction(n, lead.leadId, values, keys.outboxAttributes)));
  }
}

/** Step 2d: the leads update lists gave owners, kept until each import's digest is sent. */
async function scrubImportAssignments(leadId: string, events: Item[]): Promise<void> {
  const importIds = new Set(events.map((e) => e.importId as string | undefined).filter((id): id is string => Boolean(id)));
  for (const importId of importIds) {
    const given = await queryAll<Item>({ partition: keys.importPartition(importId), sortPrefix: keys.importAssignmentsPrefix });
    await applyInSteps(scrubsOf(given, (item) => importAssignmentsRedaction(item, leadId)));
  }
}

/**
 * Step 3, in one transaction: the tombstone over the marked lead, the LEADKEY claim deleted (only if it is this
 * lead's), the erased key's hash recorded. Answers the tombstone.
 */
async function writeTombstone(leadId: string, now: Date): Promise<Lead> {
  for (let attempt = 1; ; attempt++) {
    const item = (await getItem(keys.lead(leadId), { consistent: true }))!;
    const lead = leadFromItem(item);
    if (lead.erased) return lead;
    const erasedKey = await erasedKeyOf(lead.matchKey);
    const tombstone = anonymousLead(lead, erasedKey, now.toISOString());
    const ours = { condition: `${ITEM_ABSENT} OR leadId = :leadId`, values: { ':leadId': leadId } };
    // The look-up entries hold the person's phone keys (and e-mail): all of them go, whatever number they were for.
    const lookups = await queryAll<Item>({ partition: keys.leadPartition(leadId), sortPrefix: keys.leadLookupPrefix });
    const lookupDeletes = lookups.map((entry, i) => txDelete(`lookup:${i}`, keyOfItem(entry)));
    try {
      await transact([
        txPut('lead', leadItemReplacing(item, tombstone), { condition: 'version = :v', values: { ':v': lead.version } }),
        txDelete('claim', keys.leadMatchKey(lead.matchKey), ours),
        txPut('erasedKey', { ...keys.erasedMatchKey(erasedKey), entity: ENTITY.erasedMatchKey, leadId, erasedAt: tombstone.erasedAt }),
        ...lookupDeletes,
      ]);
      return tombstone;
    } catch (error) {
      if (!(error instanceof TransactionCancelledError) || attempt >= MAX_ATTEMPTS) throw error;
      // The claim belongs to another lead (this lead's key was taken over): the tombstone goes without touching it.
      if (error.failed('claim') && !error.failed('lead')) {
        await transact([
          txPut('lead', leadItemReplacing(item, tombstone), { condition: 'version = :v', values: { ':v': lead.version } }),
          txPut('erasedKey', { ...keys.erasedMatchKey(erasedKey), entity: ENTITY.erasedMatchKey, leadId, erasedAt: tombstone.erasedAt }),
          ...lookupDeletes,
        ]);
        return tombstone;
      }
    }
  }
}
