import * as z from 'zod';
import { booleanParam, csvOf, idParam, isoDate, paginated } from '../schema/params';
import { FOLLOW_STATUSES, LEAD_STAGES } from './model';

/** Leads over HTTP: the list screen's search conditions (seed 000 §3.5–3.6), the detail page, edits. */

export const NG_ACTIONS = ['no_email', 'no_call', 'no_dm', 'no_visit'] as const;

const text = (max: number) => z.string().trim().max(max);
const optionalText = (max: number) => text(max).min(1).nullable().optional();

export const QualificationSchema = z.strictObject({
  budget: text(200).optional(), // 予算
  timeline: text(200).optional(), // 導入時期
  purchaseRole: text(200).optional(), // 購買における役割
  influence: text(200).optional(), // 影響度
  considerationStage: text(200).optional(), // 検討段階
});

export const LeadPatchSchema = z
  .strictObject({
    name: text(100).min(1).optional(),
    nameKana: optionalText(100),
    email: z
      .string()
      .transform((value) => value.normalize('NFKC').trim())
      .pipe(z.string().max(254).pipe(z.email()))
      .nullable()
      .optional(),
    company: optionalText(200),
    department: optionalText(200),
    title: optionalText(100),
    phone: optionalText(40),
    mobile: optionalText(40),
    industry: optionalText(100),
    employeeSize: optionalText(50),
    classification: optionalText(100),
    products: optionalText(500),
    memo: text(4000).nullable().optional(),
    qualification: QualificationSchema.nullable().optional(),
    ngActions: z.array(z.enum(NG_ACTIONS)).max(NG_ACTIONS.length).nullable().optional(),
    stage: z.enum(LEAD_STAGES).optional(),
    stageReason: optionalText(500),
    version: z.number().int().min(1).optional(),
  })
  .refine((patch) => Object.keys(patch).some((k) => k !== 'version'), { message: 'nothing to change' });
export type LeadPatch = z.infer<typeof LeadPatchSchema>;

/** What POST /leads does when the person already has a lead: refuse (409 naming it), or attach the campaign to it. */
export const ON_DUPLICATE = ['refuse', 'attach'] as const;

const givenText = (max: number) => text(max).min(1).optional();
/** A list's extra columns: at most this many, each label and text within these lengths (as a list row's). */
const MAX_EXTRA_COLUMNS = 50;

/**
 * POST /leads: one lead by hand (an inbound call, a web inquiry). The fields a list row may give, within the same
 * lengths (lib/intake/row-rules.ts judges the request again as a list row, so the e-mail's form and the dedupe key
 * follow the list's rules exactly); `campaignId` makes the lead a responded member of that campaign, its history
 * arisen on `arisenOn` (today in Japan unless given). `ownerId` gives it an owner at once.
 */
export const LeadCreateSchema = z
  .strictObject({
    name: text(100).min(1),
    nameKana: givenText(100),
    email: givenText(254).describe('kept as typed; matched as dedupe normalises it (width, case, spaces)'),
    company: givenText(200),
    department: givenText(200),
    title: givenText(100),
    phone: givenText(40),
    mobile: givenText(40),
    industry: givenText(100),
    employeeSize: givenText(50),
    classification: givenText(100),
    products: givenText(500),
    memo: givenText(4000),
    extra: z
      .record(z.string().min(1).max(100), text(1000).min(1))
      .refine((extra) => Object.keys(extra).length <= MAX_EXTRA_COLUMNS, { message: `at most ${MAX_EXTRA_COLUMNS} extra columns` })
      .optional()
      .describe('columns that are not lead fields, label → text, as a list row carries them'),
    campaignId: idParam.optional().describe('the campaign the person responded to: the lead becomes its responded member'),
    arisenOn: isoDate.optional().describe("the campaign history's date the lead arose (リード発生日); today in Japan unless given"),
    onDuplicate: z.enum(ON_DUPLICATE).optional().describe('refuse (the default): 409 naming the existing lead; attach: its campaign history goes on the existing lead'),
    ownerId: idParam.optional().describe('an active user whose role works leads; a rep or sales creating a lead owns it'),
  })
  .refine((lead) => Boolean(lead.email || lead.company), {
    message: 'a lead needs an e-mail address, or a company beside its name, to be recognised in later lists',
    path: ['email'],
  })
  .refine((lead) => lead.onDuplicate !== 'attach' || lead.campaignId !== undefined, {
    message: 'attach puts a campaign history on the existing lead: give campaignId too',
    path: ['onDuplicate'],
  })
  .refine((lead) => lead.arisenOn === undefined || lead.campaignId !== undefined, {
    message: 'arisenOn is the date of a campaign history: give campaignId too',
    path: ['arisenOn'],
  });
export type LeadCreate = z.infer<typeof LeadCreateSchema>;

/** `nextActionAt` lists the leads that have a next action (an open task), soonest first: overdue ones lead. */
export const SORTS = ['updatedAt', 'name', 'lastActionAt', 'nextActionAt'] as const;

/** The search conditions of the lead list, as query-string values; also the `filter` of an export. */
export const leadFilterFields = {
  owner: z.union([z.literal('me'), z.literal('unassigned'), idParam]).optional(),
  ownerTeam: text(100).min(1).optional(),
  stage: csvOf([...LEAD_STAGES]).optional(),
  campaignId: idParam.optional(),
  invited: booleanParam.optional(),
  responded: booleanParam.optional(),
  followStatus: csvOf([...FOLLOW_STATUSES]).optional(),
  lastActionResult: text(100).min(1).optional(),
  lastActionFrom: isoDate.optional(),
  lastActionTo: isoDate.optional(),
  nextActionFrom: isoDate.optional().describe('leads whose next action is due on this day (in Japan) or later'),
  nextActionTo: isoDate.optional().describe('leads whose next action is due on this day (in Japan) or earlier'),
  arisenFrom: isoDate.optional(),
  arisenTo: isoDate.optional(),
  name: text(100).min(1).optional(),
  company: text(200).min(1).optional(),
  product: text(200).min(1).optional(),
  industry: text(100).min(1).optional(),
  department: text(200).min(1).optional(),
  sort: z.enum(SORTS).default('updatedAt'),
};

