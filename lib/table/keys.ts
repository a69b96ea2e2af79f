/**
 * The only place that builds key values. Handlers and repositories never write `'USER#' + id` themselves.
 *
 * Lead lists are written in bursts (an import creates thousands of leads a second, all `new` and unassigned), and a
 * single index partition key value takes at most ~1,000 writes/s. So every lead-list index key carries a shard
 * suffix derived from the lead id; a list query reads all shards in parallel and merges them in order
 * (lib/table/sharded-query.ts). The shard count is part of the key format: changing it needs a backfill.
 */

import { indexAttributes } from './attributes';

export const LEAD_LIST_SHARDS = 8;

export type Key = { PK: string; SK: string };

/** FNV-1a over the id: stable, cheap, and evenly spread for ULIDs. */
export function shardOf(id: string, shards = LEAD_LIST_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

export const allShards = (shards = LEAD_LIST_SHARDS): number[] => Array.from({ length: shards }, (_, i) => i);

/** Owner value used in index keys for a lead nobody owns yet. */
export const UNASSIGNED = '-';

/**
 * How the table's partition keys begin, by what the partition holds. Every table key below starts with one of
 * these; the cloud stack limits each API function to the partitions its routes touch (IAM's dynamodb:LeadingKeys,
 * infra/route-group-grants.ts), so a new kind of partition needs a grant before any function can use it.
 */
export const PARTITION_PREFIXES = {
  /** A user, its notifications and their unread counter. */
  user: 'USER#',
  userEmail: 'USEREMAIL#',
  /** A campaign, its metric counters and its intake lock. */
  campaign: 'CAMPAIGN#',
  /** A lead, its campaign histories, its actions, its tasks and its history events. */
  lead: 'LEAD#',
  leadMatchKey: 'LEADKEY#',
  /** A person erased on request, by a keyed hash of their dedupe key. */
  erasedMatchKey: 'ERASEDKEY#',
  /** An assignment operation and its plan. */
  assignment: 'ASSIGNMENT#',
  assignmentRotation: 'ASSIGNROTATION#',
  deal: 'DEAL#',
  /** An account, its contacts and its deal links. */
  account: 'ACCOUNT#',
  accountName: 'ACCOUNTNAME#',
  /** An import, its row notes and the assignments an update list made. */
  import: 'IMPORT#',
  importObject: 'IMPORTOBJECT#',
  export: 'EXPORT#',
  /** A replayed write's first answer and its parts. */
  idempotency: 'IDEMPOTENCY#',
  /** A user's activity counters, one item per day in Japan, and the leads it touched each day. */
  userStats: 'USERSTATS#',
} as const;

export type PartitionKind = keyof typeof PARTITION_PREFIXES;

/** What a lead's look-up entry is keyed by: a phone key (E.164) or a normalised e-mail. */
export type LookupKind = 'PHONE' | 'EMAIL';

export const keys = {
  // --- users -------------------------------------------------------------------------------------------------
  user: (userId: string): Key => ({ PK: `${PARTITION_PREFIXES.user}${userId}`, SK: 'USER' }),
  /** The user's partition: the user, its notifications and their unread counter. */
  userPartition: (userId: string) => `${PARTITION_PREFIXES.user}${userId}`,
  /** The user's own settings (GET and PATCH /me/preferences: the morning digest's channels, the weekly report's), beside the user. */
  userPreferences: (userId: string): Key => ({ PK: `${PARTITION_PREFIXES.user}${userId}`, SK: 'PREFERENCES' }),
  /** Uniqueness guard: one user per normalised e-mail; also answers "which user has this e-mail?". */
  userEmail: (normalisedEmail: string): Key => ({ PK: `${PARTITION_PREFIXES.userEmail}${normalisedEmail}`, SK: 'USEREMAIL' }),
  /** GSI1: all users in id order. */
  usersIndex: (userId: string) => ({ GSI1PK: 'USERS', GSI1SK: userId }),
  usersPartition: 'USERS',

  // --- campaigns -----------------------------------------------------------------------------------------------
  campaign: (campaignId: string): Key => ({ PK: `${PARTITION_PREFIXES.campaign}${campaignId}`, SK: 'CAMPAIGN' }),
  /** Counters for the campaign's metrics, kept apart from the campaign so edits and counters never contend. */
  campaignMetrics: (campaignId: string): Key => ({ PK: `${PARTITION_PREFIXES.campaign}${campaignId}`, SK: 'METRICS' }),
  /**
   * Held by the one list import of this campaign that may write its campaign histories right now: imports of one
   * campaign take turns, which lets them write histories with plain batch writes (lib/intake/register-list.ts).
   */
  campaignIntakeLock: (campaignId: string): Key => ({ PK: `${PARTITION_PREFIXES.campaign}${campaignId}`, SK: 'INTAKELOCK' }),
  /** GSI1: all campaigns, newest first (ULIDs sort by creation time). */
  campaignsIndex: (campaignId: string) => ({ GSI1PK: 'CAMPAIGNS', GSI1SK: campaignId }),
  campaignsPartition: 'CAMPAIGNS',
  /** GSI2: campaigns with a given status, newest first. */
  campaignsByStatusIndex: (status: string, campaignId: string) => ({ GSI2PK: `CAMPAIGNS#${status}`, GSI2SK: campaignId }),
  campaignsByStatusPartition: (status: string) => `CAMPAIGNS#${status}`,

  // --- leads ---------------------------------------------------------------------------------------------------
  lead: (leadId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: 'LEAD' }),
  /** The lead's partition: the lead, its campaign histories, its actions and its history events. */
  leadPartition: (leadId: string) => `${PARTITION_PREFIXES.lead}${leadId}`,
  /** Uniqueness guard for dedupe (名寄せ): one lead per match key, claimed with a conditional write. */
  leadMatchKey: (matchKey: string): Key => ({ PK: `${PARTITION_PREFIXES.leadMatchKey}${matchKey}`, SK: 'LEADKEY' }),
  /**
   * A person erased on request (個人情報の消去), remembered by a keyed one-way hash of their dedupe key only: a later
   * list row with the same key is rejected instead of creating them again, and nothing here names them.
   */
  erasedMatchKey: (erasedKeyHash: string): Key => ({ PK: `${PARTITION_PREFIXES.erasedMatchKey}${erasedKeyHash}`, SK: 'ERASEDKEY' }),
  /** Campaign history (キャンペーン履歴): one item per lead × campaign, stored with the lead. */
  membership: (leadId: string, campaignId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: `CAMPAIGN#${campaignId}` }),
  /** Sort keys of a lead's campaign histories. */
  membershipPrefix: 'CAMPAIGN#',
  /**
   * The campaigns the lead has a history of, as a set of campaign ids beside its histories (lib/leads/campaign-count.ts):
   * the list's campaign count without counting the histories. Its sort key does not begin with membershipPrefix.
   */
  leadCampaigns: (leadId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: 'CAMPAIGNS' }),
  action: (leadId: string, actionId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: `ACTION#${actionId}` }),

  /** GSI1: leads of one owner (or unassigned), most recently updated first. */
  leadsByOwnerIndex: (ownerId: string | undefined, shard: number, updatedAt: string, leadId: string) => ({
    GSI1PK: `LEADS#OWNER#${ownerId ?? UNASSIGNED}#${shard}`,
    GSI1SK: `${updatedAt}#${leadId}`,
  }),
  leadsByOwnerPartition: (ownerId: string | undefined, shard: number) => `LEADS#OWNER#${ownerId ?? UNASSIGNED}#${shard}`,
  /** GSI2: leads of one owner in one stage. */
  leadsByOwnerStageIndex: (ownerId: string | undefined, stage: string, shard: number, updatedAt: string, leadId: string) => ({
    GSI2PK: `LEADS#OWNER#${ownerId ?? UNASSIGNED}#STAGE#${stage}#${shard}`,
    GSI2SK: `${updatedAt}#${leadId}`,
  }),
  leadsByOwnerStagePartition: (ownerId: string | undefined, stage: string, shard: number) =>
    `LEADS#OWNER#${ownerId ?? UNASSIGNED}#STAGE#${stage}#${shard}`,
  /** GSI3: leads in one stage, any owner. */
  leadsByStageIndex: (stage: string, shard: number, updatedAt: string, leadId: string) => ({
    GSI3PK: `LEADS#STAGE#${stage}#${shard}`,
    GSI3SK: `${updatedAt}#${leadId}`,
  }),
  leadsByStagePartition: (stage: string, shard: number) => `LEADS#STAGE#${stage}#${shard}`,
  /** GSI4: every lead, most recently updated first. */
  leadsRecentIndex: (shard: number, updatedAt: string, leadId: string) => ({
    GSI4PK: `LEADS#ALL#${shard}`,
    GSI4SK: `${updatedAt}#${leadId}`,
  }),
  leadsRecentPartition: (shard: number) => `LEADS#ALL#${shard}`,
  /** GSI5v2 (keys GSI5PK/GSI5SK): members of a campaign (from the campaign-history item), by the date the lead arose. */
  campaignMembersIndex: (campaignId: string, shard: number, arisenOn: string, leadId: string) => ({
    GSI5PK: `MEMBERS#${campaignId}#${shard}`,
    GSI5SK: `${arisenOn}#${leadId}`,
  }),
  campaignMembersPartition: (campaignId: string, shard: number) => `MEMBERS#${campaignId}#${shard}`,
  /**
   * GSI1 (on the campaign-history item): the histories of one owner's leads, by campaign. It answers "is one of this
   * owner's leads a member of this campaign?" and "which campaigns have one?" without reading the campaign's members
   * or the owner's leads: agents see only such campaigns. Sharded by lead id like the lead lists, because an
   * assignment of thousands of leads to one owner moves their histories into this owner's partition at once.
   */
  ownedMembershipsIndex: (ownerId: string, shard: number, campaignId: string, leadId: string) => ({
    GSI1PK: `MEMBERSHIPS#OWNER#${ownerId}#${shard}`,
    GSI1SK: `${campaignId}#${leadId}`,
  }),
  ownedMembershipsPartition: (ownerId: string, shard: number) => `MEMBERSHIPS#OWNER#${ownerId}#${shard}`,
  /** The sort keys of one campaign's histories in an owner's partition. */
  ownedMembershipsOfCampaignPrefix: (campaignId: string) => `${campaignId}#`,
  /** The attributes a history drops when its lead has no owner. */
  ownedMembershipsAttributes: indexAttributes('gsi1'),
  /**
   * GSI10 (on the campaign-history item): one owner's responses not yet followed by an action, by when the lead
   * responded (the work queue's "responded recently"). The partition key comes with the lead's owner (set where the
   * owner is, see lib/leads/memberships.ts), the sort key with the response, and the first action on the history
   * removes the sort key: a history is in this index only while it has both.
   */
  respondedByOwnerKey: (ownerId: string, shard: number) => ({ GSI10PK: `RESPONDED#${ownerId}#${shard}` }),
  respondedOrderKey: (respondedAt: string, leadId: string) => ({ GSI10SK: `${respondedAt}#${leadId}` }),
  respondedByOwnerPartition: (ownerId: string, shard: number) => `RESPONDED#${ownerId}#${shard}`,
  respondedByOwnerAttribute: indexAttributes('gsi10')[0],
  respondedOrderAttribute: indexAttributes('gsi10')[1],
  /** GSI6: leads by normalised name: prefix search and alphabetical order. */
  leadsByNameIndex: (shard: number, normalisedName: string, leadId: string) => ({
    GSI6PK: `LEADS#NAME#${shard}`,
    GSI6SK: `${normalisedName}#${leadId}`,
  }),
  leadsByNamePartition: (shard: number) => `LEADS#NAME#${shard}`,
  /** GSI7: leads by last action; `0` for none, so those sort after every acted-on lead, newest first. */
  leadsByLastActionIndex: (shard: number, lastActionAt: string | undefined, leadId: string) => ({
    GSI7PK: `LEADS#ACTION#${shard}`,
    GSI7SK: `${lastActionAt ?? '0'}#${leadId}`,
  }),
  leadsByLastActionPartition: (shard: number) => `LEADS#ACTION#${shard}`,
  /**
   * GSI8 and GSI9: leads by their next action (the due instant of their earliest open task), every lead's and one
   * owner's; a lead without an open task is in neither. The key the lead's task writes move.
   */
  leadNextActionKeys: (ownerId: string | undefined, shard: number, dueInstant: string, leadId: string) => ({
    GSI8PK: `LEADS#NEXT#${shard}`,
    GSI8SK: `${dueInstant}#${leadId}`,
    ...(ownerId === undefined ? {} : { GSI9PK: `LEADS#NEXT#OWNER#${ownerId}#${shard}`, GSI9SK: `${dueInstant}#${leadId}` }),
  }),
  leadsByNextActionPartition: (shard: number) => `LEADS#NEXT#${shard}`,
  leadsByOwnerNextActionPartition: (ownerId: string, shard: number) => `LEADS#NEXT#OWNER#${ownerId}#${shard}`,
  /** The attributes a lead drops when it has no open task left. */
  leadNextActionAttributes: [...indexAttributes('gsi8'), ...indexAttributes('gsi9')],
  /** The attribute holding where a lead sorts by next action (`{due instant}#{leadId}`), for list filters on it. */
  leadNextActionOrderAttribute: indexAttributes('gsi8')[1],
  /**
   * GSI10: one owner's leads it has not acted on since they were given to it, by when they were given (the queue's
   * "never acted on", the morning digest's untouched leads). A lead leaves it with its owner's first action.
   */
  leadsUntouchedIndex: (ownerId: string, shard: number, since: string, leadId: string) => ({
    GSI10PK: `LEADS#UNTOUCHED#${ownerId}#${shard}`,
    GSI10SK: `${since}#${leadId}`,
  }),
  leadsUntouchedPartition: (ownerId: string, shard: number) => `LEADS#UNTOUCHED#${ownerId}#${shard}`,
  leadUntouchedAttributes: indexAttributes('gsi10'),
  /**
   * Where a lead sorts in GSI6, GSI7 and GSI5v2, to order in memory what those indexes order: an agent's list comes
   * from its own partitions whatever order it asks for.
   */
  leadNameOrder: (normalisedName: string, leadId: string) => keys.leadsByNameIndex(0, normalisedName, leadId).GSI6SK,
  leadLastActionOrder: (lastActionAt: string | undefined, leadId: string) => keys.leadsByLastActionIndex(0, lastActionAt, leadId).GSI7SK,
  campaignMemberOrder: (arisenOn: string, leadId: string) => keys.campaignMembersIndex('', 0, arisenOn, leadId).GSI5SK,
  /**
   * The index keys that move when a lead changes owner (and so its updatedAt): both keys of GSI1 and GSI2, the sort
   * keys of GSI3 and GSI4. An owner change writes only these; the name and last-action indexes stay as they are.
   */
  leadOwnerChangeKeys: (ownerId: string | undefined, stage: string, shard: number, updatedAt: string, leadId: string) => {
    const byOwner = keys.leadsByOwnerIndex(ownerId, shard, updatedAt, leadId);
    const byOwnerStage = keys.leadsByOwnerStageIndex(ownerId, stage, shard, updatedAt, leadId);
    return { ...byOwner, ...byOwnerStage, GSI3SK: `${updatedAt}#${leadId}`, GSI4SK: `${updatedAt}#${leadId}` };
  },

  /**
   * A look-up entry of the lead (GET /leads?phone=, and ?email= where the dedupe key is e-mail + name): one small item
   * per phone key (or e-mail) in the lead's partition, carrying the index key below. A lead with a phone and a mobile
   * has two; they move in the same write as the lead when the number changes, and erasure deletes them.
   */
  leadLookup: (leadId: string, kind: LookupKind, value: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: `LOOKUP#${kind}#${value}` }),
  leadLookupPrefix: 'LOOKUP#',
  /** GSI4 (on the look-up entry): the leads with one phone key (or e-mail), by lead id. Not sharded: a
   *  number (even a company's switchboard) is not written by thousands of leads a second, as the lead lists are. */
  leadsByLookupIndex: (kind: LookupKind, value: string, leadId: string) => ({ GSI4PK: `LOOKUP#${kind}#${value}`, GSI4SK: leadId }),
  leadsByLookupPartition: (kind: LookupKind, value: string) => `LOOKUP#${kind}#${value}`,
  /**
   * A task (ToDo) on the lead, stored with it so an owner change can move the lead's open tasks in its own
   * transaction. `leadTaskRevision` is the lead item's attribute every task write bumps: an owner change is
   * conditional on it, so a task written between its read and its write makes it read again.
   */
  task: (leadId: string, taskId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: `TASK#${taskId}` }),
  taskPrefix: 'TASK#',
  /**
   * GSI1: one assignee's tasks of one status, by due instant (a date counts as the start of its day in Japan). An
   * open task's partition is the work list; closing a task moves it to the partition of its new status.
   */
  tasksByAssigneeIndex: (status: string, assigneeId: string, dueInstant: string, taskId: string) => ({
    GSI1PK: `TASKS#${status}#${assigneeId}`,
    GSI1SK: `${dueInstant}#${taskId}`,
  }),
  tasksByAssigneePartition: (status: string, assigneeId: string) => `TASKS#${status}#${assigneeId}`,

  /** The lead's history (who assigned or handed it over, when, from whom, to whom), oldest first. */
  leadEvent: (leadId: string, at: string, eventId: string): Key => ({ PK: `${PARTITION_PREFIXES.lead}${leadId}`, SK: `EVENT#${at}#${eventId}` }),
  leadEventPrefix: 'EVENT#',
  /**
   * GSI1 (on hand-over and conversion events): one person's hand-overs and conversions, by when they happened. The
   * activity recount counts these (lib/stats/recount.ts), as the campaign recount counts a campaign's actions.
   */
  leadEventsByActorIndex: (actorId: string, at: string, eventId: string) => ({ GSI1PK: `LEADEVENTS#${actorId}`, GSI1SK: `${at}#${eventId}` }),
  leadEventsByActorPartition: (actorId: string) => `LEADEVENTS#${actorId}`,

  // --- assignment ----------------------------------------------------------------------------------------------
  /** One assignment operation (POST /leads/assign): its plan, progress and result. */
  assignment: (assignmentId: string): Key => ({ PK: `${PARTITION_PREFIXES.assignment}${assignmentId}`, SK: 'ASSIGNMENT' }),
  /** The planned moves of an operation, in parts of at most ASSIGNMENT_PLAN_PART leads. */
  assignmentPlan: (assignmentId: string, part: number): Key => ({ PK: `${PARTITION_PREFIXES.assignment}${assignmentId}`, SK: `PLAN#${String(part).padStart(4, '0')}` }),
  assignmentPlanPrefix: 'PLAN#',
  assignmentPartition: (assignmentId: string) => `${PARTITION_PREFIXES.assignment}${assignmentId}`,
  /** GSI2 (sparse): operations not yet finished, oldest first; the dispatcher finishes those left behind by a crash. */
  unfinishedAssignmentsIndex: (createdAt: string, assignmentId: string) => ({ GSI2PK: 'ASSIGNMENTS#UNFINISHED', GSI2SK: `${createdAt}#${assignmentId}` }),
  unfinishedAssignmentsPartition: 'ASSIGNMENTS#UNFINISHED',
  /** The attributes an operation drops to leave the unfinished index. */
  unfinishedAssignmentsAttributes: indexAttributes('gsi2'),
  /** Where round robin over one set of owners starts next time, so no owner is always dealt the first lead. */
  assignmentRotation: (ownerSetKey: string): Key => ({ PK: `${PARTITION_PREFIXES.assignmentRotation}${ownerSetKey}`, SK: 'ASSIGNROTATION' }),

  // --- notifications -------------------------------------------------------------------------------------------
  /** In-app notification (通知), stored with its user; ids are time-ordered, so newest first is a reverse query. */
  notification: (userId: string, notificationId: string): Key => ({ PK: `${PARTITION_PREFIXES.user}${userId}`, SK: `NOTIFICATION#${notificationId}` }),
  notificationPrefix: 'NOTIFICATION#',
  /** Marks that an unread notification's expiry was counted off the unread count (a stream record comes at least once). */
  notificationExpired: (userId: string, notificationId: string): Key => ({ PK: `USER#${userId}`, SK: `EXPIRED#${notificationId}` }),
  /** The user's unread count, kept by the same writes that add or read notifications. */
  notificationCounter: (userId: string): Key => ({ PK: `${PARTITION_PREFIXES.user}${userId}`, SK: 'NOTIFICATIONS' }),
  /** GSI2 (sparse): the outbox, e-mails still to send, by when the next attempt is due. */
  outboxIndex: (nextAttemptAt: string, userId: string, notificationId: string) => ({ GSI2PK: 'OUTBOX', GSI2SK: `${nextAttemptAt}#${userId}#${notificationId}` }),
  outboxPartition: 'OUTBOX',
  /** The attributes a notification drops to leave the outbox. */
  outboxAttributes: indexAttributes('gsi2'),

  // --- actions (アクション) ---------------------------------------------------------------------------------------
  // The action item itself is keys.action(leadId, actionId), stored with its lead.
  /** GSI1: one person's actions (GET /actions?actorId=), by when they happened. `at` is UTC ISO, so it sorts. */
  actionsByActorIndex: (actorId: string, at: string, actionId: string) => ({ GSI1PK: `ACTIONS#${actorId}`, GSI1SK: `${at}#${actionId}` }),
  actionsByActorPartition: (actorId: string) => `ACTIONS#${actorId}`,
  /** GSI3: the actions logged for one campaign, by when they happened (the metrics recount counts these). */
  actionsByCampaignIndex: (campaignId: string, at: string, actionId: string) => ({ GSI3PK: `ACTIONS#CAMPAIGN#${campaignId}`, GSI3SK: `${at}#${actionId}` }),
  actionsByCampaignPartition: (campaignId: string) => `ACTIONS#CAMPAIGN#${campaignId}`,
  actionPrefix: 'ACTION#',

  // --- deals and accounts (案件・取引先) ------------------------------------------------------------------------
  deal: (dealId: string): Key => ({ PK: `${PARTITION_PREFIXES.deal}${dealId}`, SK: 'DEAL' }),
  /** GSI1: deals of one main owner (案件主担当), newest first (deal ids are ULIDs). */
  dealsByOwnerIndex: (ownerId: string, dealId: string) => ({ GSI1PK: `DEALS#OWNER#${ownerId}`, GSI1SK: dealId }),
  dealsByOwnerPartition: (ownerId: string) => `DEALS#OWNER#${ownerId}`,
  /** GSI2: deals with one status (open / won / lost), newest first; the three together are every deal. */
  dealsByStatusIndex: (status: string, dealId: string) => ({ GSI2PK: `DEALS#STATUS#${status}`, GSI2SK: dealId }),
  dealsByStatusPartition: (status: string) => `DEALS#STATUS#${status}`,
  /** GSI4: deals whose source is one campaign, newest first. */
  dealsByCampaignIndex: (campaignId: string, dealId: string) => ({ GSI4PK: `DEALS#CAMPAIGN#${campaignId}`, GSI4SK: dealId }),
  dealsByCampaignPartition: (campaignId: string) => `DEALS#CAMPAIGN#${campaignId}`,

  account: (accountId: string): Key => ({ PK: `${PARTITION_PREFIXES.account}${accountId}`, SK: 'ACCOUNT' }),
  accountPartition: (accountId: string) => `${PARTITION_PREFIXES.account}${accountId}`,
  /** A contact of the account (取引先担当者): a lead converted into it. */
  accountContact: (accountId: string, leadId: string): Key => ({ PK: `${PARTITION_PREFIXES.account}${accountId}`, SK: `CONTACT#${leadId}` }),
  accountContactPrefix: 'CONTACT#',
  /** A deal of the account; the deal itself stays at keys.deal(dealId). */
  accountDeal: (accountId: string, dealId: string): Key => ({ PK: `${PARTITION_PREFIXES.account}${accountId}`, SK: `DEAL#${dealId}` }),
  accountDealPrefix: 'DEAL#',
  /**
   * Claimed when the first account with a normalised name is created: two conversions creating the same new company
   * at once cannot both do so unless one asked for it (`force`).
   */
  accountName: (normalisedName: string): Key => ({ PK: `${PARTITION_PREFIXES.accountName}${normalisedName}`, SK: 'ACCOUNTNAME' }),
  /** GSI3: accounts by normalised name (width, case, spaces and legal forms ignored): prefix search. */
  accountsByNameIndex: (normalisedName: string, accountId: string) => ({ GSI3PK: 'ACCOUNTS#NAME', GSI3SK: `${normalisedName}#${accountId}` }),
  accountsByNamePartition: 'ACCOUNTS#NAME',

  // --- imports -------------------------------------------------------------------------------------------------
  import: (importId: string): Key => ({ PK: `${PARTITION_PREFIXES.import}${importId}`, SK: 'IMPORT' }),
  /** GSI1: imports of one campaign, newest first. */
  importsByCampaignIndex: (campaignId: string | undefined, importId: string) => ({
    GSI1PK: `IMPORTS#${campaignId ?? '-'}`,
    GSI1SK: importId,
  }),
  importsByCampaignPartition: (campaignId: string) => `IMPORTS#${campaignId}`,
  /** GSI2: every import, newest first (also those whose key named no campaign). */
  importsIndex: (importId: string) => ({ GSI2PK: 'IMPORTS', GSI2SK: importId }),
  importsPartition: 'IMPORTS',
  /** The import's partition: the record, its row notes and the assignments an update list made. */
  importPartition: (importId: string) => `${PARTITION_PREFIXES.import}${importId}`,
  /** Which import an uploaded object (bucket, key, version) belongs to: the same S3 event twice is one import. */
  importObject: (bucket: string, key: string, version: string): Key => ({ PK: `${PARTITION_PREFIXES.importObject}${bucket}/${key}#${version}`, SK: 'IMPORTOBJECT' }),
  /** Leads an update list gave to one owner in one chunk: the import's notifications are built from these. */
  importAssignments: (importId: string, ownerId: string, firstRow: number): Key => ({
    PK: `${PARTITION_PREFIXES.import}${importId}`,
    SK: `ASSIGNED#${ownerId}#${String(firstRow).padStart(8, '0')}`,
  }),
  importAssignmentsPrefix: 'ASSIGNED#',
  /** A row of an import that needs reporting (rejected, or merged into an earlier row), by row number. */
  importRow: (importId: string, rowNumber: number): Key => ({ PK: `${PARTITION_PREFIXES.import}${importId}`, SK: `ROW#${String(rowNumber).padStart(8, '0')}` }),
  importRowPrefix: 'ROW#',

  // --- exports -------------------------------------------------------------------------------------------------
  export: (exportId: string): Key => ({ PK: `${PARTITION_PREFIXES.export}${exportId}`, SK: 'EXPORT' }),

  // --- activity statistics (the manager's view) ----------------------------------------------------------------
  /**
   * A user's activity counters of one day in Japan (actions by channel and result, effective calls, leads touched,
   * first touches and their durations, hand-overs, conversions, won deals), moved by the writes they count in the
   * same transaction. A period is a query of the user's partition over the days' sort keys.
   */
  userStatsDay: (userId: string, day: string): Key => ({ PK: `${PARTITION_PREFIXES.userStats}${userId}`, SK: `DAY#${day}` }),
  userStatsPartition: (userId: string) => `${PARTITION_PREFIXES.userStats}${userId}`,
  /** The sort keys of a user's counter days from `from` to `to`, both included (`YYYY-MM-DD`). */
  userStatsDays: (from: string, to: string): [string, string] => [`DAY#${from}`, `DAY#${to}`],
  /** That the user touched this lead on this day: the day's leadsTouched counts each lead once. */
  leadTouchedMarker: (userId: string, day: string, leadId: string): Key => ({ PK: `${PARTITION_PREFIXES.userStats}${userId}`, SK: `TOUCHED#${day}#${leadId}` }),

  // --- idempotency ---------------------------------------------------------------------------------------------
  /** A write's first answer, replayed for 24 h to a retry with the same Idempotency-Key from the same caller. */
  idempotency: (callerId: string, scope: string, idempotencyKey: string): Key => ({
    PK: keys.idempotencyPartition(callerId, scope, idempotencyKey),
    SK: 'IDEMPOTENCY',
  }),
  idempotencyPartition: (callerId: string, scope: string, idempotencyKey: string) => `${PARTITION_PREFIXES.idempotency}${callerId}#${scope}#${idempotencyKey}`,
  /** A part of a large first answer, beside its record (see lib/http/idempotency.ts). */
  idempotencyPart: (record: Key, part: number): Key => ({ PK: record.PK, SK: `PART#${String(part).padStart(4, '0')}` }),
  idempotencyPartPrefix: 'PART#',
};

