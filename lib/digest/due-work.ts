import { isClosedStage, isUntouched, leadFromItem, untouchedSince, type Lead } from '../leads/model';
import { dueWindowRange, taskFromItem, type DueWindow, type Task } from '../leads/task-model';
import { batchGet, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { countAll, queryPage, type QuerySpec } from '../table/queries';

/**
 * What one user has to do this morning, read by key ranges only and never past what the digest lists: its open
 * tasks due before today and today (GSI1, its open-task partition, by due instant), and the leads it was given and
 * has not acted on since, given before the cutoff (GSI10, its eight untouched partitions, oldest first). Each section
 * reads at most a page of what it lists; its total comes from a COUNT of the same range when there is more.
 */

/** Each section lists at most this many; the rest are counted ("ほか12件"). */
export const DIGEST_LISTED = 20;

/** What a run read: items queries returned and keys read by key (found or not), and items COUNT queries counted. */
export interface ReadTally {
  itemsRead: number;
  itemsCounted: number;
}

export type DigestLead = Pick<Lead, 'leadId' | 'name' | 'company'>;

export interface TaskLine {
  task: Pick<Task, 'taskId' | 'kind' | 'title' | 'dueAt'>;
  lead: DigestLead;
}

export interface LeadLine {
  lead: DigestLead;
  /** When it was given to its owner. */
  since: string;
}

export interface Section<T> {
  listed: T[];
  total: number;
}

export interface DueWork {
  overdue: Section<TaskLine>;
  today: Section<TaskLine>;
  untouched: Section<LeadLine>;
}

/** A lead the digest names: still worked (not converted, handed over or disqualified) and not erased. */
const stillWorked = (lead: Lead): boolean => !lead.erased && !isClosedStage(lead.stage);

const digestLead = (lead: Lead): DigestLead => ({ leadId: lead.leadId, name: lead.name, ...(lead.company ? { company: lead.company } : {}) });

/** The whole range's size when the page did not reach its end; the page's own size when it did. */
async function totalOf(spec: QuerySpec, page: { items: unknown[]; lastKey?: Item }, tally: ReadTally): Promise<number> {
  if (!page.lastKey) return page.items.length;
  const total = await countAll(spec);
  tally.itemsCounted += total;
  return total;
}

async function leadsById(leadIds: readonly string[], tally: ReadTally): Promise<Map<string, Lead>> {
  const unique = [...new Set(leadIds)];
  const found = await batchGet<Item>(unique.map((leadId) => keys.lead(leadId)));
  tally.itemsRead += unique.length;
  return new Map([...found.values()].map((item) => [item.leadId as string, leadFromItem(item)]));
}

/**
 * One due window of the user's open tasks, with their leads. Twice what is listed is read, so that tasks of leads
 * closed or erased since leave room for the next ones; those found are taken off the total too (a COUNT cannot tell
 * them apart, so any further down the range still count).
 */
async function taskSection(userId: string, window: DueWindow, at: Date, tally: ReadTally): Promise<Section<TaskLine>> {
  const spec: QuerySpec = { index: 'gsi1', partition: keys.tasksByAssigneePartition('open', userId), ...dueWindowRange(window, at) };
  const page = await queryPage<Item>({ ...spec, limit: DIGEST_LISTED * 2 });
  tally.itemsRead += page.items.length;
  const total = await totalOf(spec, page, tally);
  const tasks = page.items.map(taskFromItem);
  const leads = tasks.length > 0 ? await leadsById(tasks.map((t) => t.leadId), tally) : new Map<string, Lead>();
  const kept: TaskLine[] = [];
  for (const task of tasks) {
    const lead = leads.get(task.leadId);
    if (lead && stillWorked(lead)) kept.push({ task: { taskId: task.taskId, kind: task.kind, title: task.title, dueAt: task.dueAt }, lead: digestLead(lead) });
  }
  return { listed: kept.slice(0, DIGEST_LISTED), total: Math.max(kept.length, total - (tasks.length - kept.length)) };
}

/** The user's untouched leads given before `before` (an instant), oldest first, over the eight shards. */
async function untouchedSection(userId: string, before: string, tally: ReadTally): Promise<Section<LeadLine>> {
  const shards = await Promise.all(
    allShards().map(async (shard) => {
      const spec: QuerySpec = { index: 'gsi10', partition: keys.leadsUntouchedPartition(userId, shard), sortBefore: before };
      const page = await queryPage<Item>({ ...spec, limit: DIGEST_LISTED });
      tally.itemsRead += page.items.length;
      const leads = page.items.map(leadFromItem);
      // The index holds the lead items themselves: one that is no longer the user's untouched lead is not listed.
      const kept = leads.filter((lead) => lead.ownerId === userId && isUntouched(lead));
      return { kept, total: (await totalOf(spec, page, tally)) - (leads.length - kept.length) };
    }),
  );
  const oldestFirst = shards
    .flatMap((s) => s.kept)
    .sort((a, b) => untouchedSince(a).localeCompare(untouchedSince(b)) || a.leadId.localeCompare(b.leadId));
  return {
    listed: oldestFirst.slice(0, DIGEST_LISTED).map((lead) => ({ lead: digestLead(lead), since: untouchedSince(lead) })),
    total: shards.reduce((sum, s) => sum + s.total, 0),
  };
}

/** Everything one user's digest lists, as of `at`, with untouched leads given before `untouchedBefore`. */
export async function dueWorkOf(userId: string, at: Date, untouchedBefore: string, tally: ReadTally): Promise<DueWork> {
  const [overdue, today, untouched] = await Promise.all([
    taskSection(userId, 'overdue', at, tally),
    taskSection(userId, 'today', at, tally),
    untouchedSection(userId, untouchedBefore, tally),
  ]);
  return { overdue, today, untouched };
}
