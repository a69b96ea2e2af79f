import { requireOwners } from '../assignment/owners';
import { backoffMs, sleep } from '../async';
import { getCampaign } from '../campaigns/repository';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { newId } from '../ids';
import { campaignsJoinedWrite } from '../leads/campaign-count';
import { erasedKeyOf } from '../leads/erased-key';
import { leadEventItem } from '../leads/events';
import { lookupItemsOf } from '../leads/lookups';
import { configuredMatchMode } from '../leads/match-key';
import { campaignHistoriesFollowLeads } from '../leads/memberships';
import { leadItem, newLead, withOwner, type Lead } from '../leads/model';
import { getLead } from '../leads/repository';
import type { LeadCreate } from '../leads/schema';
import { isErasedOrErasing } from '../leads/tombstone';
import { getItem } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { keys } from '../table/keys';
import { transact, txCheck, txPut, type TransactionWrite } from '../table/transaction';
import { japanDate } from '../text/japan-time';
import type { Caller } from '../users/caller';
import { PERMISSIONS, worksOwnLeadsOnly } from '../users/roles';
import { claimsOfUnfinishedImports, claimWithLead, readClaim } from './claims';
import { knownLeadHistory, newLeadHistory, type InquiryHistory } from './inquiry-history';
import type { ListRow } from './reader';
import type { KeyClaim, MembershipItem } from './registration';
import { handMarkerOf } from './row-marker';
import { DRAFT_FIELDS, judgeListRow, type LeadDraft, type Rejection } from './row-rules';

/**
 * POST /leads: one lead by hand (an inbound call, a web inquiry), judged and deduplicated as a row of a participant
 * list is, so that the two ways in never disagree about who a person is:
 *  - the request is held to the list row's rules (./row-rules.ts) and gets the list's dedupe key;
 *  - a new person is created by claiming that key exactly as list register does (./claims.ts), but with the lead, its
 *    look-up entries, its `created` event and its campaign history in the claim's own transaction, so the claim never
 *    points at a lead not written yet. A list import claiming the same person at the same moment loses to it, or wins
 *    and this request finds its claim: one lead either way;
 *  - a person who has a lead is a 409 naming it, or with `onDuplicate: attach` the campaign history goes on that lead
 *    (./inquiry-history.ts); a person erased on request is refused, checked in the same transaction as the claim.
 */

export interface HandMadeLead {
  lead: Lead;
  /** False when the campaign history went on the lead the person already had. */
  created: boolean;
}

/** Rounds of reading again after a lost condition (someone claimed the person, or changed the history, meanwhile). */
const MAX_ROUNDS = 8;
/**
 * How long a request with a campaign waits for a list import of that campaign to let go of its intake lock before
 * answering 409. An API function has 29 s; a list of a few thousand rows takes less than this.
 */
const LOCK_WAIT_MS = 12_000;

/** Where each of the list row's refusals points in the request. */
const PATH_OF: Partial<Record<Rejection['code'], string>> = {
  missing_name: 'body.name',
  invalid_email: 'body.email',
  no_match_key: 'body.email',
  invalid_date: 'body.arisenOn',
};

interface Person {
  draft: LeadDraft & { name: string };
  matchKey: string;
  arisenOn?: string;
}

/** The request as a list row, judged by the list's own rules: its draft and dedupe key, or a 422 saying why not. */
function personOf(input: LeadCreate): Person {
  const values: ListRow['values'] = {};
  for (const field of DRAFT_FIELDS) if (input[field] !== undefined) values[field] = input[field];
  if (input.arisenOn !== undefined) values.arisenOn = input.arisenOn;
  const judged = judgeListRow({ rowNumber: 1, cells: [], values, extra: input.extra ?? {}, errors: [] }, { kind: 'register', matchMode: configuredMatchMode() });
  if (!judged.ok) {
    throw new ValidationError(`the lead breaks a rule every list row follows (${judged.rejection.code})`, [
      { path: PATH_OF[judged.rejection.code] ?? 'body', message: judged.rejection.reason },
    ]);
  }
  const { draft, matchKey, arisenOn } = judged.accepted;
  // A register row that passed always has both (judgeRow refuses it otherwise).
  if (!matchKey || !draft.name) throw new Error('an accepted register row without a name or a dedupe key');
  return { draft: { ...draft, name: draft.name }, matchKey, ...(arisenOn ? { arisenOn } : {}) };
}

/**
 * Who owns the new lead: a rep or sales creating it owns it (it may name only itself); anyone else may name an
 * active user whose role works leads, as assignment would accept, or leave it unassigned.
 */
async function ownerOf(caller: Caller, ownerId: string | undefined): Promise<{ userId: string; team?: string } | undefined> {
  if (worksOwnLeadsOnly(caller.role)) {
    if (ownerId !== undefined && ownerId !== caller.userId) throw new ForbiddenError(`a ${caller.role} owns the leads it creates and may not create one for ${ownerId}`);
    return caller;
  }
  if (ownerId === undefined) return undefined;
  // Giving a lead an owner is assignment's right (api.md: admin and manager); marketing creates leads unassigned.
  if (!(PERMISSIONS.assignLeads as readonly string[]).includes(caller.role)) throw new ForbiddenError(`a ${caller.role} creates leads unassigned: only an admin or a manager names their owner`);
  return (await requireOwners([ownerId], 'body.ownerId')).get(ownerId);
}

const erasedPerson = (cause?: unknown) =>
  new ValidationError('the person with this e-mail address asked to be erased (個人情報の消去) and cannot be recorded again', [{ path: 'body.email', message: 'erased on request' }], { cause });

