import { ENTITY, keys, shardOf } from '../table/keys';
import { withoutTableAttributes } from '../table/attributes';
import type { Item } from '../table/client';
import { instantOfDateOrTime } from '../text/japan-time';
import { normaliseCompany, normaliseName } from '../text/normalize';
import { packExtra, packMemo, unpackExtra, unpackMemo } from './packed-text';

/** Lead stages (リードステージ), product.md. */
export const LEAD_STAGES = ['new', 'working', 'disqualified', 'recycle', 'handed_over', 'converted'] as const;
export type LeadStage = (typeof LEAD_STAGES)[number];

/** Stages whose work is over: converted, handed over, disqualified. Such a lead has no open task and is in no queue. */
const CLOSED_STAGES: readonly LeadStage[] = ['converted', 'handed_over', 'disqualified'];
export const isClosedStage = (stage: LeadStage): boolean => CLOSED_STAGES.includes(stage);

/** The lead's own data, as api.md names it. Optional text fields are absent rather than empty. */
export interface Lead {
  leadId: string;
  name: string;
  nameKana?: string;
  email?: string;
  company?: string;
  department?: string;
  title?: string;
  phone?: string;
  mobile?: string;
  industry?: string;
  employeeSize?: string;
  classification?: string;
  products?: string;
  stage: LeadStage;
  stageReason?: string;
  ownerId?: string;
  ownerTeam?: string;
  memo?: string;
  lastActionAt?: string;
  lastActionResult?: string;
  /**
   * The lead's next action: when its earliest open task is due (that task's `dueAt`, a date or an instant). Every
   * task write keeps it (lib/leads/lead-tasks.ts); absent when the lead has no open task.
   */
  nextActionAt?: string;
  /** When the lead was last given to its owner (assignment, hand-over, an update list, creation by its owner). */
  assignedAt?: string;
  accountId?: string;
  /** 予算 / 導入時期 / 購買における役割 / 影響度 / 検討段階. */
  qualification?: { budget?: string; timeline?: string; purchaseRole?: string; influence?: string; considerationStage?: string };
  /** Approaches the person declined: no e-mail, no call, no DM, no visit. */
  ngActions?: ('no_email' | 'no_call' | 'no_dm' | 'no_visit')[];
  /** Columns of the uploaded list that are not lead fields: label → text. */
  extra: Record<string, string>;
  /** The dedupe key this lead holds (see lib/leads/match-key.ts). */
  matchKey: string;
  /** Deals made from this lead by conversion (案件化); today at most one, as conversion happens once. */
  dealIds?: string[];
  /**
   * Where the lead came from: the campaign and import that created it, or `by: 'hand'` for one entered by hand
   * (POST /leads: an inbound call, a web inquiry), with the campaign it responded to if any.
   */
  source?: { campaignId?: string; importId?: string; by?: 'hand' };
  /**
   * Erased on request (個人情報の消去, lib/erasure/): the lead is an anonymous tombstone, kept so its stage and the
   * counters that counted it stay true. `erasure` is set while the erasure is under way (it blocks every other write).
   */
  erased?: boolean;
  erasedAt?: string;
  /** The admin who asked for it. */
  erasedBy?: string;
  erasure?: { requestedAt: string; requestedBy: string };
  createdAt: string;
  updatedAt: string;
  version: number;
}

/**
 * Whether the lead waits for its owner's first touch: owned, still worked (not closed), and not acted on since it
 * was given to its owner (a lead from before assignedAt was recorded: never acted on at all).
 */
export function isUntouched(lead: ListedLead): boolean {
  if (lead.ownerId === undefined || isClosedStage(lead.stage) || lead.erased) return false;
  if (lead.lastActionAt === undefined) return true;
  return lead.assignedAt !== undefined && lead.lastActionAt < lead.assignedAt;
}

/** The keys of the next-action indexes (GSI8, GSI9 when owned), for a lead with an open task. */
export const nextActionKeys = (lead: ListedLead): Item =>
  lead.nextActionAt === undefined ? {} : keys.leadNextActionKeys(lead.ownerId, shardOf(lead.leadId), instantOfDateOrTime(lead.nextActionAt), lead.leadId);

/** Since when an untouched lead has waited for its owner: when it was given to it, or created (older leads). */
export const untouchedSince = (lead: ListedLead): string => lead.assignedAt ?? lead.createdAt;

