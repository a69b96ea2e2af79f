import { createHash } from 'node:crypto';
import { QueryCommand, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { newId } from '../ids';
import { getCampaign } from '../campaigns/repository';
import { ValidationError } from '../errors';
import type { Caller } from '../users/caller';
import { findLeads } from '../leads/list';
import { leadFromItem, leadItem, type Lead } from '../leads/model';
import type { LeadFilter, LeadListQuery } from '../leads/schema';
import { log } from '../log';
import { newNotification, notificationWrites } from '../notifications/model';
import {
  batchGet,
  batchWrite,
  dynamo,
  forEachConcurrently,
  getItem,
  keyString,
  putRequest,
  query,
  tableName,
  toAttributes,
  transactWrite,
  TransactionConflictError,
  updateItem,
  type Item,
} from '../table/client';
import { INDEXES } from '../table/definition';
import { allShards, ENTITY, keys } from '../table/keys';
import type { ShardedPosition } from '../table/sharded-query';
import type { User } from '../users/schema';
import { getUser } from '../users/repository';
import { balanced, dealingOrder, roundRobin, type Strategy } from './distribution';
import { assignmentDigest } from './mail';
import { requireOwners } from './owners';
import { MAX_LEADS_PER_ASSIGNMENT, type AssignmentResult, type AssignRequest, type SkipReason } from './schema';

/**
 * Assignment (リード担当者の一括変更): any number of leads to one owner, or the leads a filter finds dealt among
 * several owners. Every operation is journaled so that it finishes even if the function dies midway:
 *
 *   1. plan: read the leads, decide each one's new owner, skip those that cannot move (with why);
 *   2. record the operation and its plan (status `applying`, listed in the unfinished-operations index);
 *   3. apply: each lead is written conditionally on the version planned from, tagged with the operation's id, and
 *      gets an `assigned` event in its history; a lead changed meanwhile is read again and re-judged;
 *   4. publish: one notification per owner (in-app, and an e-mail through the outbox), then the operation is marked
 *      `applied`.
 *
 * Every step can run again: a lead tagged with the operation counts as done, events and notifications have
 * deterministic keys. The notification dispatcher resumes operations left `applying` (lib/assignment/resume.ts),
 * so owners hear of every lead they were given, exactly once.
 */

export interface Move {
  leadId: string;
  to: string;
  /** The version the plan was made from. */
  version: number;
}

export interface AssignmentRecord {
  assignmentId: string;
  actorId: string;
  status: 'applying' | 'applied';
  strategy?: Strategy;
  /** The campaign the filter named, for the notification. */
  campaignId?: string;
  planParts: number;
  /** Skipped while planning; the apply step may skip more. */
  skipped: { leadId: string; reason: SkipReason }[];
  /** Where the leads came from when an update list assigned them. */
  importId?: string;
  fileName?: string;
  createdAt: string;
  finishedAt?: string;
  result?: { assigned: number; owners: { ownerId: string; count: number }[]; skippedCount: number };
}

const PLAN_PART = 1000;
/** Leads per transaction: a lead and its history event are two of the 100 items a transaction may hold. */
const LEADS_PER_WRITE = 50;
const WRITE_CONCURRENCY = 4;
const MAX_ROUNDS = 6;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// --- 1. plan ---------------------------------------------------------------------------------------------------------

async function leadsByIds(leadIds: string[]): Promise<Map<string, Lead>> {
  const found = await batchGet<Item>(leadIds.map((id) => keys.lead(id)), { concurrency: 8 });
  const out = new Map<string, Lead>();
  for (const id of leadIds) {
    const item = found.get(keyString(keys.lead(id)));
    if (item) out.set(id, leadFromItem(item));
  }
  return out;
}

/** Every lead the list filter finds, as the caller sees them; refuses a filter that finds too many. */
async function leadsByFilter(filter: LeadFilter, caller: Caller): Promise<Lead[]> {
  const out: Lead[] = [];
  let position: ShardedPosition | undefined;
  do {
    const page = await findLeads({ ...filter, limit: 500 } as LeadListQuery, caller, position);
    out.push(...page.items.map((i) => i.lead));
    if (out.length > MAX_LEADS_PER_ASSIGNMENT) {
      throw new ValidationError(`the filter finds more than ${MAX_LEADS_PER_ASSIGNMENT} leads; narrow it and assign in parts`, [
        { path: 'body.filter', message: 'matches too many leads' },
      ]);
    }
    position = page.position;
  } while (position);
  return out;
}

/** Open leads (new + working) of one owner: COUNT queries on the owner × stage index, no items read. */
export async function countOpenLeads(ownerId: string): Promise<number> {
  const partitions = ['new', 'working'].flatMap((stage) => allShards().map((shard) => keys.leadsByOwnerStagePartition(ownerId, stage, shard)));
  const counts = await Promise.all(
    partitions.map(async (partition) => {
      let total = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const out = await dynamo().send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: INDEXES.gsi2.indexName,
            KeyConditionExpression: 'GSI2PK = :pk',
            ExpressionAttributeValues: toAttributes({ ':pk': partition }),
            Select: 'COUNT',
            ExclusiveStartKey: startKey as never,
          }),
        );
        total += out.Count ?? 0;
        startKey = out.LastEvaluatedKey;
      } while (startKey);
      return total;
    }),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const ownerSetKey = (ownerIds: string[]) => createHash('sha256').update([...new Set(ownerIds)].sort().join(',')).digest('base64url').slice(0, 22);

