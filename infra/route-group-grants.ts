import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { RouteGroup } from '../lib/http/route';
import { BUCKET_PREFIXES, type BucketPrefix } from '../lib/storage/layout';
import type { IndexKey } from '../lib/table/definition';
import type { PartitionKind } from '../lib/table/keys';
import type { ItemAction, Storage } from './storage';

/**
 * What each HTTP API function may touch: one entry per route group (functions/http/{group}.ts), read from the code
 * paths of its routes down to lib/table and lib/storage. Every grant below names those paths; a route that starts to
 * touch something new needs its line here first: test/integration/route-grants.test.ts drives every route on the
 * local stack, records each table call its group's handler makes and fails on one these grants would refuse (or on a
 * grant no call needs), and test/infra/stack.test.ts pins the synthesised policies, so any widening fails a test.
 * No group may Scan.
 *
 * Table access is per item action, on the table's items only, and only on partitions of the kinds named
 * (dynamodb:LeadingKeys, ForAllValues:StringLike on the prefixes of lib/table/keys.ts). IAM has no
 * TransactWriteItems action: a transaction is authorised by the Put/Update/Delete/ConditionCheck action of each of
 * its writes. Because it is not documented whether IAM judges a batch or a transaction item by item or as one set
 * of leading keys, every batch call and every transaction a group makes is covered by a single entry (same actions,
 * all of its partitions): it is allowed under either reading.
 *
 * Index queries carry no LeadingKeys condition. AWS defines dynamodb:LeadingKeys as the table's first key attribute,
 * its partition key ("Using IAM policy conditions for fine-grained access control", DynamoDB Developer Guide), and
 * documents it only with the table's own keys (or a local index, which shares them); a query on a global secondary
 * index names the index's partition key and no table key at all, so which value the condition would see there is not
 * documented. A condition that might deny every list, or (ForAllValues over an absent key) allow any, is not sound:
 * index queries are limited to the named indexes instead.
 */

export interface ItemGrant {
  actions: ItemAction[];
  partitions: PartitionKind[];
}

export interface RouteGroupGrants {
  /** Single-item and batch reads (Query here is a query of the table's own partitions). */
  reads?: ItemGrant;
  /** Writes; each transaction and batch call of the group within one entry (see above). */
  writes?: ItemGrant[];
  /** Indexes it queries. */
  queries?: IndexKey[];
  /** Its routes honour Idempotency-Key: the records of lib/http/idempotency.ts. */
  idempotencyRecords?: true;
  /** It pages: cursors are signed with the cursor secret (lib/http/cursor.ts). */
  cursorSecret?: true;
  /** It hashes dedupe keys of erased people with the erasure key (lib/leads/erased-key.ts). */
  erasureKey?: true;
  /** Object actions under bucket prefixes. The API only presigns: this is also all a browser can do with its URLs. */
  objects?: { get?: BucketPrefix[]; put?: BucketPrefix[] };
  /** Invokes the export worker asynchronously (lib/exports/invoke.ts). */
  startsExportWorker?: true;
}

/**
 * lib/http/idempotency.ts: the record is put, read, moved to done (GetItem, PutItem, UpdateItem) or deleted when the
 * request is refused (DeleteItem); a large first answer is written beside it in parts (BatchWriteItem) and read back by
 * a query of its partition (Query).
 * Never in a transaction or a batch with anything else, so it is an entry of its own.
 */
export const IDEMPOTENCY_RECORDS: ItemGrant = {
  actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query'],
  partitions: ['idempotency'],
};

/**
 * Every route except the public ones reads the caller's user record first (lib/http/middleware.ts identifyCaller →
 * getUser: GetItem on USER#), so every data group reads `user`.
 */