/** The key of its owner's untouched leads (GSI10), for a lead that waits for its first touch. */
const untouchedKeys = (lead: ListedLead): Item =>
  isUntouched(lead) ? keys.leadsUntouchedIndex(lead.ownerId!, shardOf(lead.leadId), untouchedSince(lead), lead.leadId) : {};

/** The index keys of every list the lead appears in; they follow its owner, stage, name, last action and updatedAt. */
export function leadIndexKeys(lead: ListedLead): Item {
  // An erased lead is in no list: nobody works it again, and the name index would keep a copy of the name.
  if (lead.erased) return {};
  const shard = shardOf(lead.leadId);
  return {
    ...keys.leadsByOwnerIndex(lead.ownerId, shard, lead.updatedAt, lead.leadId),
    ...keys.leadsByOwnerStageIndex(lead.ownerId, lead.stage, shard, lead.updatedAt, lead.leadId),
    ...keys.leadsByStageIndex(lead.stage, shard, lead.updatedAt, lead.leadId),
    ...keys.leadsRecentIndex(shard, lead.updatedAt, lead.leadId),
    ...keys.leadsByNameIndex(shard, normaliseName(lead.name), lead.leadId),
    ...keys.leadsByLastActionIndex(shard, lead.lastActionAt, lead.leadId),
    ...nextActionKeys(lead),
    ...untouchedKeys(lead),
  };
}

/** A lead as it is first created (from a list row or a form): stage new, nobody's, version 1. */
export function newLead(input: {
  leadId: string;
  fields: Omit<Lead, 'leadId' | 'stage' | 'extra' | 'matchKey' | 'source' | 'createdAt' | 'updatedAt' | 'version'>;
  extra: Record<string, string>;
  matchKey: string;
  source?: Lead['source'];
  at: string;
}): Lead {
  return {
    leadId: input.leadId,
    ...input.fields,
    stage: 'new',
    extra: input.extra,
    matchKey: input.matchKey,
    ...(input.source ? { source: input.source } : {}),
    createdAt: input.at,
    updatedAt: input.at,
    version: 1,
  };
}

/**
 * What an owner change writes on the lead item beside owner and version (an update, not a put): the index keys that
 * follow owner and updatedAt (keys.leadOwnerChangeKeys), the owner's next-action and untouched indexes, and
 * assignedAt. The attributes to remove are those of indexes the lead is no longer in.
 */
export function leadOwnerIndexChanges(lead: ListedLead): { set: Item; remove: string[] } {
  return {
    set: {
      ...keys.leadOwnerChangeKeys(lead.ownerId, lead.stage, shardOf(lead.leadId), lead.updatedAt, lead.leadId),
      ...nextActionKeys(lead),
      ...untouchedKeys(lead),
      assignedAt: lead.assignedAt,
    },
    remove: isUntouched(lead) ? [] : keys.leadUntouchedAttributes,
  };
}

/** The lead as stored: the lead plus the index keys of every list it appears in. */
export function leadItem(lead: Lead): Item {
  return {
    ...keys.lead(lead.leadId),
    ...leadIndexKeys(lead),
    entity: ENTITY.lead,
    ...lead,
    // Packed when long (./packed-text.ts): every index holds a copy of the item, and no index reader needs them.
    extra: packExtra(lead.extra),
    ...(lead.memo !== undefined ? { memo: packMemo(lead.memo) } : {}),
    // Search keys: the list's name and company filters match ignoring width, case, spaces and legal forms.
    ...(lead.erased ? {} : { nameKey: normaliseName(lead.name) }),
    ...(lead.company ? { companyKey: normaliseCompany(lead.company) } : {}),
  };
}

/** Search keys derived from the lead, rebuilt on every write. */
const SEARCH_KEYS = ['nameKey', 'companyKey'] as const;
/**
 * Bookkeeping of the writes that touch a lead: the import row that last updated it, the operation that assigned it,
 * the revision of its tasks (lib/leads/lead-tasks.ts).
 */
const BOOKKEEPING = ['lastImportRow', 'assignmentId', 'taskRevision'] as const;

/**
 * The lead item's revision of its tasks, bumped by every task write (lib/leads/lead-tasks.ts). Every write of the whole
 * lead item keeps it: an owner change reads the lead's tasks only when it is there.
 */