interface Plan {
  moves: Move[];
  skipped: { leadId: string; reason: SkipReason }[];
  leads: Map<string, Lead>;
  owners: Map<string, User>;
  order: string[];
}

async function plan(caller: Caller, request: AssignRequest): Promise<Plan> {
  const skipped: Plan['skipped'] = [];
  const moves: Move[] = [];
  const leads = new Map<string, Lead>();

  if (request.leadIds) {
    const owners = await requireOwners([request.ownerId!], 'body.ownerId');
    const ids = [...new Set(request.leadIds)];
    const found = await leadsByIds(ids);
    for (const leadId of ids) {
      const lead = found.get(leadId);
      if (!lead) skipped.push({ leadId, reason: 'not_found' });
      else if (lead.stage === 'converted') skipped.push({ leadId, reason: 'converted' });
      else if (lead.ownerId === request.ownerId) skipped.push({ leadId, reason: 'already_owned' });
      else {
        leads.set(leadId, lead);
        moves.push({ leadId, to: request.ownerId!, version: lead.version });
      }
    }
    return { moves, skipped, leads, owners, order: [request.ownerId!] };
  }

  const ownerIds = [...new Set(request.ownerIds!)];
  const owners = await requireOwners(ownerIds, 'body.ownerIds');
  const eligible: Lead[] = [];
  for (const lead of await leadsByFilter(request.filter!, caller)) {
    if (lead.stage === 'converted') skipped.push({ leadId: lead.leadId, reason: 'converted' });
    // A lead already with one of these owners stays there: dealing it again would only churn.
    else if (lead.ownerId && owners.has(lead.ownerId)) skipped.push({ leadId: lead.leadId, reason: 'already_owned' });
    else eligible.push(lead);
  }
  const rotation = await getItem<{ next?: number }>(keys.assignmentRotation(ownerSetKey(ownerIds)));
  const order = dealingOrder(ownerIds, rotation?.next ?? 0);
  const ids = eligible.map((l) => l.leadId);
  const dealt =
    request.strategy === 'balanced'
      ? balanced(ids, order, new Map(await Promise.all(order.map(async (id) => [id, await countOpenLeads(id)] as const))))
      : roundRobin(ids, order);
  for (const lead of eligible) leads.set(lead.leadId, lead);
  for (const [to, leadIds] of dealt) for (const leadId of leadIds) moves.push({ leadId, to, version: leads.get(leadId)!.version });
  return { moves, skipped, leads, owners, order };
}

// --- 2. record -------------------------------------------------------------------------------------------------------

async function recordOperation(record: AssignmentRecord, moves: Move[]): Promise<void> {
  // The plan first: an operation found in the unfinished index always has its whole plan.
  const parts: Item[] = [];
  for (let offset = 0, part = 0; offset < moves.length; offset += PLAN_PART, part++) {
    parts.push({ ...keys.assignmentPlan(record.assignmentId, part), entity: ENTITY.assignmentPlan, moves: moves.slice(offset, offset + PLAN_PART) });
  }
  await batchWrite(parts.map(putRequest));
  await updateItem({
    key: keys.assignment(record.assignmentId),
    update: `SET ${Object.keys(record).map((k) => `#${k} = :${k}`).join(', ')}, entity = :entity, GSI2PK = :gsi2pk, GSI2SK = :gsi2sk`,
    names: Object.fromEntries(Object.keys(record).map((k) => [`#${k}`, k])),
    values: {
      ...Object.fromEntries(Object.entries(record).map(([k, v]) => [`:${k}`, v])),
      ':entity': ENTITY.assignment,
      ':gsi2pk': keys.unfinishedAssignmentsPartition,
      ':gsi2sk': keys.unfinishedAssignmentsIndex(record.createdAt, record.assignmentId).GSI2SK,
    },
  });
}