export const historyNeedsCampaign = {
  check: (q: { invited?: boolean; responded?: boolean; followStatus?: unknown; arisenFrom?: string; arisenTo?: string; campaignId?: string }) =>
    !(q.invited !== undefined || q.responded !== undefined || q.followStatus || q.arisenFrom || q.arisenTo) || Boolean(q.campaignId),
  message: 'invited, responded, followStatus and arisenFrom/To describe a campaign history: give campaignId too',
};

export const LeadFilterSchema = z
  .strictObject(leadFilterFields)
  .refine(historyNeedsCampaign.check, { message: historyNeedsCampaign.message, path: ['campaignId'] });
export type LeadFilter = z.infer<typeof LeadFilterSchema>;

// GET /leads's query, with its phone look-up, is in ./list-query.ts: the numbering plan stays out of other groups.

export { LeadIdParams } from './params';

export const MembershipSchema = z.object({
  leadId: z.string(),
  campaignId: z.string(),
  invited: z.boolean(),
  responded: z.boolean(),
  followStatus: z.enum(FOLLOW_STATUSES),
  arisenOn: z.string(),
  completedOn: z.string().optional(),
  lastActionResult: z.string().optional(),
  lastActionAt: z.string().optional(),
});

export const LeadSchema = z.object({
  leadId: z.string(),
  name: z.string(),
  nameKana: z.string().optional(),
  email: z.string().optional(),
  company: z.string().optional(),
  department: z.string().optional(),
  title: z.string().optional(),
  phone: z.string().optional(),
  mobile: z.string().optional(),
  industry: z.string().optional(),
  employeeSize: z.string().optional(),
  classification: z.string().optional(),
  products: z.string().optional(),
  stage: z.enum(LEAD_STAGES),
  stageReason: z.string().optional(),
  ownerId: z.string().optional(),
  ownerTeam: z.string().optional(),
  memo: z.string().optional(),
  qualification: QualificationSchema.optional(),
  ngActions: z.array(z.enum(NG_ACTIONS)).optional(),
  lastActionAt: z.string().optional(),
  lastActionResult: z.string().optional(),
  /** When the lead's next action is due: its earliest open task's dueAt (a date or an instant). */
  nextActionAt: z.string().optional(),
  /** When the lead was last given to its owner. */
  assignedAt: z.string().optional(),
  accountId: z.string().optional(),
  /** Deals made from the lead by conversion. */
  dealIds: z.array(z.string()).optional(),
  extra: z.record(z.string(), z.string()),
  /** Erased on request (DELETE /leads/{leadId}): an anonymous tombstone, its personal fields gone. */
  erased: z.boolean().optional(),
  erasedAt: z.string().optional(),
  erasedBy: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

/** DELETE /leads/{leadId}: the same answer however often it is asked (the erasure's time and who asked for it). */
export const LeadErasureSchema = z.object({
  leadId: z.string(),
  erased: z.literal(true),
  erasedAt: z.string(),
  erasedBy: z.string(),
});

/** A row of the lead list screen. */
export const LeadListItemSchema = LeadSchema.pick({
  leadId: true,
  name: true,
  company: true,
  department: true,
  title: true,
  email: true,
  phone: true,
  mobile: true,
  ngActions: true,
  classification: true,
  stage: true,
  ownerId: true,
  ownerTeam: true,
  lastActionAt: true,
  lastActionResult: true,
  nextActionAt: true,
  updatedAt: true,
  version: true,
}).extend({
  ownerName: z.string().optional(),
  /** The campaign's follow status, when the list is of a campaign's members. */
  followStatus: z.enum(FOLLOW_STATUSES).optional(),
  counts: z.object({ campaigns: z.number().int(), openDeals: z.number().int(), wonDeals: z.number().int() }),
});

export const LeadPage = paginated(LeadListItemSchema);
export const MembershipPage = z.object({ items: z.array(MembershipSchema) });

export const LeadDetailSchema = z.object({
  lead: LeadSchema,
  owner: z.object({ userId: z.string(), name: z.string(), team: z.string().optional() }).optional(),
  campaigns: z.array(MembershipSchema),
  latestActions: z.array(z.record(z.string(), z.unknown())),
  counts: z.object({ campaigns: z.number().int(), actions: z.number().int(), deals: z.number().int(), accounts: z.number().int() }),
  version: z.number().int(),
});

/** GET /leads/{leadId}/history: every event of lib/leads/events.ts (creation by hand, assignment, hand-over, conversion). */
export const LeadEventSchema = z.object({
  eventId: z.string(),
  leadId: z.string(),
  kind: z.enum(['created', 'assigned', 'handed_over', 'converted']),
  at: z.string(),
  actorId: z.string(),
  fromOwnerId: z.string().optional(),
  /** The new owner (assignment, hand-over; a lead created by hand with an owner). */
  toOwnerId: z.string().optional(),
  assignmentId: z.string().optional(),
  importId: z.string().optional(),
  note: z.string().optional(),
  /** What a conversion made, and from which campaign. */
  dealId: z.string().optional(),
  accountId: z.string().optional(),
  campaignId: z.string().optional(),
});
export const LeadEventPage = z.object({ items: z.array(LeadEventSchema) });
