import { isClosedStage, isUntouched, listedLeadFromItem, type ListedLead } from '../leads/model';
import { listItems } from '../leads/list';
import { canSee } from '../leads/repository';
import { dueInstantOf, dueWindowOf, dueWindowRange, japanDayBounds, taskFromItem, type Task } from '../leads/task-model';
import { isErasedOrErasing } from '../leads/tombstone';
import { batchGet, keyString, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { positionOf, queryPage, READ_BEHIND_AN_INDEX, ReadBudget } from '../table/queries';
import { positionAfter, shardedQuery, type ShardedPosition, type ShardedRequest } from '../table/sharded-query';
import type { Caller } from '../users/caller';
import type { QueueReason } from './work-queue-schema';

/**
 * GET /me/queue (api.md): the caller's work for today, in order — its overdue tasks (oldest first), its tasks due
 * today, its leads not acted on since they were given to it (oldest assignment first), and its leads that responded
 * to a campaign in the last 7 days with no action since. Each section is one index read in its own order, never a
 * filter over all leads:
 *
 * - tasks: the assignee's open tasks (GSI1 `TASKS#open#{assignee}`), overdue and due today one key range (one read);
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
  lead: ListedLead;
  task?: Task;
  /** The campaign the lead responded to (responded_recently). */
  campaignId?: string;
}

/**
 * Where a page stopped: the section (0 tasks, 1 untouched, 2 responded) and the position inside it. Plain data, so
 * it travels in a signed cursor.
 */
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

interface SectionPage {
  candidates: Candidate[];
  /** Where the section goes on after every candidate; undefined when it has no more. */
  at?: QueuePosition['at'];
  /** Where it goes on after only the first `count` candidates. */
  after(count: number): QueuePosition['at'];
}

interface Section {
  read(limit: number, at: QueuePosition['at'], budget: ReadBudget): Promise<SectionPage>;
  reason(candidate: Candidate): QueueReason;
  /** Whether the lead, as read now, belongs in this section. */
  keeps(lead: ListedLead, candidate: Candidate): boolean;
}

/** At most this many index pages per section to fill one queue page when leads are left out. */
const MAX_ROUNDS = 5;

/**
 * Each section is read a quarter past what the page still needs: some of its leads are shown elsewhere (a lead due
 * today is not shown again as new) or no longer belong, and a margin read in the same round trip costs less than
 * another round. What the page does not take is read again by the next page: it resumes after the last one taken.
 */
const readPast = (needed: number) => needed + Math.ceil(needed / 4);

function sections(caller: Caller, now: Date): Section[] {
  const me = caller.userId;
  const { end: todayEnd } = japanDayBounds(now);
  // Due by the end of today: such a lead is in the queue for its task, not again for being new or having responded.
  const dueByToday = (lead: ListedLead) => lead.nextActionAt !== undefined && dueInstantOf(lead.nextActionAt) < todayEnd;
  const sharded = async (request: Omit<ShardedRequest, 'limit' | 'position' | 'budget'>, limit: number, at: QueuePosition['at'], budget: ReadBudget, candidate: (item: Item) => Candidate): Promise<SectionPage> => {
    const full = { ...request, limit, position: at as ShardedPosition | undefined, budget };
    const page = await shardedQuery<Item>(full);
    return { candidates: page.items.map(candidate), at: page.position, after: (count) => positionAfter(full, page, count) };
  };
  const since = new Date(now.getTime() - RESPONDED_WINDOW_DAYS * 86_400_000).toISOString();
  return [
    {
      // Overdue and due today are one key range of the assignee's open tasks, oldest first: one read for both.
      async read(limit, at, budget) {
        const range = { sortBefore: dueWindowRange('today', now).sortBetween![1] };
        const page = await queryPage<Item>({ index: 'gsi1', partition: keys.tasksByAssigneePartition('open', me), ...range, limit, startKey: at as Item | undefined, budget });
        return {
          candidates: page.items.map((item) => ({ leadId: item.leadId as string, task: taskFromItem(item) })),
          at: page.lastKey,
          after: (count) => (count >= page.items.length ? page.lastKey : count === 0 ? at : positionOf(page.items[count - 1]!, 'gsi1')),
        };
      },
      reason: (candidate) => (dueWindowOf(candidate.task!.dueAt, now) === 'overdue' ? 'overdue' : 'due_today'),
      keeps: (lead) => canSee(caller, lead),
    },
    {
      read: (limit, at, budget) =>
        sharded({ index: 'gsi10', partitions: allShards().map((s) => keys.leadsUntouchedPartition(me, s)), descending: false }, limit, at, budget, (item) => ({ leadId: item.leadId as string, item })),
      reason: () => 'new_untouched',
      keeps: (lead) => lead.ownerId === me && isUntouched(lead) && !dueByToday(lead),
    },
    {
      read: (limit, at, budget) =>
        sharded({ index: 'gsi10', partitions: allShards().map((s) => keys.respondedByOwnerPartition(me, s)), descending: false, sortBetween: [since, '\uffff'] }, limit, at, budget, (h) => ({
          leadId: h.leadId as string,
          campaignId: h.campaignId as string,
          respondedAt: h.respondedAt as string,
        })),
      reason: () => 'responded_recently',
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
  // The next section's first page, read while this section's leads are: see below.
  let ahead: Promise<SectionPage> | undefined;
  while (section < all.length && entries.length < limit) {
    const current = all[section]!;
    let rounds = 0;
    for (; rounds < MAX_ROUNDS && entries.length < limit; rounds++) {
      const needed = limit - entries.length;
      const page = await (ahead ?? current.read(readPast(needed), at, budget));
      ahead = undefined;
      // The section ends here with fewer candidates than the page needs, so the page goes on into the next section
      // whatever this one's leads turn out to be: its first read need not wait for them.
      const next = all[section + 1];
      if (page.at === undefined && next && page.candidates.length < needed && !budget.exhausted) {
        ahead = next.read(readPast(needed - page.candidates.length), undefined, budget);
        // Awaited in the next section's first round; marked handled so a failure of this section's read comes first.
        ahead.catch(() => undefined);
      }
      const leads = await leadsOf(page.candidates);
      let used = 0;
      for (const candidate of page.candidates) {
        if (entries.length >= limit) break;
        used++;
        const lead = leads.get(candidate.leadId);
        if (!lead || isErasedOrErasing(lead) || isClosedStage(lead.stage) || !current.keeps(lead, candidate)) continue;
        // A task is its own entry (two tasks of a lead are two things to do); a lead is shown once otherwise.
        if (!candidate.task && shown.has(lead.leadId)) continue;
        shown.add(lead.leadId);
        entries.push({ reason: current.reason(candidate), lead, ...(candidate.task ? { task: candidate.task } : {}), ...(candidate.campaignId ? { campaignId: candidate.campaignId } : {}) });
      }
      at = used < page.candidates.length ? page.after(used) : page.at;
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
async function leadsOf(candidates: Candidate[]): Promise<Map<string, ListedLead>> {
  const out = new Map<string, ListedLead>();
  for (const c of candidates) if (c.item) out.set(c.leadId, listedLeadFromItem(c.item));
  const missing = [...new Set(candidates.filter((c) => !c.item).map((c) => c.leadId))];
  if (missing.length === 0) return out;
  const found = await batchGet<Item>(missing.map((leadId) => keys.lead(leadId)), READ_BEHIND_AN_INDEX);
  for (const leadId of missing) {
    const item = found.get(keyString(keys.lead(leadId)));
    if (item) out.set(leadId, listedLeadFromItem(item));
  }
  return out;
}
