import { counterBump } from '../campaigns/metrics';
import { campaignsJoinedWrite } from '../leads/campaign-count';
import { ownerOnHistory } from '../leads/memberships';
import { newMembershipItem, type Lead } from '../leads/model';
import type { Item } from '../table/client';
import { ITEM_ABSENT } from '../table/expressions';
import { txPut, txUpdate, type TransactionWrite } from '../table/transaction';
import { flagUpdateOf } from './history-writes';
import { campaignLockFree } from './lease';
import type { MembershipItem } from './registration';

/**
 * The campaign history of a lead made by hand (POST /leads with a campaignId): the person responded, as a one-row
 * participant list says, and the campaign's counters move exactly as list register counts that row
 * (./register-chunk.ts), in the same transaction as the history:
 *  - a new lead: a new history, responded; responded and newLeads;
 *  - a known lead without a history of the campaign: a new history; responded and knownLeads (first reached);
 *  - a known lead invited and not responded yet: responded set, on condition the history is still as read;
 *    responded and invitedResponded (the write that sets the second flag counts the pair);
 *  - a known lead that responded already: nothing, so attaching again changes nothing.
 * Each goes with the check that no list import of the campaign holds its intake lock (./lease.ts), and with the
 * campaign added to the lead's campaign set (lib/leads/campaign-count.ts).
 */

export interface InquiryHistory {
  campaignId: string;
  /** Who set the flag (./row-marker.ts handMarkerOf). */
  marker: string;
  /** リード発生日 of a new history. */
  arisenOn: string;
  now: Date;
}

/** A new history, responded, carrying the lead's owner (as the lead is in this transaction, or as read). */
function historyItem(lead: Lead, history: InquiryHistory): Item {
  const { campaignId, marker, arisenOn, now } = history;
  return {
    ...newMembershipItem({ leadId: lead.leadId, campaignId, flag: 'responded', marker, arisenOn, at: now.toISOString() }),
    ...ownerOnHistory(campaignId, { leadId: lead.leadId, ownerId: lead.ownerId, version: lead.version }),
  };
}

/** The history of a lead created in the same transaction. */
export function newLeadHistory(lead: Lead, history: InquiryHistory): TransactionWrite[] {
  return [
    txPut('history', historyItem(lead, history), { condition: ITEM_ABSENT }),
    campaignsJoinedWrite(lead.leadId, [history.campaignId]),
    counterBump(history.campaignId, { responded: 1, newLeads: 1 }, history.now),
    campaignLockFree(history.campaignId, history.now),
  ];
}

/** The writes that make a known lead, its history of the campaign read as `seen`, a responded member; none if it is. */
export function knownLeadHistory(lead: Lead, history: InquiryHistory, seen: MembershipItem | undefined): TransactionWrite[] {
  const { campaignId, marker, now } = history;
  if (seen?.responded === true) return [];
  const lockFree = campaignLockFree(campaignId, now);
  if (!seen) {
    return [
      txPut('history', historyItem(lead, history), { condition: ITEM_ABSENT }),
      campaignsJoinedWrite(lead.leadId, [campaignId]),
      counterBump(campaignId, { responded: 1, knownLeads: 1 }, now),
      lockFree,
    ];
  }
  const both = seen.invited === true;
  return [
    txUpdate('history', flagUpdateOf({ leadId: lead.leadId, campaignId, flag: 'responded', marker, at: now.toISOString() }, seen)),
    // The history is there already; adding its campaign again changes nothing, or makes good a set an import crashed before.
    campaignsJoinedWrite(lead.leadId, [campaignId]),
    counterBump(campaignId, { responded: 1, ...(both ? { invitedResponded: 1 } : {}) }, now),
    lockFree,
  ];
}
