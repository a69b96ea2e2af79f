import { dueWindowRange } from '../leads/task-model';
import { keys } from '../table/keys';
import { countAll } from '../table/queries';
import type { User } from '../users/schema';
import type { ReadTally } from './due-work';

/**
 * A manager's digest also says how many overdue open tasks each rep of its team has: one COUNT query over each rep's
 * overdue key range (GSI1), so no task travels. A COUNT cannot tell a task of a lead erased or closed since from the
 * others; closing a lead cancels its open tasks, so only an erased lead's may be counted.
 */

export interface RepOverdue {
  userId: string;
  name: string;
  overdue: number;
}

/** The reps a manager's digest counts: active reps of its team, or every active rep when it has no team. */
export const teamRepsOf = (manager: User, users: readonly User[]): User[] =>
  users.filter((user) => user.active && user.role === 'rep' && user.userId !== manager.userId && (manager.team === undefined || user.team === manager.team));

/** Each rep's overdue open tasks as of `at`, most first (then by name). */
export async function teamOverdue(reps: readonly User[], at: Date, tally: ReadTally): Promise<RepOverdue[]> {
  const counts = await Promise.all(
    reps.map(async (rep) => {
      const overdue = await countAll({ index: 'gsi1', partition: keys.tasksByAssigneePartition('open', rep.userId), ...dueWindowRange('overdue', at) });
      tally.itemsCounted += overdue;
      return { userId: rep.userId, name: rep.name, overdue };
    }),
  );
  return counts.sort((a, b) => b.overdue - a.overdue || a.name.localeCompare(b.name, 'ja'));
}