// --- 3. apply --------------------------------------------------------------------------------------------------------

type LeadState = Lead & { assignmentId?: string };

/** The lead with its new owner, as a transaction write valid only over the version it was read at. */
function ownerWrite(lead: Lead, owner: User, record: AssignmentRecord, now: Date): TransactWriteItem {
  const next: Lead = { ...lead, ownerId: owner.userId, updatedAt: now.toISOString(), version: lead.version + 1 };
  if (owner.team) next.ownerTeam = owner.team;
  else delete next.ownerTeam;
  // Owner, version and the index keys that depend on owner or updatedAt; everything else on the item stays.
  const item = leadItem(next);
  const set: Item = {
    ownerId: next.ownerId,
    updatedAt: next.updatedAt,
    version: next.version,
    assignmentId: record.assignmentId,
    ...Object.fromEntries(['GSI1PK', 'GSI1SK', 'GSI2PK', 'GSI2SK', 'GSI3SK', 'GSI4SK'].map((k) => [k, item[k]])),
    ...(next.ownerTeam ? { ownerTeam: next.ownerTeam } : {}),
  };
  return {
    Update: {
      TableName: tableName(),
      Key: toAttributes(keys.lead(lead.leadId)),
      UpdateExpression: `SET ${Object.keys(set).map((k) => `#${k} = :${k}`).join(', ')}${next.ownerTeam ? '' : ' REMOVE ownerTeam'}`,
      ConditionExpression: 'version = :expected',
      ExpressionAttributeNames: Object.fromEntries(Object.keys(set).map((k) => [`#${k}`, k])),
      ExpressionAttributeValues: toAttributes({ ...Object.fromEntries(Object.entries(set).map(([k, v]) => [`:${k}`, v])), ':expected': lead.version }),
    },
  };
}

function eventItem(record: AssignmentRecord, a: Applied): Item {
  return {
    ...keys.leadEvent(a.leadId, record.createdAt, record.assignmentId),
    entity: ENTITY.leadEvent,
    eventId: record.assignmentId,
    leadId: a.leadId,
    kind: 'assigned',
    at: record.createdAt,
    actorId: record.actorId,
    ...(a.from ? { fromOwnerId: a.from } : {}),
    toOwnerId: a.to,
    ...(record.importId ? { importId: record.importId } : { assignmentId: record.assignmentId }),
  };
}

export interface Applied {
  leadId: string;
  to: string;
  from?: string;
  lead: Lead;
}

/**
 * Writes the moves, LEADS_PER_WRITE leads to a transaction: each lead's owner (conditional on the version it was
 * judged at) together with its history event, so a lead never has one without the other. A transaction cancelled
 * because one of its leads changed meanwhile is read again and judged again, lead by lead, in the next round.
 */
async function applyMoves(
  record: AssignmentRecord,
  moves: Move[],
  known: Map<string, LeadState>,
  owners: Map<string, User>,
  now: Date,
): Promise<{ applied: Applied[]; skipped: { leadId: string; reason: SkipReason }[] }> {
  const applied: Applied[] = [];
  const skipped: { leadId: string; reason: SkipReason }[] = [];
  let pending = moves;
  let current = known;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`${pending.length} leads kept changing during assignment ${record.assignmentId}`);
    if (round > 0) {
      await sleep(Math.min(1000, 50 * 2 ** round) * (0.5 + Math.random()));
      current = await readLeads(pending.map((m) => m.leadId));
    }
    const writable: Applied[] = [];
    for (const move of pending) {
      const lead = current.get(move.leadId);
      if (!lead) skipped.push({ leadId: move.leadId, reason: 'not_found' });
      // Written by this operation already (a resumed run): done; the owner it had before is no longer known here.
      else if (lead.assignmentId === record.assignmentId) applied.push({ leadId: move.leadId, to: move.to, lead });
      else if (lead.stage === 'converted') skipped.push({ leadId: move.leadId, reason: 'converted' });
      else if (lead.ownerId === move.to) skipped.push({ leadId: move.leadId, reason: 'already_owned' });
      else writable.push({ leadId: move.leadId, to: move.to, ...(lead.ownerId ? { from: lead.ownerId } : {}), lead });
    }
    const again: Move[] = [];
    const groups: Applied[][] = [];
    for (let offset = 0; offset < writable.length; offset += LEADS_PER_WRITE) groups.push(writable.slice(offset, offset + LEADS_PER_WRITE));
    await forEachConcurrently(groups, WRITE_CONCURRENCY, async (group) => {
      try {
        await transactWrite(
          group.flatMap((a) => [
            ownerWrite(a.lead, owners.get(a.to)!, record, now),
            { Put: { TableName: tableName(), Item: toAttributes(eventItem(record, a)) } },
          ]),
        );
        applied.push(...group);
      } catch (error) {
        if (!(error instanceof TransactionConflictError)) throw error;
        again.push(...group.map((a) => ({ leadId: a.leadId, to: a.to, version: a.lead.version })));
      }
    });
    pending = again;
  }
  // In the order asked for (transactions finish in any order): the digest lists the first leads of the request.
  const order = new Map(moves.map((m, index) => [m.leadId, index]));
  applied.sort((a, b) => order.get(a.leadId)! - order.get(b.leadId)!);
  return { applied, skipped };
}

