import { forEachConcurrently } from '../async';
import { config } from '../config';
import { log } from '../log';
import { newNotification, notificationIdFor } from '../notifications/model';
import { getItem } from '../table/client';
import { keys } from '../table/keys';
import { preferencesOfUsers } from '../users/preferences';
import { everyUser } from '../users/repository';
import { PERMISSIONS, type Role } from '../users/roles';
import type { User } from '../users/schema';
import { dailyDigestMessage, digestHasContent } from './digest-mail';
import { digestDateOf, digestSourceId, noDigestBecause, untouchedBefore } from './digest-day';
import { dueWorkOf, type ReadTally } from './due-work';
import { digestInstantOf } from './schedule';
import { teamOverdue, teamRepsOf } from './team-overdue';
import { writeNotificationOnce } from './write-once';

/**
 * The `daily-digest` job: on a business day in Japan, each active user whose role works leads gets one notification
 * of what it has to do (overdue tasks, today's tasks, leads left untouched), through the outbox: by e-mail, in the app,
 * or both, as its preferences say. A manager's also counts its team's overdue tasks per rep.
 *
 * Exactly once per user and day, however often it runs: the notification's id is derived from
 * `daily-digest/{userId}/{date}` and the day's 08:00 (not from when the run happens), and it is written only if it is
 * not there yet (notificationWrites). A second run finds it and reads nothing more for that user; two runs at once
 * both try to write it, one transaction wins and the other is cancelled on that very condition; a run that died
 * halfway is finished by the next, which skips those already written. The outbox sends each e-mail once.
 *
 * It reads what is due and nothing else: every user (one partition), their preferences by key, then per user only
 * key ranges of its own partitions (lib/digest/due-work.ts), and for a manager one COUNT per rep.
 */

export interface DailyDigestResult {
  job: 'daily-digest';
  /** The instant the run stood for, and its day in Japan. */
  at: string;
  date: string;
  businessDay: boolean;
  /** Why nothing was done (a weekend day, a public holiday). */
  reason?: string;
  untouchedBusinessDays: number;
  /** Untouched leads given before this instant were listed. */
  untouchedBefore?: string;
  usersConsidered: number;
  digestsWritten: number;
  /** Of those written, how many carry an e-mail (the others are in-app only). */
  emailsQueued: number;
  skipped: { alreadySent: number; optedOut: number; nothingDue: number };
  /** Users whose digest could not be made this run (the error is logged; the next run tries again). */
  failed: number;
  itemsRead: number;
  itemsCounted: number;
}

/** Whose work the digest tells: the roles leads and tasks are given to. */
const WORKS_LEADS: readonly Role[] = PERMISSIONS.ownLeads;
const CONCURRENCY = 4;

type Outcome = 'written' | 'alreadySent' | 'optedOut' | 'nothingDue';

export async function runDailyDigest(at: Date, now = new Date()): Promise<DailyDigestResult> {
  const date = digestDateOf(at);
  const untouchedBusinessDays = config.digestUntouchedBusinessDays();
  const result: DailyDigestResult = {
    job: 'daily-digest',
    at: at.toISOString(),
    date,
    businessDay: true,
    untouchedBusinessDays,
    usersConsidered: 0,
    digestsWritten: 0,
    emailsQueued: 0,
    skipped: { alreadySent: 0, optedOut: 0, nothingDue: 0 },
    failed: 0,
    itemsRead: 0,
    itemsCounted: 0,
  };
  const reason = noDigestBecause(date);
  if (reason) return { ...result, businessDay: false, reason };

  const tally: ReadTally = { itemsRead: 0, itemsCounted: 0 };
  const users = await everyUser();
  tally.itemsRead += users.length;
  const recipients = users.filter((user) => user.active && WORKS_LEADS.includes(user.role));
  const preferences = await preferencesOfUsers(recipients.map((user) => user.userId));
  tally.itemsRead += recipients.length;
  const before = untouchedBefore(date, untouchedBusinessDays);
  const run: DigestRun = { date, at, now, before, untouchedBusinessDays, users, tally };

  result.usersConsidered = recipients.length;
  result.untouchedBefore = before;
  await forEachConcurrently(recipients, CONCURRENCY, async (user) => {
    try {
      const outcome = await digestFor(user, preferences.get(user.userId)!.dailyDigest, run);
      if (outcome === 'written') {
        result.digestsWritten++;
        if (preferences.get(user.userId)!.dailyDigest.email) result.emailsQueued++;
      } else result.skipped[outcome]++;
    } catch (error) {
      result.failed++;
      log.error('daily digest failed for a user', { userId: user.userId, errorName: (error as Error).name });
    }
  });
  return { ...result, itemsRead: tally.itemsRead, itemsCounted: tally.itemsCounted };
}

interface DigestRun {
  date: string;
  at: Date;
  now: Date;
  before: string;
  untouchedBusinessDays: number;
  users: readonly User[];
  tally: ReadTally;
}

async function digestFor(user: User, channels: { email: boolean; inApp: boolean }, run: DigestRun): Promise<Outcome> {
  if (!channels.email && !channels.inApp) return 'optedOut';
  const sourceId = digestSourceId(user.userId, run.date);
  const idAt = digestInstantOf(run.date);
  const existing = await getItem(keys.notification(user.userId, notificationIdFor(sourceId, user.userId, 'daily_digest', idAt)));
  run.tally.itemsRead++;
  if (existing) return 'alreadySent';

  const [work, team] = await Promise.all([
    dueWorkOf(user.userId, run.at, run.before, run.tally),
    user.role === 'manager' ? teamOverdue(teamRepsOf(user, run.users), run.at, run.tally) : Promise.resolve(undefined),
  ]);
  const content = { date: run.date, recipientName: user.name, work, untouchedBusinessDays: run.untouchedBusinessDays, ...(team ? { team } : {}) };
  if (!digestHasContent(content)) return 'nothingDue';

  const message = dailyDigestMessage(content);
  const notification = newNotification({
    userId: user.userId,
    kind: 'daily_digest',
    sourceId,
    title: message.title,
    body: message.body,
    leadIds: message.leadIds,
    link: '/leads?owner=me',
    mail: message.mail,
    channels,
    idAt,
    now: run.now,
  });
  // Another run that wrote it first leaves this day's digest to the outbox: 'alreadySent'.
  return writeNotificationOnce(notification);
}
