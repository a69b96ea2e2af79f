import * as z from 'zod';
import { csvOf, cursorParam, idParam, isoDate, limitParam, paginated, yen } from '../schema/params';

/** Campaign (キャンペーン), fields from seed 000 §2 and api.md. */

export const CAMPAIGN_STATUSES = ['planned', 'active', 'completed'] as const; // 計画中 / 実施中 / 完了
export const CAMPAIGN_METHODS = ['online', 'offline', 'hybrid'] as const;
export const CAMPAIGN_TYPES = [
  'seminar', // セミナー
  'exhibition', // 展示会
  'webinar', // ウェビナー
  'web_inquiry', // Web問い合わせ
  'dm', // DM
  'email', // メール配信
  'advertising', // 広告
  'telemarketing', // テレマーケティング
  'referral', // 紹介
  'other',
] as const;

const count = z.number().int().min(0).max(100_000_000);

export const TargetsSchema = z.strictObject({
  leads: count.optional(),
  actions: count.optional(),
  deals: count.optional(),
  wonDeals: count.optional(),
  wonAmountJpy: yen.optional(),
});

export const StakeholderSchema = z.strictObject({
  kind: z.enum(['internal', 'external']),
  name: z.string().trim().min(1).max(100),
  organization: z.string().trim().max(200).optional(),
  role: z.string().trim().max(100).optional(),
  email: z.string().trim().max(254).pipe(z.email()).optional(),
  phone: z.string().trim().max(40).optional(),
  /** For internal stakeholders: the user, when they have one. */
  userId: idParam.optional(),
});

export const AttachmentSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  url: z.url({ protocol: /^https?$/ }).max(2000),
});

const fields = {
  name: z.string().trim().min(1).max(200),
  type: z.enum(CAMPAIGN_TYPES),
  category: z.string().trim().min(1).max(100),
  status: z.enum(CAMPAIGN_STATUSES),
  method: z.enum(CAMPAIGN_METHODS),
  startDate: isoDate,
  endDate: isoDate,
  budgetJpy: yen,
  actualCostJpy: yen,
  targets: TargetsSchema,
  stakeholders: z.array(StakeholderSchema).max(50),
  attachments: z.array(AttachmentSchema).max(20),
  description: z.string().trim().max(4000),
};

const periodIsOrdered = (c: { startDate?: string | null; endDate?: string | null }) =>
  !c.startDate || !c.endDate || c.startDate <= c.endDate;
const periodIssue = { message: 'endDate is before startDate', path: ['endDate'] };

export const CampaignCreateSchema = z
  .strictObject({
    name: fields.name,
    type: fields.type,
    category: fields.category.optional(),
    status: fields.status.default('planned'),
    method: fields.method.optional(),
    startDate: fields.startDate.optional(),
    endDate: fields.endDate.optional(),
    budgetJpy: fields.budgetJpy.optional(),
    actualCostJpy: fields.actualCostJpy.optional(),
    targets: fields.targets.default({}),
    stakeholders: fields.stakeholders.default([]),
    attachments: fields.attachments.default([]),
    description: fields.description.optional(),
  })
  .refine(periodIsOrdered, periodIssue);

/** Optional fields may be cleared with null; `version` (or If-Match) says which version was edited. */
export const CampaignPatchSchema = z
  .strictObject({
    name: fields.name.optional(),
    type: fields.type.optional(),
    category: fields.category.nullable().optional(),
    status: fields.status.optional(),
    method: fields.method.nullable().optional(),
    startDate: fields.startDate.nullable().optional(),
    endDate: fields.endDate.nullable().optional(),
    budgetJpy: fields.budgetJpy.nullable().optional(),
    actualCostJpy: fields.actualCostJpy.nullable().optional(),
    targets: fields.targets.optional(),
    stakeholders: fields.stakeholders.optional(),
    attachments: fields.attachments.optional(),
    description: fields.description.nullable().optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((patch) => Object.keys(patch).some((k) => k !== 'version'), { message: 'nothing to change' });

export const CampaignSchema = z.object({
  campaignId: z.string(),
  name: z.string(),
  type: z.enum(CAMPAIGN_TYPES),
  category: z.string().optional(),
  status: z.enum(CAMPAIGN_STATUSES),
  method: z.enum(CAMPAIGN_METHODS).optional(),
  startDate: z.string().optional(),
  endDate: z.string().optional(),
  budgetJpy: z.number().int().optional(),
  actualCostJpy: z.number().int().optional(),
  targets: TargetsSchema,
  stakeholders: z.array(StakeholderSchema),
  attachments: z.array(AttachmentSchema),
  description: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});

/**
 * What an agent (外注業者) reads of a campaign one of its own leads is a member of (api.md): no budget, actual cost,
 * targets or stakeholders. Strict, so a reply that carried any of them would break the contract.
 */
export const AgentCampaignSchema = z
  .strictObject(CampaignSchema.omit({ budgetJpy: true, actualCostJpy: true, targets: true, stakeholders: true }).shape)
  .meta({ title: 'AgentCampaign', description: "A campaign as an agent sees it: one of the agent's own leads is its member" });

/** Campaign routes answer the full campaign, or to an agent the reduced view. */
export const CampaignViewSchema = z.union([CampaignSchema, AgentCampaignSchema]);

export const CampaignListQuery = z.strictObject({
  status: csvOf([...CAMPAIGN_STATUSES]).optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const CampaignIdParams = z.object({ campaignId: idParam });
export const CampaignPage = paginated(CampaignSchema);
export const AgentCampaignPage = paginated(AgentCampaignSchema);
export const CampaignViewPage = z.union([CampaignPage, AgentCampaignPage]);

export type Campaign = z.infer<typeof CampaignSchema>;
export type CampaignCreate = z.infer<typeof CampaignCreateSchema>;
export type CampaignPatch = z.infer<typeof CampaignPatchSchema>;
export type CampaignListQuery = z.infer<typeof CampaignListQuery>;
export type AgentCampaign = z.infer<typeof AgentCampaignSchema>;

/** The agent's view of a campaign: the fields it may read, nothing else. */
export function agentView(campaign: Campaign): AgentCampaign {
  const { budgetJpy: _budget, actualCostJpy: _cost, targets: _targets, stakeholders: _stakeholders, ...rest } = campaign;
  return rest;
}
