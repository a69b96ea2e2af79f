import { ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { batchGet, getItem, keyString, type Item } from '../table/client';
import { allShards, keys } from '../table/keys';
import { READ_BEHIND_AN_INDEX, ReadBudget } from '../table/queries';
import { instantOfDateOrTime, japanDayEnd, japanDayStart } from '../text/japan-time';
import { shardedQuery, type ShardedPosition } from '../table/sharded-query';
import { normaliseCompany, normaliseEmail, normaliseName } from '../text/normalize';
import { leadHasLookupKey, type LookupKey } from './lookups';
import { configuredMatchMode, matchKeyOf } from './match-key';
import { campaignCounts } from './campaign-count';
import { canSee, getLead, getLeads, toMembership } from './repository';
import { isErasedOrErasing } from './tombstone';
import { extraOfItem, listedLeadFromItem, type Lead, type ListedLead } from './model';
import { rememberNames, rememberedNames } from '../users/display-names';
import type { LeadListQuery } from './list-query';

const NEXT_ACTION_ORDER = keys.leadNextActionOrderAttribute;

/**
 * GET /leads: the lead list with the seed product's search conditions. The most selective condition picks the
 * index (members of a campaign → GSI5v2; sort by last action → GSI7; name prefix or sort by name → GSI6; owner and
 * stage → GSI2; owner → GSI1; stage → GSI3; otherwise every lead by recency → GSI4); every other condition filters
 * that index query on the server. A list request never scans the table.
 *
 * An agent's list always comes from its own owner partitions (GSI1, or GSI2 with stages): the shared indexes would
 * make it wade through everyone's leads to find its own. Sorted by name or last action, or limited to a campaign's
 * members, its own leads are read whole and ordered in memory, which the read budget bounds.
 *
 * No page reads more than one read budget (lib/table/queries.ts): a selective filter gets a short page and a
 * cursor that resumes where the read stopped.
 *
 * The exact look-ups (`email`, `phone`) take no other condition and use no list index: see lookUpLeads.
 */

interface Plan {
  index: 'gsi1' | 'gsi2' | 'gsi3' | 'gsi4' | 'gsi5' | 'gsi6' | 'gsi7' | 'gsi8' | 'gsi9';
  partitions: string[];
  descending: boolean;
  sortPrefix?: string;
  /** Conditions on the items the index returns (leads, or campaign histories for GSI5v2, which holds only the lead id and their own conditions). */
  clauses: string[];
  names: Record<string, string>;
  values: Item;
  /** The caller's own leads, read whole and put in this order in memory (see above). */
  order?: 'name' | 'lastActionAt' | 'campaign';
}

/** `owner=me|unassigned|<id>` as an owner id (undefined = unassigned), or absent when no owner was asked for. */
function ownerOf(query: LeadListQuery, caller: Caller): { given: boolean; ownerId?: string } {
  // An agent's lists are always its own, whatever it asks for.
  if (caller.role === 'agent') return { given: true, ownerId: caller.userId };
  if (query.owner === undefined) return { given: false };
  if (query.owner === 'me') return { given: true, ownerId: caller.userId };
  if (query.owner === 'unassigned') return { given: true, ownerId: undefined };
  return { given: true, ownerId: query.owner };
}

// Last-action dates are stored in UTC; the list's dates are days in Japan, where the users are (lib/text/japan-time.ts).

export function planLeadQuery(query: LeadListQuery, caller: Caller): Plan {
  const owner = ownerOf(query, caller);
  const stages = query.stage ?? [];
  const shards = allShards();
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Item = {};
  const add = (clause: string, attributes: Record<string, string>, vals: Item) => {
    clauses.push(clause);
    Object.assign(names, attributes);
    Object.assign(values, vals);
  };

  if (query.sort === 'nextActionAt' && !query.campaignId) {
    // Only leads with a next action are in these indexes (sparse): every lead's (GSI8) or one owner's (GSI9).
    const byOwner = owner.given && owner.ownerId !== undefined;
    addLeadClauses(query, owner, add, { owner: byOwner, stage: false });
    const partitions = byOwner ? shards.map((s) => keys.leadsByOwnerNextActionPartition(owner.ownerId!, s)) : shards.map((s) => keys.leadsByNextActionPartition(s));
    return { index: byOwner ? 'gsi9' : 'gsi8', partitions, descending: false, clauses, names, values };
  }

  if (caller.role === 'agent') {
    addLeadClauses(query, owner, add, { owner: true, stage: stages.length > 0 });
    const order = query.campaignId ? 'campaign' : query.sort === 'name' ? 'name' : query.sort === 'lastActionAt' ? 'lastActionAt' : undefined;
    const partitions =
      stages.length > 0
        ? stages.flatMap((stage) => shards.map((s) => keys.leadsByOwnerStagePartition(owner.ownerId, stage, s)))
        : shards.map((s) => keys.leadsByOwnerPartition(owner.ownerId, s));
    return { index: stages.length > 0 ? 'gsi2' : 'gsi1', partitions, descending: true, clauses, names, values, ...(order ? { order } : {}) };
  }

  if (query.campaignId) {
    // Campaign histories first: their own conditions filter GSI5v2 (which holds them); lead conditions apply after the leads are read.
    if (query.invited !== undefined) add('#invited = :invited', { '#invited': 'invited' }, { ':invited': query.invited });
    if (query.responded !== undefined) add('#responded = :responded', { '#responded': 'responded' }, { ':responded': query.responded });
    if (query.followStatus) {
      add(`#follow IN (${query.followStatus.map((_, i) => `:f${i}`).join(', ')})`, { '#follow': 'followStatus' }, Object.fromEntries(query.followStatus.map((f, i) => [`:f${i}`, f])));
    }
    if (query.arisenFrom) add('#arisen >= :arisenFrom', { '#arisen': 'arisenOn' }, { ':arisenFrom': query.arisenFrom });
    if (query.arisenTo) add('#arisen <= :arisenTo', { '#arisen': 'arisenOn' }, { ':arisenTo': query.arisenTo });
    return { index: 'gsi5', partitions: shards.map((s) => keys.campaignMembersPartition(query.campaignId!, s)), descending: true, clauses, names, values };
  }

  if (query.sort === 'lastActionAt') {
    addLeadClauses(query, owner, add, { owner: false, stage: false });
    return { index: 'gsi7', partitions: shards.map((s) => keys.leadsByLastActionPartition(s)), descending: true, clauses, names, values };
  }
  if (query.sort === 'name' || (query.name && !owner.given && stages.length === 0)) {
    const prefix = query.name ? normaliseName(query.name) : undefined;
    addLeadClauses(query, owner, add, { owner: false, stage: false });
    return { index: 'gsi6', partitions: shards.map((s) => keys.leadsByNamePartition(s)), descending: false, sortPrefix: prefix, clauses, names, values };
  }
  addLeadClauses(query, owner, add, { owner: owner.given, stage: stages.length > 0 });
  if (owner.given && stages.length > 0) {
    const partitions = stages.flatMap((stage) => shards.map((s) => keys.leadsByOwnerStagePartition(owner.ownerId, stage, s)));
    return { index: 'gsi2', partitions, descending: true, clauses, names, values };
  }
  if (owner.given) return { index: 'gsi1', partitions: shards.map((s) => keys.leadsByOwnerPartition(owner.ownerId, s)), descending: true, clauses, names, values };
  if (stages.length > 0) {
    return { index: 'gsi3', partitions: stages.flatMap((stage) => shards.map((s) => keys.leadsByStagePartition(stage, s))), descending: true, clauses, names, values };
  }
  return { index: 'gsi4', partitions: shards.map((s) => keys.leadsRecentPartition(s)), descending: true, clauses, names, values };
}

/**
 * Conditions on lead attributes the chosen index does not hold in its key, for a filter expression. Owner and stage
 * are in the key of GSI1/GSI2/GSI3 and are not filtered again there: a filter makes every read of the page read
 * ahead (lib/table/queries.ts), so a condition that drops nothing would only cost reads. Behind GSI6 (name) and
 * GSI7 (last action) they filter.
 */
function addLeadClauses(
  query: LeadListQuery,
  owner: { given: boolean; ownerId?: string },
  add: (clause: string, names: Record<string, string>, values: Item) => void,
  inKey: { owner: boolean; stage: boolean },
): void {
  if (owner.given && !inKey.owner) {
    if (owner.ownerId) add('#owner = :owner', { '#owner': 'ownerId' }, { ':owner': owner.ownerId });
    else add('attribute_not_exists(#owner)', { '#owner': 'ownerId' }, {});
  }
  if (query.stage && !inKey.stage) add(`#stage IN (${query.stage.map((_, i) => `:s${i}`).join(', ')})`, { '#stage': 'stage' }, Object.fromEntries(query.stage.map((s, i) => [`:s${i}`, s])));
  if (query.ownerTeam) add('#team = :team', { '#team': 'ownerTeam' }, { ':team': query.ownerTeam });
  if (query.lastActionResult) add('#lar = :lar', { '#lar': 'lastActionResult' }, { ':lar': query.lastActionResult });
  if (query.lastActionFrom) add('#la >= :laFrom', { '#la': 'lastActionAt' }, { ':laFrom': japanDayStart(query.lastActionFrom) });
  if (query.lastActionTo) add('#la < :laTo', { '#la': 'lastActionAt' }, { ':laTo': japanDayEnd(query.lastActionTo) });
  // The next action's sort key begins with its due instant, which the lead's nextActionAt (a date or an instant, as
  // the task has it) does not compare by.
  if (query.nextActionFrom) add('#na >= :naFrom', { '#na': NEXT_ACTION_ORDER }, { ':naFrom': japanDayStart(query.nextActionFrom) });
  if (query.nextActionTo) add('#na < :naTo', { '#na': NEXT_ACTION_ORDER }, { ':naTo': japanDayEnd(query.nextActionTo) });
  if (query.name) add('begins_with(#nameKey, :nameKey)', { '#nameKey': 'nameKey' }, { ':nameKey': normaliseName(query.name) });
  if (query.company) add('begins_with(#companyKey, :companyKey)', { '#companyKey': 'companyKey' }, { ':companyKey': normaliseCompany(query.company) });
  if (query.product) add('contains(#products, :product)', { '#products': 'products' }, { ':product': query.product });
  if (query.industry) add('#industry = :industry', { '#industry': 'industry' }, { ':industry': query.industry });
  if (query.department) add('contains(#department, :department)', { '#department': 'department' }, { ':department': query.department });
}

/** In-memory twin of addLeadClauses, for leads read behind campaign histories. */
function leadMatches(lead: Item, query: LeadListQuery, owner: { given: boolean; ownerId?: string }): boolean {
  // Campaign histories of an erased lead stay (the campaign's counts are exact), but the lead is in no list.
  if (lead.erased === true) return false;
  if (owner.given && lead.ownerId !== owner.ownerId) return false;
  if (query.stage && !query.stage.includes(lead.stage as never)) return false;
  if (query.ownerTeam && lead.ownerTeam !== query.ownerTeam) return false;
  if (query.lastActionResult && lead.lastActionResult !== query.lastActionResult) return false;
  const lastActionAt = lead.lastActionAt as string | undefined;
  if (query.lastActionFrom && !(lastActionAt && lastActionAt >= japanDayStart(query.lastActionFrom))) return false;
  if (query.lastActionTo && !(lastActionAt && lastActionAt < japanDayEnd(query.lastActionTo))) return false;
  const nextAction = lead.nextActionAt === undefined ? undefined : instantOfDateOrTime(String(lead.nextActionAt));
  if (query.nextActionFrom && !(nextAction && nextAction >= japanDayStart(query.nextActionFrom))) return false;
  if (query.nextActionTo && !(nextAction && nextAction < japanDayEnd(query.nextActionTo))) return false;
  if (query.name && !String(lead.nameKey ?? '').startsWith(normaliseName(query.name))) return false;
  if (query.company && !String(lead.companyKey ?? '').startsWith(normaliseCompany(query.company))) return false;
  if (query.product && !String(lead.products ?? '').includes(query.product)) return false;
  if (query.industry && lead.industry !== query.industry) return false;
  if (query.department && !String(lead.department ?? '').includes(query.department)) return false;
  return true;
}

/** In-memory twin of the campaign-history conditions that filter GSI5v2. */
function historyMatches(history: Item, query: LeadListQuery): boolean {
  if (query.invited !== undefined && history.invited !== query.invited) return false;
  if (query.responded !== undefined && history.responded !== query.responded) return false;
  if (query.followStatus && !query.followStatus.includes(history.followStatus as never)) return false;
  if (query.arisenFrom && !(String(history.arisenOn) >= query.arisenFrom)) return false;
  if (query.arisenTo && !(String(history.arisenOn) <= query.arisenTo)) return false;
  return true;
}

export interface LeadListPage {
  /**
   * `extra`, the lead's extra (survey) columns, only when asked for (an export); no list page shows them.
   * `campaignSet`, the lead's campaign set as the page read it (null: it has none), when the page read it already.
   */
  items: { lead: ListedLead; followStatus?: string; extra?: Record<string, string>; campaignSet?: Item | null }[];
  position?: ShardedPosition;
}

export interface LeadListOptions {
  /** Each item with its lead's extra columns, which cost a list page their unpacking (./model.ts). */
  withExtra?: boolean;
  /**
   * For the list screen (listItems): where the page reads its leads by key (a campaign's members), their campaign
   * sets come in the same batch read, and the page's extras need one round trip less.
   */
  withCampaignSets?: boolean;
}

/** A list item of the lead behind an index or table item, with its extra columns when they are asked for. */
const entryOf = (item: Item, options: LeadListOptions): { lead: ListedLead; extra?: Record<string, string> } =>
  options.withExtra ? { lead: listedLeadFromItem(item), extra: extraOfItem(item) } : { lead: listedLeadFromItem(item) };

/** At most this many index pages to fill one list page when leads behind campaign histories are filtered out. */
const MAX_ROUNDS = 5;

/**
 * One page of the list. `budget` bounds the reads of this page; a caller that reads page after page (an export, an
 * assignment by filter) passes one budget for all of them and stops when it is spent.
 */
export async function findLeads(query: LeadListQuery, caller: Caller, position?: ShardedPosition, budget = new ReadBudget(), options: LeadListOptions = {}): Promise<LeadListPage> {
  if (query.email !== undefined || query.phone !== undefined) return lookUpLeads(query, caller, position, budget, options);
  const plan = planLeadQuery(query, caller);
  const filter = plan.clauses.length ? { expression: plan.clauses.join(' AND '), names: plan.names, values: plan.values } : undefined;
  const read = (limit: number, at?: ShardedPosition) =>
    shardedQuery<Item>({ index: plan.index, partitions: plan.partitions, descending: plan.descending, limit, sortPrefix: plan.sortPrefix, filter, position: at, budget });

  if (plan.order) return ownLeadsInOrder(plan.order, query, position, budget, read, options);

  if (plan.index !== 'gsi5') {
    const page = await read(query.limit, position);
    return { items: page.items.map((item) => entryOf(item, options)), position: page.position };
  }

  // Members of a campaign: histories in order, then their leads, filtered on the lead's own conditions.
  const owner = ownerOf(query, caller);
  const items: LeadListPage['items'] = [];
  let at = position;
  for (let round = 0; round < MAX_ROUNDS && items.length < query.limit; round++) {
    const page = await read(query.limit - items.length, at);
    const leadIds = page.items.map((h) => h.leadId as string);
    const sets = options.withCampaignSets ? leadIds.map((leadId) => keys.leadCampaigns(leadId)) : [];
    const found = await batchGet<Item>([...leadIds.map((leadId) => keys.lead(leadId)), ...sets], READ_BEHIND_AN_INDEX);
    budget.spend(page.items.length);
    for (const history of page.items) {
      const leadId = history.leadId as string;
      const lead = found.get(keyString(keys.lead(leadId)));
      if (!lead || !leadMatches(lead, query, owner)) continue;
      const campaignSet = options.withCampaignSets ? { campaignSet: found.get(keyString(keys.leadCampaigns(leadId))) ?? null } : {};
      items.push({ ...entryOf(lead, options), followStatus: toMembership(history).followStatus, ...campaignSet });
    }
    at = page.position;
    if (!at || budget.exhausted) break;
  }
  return { items, position: at };
}

/** Found by a look-up, and the caller may have it: not erased, visible to it (an agent: its own), still holding the key. */
const foundFor = (caller: Caller, lead: ListedLead, holds: (lead: ListedLead) => boolean): boolean => !isErasedOrErasing(lead) && canSee(caller, lead) && holds(lead);

/**
 * GET /leads?email= and ?phone=: the exact look-ups (api.md). Where the dedupe key is the e-mail, `email` is one read
 * of its LEADKEY claim and one of the lead. Otherwise (a phone; an e-mail where the key is e-mail + name) the lead's
 * look-up entries on GSI4 name the leads (./lookups.ts), read by key. A lead the caller may not see is simply not
 * found, as an erased one is; a page reads at most `limit` entries a round, within the read budget.
 */
async function lookUpLeads(query: LeadListQuery, caller: Caller, position: ShardedPosition | undefined, budget: ReadBudget, options: LeadListOptions): Promise<LeadListPage> {
  // The look-ups read whole leads by key: their extra columns are there already.
  const listed = (lead: Lead) => (options.withExtra ? { lead, extra: lead.extra } : { lead });
  if (query.email !== undefined && configuredMatchMode() === 'email') {
    const email = query.email;
    const claim = await getItem<{ leadId: string }>(keys.leadMatchKey(matchKeyOf({ email }, 'email')!));
    const found = claim ? await getLead(claim.leadId) : undefined;
    const holds = (lead: ListedLead) => lead.email !== undefined && normaliseEmail(lead.email) === email;
    return { items: found && foundFor(caller, found.lead, holds) ? [listed(found.lead)] : [] };
  }
  const key: LookupKey = query.phone !== undefined ? { kind: 'PHONE', value: query.phone } : { kind: 'EMAIL', value: query.email! };
  const partitions = [keys.leadsByLookupPartition(key.kind, key.value)];
  const items: LeadListPage['items'] = [];
  let at = position;
  for (let round = 0; round < MAX_ROUNDS && items.length < query.limit; round++) {
    const page = await shardedQuery<Item>({ index: 'gsi4', partitions, descending: false, limit: query.limit - items.length, position: at, budget });
    const leads = await getLeads(page.items.map((entry) => entry.leadId as string));
    budget.spend(page.items.length);
    for (const entry of page.items) {
      const lead = leads.get(entry.leadId as string);
      if (lead && foundFor(caller, lead, (l) => leadHasLookupKey(l, key))) items.push(listed(lead));
    }
    at = page.position;
    if (!at || budget.exhausted) break;
  }
  return { items, position: at };
}

/**
 * The caller's own leads, all of them (within the read budget), in the order asked for; the position is the sort
 * value of the last lead handed out. Every page reads the whole set again: it is one owner's, and bounded.
 */
async function ownLeadsInOrder(
  order: NonNullable<Plan['order']>,
  query: LeadListQuery,
  position: ShardedPosition | undefined,
  budget: ReadBudget,
  read: (limit: number, at?: ShardedPosition) => Promise<{ items: Item[]; position?: ShardedPosition }>,
  options: LeadListOptions,
): Promise<LeadListPage> {
  const found: Item[] = [];
  let at: ShardedPosition | undefined;
  do {
    const page = await read(1000, at);
    found.push(...page.items);
    at = page.position;
    if (at && budget.exhausted) {
      throw new ValidationError(`this list holds more of your leads than can be put in this order (${budget.items}); narrow it by stage, name or company, or sort by update`, [
        { path: 'query', message: 'too many leads to order' },
      ]);
    }
  } while (at);

  let entries = found.map((item) => ({ ...entryOf(item, options), followStatus: undefined as string | undefined, sortValue: '' }));
  if (order === 'campaign') {
    const histories = await batchGet<Item>(entries.map(({ lead }) => keys.membership(lead.leadId, query.campaignId!)), READ_BEHIND_AN_INDEX);
    budget.spend(entries.length);
    entries = entries.flatMap((entry) => {
      const history = histories.get(keyString(keys.membership(entry.lead.leadId, query.campaignId!)));
      if (!history || !historyMatches(history, query)) return [];
      return [{ ...entry, followStatus: toMembership(history).followStatus, sortValue: keys.campaignMemberOrder(String(history.arisenOn), entry.lead.leadId) }];
    });
  } else {
    for (const entry of entries) {
      entry.sortValue =
        order === 'name' ? keys.leadNameOrder(normaliseName(entry.lead.name), entry.lead.leadId) : keys.leadLastActionOrder(entry.lead.lastActionAt, entry.lead.leadId);
    }
  }
  // The indexes' own directions: names ascending; last action and campaign members newest first.
  const ascending = order === 'name';
  entries.sort((a, b) => (a.sortValue < b.sortValue ? -1 : a.sortValue > b.sortValue ? 1 : 0) * (ascending ? 1 : -1));
  const after = position?.after?.sortValue as string | undefined;
  const start = after === undefined ? 0 : entries.findIndex((e) => (ascending ? e.sortValue > after : e.sortValue < after));
  const rest = start < 0 ? [] : entries.slice(start);
  const page = rest.slice(0, query.limit);
  const more = rest.length > page.length;
  return {
    items: page.map(({ lead, followStatus, extra }) => ({ lead, ...(followStatus ? { followStatus } : {}), ...(extra ? { extra } : {}) })),
    position: more ? { after: { sortValue: page[page.length - 1]!.sortValue } } : undefined,
  };
}

/** When the lead's next action is due, on a lead that carries it (set by the lead's tasks). */
const nextActionOf = (lead: ListedLead): string | undefined => (lead as ListedLead & { nextActionAt?: unknown }).nextActionAt as string | undefined;

/**
 * What the list screen shows for each lead: the lead's summary, its owner's name, its counts. The page's extras are
 * one batch read, whatever its size: the owners not read in the last minute (each once), the deals of converted
 * leads (their current status) and the leads' campaign sets (./campaign-count.ts), eventually consistent as the index
 * the page came from is.
 */
export async function listItems(page: LeadListPage) {
  const ownerIds = page.items.map((i) => i.lead.ownerId).filter((id): id is string => Boolean(id));
  // Owners' names a minute old are good enough for the owner column (lib/users/display-names.ts).
  const { names: owners, unknown } = rememberedNames(ownerIds);
  const leadIds = page.items.map((i) => i.lead.leadId);
  const setsRead = new Map(page.items.flatMap((i) => (i.campaignSet === undefined ? [] : [[i.lead.leadId, i.campaignSet ?? undefined] as const])));
  const found = await batchGet<Item>([
    ...unknown.map((id) => keys.user(id)),
    ...page.items.flatMap((i) => (i.lead.dealIds ?? []).map((dealId) => keys.deal(dealId))),
    ...leadIds.filter((leadId) => !setsRead.has(leadId)).map((leadId) => keys.leadCampaigns(leadId)),
  ], READ_BEHIND_AN_INDEX);
  const read = new Map(unknown.map((id) => [id, (found.get(keyString(keys.user(id)))?.name as string | undefined) ?? null]));
  rememberNames(read);
  for (const [id, name] of read) owners.set(id, name);
  const campaignCount = await campaignCounts(leadIds, (leadId) => (setsRead.has(leadId) ? setsRead.get(leadId) : found.get(keyString(keys.leadCampaigns(leadId)))));
  const dealCounts = (lead: ListedLead) => {
    const statuses = (lead.dealIds ?? []).map((dealId) => found.get(keyString(keys.deal(dealId)))?.status);
    return { openDeals: statuses.filter((s) => s === 'open').length, wonDeals: statuses.filter((s) => s === 'won').length };
  };
  return page.items.map(({ lead, followStatus }) => ({
    leadId: lead.leadId,
    name: lead.name,
    ...(lead.company ? { company: lead.company } : {}),
    // The contact fields: a rep works a call list from the list alone (api.md, "lead list item").
    ...(lead.department ? { department: lead.department } : {}),
    ...(lead.title ? { title: lead.title } : {}),
    ...(lead.email ? { email: lead.email } : {}),
    ...(lead.phone ? { phone: lead.phone } : {}),
    ...(lead.mobile ? { mobile: lead.mobile } : {}),
    ...(lead.ngActions ? { ngActions: lead.ngActions } : {}),
    ...(lead.classification ? { classification: lead.classification } : {}),
    stage: lead.stage,
    ...(lead.ownerId ? { ownerId: lead.ownerId, ownerName: owners.get(lead.ownerId) ?? undefined } : {}),
    ...(lead.ownerTeam ? { ownerTeam: lead.ownerTeam } : {}),
    ...(followStatus ? { followStatus } : {}),
    ...(lead.lastActionAt ? { lastActionAt: lead.lastActionAt } : {}),
    ...(lead.lastActionResult ? { lastActionResult: lead.lastActionResult } : {}),
    ...(nextActionOf(lead) ? { nextActionAt: nextActionOf(lead) } : {}),
    counts: { campaigns: campaignCount.get(lead.leadId) ?? 0, ...dealCounts(lead) },
    updatedAt: lead.updatedAt,
    version: lead.version,
  }));
}