/** Entity names stored in every item's `entity` attribute (not `type`: campaigns have a `type` of their own). */
export const ENTITY = {
  user: 'User',
  userEmail: 'UserEmail',
  userPreferences: 'UserPreferences',
  campaign: 'Campaign',
  campaignMetrics: 'CampaignMetrics',
  campaignIntakeLock: 'CampaignIntakeLock',
  lead: 'Lead',
  leadMatchKey: 'LeadMatchKey',
  leadLookup: 'LeadLookup',
  erasedMatchKey: 'ErasedMatchKey',
  membership: 'CampaignMembership',
  leadCampaigns: 'LeadCampaigns',
  action: 'Action',
  leadEvent: 'LeadEvent',
  task: 'Task',
  assignment: 'Assignment',
  assignmentPlan: 'AssignmentPlan',
  assignmentRotation: 'AssignmentRotation',
  notification: 'Notification',
  notificationCounter: 'NotificationCounter',
  notificationExpired: 'NotificationExpired',
  importAssignments: 'ImportAssignments',
  import: 'Import',
  importObject: 'ImportObject',
  importRow: 'ImportRow',
  export: 'Export',
  deal: 'Deal',
  account: 'Account',
  accountName: 'AccountName',
  accountContact: 'AccountContact',
  accountDeal: 'AccountDeal',
  idempotency: 'Idempotency',
  idempotencyPart: 'IdempotencyPart',
  userStats: 'UserStats',
  leadTouched: 'LeadTouched',
} as const;
