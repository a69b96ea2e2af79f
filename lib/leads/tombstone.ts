import { GoneError } from '../errors';
import type { Lead } from './model';

/**
 * What is left of a lead whose person asked to be erased (APPI 消去 / GDPR right to erasure): an anonymous tombstone.
 * It keeps what counts (stage, owner, last action and its result, campaign and deal links, classification) so the
 * campaign counters and metrics that counted it stay exact, and loses everything that tells who the person was or
 * what was written about them.
 */

/** What an erased lead is called wherever a name must be shown (the lead schema requires one). */
export const ERASED_NAME = '（消去済み）';

/** Fields that name the person, reach them, or hold free text written about them. */
export const PERSONAL_FIELDS = [
  'nameKana',
  'email',
  'company',
  'department',
  'title',
  'phone',
  'mobile',
  'memo',
  'stageReason',
  'qualification',
  'ngActions',
] as const satisfies readonly (keyof Lead)[];

/**
 * The values that identify the person, for finding copies of them in the text of notifications about many leads
 * (a digest names each lead by name and company). Free text is not looked for: only notifications about this lead
 * alone quote it, and those are replaced whole.
 */
export function identifyingValues(lead: Lead): string[] {
  const values = [lead.name, lead.nameKana, lead.email, lead.company, lead.phone, lead.mobile];
  return [...new Set(values.filter((v): v is string => typeof v === 'string' && v.trim() !== '' && v !== ERASED_NAME))];
}

/**
 * The tombstone of `lead`: personal fields and the list's free columns gone, the name replaced, the dedupe key
 * replaced by its keyed hash (`erasedKey`), marked erased by whoever asked, when they asked.
 */
export function anonymousLead(lead: Lead, erasedKey: string, at: string): Lead {
  const kept: Lead = { ...lead, name: ERASED_NAME, extra: {}, matchKey: `erased:${erasedKey}` };
  for (const field of PERSONAL_FIELDS) delete kept[field];
  delete kept.erasure;
  return {
    ...kept,
    erased: true,
    erasedAt: lead.erasure?.requestedAt ?? at,
    erasedBy: lead.erasure?.requestedBy ?? 'unknown',
    updatedAt: at,
    version: lead.version + 1,
  };
}

/** Erased, or being erased: no edit, action, assignment, hand-over or conversion may touch it any more. */
export const isErasedOrErasing = (lead: Pick<Lead, 'erased' | 'erasure'>): boolean => lead.erased === true || lead.erasure !== undefined;

/** 410 for any write to a lead erased on request (or being erased). */
export function refuseIfErased(lead: Lead): void {
  if (isErasedOrErasing(lead)) {
    throw new GoneError(`lead ${lead.leadId} was erased on request; its data is gone and it can no longer be changed`, {
      extensions: { leadId: lead.leadId, erased: true },
    });
  }
}
