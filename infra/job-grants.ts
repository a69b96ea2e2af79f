import type { RouteGroupGrants } from './route-group-grants';

/**
 * What each scheduled job's function may touch, read from its code paths down to lib/table, as the route groups'
 * grants are (infra/route-group-grants.ts; the same rules: per item action, on partitions of the kinds named, index
 * queries by index, no Scan). test/integration/daily-digest.test.ts records every table call the job makes on the
 * local stack and fails on one these grants would refuse, or on a grant no call needs (test/integration/weekly-report.test.ts
 * does the same for the weekly report); test/infra/stack.test.ts pins the synthesised policies.
 */
export const DAILY_DIGEST_GRANTS: Pick<RouteGroupGrants, 'reads' | 'writes' | 'queries'> = {
  // GetItem: whether the user's digest of the day is already there (USER#…/NOTIFICATION#…).
  // BatchGetItem: the users' preferences (USER#…/PREFERENCES); the leads of the tasks listed (LEAD#).
  reads: { actions: ['GetItem', 'BatchGetItem'], partitions: ['user', 'lead'] },
  // One transaction per digest: the notification put if absent, and the user's unread counter updated.
  writes: [{ actions: ['PutItem', 'UpdateItem'], partitions: ['user'] }],
  // GSI1: every user (USERS), each user's open tasks by due (read and counted; a manager's reps counted).
  // GSI10: each user's untouched leads by when they were given (read and counted).
  queries: ['gsi1', 'gsi10'],
};

export const WEEKLY_REPORT_GRANTS: Pick<RouteGroupGrants, 'reads' | 'writes' | 'queries'> = {
  // GetItem: whether the manager's report of the week is already there (USER#…/NOTIFICATION#…).
  // BatchGetItem: the managers' preferences (USER#…/PREFERENCES).
  // Query of USERSTATS#…: each rep's counter days over the two weeks (GET /stats/activity's read model).
  reads: { actions: ['GetItem', 'BatchGetItem', 'Query'], partitions: ['user', 'userStats'] },
  // One transaction per report: the notification put if absent. It is e-mail only, born read: no unread counter.
  writes: [{ actions: ['PutItem'], partitions: ['user'] }],
  // GSI1: every user (USERS).
  queries: ['gsi1'],
};
