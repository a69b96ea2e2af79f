import { backoffMs, forEachConcurrently, sleep } from '../async';
import { leadEventItem } from '../leads/events';
import { historiesFollowOwners, type LeadOwner } from '../leads/memberships';
import { leadFromItem, leadOwnerIndexKeys, withOwner, type Lead } from '../leads/model';
import { isErasedOrErasing } from '../leads/tombstone';
import { getItems, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { keys } from '../table/keys';
import { transact, txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import type { User } from '../users/schema';
import type { AssignmentRecord, Move } from './journal';
import type { SkipReason } from './schema';

/**
 * Step 3 of an assignment: the planned moves written, LEADS_PER_WRITE leads to a transaction. Each lead's owner
 * (conditional on the version it was judged at) goes with its history event, so a lead never has one without the
 * other. A transaction cancelled because one of its leads changed meanwhile is read again and judged again, lead by
 * lead, in the next round. A lead tagged with the operation is done already (a resumed run).
 */

/** Leads per transaction: a lead and its history event are two of the 100 writes a transaction may hold. */
const LEADS_PER_WRITE = 50;
const WRITE_CONCURRENCY = 4;
const MAX_ROUNDS = 6;

export type LeadState = Lead & { assignmentId?: string };

export interface Applied {
  leadId: string;
  to: string;
  from?: string;
  lead: Lead;
}

/** The lead with its new owner, as a transaction write valid only over the version it was read at. */
function ownerWrite(lead: Lead, owner: User, record: AssignmentRecord, now: Date): TransactionWrite {
  const next = withOwner(lead, owner, now.toISOString());
  // Owner, version and the index keys that follow owner and updatedAt; everything else on the item stays.
  return txUpdate(`lead:${lead.leadId}`, {
    key: keys.lead(lead.leadId),
    changes: {
      set: { ownerId: next.ownerId, ownerTeam: next.ownerTeam, updatedAt: next.updatedAt, version: next.version, assignmentId: record.assignmentId, ...leadOwnerIndexKeys(next) },
      remove: next.ownerTeam ? [] : ['ownerTeam'],
    },
    condition: 'version = :expected',
    values: { ':expected': lead.version },
  });
}

function eventWrite(record: AssignmentRecord, a: Applied): TransactionWrite {
  return txPut(
    `event:${a.leadId}`,
    leadEventItem({
      eventId: record.assignmentId,
      leadId: a.leadId,
      kind: 'assigned',
      at: record.createdAt,
      actorId: record.actorId,
      fromOwnerId: a.from,
      toOwnerId: a.to,
      ...(record.importId ? { importId: record.importId } : { assignmentId: record.assignmentId }),
    }),
  );
}

export async function readLeads(leadIds: string[]): Promise<Map<string, LeadState>> {
  const found = await getItems<Item>(leadIds.map((id) => keys.lead(id)), { concurrency: 8 });
  return new Map(found.map((item) => [item.leadId as string, { ...leadFromItem(item), ...(item.assignmentId ? { assignmentId: item.assignmentId as string } : {}) }]));
}

export async function applyMoves(
  record: AssignmentRecord,
  moves: Move[],
  known: Map<string, LeadState>,
  owners: Map<string, User>,
  now: Date,
): Promise<{ applied: Applied[]; skipped: { leadId: string; reason: SkipReason }[] }> {
  const applied: Applied[] = [];
  const skipped: { leadId: string; reason: SkipReason }[] = [];
  /** The owner and version each applied lead has now. */
  const followers: LeadOwner[] = [];
  let pending = moves;
  let current = known;
  for (let round = 0; pending.length > 0; round++) {
    if (round >= MAX_ROUNDS) throw new Error(`${pending.length} leads kept changing during assignment ${record.assignmentId}`);
    if (round > 0) {
      await sleep(backoffMs(round, 50, 1000));
      current = await readLeads(pending.map((m) => m.leadId));
    }
    const writable: Applied[] = [];
    for (const move of pending) {
      const lead = current.get(move.leadId);
      if (!lead) skipped.push({ leadId: move.leadId, reason: 'not_found' });
      // Written by this operation already (a resumed run): done; the owner it had before is no longer known here.
      else if (lead.assignmentId === record.assignmentId) {
        applied.push({ leadId: move.leadId, to: move.to, lead });
        followers.push({ leadId: move.leadId, ownerId: move.to, version: lead.version });
      }
      else if (isErasedOrErasing(lead)) skipped.push({ leadId: move.leadId, reason: 'erased' });
      else if (lead.stage === 'converted') skipped.push({ leadId: move.leadId, reason: 'converted' });
      else if (lead.ownerId === move.to) skipped.push({ leadId: move.leadId, reason: 'already_owned' });
      else writable.push({ leadId: move.leadId, to: move.to, ...(lead.ownerId ? { from: lead.ownerId } : {}), lead });
    }
    const again: Move[] = [];
    const groups: Applied[][] = [];
    for (let offset = 0; offset < writable.length; offset += LEADS_PER_WRITE) groups.push(writable.slice(offset, offset + LEADS_PER_WRITE));
    await forEachConcurrently(groups, WRITE_CONCURRENCY, async (group) => {
      try {
        await transact(group.flatMap((a) => [ownerWrite(a.lead, owners.get(a.to)!, record, now), eventWrite(record, a)]));
        applied.push(...group);
        followers.push(...group.map((a) => ({ leadId: a.leadId, ownerId: a.to, version: a.lead.version + 1 })));
      } catch (error) {
        if (!(error instanceof TransactionCancelledError)) throw error;
        again.push(...group.map((a) => ({ leadId: a.leadId, to: a.to, version: a.lead.version })));
      }
    });
    pending = again;
  }
  // Only now that the owners are committed may the histories take them (lib/leads/memberships.ts). A resumed run
  // finds its leads tagged and applied, and runs this again for them: a crash before it loses nothing.
  await historiesFollowOwners(followers);
  // In the order asked for (transactions finish in any order): the digest lists the first leads of the request.
  const order = new Map(moves.map((m, index) => [m.leadId, index]));
  applied.sort((a, b) => order.get(a.leadId)! - order.get(b.leadId)!);
  return { applied, skipped };
}
