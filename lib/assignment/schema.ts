import * as z from 'zod';
import { idParam } from '../schema/params';
import { LeadFilterSchema } from '../leads/schema';

/** POST /leads/assign and POST /leads/{leadId}/handover over HTTP. */

/** One operation assigns at most this many leads (a 10,000-lead campaign list in one call, with room to spare). */
export const MAX_LEADS_PER_ASSIGNMENT = 20_000;
export const MAX_OWNERS_PER_ASSIGNMENT = 200;

/** `erased`: the person asked to be erased (個人情報の消去); the tombstone is nobody's to work. */
export const SKIP_REASONS = ['not_found', 'erased', 'converted', 'already_owned'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * Two forms, told apart by their fields: `{ leadIds, ownerId }` gives those leads to one owner;
 * `{ filter, ownerIds, strategy }` deals the leads the lead-list filter finds among several owners.
 */
export const AssignRequestSchema = z
  .strictObject({
    leadIds: z.array(idParam).min(1).max(MAX_LEADS_PER_ASSIGNMENT).optional(),
    ownerId: idParam.optional(),
    /** The conditions of GET /leads, as query-string values (e.g. `{ "campaignId": "…", "owner": "unassigned" }`). */
    filter: LeadFilterSchema.optional(),
    ownerIds: z.array(idParam).min(1).max(MAX_OWNERS_PER_ASSIGNMENT).optional(),
    strategy: z.enum(['round_robin', 'balanced']).optional(),
    /** Answer with the planned distribution and change nothing. */
    dryRun: z.boolean().default(false),
  })
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (body.leadIds && body.filter) issue('filter', 'give either leadIds with ownerId, or filter with ownerIds and strategy, not both');
    else if (body.leadIds) {
      if (!body.ownerId) issue('ownerId', 'required with leadIds');
      if (body.ownerIds) issue('ownerIds', 'use ownerId with leadIds');
      if (body.strategy) issue('strategy', 'a strategy applies to a filter with several owners');
    } else if (body.filter) {
      if (!body.ownerIds) issue('ownerIds', 'required with filter');
      if (!body.strategy) issue('strategy', 'required with filter: round_robin or balanced');
      if (body.ownerId) issue('ownerId', 'use ownerIds with filter');
    } else issue('leadIds', 'give leadIds with ownerId, or filter with ownerIds and strategy');
  });
export type AssignRequest = z.infer<typeof AssignRequestSchema>;

export const AssignmentResultSchema = z.object({
  assignmentId: z.string().optional(),
  dryRun: z.boolean(),
  strategy: z.enum(['round_robin', 'balanced']).optional(),
  /** Leads that changed owner (or, in a dry run, would). */
  assigned: z.number().int(),
  owners: z.array(
    z.object({
      ownerId: z.string(),
      name: z.string(),
      count: z.number().int(),
      /** Present in a dry run: exactly which leads each owner would get. */
      leadIds: z.array(z.string()).optional(),
    }),
  ),
  skipped: z.array(z.object({ leadId: z.string(), reason: z.enum(SKIP_REASONS) })),
});
export type AssignmentResult = z.infer<typeof AssignmentResultSchema>;

export const HandoverRequestSchema = z.strictObject({
  ownerId: idParam,
  note: z.string().trim().min(1).max(2000).optional(),
  /** The lead version the caller saw; when given, a lead changed since is a 409. */
  version: z.number().int().min(1).optional(),
});
export type HandoverRequest = z.infer<typeof HandoverRequestSchema>;

