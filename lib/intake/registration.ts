import { config } from '../config';
import type { Item } from '../table/client';
import type { IntakeMetrics } from './chunk-commit';
import type { RowNote } from './row-notes';
import type { LeadDraft } from './row-rules';
import type { ImportCounts } from './schema';

/**
 * What the steps of list register (./register-list.ts) share: the import's context, a chunk's rows as the registrar
 * takes them, what the table holds of a person, and what a chunk's registration reports.
 */

export type RegisterKind = 'invitation' | 'participant';

export interface RegisterContext {
  importId: string;
  campaignId: string;
  kind: RegisterKind;
  now: Date;
  /** リード発生日 when the row gives none: the import's date in Japan. */
  defaultArisenOn: string;
  /** Transactions in flight at once. */
  concurrency?: number;
  /**
   * This import holds the campaign's intake lock: no other import writes this campaign's histories meanwhile, and
   * actions only update histories that exist, so a history our read found missing can be created with a plain
   * batch write and counted exactly.
   */
  exclusive?: boolean;
  /**
   * No history of this campaign existed when this invocation took the campaign's intake lock (it is the lock's
   * first holder). Then only the leads this registrar gave a history can have one, and the others' are not read.
   */
  freshCampaign?: boolean;
}

export interface PreparedRow {
  rowNumber: number;
  cells: string[];
  /** A register row always names the person. */
  draft: LeadDraft & { name: string };
  matchKey: string;
  arisenOn?: string;
}

export interface ChunkResult {
  counts: ImportCounts;
  metrics: IntakeMetrics;
  notes: RowNote[];
}

/** A person's dedupe-key claim: which lead holds the key, and which import row (or edit) made the claim. */
export interface KeyClaim {
  leadId: string;
  createdBy: string;
  createdAt: string;
  /** The failed import's row this claim was taken over from (./claims.ts), which nobody counted. */
  takenOverFrom?: string;
}

/**
 * A campaign history as list register reads it: the two flags and the markers of the rows that set them, that first
 * reached the person, and that made the history both invited and responded.
 */
export interface MembershipItem extends Item {
  invited?: boolean;
  responded?: boolean;
  invitedBy?: string;
  respondedBy?: string;
  reachedBy?: string;
  invitedRespondedBy?: string;
}

/** Transactions in flight at once; DynamoDB Local serialises transactions, so more than a few only queue. */
export const registerConcurrency = (): number => config.intakeConcurrency();

/** The history flag a list of this kind sets. */
export const flagOf = (kind: RegisterKind): 'invited' | 'responded' => (kind === 'invitation' ? 'invited' : 'responded');

/** The flag the other kind of list sets: with this list's, the history is both invited and responded. */
export const otherFlagOf = (kind: RegisterKind): 'invited' | 'responded' => (kind === 'invitation' ? 'responded' : 'invited');
