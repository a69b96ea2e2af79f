import { CANONICAL_LABEL } from '../leads/columns';
import type { ListedLead } from '../leads/model';
import { STAGE_LABELS } from '../leads/stages';
import { japanClockText } from '../text/japan-time';

/**
 * The export's columns: the labels list intake reads, so an exported file edited and uploaded as an update list
 * maps back into the same fields; リードID and バージョン first, so the update finds the lead and detects a conflict.
 * The last action's time is written as a person in Japan reads it (`2026-11-20 14:05:30`), and an update list
 * compares it the same way (lib/intake/update-columns.ts), so an unedited file uploaded back changes nothing.
 *
 * After them, one column for each extra (survey) column any exported lead has, under the label its list gave it, in
 * the order the export first meets it: intake reads a label it does not know as such a column, so an answer edited
 * in the file is updated, and an empty cell, a lead without that answer, changes nothing (only #clear clears).
 */

type Column = { label: string; value: (lead: ListedLead, ownerEmail: string | undefined) => string | number | undefined };

const field = (name: keyof ListedLead & keyof typeof CANONICAL_LABEL): Column => ({
  label: CANONICAL_LABEL[name],
  value: (lead) => lead[name] as string | undefined,
});

export const EXPORT_COLUMNS: Column[] = [
  { label: CANONICAL_LABEL.leadId, value: (lead) => lead.leadId },
  { label: CANONICAL_LABEL.version, value: (lead) => lead.version },
  field('name'),
  field('nameKana'),
  field('email'),
  field('company'),
  field('department'),
  field('title'),
  field('phone'),
  field('mobile'),
  field('industry'),
  field('employeeSize'),
  field('classification'),
  field('products'),
  { label: CANONICAL_LABEL.stage, value: (lead) => STAGE_LABELS[lead.stage] },
  field('stageReason'),
  { label: CANONICAL_LABEL.owner, value: (_lead, ownerEmail) => ownerEmail },
  { label: CANONICAL_LABEL.ownerTeam, value: (lead) => lead.ownerTeam },
  { label: CANONICAL_LABEL.lastActionAt, value: (lead) => (lead.lastActionAt ? japanClockText(lead.lastActionAt) : undefined) },
  { label: CANONICAL_LABEL.lastActionResult, value: (lead) => lead.lastActionResult },
  field('memo'),
];

/**
 * The most extra columns one export writes: a sheet has 16,384 columns, and a .csv is opened in the same program.
 * Leads of many campaigns with different surveys could pass it; the export then asks for a narrower filter.
 */
export const MAX_EXPORT_EXTRA_COLUMNS = 16_384 - EXPORT_COLUMNS.length;
