import * as z from 'zod';
import { booleanParam, idParam, isoDate } from '../schema/params';
import { daysIncluded, GROUP_BY } from './periods';

/** The manager's view over HTTP: GET /stats/activity and GET /stats/pipeline (api.md, "activity stats row"). */

/** The longest range one request may ask for, in days. */
export const MAX_RANGE_DAYS = 366;

const team = z.string().trim().min(1).max(100);

export const ActivityQuery = z
  .strictObject({
    /** The first day, in Japan (`YYYY-MM-DD`), included. */
    from: isoDate,
    /** The last day, in Japan, included. */
    to: isoDate,
    groupBy: z.enum(GROUP_BY).default('day'),
    /** One user (`me`: the caller). A rep or sales asks only for itself. */
    userId: z.union([z.literal('me'), idParam]).optional(),
    /** The users of one team (admin, manager). */
    team: team.optional(),
    /** Admin only, with userId: the counters recounted from the actions, events and deals, and where they differ. */
    recount: booleanParam.optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from > query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: `before from (${query.from})` });
    else if (daysIncluded(query.from, query.to) > MAX_RANGE_DAYS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `at most ${MAX_RANGE_DAYS} days from from (${query.from})` });
    }
  });
export type ActivityQuery = z.infer<typeof ActivityQuery>;

const count = z.number().int();
const minutes = z.number().min(0).nullable();

/** The figures of an activity stats row, and of the totals. */
const figures = {
  actions: count,
  byChannel: z.record(z.string(), count).describe('actions by channel'),
  byResult: z.record(z.string(), count).describe('actions by result'),
  effectiveCalls: count.describe('phone actions whose result is one of the effective results (GET /settings/choices, effectiveCallResults)'),
  leadsTouched: count.describe('distinct leads acted on each day, summed over the days of the period'),
  firstTouches: count.describe("the owner's first actions on leads after they were given to it"),
  medianFirstTouchMinutes: minutes.describe('median minutes from assignment to the first touch; within 9.05 % (under 1 minute below 1 minute); null without first touches'),
  p90FirstTouchMinutes: minutes.describe('90th percentile of the same, as exact'),
  handovers: count.describe('leads handed over by the user'),
  conversions: count.describe('leads converted by the user'),
  wonDeals: count.describe("the user's deals that became won in the period (a reopened deal is taken back)"),
  wonAmountJpy: count,
};

export const ActivityRowSchema = z.object({
  userId: z.string(),
  name: z.string(),
  team: z.string().nullable(),
  period: z.string().describe('YYYY-MM-DD, ISO week YYYY-Www or YYYY-MM; days in Asia/Tokyo'),
  ...figures,
});
export type ActivityRow = z.infer<typeof ActivityRowSchema>;

export const ActivityTotalsSchema = z.object(figures);

export const ActivityRecountSchema = z.object({
  agrees: z.boolean(),
  /** The recounted figures, grouped as asked. */
  items: z.array(ActivityRowSchema),
  /** Each counter of a day whose stored value differs from the recount. */
  differences: z.array(z.object({ day: z.string(), name: z.string(), counter: count, recount: count })),
});

export const ActivityStatsSchema = z.object({
  from: z.string(),
  to: z.string(),
  groupBy: z.enum(GROUP_BY),
  /** One row per user and period with any activity, by user id, then period. */
  items: z.array(ActivityRowSchema),
  totals: ActivityTotalsSchema,
  recount: ActivityRecountSchema.optional(),
});
export type ActivityStats = z.infer<typeof ActivityStatsSchema>;

export const PipelineQuery = z.strictObject({ team: team.optional() });
export type PipelineQuery = z.infer<typeof PipelineQuery>;

const pipelineFigures = {
  openLeads: z.object({ new: count, working: count, recycle: count }).describe('leads owned, by stage, of the stages still worked'),
  openLeadsTotal: count,
  overdueTasks: count.describe('open tasks due before today (in Japan)'),
  tasksDueToday: count,
  untouchedLeads: count.describe('leads owned and not acted on since they were given to the owner'),
};

export const PipelineRowSchema = z.object({ userId: z.string(), name: z.string(), team: z.string().nullable(), ...pipelineFigures });
export type PipelineRow = z.infer<typeof PipelineRowSchema>;

export const PipelineSchema = z.object({
  /** The day in Japan that "overdue" and "today" are reckoned from. */
  today: z.string(),
  items: z.array(PipelineRowSchema),
  totals: z.object(pipelineFigures),
});
export type Pipeline = z.infer<typeof PipelineSchema>;