async function readLeads(leadIds: string[]): Promise<Map<string, LeadState>> {
  const found = await batchGet<Item>(leadIds.map((id) => keys.lead(id)), { concurrency: 8 });
  const out = new Map<string, LeadState>();
  for (const [, item] of found) out.set(item.leadId as string, { ...leadFromItem(item), ...(item.assignmentId ? { assignmentId: item.assignmentId as string } : {}) });
  return out;
}

// --- 4. publish ------------------------------------------------------------------------------------------------------

async function campaignNames(ids: string[]): Promise<string[]> {
  const campaigns = await Promise.all([...new Set(ids)].slice(0, 20).map((id) => getCampaign(id)));
  return campaigns.filter((c) => c !== undefined).map((c) => c.name);
}

/** One notification per owner for everything this operation gave them; a replay finds them already written. */
export async function publishNotifications(record: AssignmentRecord, applied: Applied[], owners: Map<string, User>): Promise<void> {
  const byOwner = new Map<string, Applied[]>();
  for (const a of applied) byOwner.set(a.to, [...(byOwner.get(a.to) ?? []), a]);
  const actor = await getUser(record.actorId);
  const at = new Date(record.createdAt);
  for (const [ownerId, given] of byOwner) {
    const owner = owners.get(ownerId) ?? (await getUser(ownerId));
    const sourceCampaigns = record.campaignId ? [record.campaignId] : given.map((a) => a.lead.source?.campaignId).filter((c): c is string => Boolean(c));
    const digest = assignmentDigest({
      ownerName: owner?.name ?? ownerId,
      actorName: actor?.name ?? record.actorId,
      count: given.length,
      leads: given.map((a) => a.lead),
      campaignNames: await campaignNames(sourceCampaigns),
      at: record.createdAt,
      ...(record.fileName ? { via: { fileName: record.fileName } } : {}),
    });
    const notification = newNotification({
      userId: ownerId,
      kind: 'leads_assigned',
      sourceId: record.importId ?? record.assignmentId,
      title: digest.title,
      body: digest.body,
      leadIds: given.map((a) => a.leadId),
      link: `/leads?owner=me`,
      mail: digest.mail,
      now: at,
    });
    try {
      await transactWrite(notificationWrites(notification));
    } catch (error) {
      if (!(error instanceof TransactionConflictError) || error.reasons[0] !== 'ConditionalCheckFailed') throw error;
    }
  }
}

async function finish(record: AssignmentRecord, applied: Applied[], skippedCount: number, now: Date): Promise<AssignmentRecord['result']> {
  const counts = new Map<string, number>();
  for (const a of applied) counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
  const result = { assigned: applied.length, owners: [...counts].map(([ownerId, count]) => ({ ownerId, count })), skippedCount };
  await updateItem({
    key: keys.assignment(record.assignmentId),
    update: 'SET #status = :applied, finishedAt = :now, #result = :result REMOVE GSI2PK, GSI2SK',
    names: { '#status': 'status', '#result': 'result' },
    values: { ':applied': 'applied', ':now': now.toISOString(), ':result': result },
  });
  return result;
}