export const ROUTE_GROUP_GRANTS: Record<RouteGroup, RouteGroupGrants> = {
  // GET /health and GET /openapi.json answer from code: nothing.
  system: {},

  // GET /docs and its files answer from code and from files beside the bundle: nothing.
  docs: {},

  users: {
    // GetItem: the caller; requireUser (GET /users/{id}); updateUser reads the user before and after a lost race.
    reads: { actions: ['GetItem'], partitions: ['user'] },
    // createUser: one transaction putting the user and its USEREMAIL# guard; updateUser: one transaction putting the
    // user and, when the e-mail changes, the new guard, deleting the old one.
    writes: [{ actions: ['PutItem', 'DeleteItem'], partitions: ['user', 'userEmail'] }],
    // listUsers: GSI1 (USERS).
    queries: ['gsi1'],
    cursorSecret: true,
  },

  campaigns: {
    // GetItem: the caller; requireCampaign (get, update, metrics); readCounters (CAMPAIGN#…/METRICS).
    // BatchGetItem: recountCounters reads the leads of the campaign's histories.
    reads: { actions: ['GetItem', 'BatchGetItem'], partitions: ['user', 'campaign', 'lead'] },
    // createCampaign and updateCampaign put the campaign.
    writes: [{ actions: ['PutItem'], partitions: ['campaign'] }],
    // listCampaigns: GSI1 (all) or GSI2 (by status). recountCounters: GSI5 (histories), GSI3 (actions, counted),
    // GSI4 (deals).
    queries: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5'],
    cursorSecret: true,
  },

  imports: {
    // GetItem: the caller; requestUpload checks the campaign (getCampaign); requireImport and rejectionsLink read
    // the import record, as does createImportRecord after a lost condition.
    reads: { actions: ['GetItem'], partitions: ['user', 'campaign', 'import'] },
    // requestUpload → createImportRecord puts the queued record.
    writes: [{ actions: ['PutItem'], partitions: ['import'] }],
    // listImports: GSI1 (of a campaign) or GSI2 (all).
    queries: ['gsi1', 'gsi2'],
    // POST /imports.
    idempotencyRecords: true,
    cursorSecret: true,
    // requestUpload presigns the PUT of the list; rejectionsLink presigns the GET of the rejections workbook.
    objects: { put: [BUCKET_PREFIXES.imports], get: [BUCKET_PREFIXES.rejections] },
  },

  leads: {
    // GetItem: the caller; requireVisibleLead (every lead route); owners (listItems, leadDetail, requireOwners,
    // publishNotifications, handOverLead's actor); getCampaign (handover and assignment digests); rotationStart.
    // Query of LEAD#…: campaignHistory, leadEvents, latestActions, campaignCounts (COUNT, for a lead without its
    // campaign set yet). BatchGetItem: findLeads reads the leads behind GSI5 histories; listItems reads a page's owners,
    // the deals of converted leads and the leads' campaign sets (LEAD#…/CAMPAIGNS);
    // planAssignment and readLeads read leads by id.
    // eraseLead queries the import that assigned the lead (IMPORT#…/ASSIGNED#) to take the person out of its digest,
    // and the lead's look-up entries (LEAD#…/LOOKUP#) to delete them.
    // GET /leads?email= (dedupe key e-mail) reads the LEADKEY# claim, then the lead; ?phone= reads the leads its
    // GSI4 look-up entries name (BatchGetItem).
    // POST /leads reads the person's LEADKEY# claim, the campaign, the lead the claim names and its history of the
    // campaign; a claim whose lead is missing, the import that made it (IMPORT#).
    reads: { actions: ['GetItem', 'Query', 'BatchGetItem'], partitions: ['user', 'lead', 'campaign', 'deal', 'assignmentRotation', 'import', 'leadMatchKey'] },
    writes: [
      // saveLead puts the lead (PATCH, unchanged dedupe key). applyMoves: transactions updating leads and putting
      // their `assigned` events; publishNotifications: transactions putting a notification and updating the unread
      // counter (USER#); handOverLead: one transaction putting the lead, its event, the notification and the counter,
      // and updating the caller's activity counters of the day (USERSTATS#).
      // recordOperation and finishOperation update the operation (ASSIGNMENT#); advanceRotation its rotation.
      { actions: ['PutItem', 'UpdateItem'], partitions: ['user', 'lead', 'assignment', 'assignmentRotation', 'userStats'] },
      // saveLead with a new dedupe key or a new phone: one transaction putting the lead and the new LEADKEY# claim,
      // deleting the old, checking the new key is no erased person's (ERASEDKEY#), and putting and deleting the
      // lead's look-up entries (LEAD#…/LOOKUP#). eraseLead's last step: one transaction putting the tombstone and the
      // erased-key hash, deleting the claim and the look-up entries.
      { actions: ['PutItem', 'DeleteItem', 'ConditionCheckItem'], partitions: ['lead', 'leadMatchKey', 'erasedMatchKey'] },
      // POST /leads: one transaction putting the LEADKEY# claim, the lead, its look-up entries and its `created` event
      // (LEAD#), checking the key is no erased person's (ERASEDKEY#); with a campaign, putting or updating the lead's
      // history, moving the campaign's counters and checking its intake lock is free (CAMPAIGN#). Attaching to a
      // known lead: one transaction of the history, the counters and the lock check (and the lead, when its import
      // has not written it yet).
      { actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'], partitions: ['lead', 'leadMatchKey', 'erasedMatchKey', 'campaign'] },
      // recordOperation writes the plan's parts in batches (ASSIGNMENT#…/PLAN#…).
      { actions: ['BatchWriteItem'], partitions: ['assignment'] },
      // eraseLead scrubs, in transactions of one partition's items, the lead's actions and events (LEAD#), the
      // notifications that name it (USER#) and the import digests that list it (IMPORT#).
      { actions: ['UpdateItem'], partitions: ['user', 'lead', 'import'] },
    ],
    // findLeads picks any of the nine lead lists (planLeadQuery: GSI8/GSI9 by next action), or GSI4's look-up
    // entries for ?phone=; countOpenLeads counts on GSI2 (balanced); GET /me/queue reads the caller's tasks (GSI1)
    // and its untouched leads and recent responses (GSI10).
    queries: ['gsi1', 'gsi2', 'gsi3', 'gsi4', 'gsi5', 'gsi6', 'gsi7', 'gsi8', 'gsi9', 'gsi10'],
    // POST /leads, POST /leads/assign and POST /leads/{id}/handover.
    idempotencyRecords: true,
    cursorSecret: true,
    // DELETE /leads/{id} keeps a keyed hash of the person's dedupe key; POST /leads checks the hash of its person's.
    erasureKey: true,
  },

  exports: {
    // GetItem: the caller; requireOwnExport (GET /exports/{id}).
    reads: { actions: ['GetItem'], partitions: ['user', 'export'] },
    // requestExport → createExportRecord puts the queued record; the worker, not this function, updates it.
    writes: [{ actions: ['PutItem'], partitions: ['export'] }],
    // POST /exports.
    idempotencyRecords: true,
    // exportStatus presigns the GET of a finished export. No route pages, so no cursor secret.
    objects: { get: [BUCKET_PREFIXES.exports] },
    // requestExport → startExportWorker.
    startsExportWorker: true,
  },

  me: {
    // GetItem: the caller; unreadCount (USER#…/NOTIFICATIONS); markRead reads the notification; getPreferences
    // (USER#…/PREFERENCES).
    // Query of USER#…: listNotifications, markAllRead's unread ones.
    reads: { actions: ['GetItem', 'Query'], partitions: ['user'] },
    // markRead and markAllRead: transactions updating notifications and the unread counter; updatePreferences.
    writes: [{ actions: ['UpdateItem'], partitions: ['user'] }],
    cursorSecret: true,
  },

  actions: {
    // GetItem: the caller; requireVisibleLead; the campaign history (logAction); the action (alreadyLogged); the
    // actor's leads-touched marker of the day (USERSTATS#…/TOUCHED#, actionActivity).
    // Query of LEAD#…: actionsOfLead (GET /leads/{id}/actions).
    reads: { actions: ['GetItem', 'Query'], partitions: ['user', 'lead', 'userStats'] },
    // logAction: one transaction putting the lead and the action, updating the history and the campaign's counters,
    // updating the actor's activity counters of the day and putting its leads-touched marker (or checking it is there).
    writes: [{ actions: ['PutItem', 'UpdateItem', 'ConditionCheckItem'], partitions: ['lead', 'campaign', 'userStats'] }],
    // actionsOfActor: GSI1 (ACTIONS#{actorId}).
    queries: ['gsi1'],
    // POST /leads/{id}/actions.
    idempotencyRecords: true,
    cursorSecret: true,
  },

  deals: {
    // GetItem: the caller, the deal's owner and the actors of the lead's actions; requireVisibleLead and the history
    // (convertLead); getCampaign; getAccount; requireDeal / getDeal.
    // Query: actionsOfLead (the owner's e-mail), accountDetail (ACCOUNT#…). BatchGetItem: accountDetail's leads and deals.
    reads: { actions: ['GetItem', 'Query', 'BatchGetItem'], partitions: ['user', 'lead', 'campaign', 'deal', 'account'] },
    // convertLead: one transaction putting the lead, the deal, the account and its ACCOUNTNAME# claim, the contact and
    // deal links, the `converted` event and the notification, updating the campaign's counters and the unread
    // counter, and the caller's activity counters (USERSTATS#). updateDeal: one transaction putting the deal and
    // updating the campaign's counters and the owner's activity counters of the day the deal became won.
    writes: [{ actions: ['PutItem', 'UpdateItem'], partitions: ['user', 'lead', 'campaign', 'deal', 'account', 'accountName', 'userStats'] }],
    // listDeals: GSI1 (owner), GSI2 (status), GSI4 (campaign). listAccounts and accountsNamed: GSI3.
    queries: ['gsi1', 'gsi2', 'gsi3', 'gsi4'],
    // POST /leads/{id}/convert.
    idempotencyRecords: true,
    cursorSecret: true,
  },

  stats: {
    // GetItem: the caller; the user asked for (GET /stats/activity?userId=).
    // Query of USERSTATS#…: each user's counter days over the range.
    reads: { actions: ['GetItem', 'Query'], partitions: ['user', 'userStats'] },
    // GSI1: every user (USERS); the recount's actions (ACTIONS#), hand-over and conversion events (LEADEVENTS#) and
    // deals (DEALS#OWNER#) of one user; an owner's open tasks (TASKS#open#, counted). GSI2: an owner's leads by stage
    // (counted). GSI10: an owner's untouched leads (counted).
    queries: ['gsi1', 'gsi2', 'gsi10'],
  },
};

/** Whether the group's function needs anything of the stack at all (the system group does not). */
export const touchesData = (grants: RouteGroupGrants): boolean => Object.keys(grants).length > 0;

/** Gives the function the table items and indexes the entry names, and nothing else of the table. */
export function grantTableAccess(grantee: IGrantable, grants: Pick<RouteGroupGrants, 'reads' | 'writes' | 'queries' | 'idempotencyRecords'>, storage: Storage): void {
  const items = [...(grants.reads ? [grants.reads] : []), ...(grants.writes ?? []), ...(grants.idempotencyRecords ? [IDEMPOTENCY_RECORDS] : [])];
  for (const item of items) storage.grantItems(grantee, item.actions, item.partitions);
  if (grants.queries?.length) storage.grantIndexQueries(grantee, grants.queries);
}

/** Gives the function exactly what its group's entry says (the export worker's invoke is given by infra/exports.ts). */
export function grantRouteGroup(grantee: IGrantable & { addEnvironment(key: string, value: string): unknown }, grants: RouteGroupGrants, resources: { storage: Storage; cursorSecret: ISecret }): void {
  const { storage, cursorSecret } = resources;
  grantTableAccess(grantee, grants, storage);
  if (grants.cursorSecret) cursorSecret.grantRead(grantee);
  if (grants.erasureKey) storage.grantErasureKey(grantee);
  if (grants.objects?.get?.length) storage.grantObjects(grantee, 's3:GetObject', ...grants.objects.get);
  if (grants.objects?.put?.length) storage.grantObjects(grantee, 's3:PutObject', ...grants.objects.put);
}
