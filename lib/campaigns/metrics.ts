import * as z from 'zod';
import { cursorParam, idParam } from '../schema/params';
import { batchGet, getItem, keyString, type Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import { txUpdate, type TransactionWrite } from '../table/transaction';
import { CAMPAIGN_STATUSES, type Campaign } from './schema';

/**
 * Campaign effectiveness (キャンペーンの効果測定, seed 000 §2.1.2).
 *
 * Counters live on CAMPAIGN#{id}/METRICS and are moved by the writes that change them, in the same transaction:
 * list intake (invited, responded, invitedResponded, newLeads, knownLeads), actions (actions), conversion (deals) and
 * deal edits (wonDeals, wonAmountJpy). Reading them is one GetItem. Everything else is derived on read from the
 * counters and the campaign (budget, actual cost, targets), by the pure function below.
 *
 * invitedResponded counts the histories that are both invited and responded (the invited who came); it moves with
 * the write that sets a history's second flag. Walk-ins (came, not invited) are responded − invitedResponded, so
 * they need no counter of their own, and participation is invitedResponded / invited, which cannot pass 1.
 */

export const COUNTER_NAMES = ['invited', 'responded', 'invitedResponded', 'newLeads', 'knownLeads', 'actions', 'deals', 'wonDeals', 'wonAmountJpy'] as const;
export type CounterName = (typeof COUNTER_NAMES)[number];
export type Counters = Record<CounterName, number>;

export const emptyCounters = (): Counters => Object.fromEntries(COUNTER_NAMES.map((n) => [n, 0])) as Counters;

const ratio = z.number().nullable();
export const MetricsSchema = z.object({
  campaignId: z.string(),
  invited: z.number().int(),
  responded: z.number().int(),
  invitedResponded: z.number().int().describe('invited and came'),
  walkIns: z.number().int().describe('came, not invited: responded − invitedResponded'),
  participationRate: ratio.describe('invitedResponded / invited, never above 1; null when nobody was invited'),
  newLeads: z.number().int(),
  knownLeads: z.number().int(),
  actions: z.number().int(),
  deals: z.number().int(),
  wonDeals: z.number().int(),
  wonAmountJpy: z.number().int(),
  budgetJpy: z.number().int().nullable(),
  actualCostJpy: z.number().int().nullable(),
  roi: ratio,
  costPerLeadJpy: z.number().int().nullable(),
  costPerDealJpy: z.number().int().nullable(),
  progress: z.object({ leads: ratio, actions: ratio, deals: ratio, wonDeals: ratio, wonAmountJpy: ratio }),
  recount: z
    .object({ counters: z.record(z.string(), z.number()), agrees: z.boolean(), differences: z.record(z.string(), z.object({ counter: z.number(), recount: z.number() })) })
    .optional(),
});
export type CampaignMetrics = z.infer<typeof MetricsSchema>;

export const MetricsQuery = z.strictObject({
  recount: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});

/** Ratios to 4 decimal places (0.3333), so that JSON stays readable and clients compare what they compute. */
const round4 = (value: number) => Math.round(value * 10_000) / 10_000;
/** A ratio, or null when the denominator is blank or zero: never Infinity or NaN. */
const share = (numerator: number, denominator: number | undefined): number | null =>
  denominator === undefined || denominator === 0 ? null : round4(numerator / denominator);
/** Yen per unit, rounded to whole yen; null when the cost is blank or there is nothing to divide by. */
const perUnit = (cost: number | undefined, units: number): number | null => (cost === undefined || units === 0 ? null : Math.round(cost / units));

/**
 * The metrics of a campaign from its counters.
 * - walkIns = responded − invitedResponded (came without an invitation);
 * - participationRate = invitedResponded / invited, the invited who came (null when nobody was invited);
 * - roi = (wonAmountJpy − actualCostJpy) / actualCostJpy (null when the actual cost is blank or 0);
 * - costPerLeadJpy = actualCostJpy / newLeads, the leads this campaign created (null when none, or no cost);
 * - costPerDealJpy = actualCostJpy / deals (null likewise);
 * - progress.x = actual / target for each target (leads against newLeads); null when there is no target (or it is 0).
 */
export function computeMetrics(campaign: Pick<Campaign, 'campaignId' | 'budgetJpy' | 'actualCostJpy' | 'targets'>, counters: Counters): CampaignMetrics {
  const cost = campaign.actualCostJpy;
  const targets = campaign.targets ?? {};
  return {
    campaignId: campaign.campaignId,
    invited: counters.invited,
    responded: counters.responded,
    invitedResponded: counters.invitedResponded,
    walkIns: counters.responded - counters.invitedResponded,
    participationRate: share(counters.invitedResponded, counters.invited),
    newLeads: counters.newLeads,
    knownLeads: counters.knownLeads,
    actions: counters.actions,
    deals: counters.deals,
    wonDeals: counters.wonDeals,
    wonAmountJpy: counters.wonAmountJpy,
    budgetJpy: campaign.budgetJpy ?? null,
    actualCostJpy: cost ?? null,
    roi: cost ? round4((counters.wonAmountJpy - cost) / cost) : null,
    costPerLeadJpy: perUnit(cost, counters.newLeads),
    costPerDealJpy: perUnit(cost, counters.deals),
    progress: {
      leads: share(counters.newLeads, targets.leads),
      actions: share(counters.actions, targets.actions),
      deals: share(counters.deals, targets.deals),
      wonDeals: share(counters.wonDeals, targets.wonDeals),
      wonAmountJpy: share(counters.wonAmountJpy, targets.wonAmountJpy),
    },
  };
}

/** The label of the counter write in a transaction. */
export const COUNTER_WRITE = 'campaignCounters';

/**
 * Moves the campaign's counters by `deltas`, for the transaction of the write that changes them (an import's chunk,
 * an action, a conversion, a deal edit): the counters are exact because they move with the change, or not at all.
 */
export function counterBump(campaignId: string, deltas: Partial<Counters>, now: Date): TransactionWrite {
  return txUpdate(COUNTER_WRITE, {
    key: keys.campaignMetrics(campaignId),
    changes: { set: { entity: ENTITY.campaignMetrics, campaignId, updatedAt: now.toISOString() }, add: deltas as Record<string, number> },
  });
}

/** Whether a bump would move anything (a transaction leaves out one that would not). */
export const movesCounters = (deltas: Partial<Counters>): boolean => Object.values(deltas).some((n) => n !== undefined && n !== 0);

const countersOf = (item: Item | undefined): Counters => {
  const counters = emptyCounters();
  for (const name of COUNTER_NAMES) if (typeof item?.[name] === 'number') counters[name] = item[name] as number;
  return counters;
};

export async function readCounters(campaignId: string): Promise<Counters> {
  return countersOf(await getItem<Item>(keys.campaignMetrics(campaignId)));
}

/** Several campaigns' counters in one batch read, by campaign id (a campaign nothing has counted yet reads zeros). */
export async function readCountersOf(campaignIds: string[]): Promise<Map<string, Counters>> {
  const found = await batchGet<Item>(campaignIds.map((id) => keys.campaignMetrics(id)));
  return new Map(campaignIds.map((id) => [id, countersOf(found.get(keyString(keys.campaignMetrics(id))))]));
}

/** How many campaigns one GET /campaigns/metrics compares at most. */
export const MAX_COMPARED_CAMPAIGNS = 100;

/** `ids=a,b,c` (each once, in the order given) or `status=active`: exactly one of them. */
export const CampaignsMetricsQuery = z
  .strictObject({
    ids: z
      .string()
      .max(MAX_COMPARED_CAMPAIGNS * 66)
      .transform((s) => [...new Set(s.split(',').map((v) => v.trim()).filter(Boolean))])
      .pipe(z.array(idParam).min(1).max(MAX_COMPARED_CAMPAIGNS))
      .optional()
      .describe(`campaign ids, comma-separated, at most ${MAX_COMPARED_CAMPAIGNS}`),
    status: z.enum(CAMPAIGN_STATUSES).optional().describe('every campaign with this status, newest first, a page at a time'),
    limit: z.coerce.number().int().min(1).max(MAX_COMPARED_CAMPAIGNS).default(MAX_COMPARED_CAMPAIGNS),
    cursor: cursorParam,
  })
  .superRefine((query, ctx) => {
    if ((query.ids === undefined) === (query.status === undefined)) ctx.addIssue({ code: 'custom', path: ['ids'], message: 'give either ids or status' });
    if (query.ids !== undefined && query.cursor !== undefined) ctx.addIssue({ code: 'custom', path: ['cursor'], message: 'pages are for status; ids answer in one page' });
  });
export type CampaignsMetricsQuery = z.infer<typeof CampaignsMetricsQuery>;

/** A campaign's metrics beside others: the one-campaign metrics, with the campaign's name and status. */
export const ComparedMetricsSchema = MetricsSchema.omit({ recount: true }).extend({ name: z.string(), status: z.enum(CAMPAIGN_STATUSES) });
export const ComparedMetricsPage = z.object({ items: z.array(ComparedMetricsSchema), nextCursor: z.string().nullable() });

/** Compares the stored counters with a recount. A recount reports; it does not overwrite the counters. */
export function compareCounters(stored: Counters, recounted: Counters): NonNullable<CampaignMetrics['recount']> {
  const differences: Record<string, { counter: number; recount: number }> = {};
  for (const name of COUNTER_NAMES) if (stored[name] !== recounted[name]) differences[name] = { counter: stored[name], recount: recounted[name] };
  return { counters: recounted, agrees: Object.keys(differences).length === 0, differences };
}
