import * as z from 'zod';
import { cursorParam, idParam, isoDate, isoDateTime, limitParam, paginated } from '../schema/params';
import { FOLLOW_STATUSES, LEAD_STAGES } from '../leads/model';
import { TASK_KINDS } from '../leads/task-model';
import { taskIdParam } from '../tasks/schema';
import { NG_ACTIONS, QualificationSchema } from '../leads/schema';
import { ACTION_CHANNELS, ChoicesSchema } from '../settings/choices';

/** Actions (アクション, 対応履歴) over HTTP: seed 000 §3.6.3, the action registration form. */

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).min(1).nullable().optional();

/**
 * What the action form may change on the lead besides its stage (seed 000 §3.6.3 "必要に応じてリード情報を更新"):
 * classification and qualification fields and the shared memo, never contact data (that changes the dedupe key).
 * `version` is required: these are edits, and an edit made on a version someone else has since changed is refused.
 */
export const ActionLeadUpdatesSchema = z
  .strictObject({
    version: z.number().int().min(1),
    classification: optionalText(100),
    industry: optionalText(100),
    employeeSize: optionalText(50),
    department: optionalText(200),
    title: optionalText(100),
    products: optionalText(500),
    memo: text(4000).nullable().optional(),
    qualification: QualificationSchema.nullable().optional(),
    ngActions: z.array(z.enum(NG_ACTIONS)).max(NG_ACTIONS.length).nullable().optional(),
  })
  .refine((u) => Object.keys(u).some((k) => k !== 'version'), { message: 'nothing to change' });
export type ActionLeadUpdates = z.infer<typeof ActionLeadUpdatesSchema>;

export const ActionCreateSchema = z.strictObject({
  campaignId: idParam,
  /** When it happened, with an offset; stored in UTC. */
  at: isoDateTime,
  channel: z.enum(ACTION_CHANNELS),
  content: text(100).min(1),
  result: text(100).min(1),
  note: text(4000).min(1).optional(),
  /** Opens the lead's next task for its owner at this time (or moves the one an earlier action opened). */
  nextActionAt: isoDateTime.optional(),
  nextActionKind: z.enum(TASK_KINDS).optional(),
  nextActionTitle: text(200).min(1).optional(),
  stage: z.enum(LEAD_STAGES).optional(),
  stageReason: text(500).min(1).optional(),
  followStatus: z.enum(FOLLOW_STATUSES).optional(),
  leadUpdates: ActionLeadUpdatesSchema.optional(),
  /** An open task of the lead this action answers: it is closed as done, by this action, in the same write. */
  completesTaskId: taskIdParam.optional(),
});
export type ActionCreate = z.infer<typeof ActionCreateSchema>;

export const ActionSchema = z.object({
  actionId: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  actorId: z.string(),
  at: z.string(),
  channel: z.enum(ACTION_CHANNELS),
  content: z.string(),
  result: z.string(),
  note: z.string().optional(),
  nextActionAt: z.string().optional(),
  stageFrom: z.enum(LEAD_STAGES).optional(),
  stageTo: z.enum(LEAD_STAGES).optional(),
  stageReason: z.string().optional(),
  followStatus: z.enum(FOLLOW_STATUSES).optional(),
  /** The action was its owner's first touch of the lead, this many minutes after the lead was given to it. */
  firstTouchMinutes: z.number().min(0).optional(),
  createdAt: z.string(),
});
export type Action = z.infer<typeof ActionSchema>;

export const ActionLoggedSchema = z.object({
  action: ActionSchema,
  lead: z.object({ leadId: z.string(), stage: z.enum(LEAD_STAGES), lastActionAt: z.string().optional(), lastActionResult: z.string().optional(), version: z.number().int() }),
  version: z.number().int(),
});

export const ActionPage = paginated(ActionSchema);

export const LeadActionsQuery = z.strictObject({ limit: limitParam, cursor: cursorParam });

/** `from` / `to`: a date (a whole day in Japan time) or an instant with an offset; both ends included. */
const bound = z.union([isoDate, isoDateTime]);
export const ActionListQuery = z
  .strictObject({
    actorId: z.union([z.literal('me'), idParam]).optional(),
    from: bound.optional(),
    to: bound.optional(),
    limit: limitParam,
    cursor: cursorParam,
  });
export type ActionListQuery = z.infer<typeof ActionListQuery>;

export const ChoicesResponseSchema = ChoicesSchema;