const duplicateOf = (leadId: string) =>
  new ConflictError(`this person already has a lead, ${leadId}; send "onDuplicate": "attach" with a campaignId to add the campaign to it`, {
    extensions: { existingLeadId: leadId },
  });

const campaignBusy = (campaignId: string) =>
  new ConflictError(`a list of campaign ${campaignId} is being imported right now; retry shortly`, { extensions: { campaignId, retryable: true } });

export async function createLeadByHand(caller: Caller, input: LeadCreate, now = new Date()): Promise<HandMadeLead> {
  const person = personOf(input);
  const owner = await ownerOf(caller, input.ownerId);
  if (input.campaignId !== undefined && !(await getCampaign(input.campaignId))) {
    throw new ValidationError(`no campaign ${input.campaignId}`, [{ path: 'body.campaignId', message: 'no such campaign' }]);
  }
  const marker = handMarkerOf(caller.userId);
  // Each round reads the clock again: the intake lock it checks is held until an instant.
  const history = (campaignId: string): InquiryHistory => ({ campaignId, marker, arisenOn: person.arisenOn ?? japanDate(now), now: new Date() });
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let round = 0, lockWaits = 0; ; ) {
    const claim = await readClaim(person.matchKey);
    try {
      if (!claim) return { lead: await createPerson(caller, person, owner, input.campaignId !== undefined ? history(input.campaignId) : undefined, now), created: true };
      const existing = await getLead(claim.leadId);
      if (existing && isErasedOrErasing(existing.lead)) throw erasedPerson();
      if (input.onDuplicate !== 'attach' || input.campaignId === undefined) throw duplicateOf(claim.leadId);
      return { lead: await attachCampaign(person, claim, existing?.lead, history(input.campaignId)), created: false };
    } catch (error) {
      if (!(error instanceof TransactionCancelledError)) throw error;
      if (error.failed('notErased')) throw erasedPerson(error);
      if (error.failed('intakeLock') && !error.failed('claim')) {
        // A list import of the campaign holds it: the history waits for the import (which may create the person).
        if (Date.now() > deadline) throw campaignBusy(input.campaignId!);
        await sleep(backoffMs(lockWaits++, 100, 1000));
        continue;
      }
      // Someone claimed the person, wrote the lead or changed its history since our read, or held one of the items
      // at that instant (the campaign's counters): nothing was written; read again.
      if (++round >= MAX_ROUNDS) throw error;
      if (!error.failed('claim')) await sleep(backoffMs(round, 20, 500));
    }
  }
}

/** A new person: claim, lead, look-up entries, `created` event and campaign history, all or nothing. */
async function createPerson(caller: Caller, person: Person, owner: { userId: string; team?: string } | undefined, history: InquiryHistory | undefined, now: Date): Promise<Lead> {
  const at = now.toISOString();
  const leadId = newId(now.getTime());
  const { extra, ...fields } = person.draft;
  const created = newLead({ leadId, fields, extra, matchKey: person.matchKey, source: { ...(history ? { campaignId: history.campaignId } : {}), by: 'hand' }, at });
  // Born owned in one write: the owner's team as assignment gives it, and still its first version.
  const lead: Lead = owner ? { ...withOwner(created, owner, at), version: created.version } : created;
  const writes: TransactionWrite[] = [
    claimWithLead(person.matchKey, leadId, handMarkerOf(caller.userId), at),
    txCheck('notErased', keys.erasedMatchKey(await erasedKeyOf(person.matchKey)), { condition: ITEM_ABSENT }),
    txPut('lead', leadItem(lead), { condition: ITEM_ABSENT }),
    ...lookupItemsOf(lead).map((item, i) => txPut(`lookup:${i}`, item)),
    txPut('event', leadEventItem({ eventId: leadId, leadId, kind: 'created', at, actorId: caller.userId, toOwnerId: lead.ownerId, campaignId: history?.campaignId })),
    // With a campaign, its history adds it to the lead's campaign set; without, the lead starts with an empty one.
    ...(history ? newLeadHistory(lead, history) : [campaignsJoinedWrite(leadId, [])]),
  ];
  await transact(writes);
  return lead;
}

/**
 * The campaign history goes on the lead the person has (`lead`, as read; undefined when its claim is an import's
 * that has not written it yet). That lead is left as it is, as list register leaves a known person's: only a
 * missing one is written from this request, if still absent, as list register does for a claim of an import under
 * way (./register-chunk.ts); the import's own lead, landing later, is the one that stays.
 */
async function attachCampaign(person: Person, claim: KeyClaim, lead: Lead | undefined, history: InquiryHistory): Promise<Lead> {
  const writes: TransactionWrite[] = [];
  if (!lead) {
    const [unfinished] = await claimsOfUnfinishedImports([claim]);
    if (!unfinished) throw new Error(`the claim of a dedupe key names lead ${claim.leadId}, which does not exist`);
    const { extra, ...fields } = person.draft;
    lead = newLead({ leadId: claim.leadId, fields, extra, matchKey: person.matchKey, source: { by: 'hand' }, at: history.now.toISOString() });
    writes.push(txPut('lead', leadItem(lead), { condition: ITEM_ABSENT }), ...lookupItemsOf(lead).map((item, i) => txPut(`lookup:${i}`, item)));
  }
  const seen = await getItem<MembershipItem>(keys.membership(lead.leadId, history.campaignId));
  writes.push(...knownLeadHistory(lead, history, seen));
  if (writes.length === 0) return lead;
  await transact(writes);
  // The history takes the lead's owner read now, as list register's do (lib/leads/memberships.ts): an owner change
  // that read the lead's histories before this one existed cannot leave it with the old owner.
  await campaignHistoriesFollowLeads(history.campaignId, [lead.leadId]);
  return lead;
}
