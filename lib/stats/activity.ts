import { forEachConcurrently } from '../async';
import { ForbiddenError, ValidationError } from '../errors';
import type { Item } from '../table/client';
import { keys } from '../table/keys';
import { queryAll } from '../table/queries';
import type { Caller } from '../users/caller';
import { allUsers, requireUser } from '../users/repository';
import type { Role } from '../users/roles';
import type { User } from '../users/schema';
import { addActivity, countersFromItem, emptyActivity, type ActivityCounters } from './counters';
import { quantileOf, roundMinutes } from './histogram';
import { daysIncluded, periodOf, periodsBetween, type GroupBy } from './periods';
import { compareDays, recountActivity } from './recount';
import type { ActivityQuery, ActivityRow, ActivityStats } from './schema';

/**
 * GET /stats/activity: each user's activity per day, ISO week or month, from the counters the writes keep
 * (lib/stats/writes.ts). It reads one counter item per user and day at most, with one Query per user over the days
 * of its partition, and never an action. A rep or sales asks for itself; an admin or a manager for anyone, a team or
 * everyone who works leads.
 */

/** Roles whose work the counters count: everyone who logs actions, converts, hands over or owns deals. */
const COUNTED_ROLES: readonly Role[] = ['admin', 'manager', 'rep', 'sales', 'agent'];
/** Roles that may read only their own figures. */
const OWN_FIGURES_ONLY: readonly Role[] = ['rep', 'sales'];
/** At most this many counter days (users × days) one request reads, and this many rows (users × periods) it answers. */
export const MAX_COUNTER_DAYS = 40_000;
export const MAX_ROWS = 10_000;
const READS_IN_FLIGHT = 16;

/** The users the query is about, checked against what the caller may read. */
async function selectUsers(caller: Caller, query: ActivityQuery): Promise<User[]> {
  const userId = query.userId === 'me' ? caller.userId : query.userId;
  if (OWN_FIGURES_ONLY.includes(caller.role)) {
    if ((userId !== undefined && userId !== caller.userId) || query.team !== undefined) {
      throw new ForbiddenError(`the ${caller.role} role may read only its own activity`);
    }
    return [await requireUser(caller.userId)];
  }
  if (userId !== undefined) {
    const user = await requireUser(userId);
    if (query.team !== undefined && user.team !== query.team) return [];
    return [user];
  }
  return (await allUsers()).filter((u) => COUNTED_ROLES.includes(u.role) && (query.team === undefined || u.team === query.team));
}

/** A user's counters of each day from `from` to `to`: one Query of its partition. */
export async function countersByDay(userId: string, from: string, to: string): Promise<Map<string, ActivityCounters>> {
  const items = await queryAll<Item>({ partition: keys.userStatsPartition(userId), sortBetween: keys.userStatsDays(from, to) });
  return new Map(items.map((item) => [item.day as string, countersFromItem(item)]));
}

/** The figures of counters as the API shows them: quantiles read from the merged histogram. */
export function figuresOf(counters: ActivityCounters): Omit<ActivityRow, 'userId' | 'name' | 'team' | 'period'> {
  const { firstTouchMinutes, ...rest } = counters;
  return {
    ...rest,
    medianFirstTouchMinutes: roundMinutes(quantileOf(firstTouchMinutes, 0.5)),
    p90FirstTouchMinutes: roundMinutes(quantileOf(firstTouchMinutes, 0.9)),
  };
}

/** Rows of one user: its days added up by period, only periods with a counter day. */
export function rowsOf(user: User, days: Map<string, ActivityCounters>, groupBy: GroupBy): { rows: ActivityRow[]; total: ActivityCounters } {
  const byPeriod = new Map<string, ActivityCounters>();
  const total = emptyActivity();
  for (const [day, counters] of [...days].sort(([a], [b]) => a.localeCompare(b))) {
    const period = periodOf(day, groupBy);
    addActivity(byPeriod.get(period) ?? byPeriod.set(period, emptyActivity()).get(period)!, counters);
    addActivity(total, counters);
  }
  const rows = [...byPeriod].map(([period, counters]) => ({ userId: user.userId, name: user.name, team: user.team ?? null, period, ...figuresOf(counters) }));
  return { rows, total };
}

/** The figures of a user and period with no counter day: every count 0, no speed to lead. */
export const noActivityFigures = (): ReturnType<typeof figuresOf> => figuresOf(emptyActivity());

/**
 * One user's rows by ISO week over the days from `from` to `to`, as GET /stats/activity?groupBy=week answers them (the
 * weekly report reads its weeks this way): one Query of the user's counter days. A week with no counter day has no
 * row; `itemsRead` is the number of counter days read.
 */
export async function weeklyRowsOf(user: User, from: string, to: string): Promise<{ rows: Map<string, ActivityRow>; itemsRead: number }> {
  const days = await countersByDay(user.userId, from, to);
  return { rows: new Map(rowsOf(user, days, 'week').rows.map((row) => [row.period, row])), itemsRead: days.size };
}

export async function activityStats(caller: Caller, query: ActivityQuery): Promise<ActivityStats> {
  if (query.recount && caller.role !== 'admin') throw new ForbiddenError('only an admin may recount activity');
  if (query.recount && query.userId === undefined) {
    throw new ValidationError('a recount is of one user', [{ path: 'query.userId', message: 'required with recount=true' }]);
  }
  const users = await selectUsers(caller, query);
  const days = daysIncluded(query.from, query.to);
  if (users.length * days > MAX_COUNTER_DAYS) {
    throw new ValidationError(`${users.length} users over ${days} days is more than one request reads (${MAX_COUNTER_DAYS} user-days)`, [
      { path: 'query.to', message: 'a shorter range, or one team (team=) or one user (userId=)' },
    ]);
  }
  const periods = periodsBetween(query.from, query.to, query.groupBy).length;
  if (users.length * periods > MAX_ROWS) {
    throw new ValidationError(`${users.length} users over ${periods} periods is more rows than one answer holds (${MAX_ROWS})`, [
      { path: 'query.groupBy', message: 'group by week or month, or ask for one team' },
    ]);
  }

  const perUser = new Map<string, Map<string, ActivityCounters>>();
  await forEachConcurrently(users, READS_IN_FLIGHT, async (user) => {
    perUser.set(user.userId, await countersByDay(user.userId, query.from, query.to));
  });
  const items: ActivityRow[] = [];
  const totals = emptyActivity();
  for (const user of [...users].sort((a, b) => a.userId.localeCompare(b.userId))) {
    const { rows, total } = rowsOf(user, perUser.get(user.userId)!, query.groupBy);
    items.push(...rows);
    addActivity(totals, total);
  }
  const stats: ActivityStats = { from: query.from, to: query.to, groupBy: query.groupBy, items, totals: figuresOf(totals) };
  if (!query.recount || users.length === 0) return stats;

  const user = users[0]!;
  const recounted = await recountActivity(user.userId, query.from, query.to);
  const differences = compareDays(perUser.get(user.userId)!, recounted);
  return { ...stats, recount: { agrees: differences.length === 0, items: rowsOf(user, recounted, query.groupBy).rows, differences } };
}
