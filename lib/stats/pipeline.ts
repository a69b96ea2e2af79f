import { forEachConcurrently } from '../async';
import { config } from '../config';
import { ValidationError } from '../errors';
import type { LeadStage } from '../leads/model';
import { dueWindowRange, type DueWindow } from '../leads/task-model';
import { allShards, keys } from '../table/keys';
import { countWithin, ReadBudget, type QuerySpec } from '../table/queries';
import { japanDate } from '../text/japan-time';
import { allUsers } from '../users/repository';
import { PERMISSIONS, type Role } from '../users/roles';
import type { Pipeline, PipelineQuery, PipelineRow } from './schema';

/**
 * GET /stats/pipeline: per owner, what is on its plate now: its leads still worked by stage, its open tasks overdue
 * and due today, and its leads not acted on since they were given to it. Counted from the indexes the lists already
 * keep, with COUNT queries (lib/table/queries.ts countWithin), never a scan:
 * - leads by stage: the owner + stage partitions of GSI2, all 8 shards of each of new, working, recycle;
 * - tasks: the owner's open tasks on GSI1 (TASKS#open#{owner}), over the due-window key ranges of today in Japan;
 * - untouched: the owner's sparse GSI10 partitions (LEADS#UNTOUCHED#{owner}#{shard}).
 * That is 34 COUNT queries an owner. A COUNT query returns no item but reads every matching index entry (whole
 * items, as the indexes project every attribute): the cost grows with the owners' open leads, and one read budget
 * (PIPELINE_READ_ITEMS entries, PIPELINE_READ_MS) bounds the request; past it the answer is a 422 asking for a team.
 *
 * Counts rather than counters kept by the writes: a lead's owner and stage are moved by list intake (plain batch
 * writes, thousands a second, no transaction to carry a counter), update lists, assignment, edits, actions,
 * conversion, hand-over and erasure; a counter every one of them must keep exact is a counter one of them will get
 * wrong, while the indexes are already kept by all of them.
 */

const OPEN_STAGES = ['new', 'working', 'recycle'] as const satisfies readonly LeadStage[];
/** Owners one request counts at most (each is 34 queries). */
export const MAX_PIPELINE_OWNERS = 200;
const OWNERS_IN_FLIGHT = 2;

export async function pipelineStats(query: PipelineQuery, now = new Date()): Promise<Pipeline> {
  const ownerRoles: readonly Role[] = PERMISSIONS.ownLeads;
  const owners = (await allUsers())
    .filter((u) => ownerRoles.includes(u.role) && (query.team === undefined || u.team === query.team))
    .sort((a, b) => a.userId.localeCompare(b.userId));
  if (owners.length > MAX_PIPELINE_OWNERS) {
    throw new ValidationError(`${owners.length} owners are more than one request counts (${MAX_PIPELINE_OWNERS})`, [{ path: 'query.team', message: 'ask for one team' }]);
  }
  const budget = new ReadBudget(config.pipelineReadItems(), config.pipelineReadMs());
  let complete = true;
  const count = async (spec: QuerySpec) => {
    const counted = await countWithin(spec, budget);
    if (!counted.complete) complete = false;
    return counted.count;
  };
  const sumShards = async (partition: (shard: number) => string, index: QuerySpec['index']) =>
    (await Promise.all(allShards().map((shard) => count({ index, partition: partition(shard) })))).reduce((a, b) => a + b, 0);
  const dueTasks = (ownerId: string, due: DueWindow) => count({ index: 'gsi1', partition: keys.tasksByAssigneePartition('open', ownerId), ...dueWindowRange(due, now) });

  const items: PipelineRow[] = [];
  await forEachConcurrently(owners, OWNERS_IN_FLIGHT, async (owner, index) => {
    const [stages, overdueTasks, tasksDueToday, untouchedLeads] = await Promise.all([
      Promise.all(OPEN_STAGES.map((stage) => sumShards((shard) => keys.leadsByOwnerStagePartition(owner.userId, stage, shard), 'gsi2'))),
      dueTasks(owner.userId, 'overdue'),
      dueTasks(owner.userId, 'today'),
      sumShards((shard) => keys.leadsUntouchedPartition(owner.userId, shard), 'gsi10'),
    ]);
    const openLeads = { new: stages[0]!, working: stages[1]!, recycle: stages[2]! };
    items[index] = {
      userId: owner.userId,
      name: owner.name,
      team: owner.team ?? null,
      openLeads,
      openLeadsTotal: openLeads.new + openLeads.working + openLeads.recycle,
      overdueTasks,
      tasksDueToday,
      untouchedLeads,
    };
  });
  if (!complete) {
    throw new ValidationError(`the pipeline of ${owners.length} owners holds more than one request counts (${budget.items} index entries)`, [
      { path: 'query.team', message: 'ask for one team' },
    ]);
  }
  const totals = {
    openLeads: { new: 0, working: 0, recycle: 0 },
    openLeadsTotal: 0,
    overdueTasks: 0,
    tasksDueToday: 0,
    untouchedLeads: 0,
  };
  for (const row of items) {
    for (const stage of OPEN_STAGES) totals.openLeads[stage] += row.openLeads[stage];
    totals.openLeadsTotal += row.openLeadsTotal;
    totals.overdueTasks += row.overdueTasks;
    totals.tasksDueToday += row.tasksDueToday;
    totals.untouchedLeads += row.untouchedLeads;
  }
  return { today: japanDate(now), items, totals };
}
