import { isClosedStage, isUntouched, leadFromItem, type Lead } from '../leads/model';
import { listItems } from '../leads/list';
import { canSee } from '../leads/repository';
import { dueInstantOf, dueWindowRange, japanDayBounds, taskFromItem, type Task } from '../leads/task-model';
import { isErasedOrErasing } from '../leads/tombstone';
import { batchGet, keyString, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { queryPage, ReadBudget } from '../table/queries';
import { shardedQuery, type ShardedPosition } from '../table/sharded-query';
import type { Caller } from '../users/caller';
import type { QueueReason } from './work-queue-schema';

/**
 * GET /me/queue (api.md): the caller's work for today, in order — its overdue tasks (oldest first), its tasks due
 * today, its leads not acted on since they were given to it (oldest assignment first), and its leads that responded
 * to a campaign in the last 7 days with no action since. Each section is one index read in its own order, never a
 * filter over all leads:
 *
 * - tasks: the assignee's open tasks (GSI1 `TASKS#open#{assignee}`), the due window a key range;
 * - untouched: the owner's leads waiting for a first touch (GSI10 `LEADS#UNTOUCHED#{owner}#{shard}`), merged;
 * - responded: the owner's responses without an action yet (GSI10 `RESPONDED#{owner}#{shard}` on the campaign
 *   histories), from seven days ago on, merged.
 *
 * A lead is never in the queue converted, handed over, disqualified or erased, and is shown once: a lead due by today
 * is there for its task, an untouched lead that also responded is there as untouched.
 */

/** How far back a campaign response still asks for a first call. */
export const RESPONDED_WINDOW_DAYS = 7;

export interface QueueEntry {
  reason: QueueReason;
  lead: Lead;
  task?: Task;
  /** The campaign the lead responded to (responded_recently). */
  campaignId?: string;
}

/** Where a page stopped: the section and the position inside it. Plain data, so it travels in a signed cursor. */
export interface QueuePosition {
  section: number;
  at?: Item | ShardedPosition;
}

export interface QueuePage {
  entries: QueueEntry[];
  position?: QueuePosition;
}

interface Candidate {
  leadId: string;
  task?: Task;
  campaignId?: string;
  respondedAt?: string;
  /** The lead as the index gave it (GSI10 projects the lead item); read by key otherwise. */
  item?: Item;
}

interface Section {
  reason: QueueReason;
  read(limit: number, at: QueuePosition['at'], budget: ReadBudget): Promise<{ candidates: Candidate[]; at?: QueuePosition['at'] }>;
  /** Whether the lead, as read now, belongs in this section. */
  keeps(lead: Lead, candidate: Candidate): boolean;
}

/** At most this many index pages per section to fill one queue page when leads are left out. */
const MAX_ROUNDS = 5;

function sections(caller: Caller, now: Date): Section[] {
  const me = caller.userId;
  const { end: todayEnd } = japanDayBounds(now);
  // Due by the end of today: such a lead is in the queue for its task, not again for being new or having responded.
  const dueByToday = (lead: Lead) => lead.nextActionAt !== undefined && dueInstantOf(lead.nextActionAt) < todayEnd;
  const taskSection = (reason: 'overdue' | 'due_today', due: 'overdue' | 'today'): Section => ({
    reason,
    async read(limit, at, budget) {
      const page = await queryPage<Item>({ index: 'gsi1', partition: keys.tasksByAssigneePartition('open', me), ...dueWindowRange(due, now), limit, startKey: at as Item | undefined, budget });
      return { candidates: page.items.map((item) => ({ leadId: item.leadId as string, task: taskFromItem(item) })), at: page.lastKey };
    },
    keeps: (lead) => canSee(caller, lead),
  });
  const since = new Date(now.getTime() - RESPONDED_WINDOW_DAYS * 86_400_000).toISOString();
  return [
    taskSection('overdue', 'overdue'),
    taskSection('due_today', 'today'),
    {
      reason: 'new_untouched',
      async read(limit, at, budget) {
        const partitions = allShards().map((s) => keys.leadsUntouchedPartition(me, s));
        const page = await shardedQuery<Item>({ index: 'gsi10', partitions, descending: false, limit, position: at as ShardedPosition | undefined, budget });
        return { candidates: page.items.map((item) => ({ leadId: item.leadId as string, item })), at: page.position };
      },
      keeps: (lead) => lead.ownerId === me && isUntouched(lead) && !dueByToday(lead),
    },
    {
      reason: 'responded_recently',
      async read(limit, at, budget) {
        const partitions = allShards().map((s) => keys.respondedByOwnerPartition(me, s));
        const page = await shardedQuery<Item>({ index: 'gsi10', partitions, descending: false, sortBetween: [since, '\uffff'], limit, position: at as ShardedPosition | undefined, budget });
        return {
          candidates: page.items.map((h) => ({ leadId: h.leadId as string, campaignId: h.campaignId as string, respondedAt: h.respondedAt as string })),
          at: page.position,
        };
      },
      keeps: (lead, candidate) =>
        lead.ownerId === me && !isUntouched(lead) && !dueByToday(lead) && !(lead.lastActionAt !== undefined && candidate.respondedAt !== undefined && lead.lastActionAt >= candidate.respondedAt),
    },
  ];
}

/** One page of the caller's queue, from `position` on; `budget` bounds its reads as it bounds a list page's. */
export async function workQueue(caller: Caller, limit: number, position?: QueuePosition, now = new Date(), budget = new ReadBudget()): Promise<QueuePage> {
  const all = sections(caller, now);
  const entries: QueueEntry[] = [];
  const shown = new Set<string>();
  let section = position?.section ?? 0;
  let at = position?.at;
  while (section < all.length && entries.length < limit) {
    const current = all[section]!;
    let rounds = 0;
    for (; rounds < MAX_ROUNDS && entries.length < limit; rounds++) {
      const page = await current.read(limit - entries.length, at, budget);
      const leads = await leadsOf(page.candidates);
      for (const candidate of page.candidates) {
        const lead = leads.get(candidate.leadId);
        if (!lead || isErasedOrErasing(lead) || isClosedStage(lead.stage) || !current.keeps(lead, candidate)) continue;
        // A task is its own entry (two tasks of a lead are two things to do); a lead is shown once otherwise.
        if (!candidate.task && shown.has(lead.leadId)) continue;
        shown.add(lead.leadId);
        entries.push({ reason: current.reason, lead, ...(candidate.task ? { task: candidate.task } : {}), ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}) });
      }
      at = page.at;
      if (at === undefined || budget.exhausted) break;
    }
    if (at !== undefined) {
      // The page is full, the budget is spent, or the rounds ran out: the next page resumes inside this section.
      return { entries, position: { section, at } };
    }
    section++;
  }
  return { entries, position: section < all.length ? { section } : undefined };
}

/** The page as the API answers it: each entry's lead as a list item (api.md "queue item"). */
export async function queueItems(page: QueuePage) {
  const listed = await listItems({ items: page.entries.map((entry) => ({ lead: entry.lead })) });
  return page.entries.map((entry, i) => ({
    reason: entry.reason,
    lead: listed[i]!,
    ...(entry.task ? { task: entry.task } : {}),
    ...(entry.campaignId ? { campaignId: entry.campaignId } : {}),
  }));
}

/** The candidates' leads: from the index item when it is the lead, by key otherwise, in one batch read. */
async function leadsOf(candidates: Candidate[]): Promise<Map<string, Lead>> {
  const out = new Map<string, Lead>();
  for (const c of candidates) if (c.item) out.set(c.leadId, leadFromItem(c.item));
  const missing = [...new Set(candidates.filter((c) => !c.item).map((c) => c.leadId))];
  if (missing.length === 0) return out;
  const found = await batchGet<Item>(missing.map((leadId) => keys.lead(leadId)));
  for (const leadId of missing) {
    const item = found.get(keyString(keys.lead(leadId)));
    if (item) out.set(leadId, leadFromItem(item));
  }
  return out;
}