/** Steps 3 and 4 for a recorded operation: used right after recording, and to resume one left unfinished. */
export async function completeAssignment(record: AssignmentRecord, moves: Move[], known: Map<string, LeadState>, now = new Date()) {
  const ownerIds = [...new Set(moves.map((m) => m.to))];
  const owners = new Map((await Promise.all(ownerIds.map((id) => getUser(id)))).filter((u) => u !== undefined).map((u) => [u.userId, u]));
  const { applied, skipped } = await applyMoves(record, moves, known, owners, now);
  await publishNotifications(record, applied, owners);
  await finish(record, applied, record.skipped.length + skipped.length, now);
  return { applied, skipped };
}

/** Resumes an operation that was recorded but never finished (the function died or timed out midway). */
export async function resumeAssignment(assignmentId: string, now = new Date()): Promise<void> {
  const record = await getItem<AssignmentRecord & Item>(keys.assignment(assignmentId));
  if (!record || record.status !== 'applying') return;
  const moves: Move[] = [];
  let startKey: Item | undefined;
  do {
    const page = await query<{ moves: Move[] }>({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: toAttributes({ ':pk': keys.assignment(assignmentId).PK, ':prefix': keys.assignmentPlanPrefix }),
      startKey,
    });
    for (const part of page.items) moves.push(...part.moves);
    startKey = page.lastKey;
  } while (startKey);
  // Planned versions no longer matter: each lead is judged as it is now.
  await completeAssignment(record, moves, await readLeads(moves.map((m) => m.leadId)), now);
  log.info('assignment resumed', { assignmentId, moves: moves.length });
}

/** Operations recorded before `olderThan` and still applying: the ones a crash left behind. */
export async function unfinishedAssignments(olderThan: Date, limit = 10): Promise<string[]> {
  const page = await query<Item>({
    IndexName: INDEXES.gsi2.indexName,
    KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK < :before',
    ExpressionAttributeValues: toAttributes({ ':pk': keys.unfinishedAssignmentsPartition, ':before': olderThan.toISOString() }),
    Limit: limit,
  });
  return page.items.map((item) => item.assignmentId as string);
}

// --- the operation ---------------------------------------------------------------------------------------------------

export async function assignLeads(caller: Caller, request: AssignRequest, now = new Date()): Promise<AssignmentResult> {
  const planned = await plan(caller, request);
  const strategy = request.strategy;
  const ownerName = (id: string) => planned.owners.get(id)?.name ?? id;

  if (request.dryRun) {
    const byOwner = new Map<string, string[]>(planned.order.map((id) => [id, []]));
    for (const move of planned.moves) byOwner.get(move.to)!.push(move.leadId);
    return {
      dryRun: true,
      ...(strategy ? { strategy } : {}),
      assigned: planned.moves.length,
      owners: [...byOwner].map(([ownerId, leadIds]) => ({ ownerId, name: ownerName(ownerId), count: leadIds.length, leadIds })),
      skipped: planned.skipped,
    };
  }

  const record: AssignmentRecord = {
    assignmentId: newId(now.getTime()),
    actorId: caller.userId,
    status: 'applying',
    ...(strategy ? { strategy } : {}),
    ...(request.filter?.campaignId ? { campaignId: request.filter.campaignId } : {}),
    planParts: Math.ceil(planned.moves.length / PLAN_PART),
    skipped: planned.skipped.slice(0, 1000),
    createdAt: now.toISOString(),
  };
  if (planned.moves.length > 0) {
    await recordOperation(record, planned.moves);
    if (request.ownerIds) {
      // The next round robin over these owners starts where this one stopped.
      await updateItem({
        key: keys.assignmentRotation(ownerSetKey(request.ownerIds)),
        update: 'SET entity = :entity ADD #next :n',
        names: { '#next': 'next' },
        values: { ':entity': ENTITY.assignmentRotation, ':n': planned.moves.length },
      });
    }
  }
  const { applied, skipped } = planned.moves.length > 0 ? await completeAssignment(record, planned.moves, planned.leads, now) : { applied: [], skipped: [] };

  const counts = new Map<string, number>(planned.order.map((id) => [id, 0]));
  for (const a of applied) counts.set(a.to, (counts.get(a.to) ?? 0) + 1);
  return {
    ...(planned.moves.length > 0 ? { assignmentId: record.assignmentId } : {}),
    dryRun: false,
    ...(strategy ? { strategy } : {}),
    assigned: applied.length,
    owners: [...counts].map(([ownerId, count]) => ({ ownerId, name: ownerName(ownerId), count })),
    skipped: [...planned.skipped, ...skipped],
  };
}