export const TASK_REVISION_ATTRIBUTE = 'taskRevision';
export const taskRevisionKept = (item: Item): Item => (item[TASK_REVISION_ATTRIBUTE] !== undefined ? { [TASK_REVISION_ATTRIBUTE]: item[TASK_REVISION_ATTRIBUTE] } : {});

/**
 * The stored item for `next`, written over `previous` (the item as read): index keys recomputed from `next`, and the
 * bookkeeping of the stored item (such as `lastImportRow`) kept as it was.
 */
export function leadItemReplacing(previous: Item, next: Lead): Item {
  const kept = Object.fromEntries(BOOKKEEPING.filter((attribute) => previous[attribute] !== undefined).map((attribute) => [attribute, previous[attribute]]));
  return { ...kept, ...leadItem(next) };
}

/**
 * The lead given to `owner` (assignment, hand-over, an update list's リード担当者): owner and team from the user, the
 * team dropped when the new owner has none, and a new version at `at`. The caller writes it its own way.
 */
export function withOwner<L extends ListedLead>(lead: L, owner: { userId: string; team?: string }, at: string): L {
  const next: L = { ...lead, ownerId: owner.userId, assignedAt: at, updatedAt: at, version: lead.version + 1 };
  if (owner.team) next.ownerTeam = owner.team;
  else delete next.ownerTeam;
  return next;
}

/** A lead as a list reads it: everything but its extra columns, which no list shows (nor any filter reads). */
export type ListedLead = Omit<Lead, 'extra'>;

/**
 * Leaves the extra columns out, packed or not: unpacking a dozen survey answers takes about 27 µs, so a list page that
 * reads 80 index items would spend 2 ms on columns it never shows.
 */
export function listedLeadFromItem(item: Item): ListedLead {
  const lead = withoutTableAttributes<ListedLead>(item, ...SEARCH_KEYS, ...BOOKKEEPING, 'extra');
  // The memo is not in the list, but the export and the hand-over mail that read these leads carry it.
  return item.memo !== undefined ? { ...lead, memo: unpackMemo(item.memo) } : lead;
}

/** The extra columns of a lead item, packed or not: what listedLeadFromItem leaves out, for a reader that needs them. */
export const extraOfItem = (item: Item): Record<string, string> => unpackExtra(item.extra);

export function leadFromItem(item: Item): Lead {
  const lead = withoutTableAttributes<Lead>(item, ...SEARCH_KEYS, ...BOOKKEEPING);
  return { ...lead, extra: unpackExtra(item.extra), ...(item.memo !== undefined ? { memo: unpackMemo(item.memo) } : {}) };
}

/** Campaign history (キャンペーン履歴): one per lead × campaign. */
export const FOLLOW_STATUSES = ['not_started', 'in_progress', 'done'] as const;
export type FollowStatus = (typeof FOLLOW_STATUSES)[number];

export interface CampaignMembership {
  leadId: string;
  campaignId: string;
  invited: boolean;
  responded: boolean;
  followStatus: FollowStatus;
  arisenOn: string;
  completedOn?: string;
  lastActionResult?: string;
  lastActionAt?: string;
}

/**
 * A campaign history as list intake first writes it: this list's flag set (with the import row that set it, and the
 * row that first reached the person), the other flag not (yet), follow-up not started. Listed among the campaign's
 * members (GSI5v2) by the date the lead arose.
 */
export function newMembershipItem(input: { leadId: string; campaignId: string; flag: 'invited' | 'responded'; marker: string; arisenOn: string; at: string }): Item {
  const other = input.flag === 'invited' ? 'responded' : 'invited';
  return {
    ...keys.membership(input.leadId, input.campaignId),
    ...keys.campaignMembersIndex(input.campaignId, shardOf(input.leadId), input.arisenOn, input.leadId),
    entity: ENTITY.membership,
    leadId: input.leadId,
    campaignId: input.campaignId,
    [input.flag]: true,
    [`${input.flag}By`]: input.marker,
    [other]: false,
    reachedBy: input.marker,
    // A response waits for its owner's action (the work queue's "responded recently", keys.respondedOrderKey).
    ...(input.flag === 'responded' ? { respondedAt: input.at, ...keys.respondedOrderKey(input.at, input.leadId) } : {}),
    arisenOn: input.arisenOn,
    followStatus: 'not_started',
    createdAt: input.at,
    updatedAt: input.at,
  };
}
