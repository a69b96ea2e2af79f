import * as z from 'zod';
import { cursorParam, idParam, isoDate, limitParam, paginated, yen } from '../schema/params';
import { LEAD_STAGES } from '../leads/model';

/** Conversion (案件化, seed 000 §3.7.1), deals (案件) and accounts (取引先) over HTTP. */

export const DEAL_STATUSES = ['open', 'won', 'lost'] as const; // 商談中 / 受注 / 失注
export type DealStatus = (typeof DEAL_STATUSES)[number];

const text = (max: number) => z.string().trim().max(max);
const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'a domain such as example.co.jp');

export const NewAccountSchema = z.strictObject({
  /** Defaults to the lead's company (名刺会社). */
  name: text(200).min(1).optional(),
  domain: domain.optional(),
});

export const ConvertSchema = z.strictObject({
  /** The deal's single source campaign: one of the lead's campaigns. */
  campaignId: idParam,
  account: z.union([z.strictObject({ id: idParam }), z.strictObject({ new: NewAccountSchema })]),
  deal: z.strictObject({
    name: text(200).min(1),
    ownerId: idParam,
    amountJpy: yen.optional(),
    expectedCloseDate: isoDate.optional(),
    stage: text(100).min(1).optional(),
  }),
  /** E-mail the deal's owner (通知する / 通知しない). */
  notify: z.boolean(),
  /** Create the new account even though accounts with the same normalised name exist. */
  force: z.boolean().optional(),
});
export type ConvertInput = z.infer<typeof ConvertSchema>;

export const AccountSchema = z.object({
  accountId: z.string(),
  name: z.string(),
  domain: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
});
export type Account = z.infer<typeof AccountSchema>;

export const DealSchema = z.object({
  dealId: z.string(),
  name: z.string(),
  accountId: z.string(),
  leadId: z.string(),
  campaignId: z.string(),
  ownerId: z.string(),
  amountJpy: z.number().int().optional(),
  expectedCloseDate: z.string().optional(),
  stage: z.string().optional(),
  status: z.enum(DEAL_STATUSES),
  closedAt: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
});
export type Deal = z.infer<typeof DealSchema>;

export const ConversionSchema = z.object({
  deal: DealSchema,
  account: AccountSchema,
  lead: z.object({ leadId: z.string(), stage: z.enum(LEAD_STAGES), accountId: z.string(), dealIds: z.array(z.string()), version: z.number().int() }),
  notificationId: z.string().optional(),
});

export const DealPatchSchema = z
  .strictObject({
    name: text(200).min(1).optional(),
    stage: text(100).min(1).optional(),
    amountJpy: yen.nullable().optional(),
    expectedCloseDate: isoDate.nullable().optional(),
    /** won (受注) and lost (失注) close the deal; open reopens a closed one. */
    status: z.enum(DEAL_STATUSES).optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((patch) => Object.keys(patch).some((k) => k !== 'version'), { message: 'nothing to change' });
export type DealPatch = z.infer<typeof DealPatchSchema>;

export const DealIdParams = z.object({ dealId: idParam });
export const DealListQuery = z.strictObject({
  ownerId: z.union([z.literal('me'), idParam]).optional(),
  status: z.enum(DEAL_STATUSES).optional(),
  campaignId: idParam.optional(),
  limit: limitParam,
  cursor: cursorParam,
});
export type DealListQuery = z.infer<typeof DealListQuery>;
export const DealPage = paginated(DealSchema);

export const AccountIdParams = z.object({ accountId: idParam });
export const AccountListQuery = z.strictObject({
  /** A prefix of the name, ignoring width, case, spaces and legal forms (株式会社, (株), ㈱ …). */
  name: text(200).min(1).optional(),
  limit: limitParam,
  cursor: cursorParam,
});
export type AccountListQuery = z.infer<typeof AccountListQuery>;
export const AccountPage = paginated(AccountSchema);

export const ContactSchema = z.object({
  leadId: z.string(),
  name: z.string(),
  company: z.string().optional(),
  department: z.string().optional(),
  title: z.string().optional(),
  email: z.string().optional(),
  stage: z.enum(LEAD_STAGES),
  ownerId: z.string().optional(),
});

export const AccountDetailSchema = AccountSchema.extend({
  contacts: z.array(ContactSchema),
  deals: z.array(DealSchema),
});
