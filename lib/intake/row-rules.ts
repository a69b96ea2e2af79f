import { isAcceptableId } from '../ids';
import type { Lead } from '../leads/model';
import { CANONICAL_LABEL } from '../leads/columns';
import type { ListRow } from './reader';
import { matchKeyOf, type MatchMode } from '../leads/match-key';
import { judgeListedColumns, type ListedColumns } from './update-columns';

/**
 * What a list row means for a lead, and why a row is refused. Pure: no I/O, so every rule is unit-tested directly.
 * Reasons are written in Japanese for the marketers who read the rejections workbook; `code` is for machines.
 */

export interface Rejection {
  code:
    | 'cell_error'
    | 'missing_name'
    | 'invalid_email'
    | 'too_long'
    | 'invalid_date'
    | 'no_match_key'
    | 'no_such_lead'
    | 'version_conflict'
    | 'invalid_version'
    | 'email_taken'
    | 'invalid_value'
    | 'unknown_owner'
    | 'ambiguous_owner'
    | 'invalid_owner'
    | 'owner_change_not_allowed'
    | 'converted'
    | 'stage_rule'
    | 'read_only_column'
    | 'not_on_update_list';
  reason: string;
}

export type RowVerdict =
  | { ok: true; draft: LeadDraft; matchKey?: string; arisenOn?: string; leadId?: string; version?: number; owner?: string; listed?: ListedColumns }
  | { ok: false; rejection: Rejection };

/** What an accepted row gives. */
export type AcceptedVerdict = Extract<RowVerdict, { ok: true }>;

/**
 * A row of the file judged once, from the row rules onwards: accepted with what it gives, or rejected with why.
 * Everything downstream (the rejections, the register, the update) takes one of these two shapes.
 */
export type JudgedRow =
  | { ok: true; rowNumber: number; cells: string[]; accepted: AcceptedVerdict }
  | { ok: false; rowNumber: number; cells: string[]; rejection: Rejection };

export function judgeListRow(row: ListRow, options: { kind: 'register' | 'update'; matchMode: MatchMode }): JudgedRow {
  const verdict = judgeRow(row, options);
  return verdict.ok
    ? { ok: true, rowNumber: row.rowNumber, cells: row.cells, accepted: verdict }
    : { ok: false, rowNumber: row.rowNumber, cells: row.cells, rejection: verdict.rejection };
}

export const DRAFT_FIELDS = [
  'name',
  'nameKana',
  'email',
  'company',
  'department',
  'title',
  'phone',
  'mobile',
  'industry',
  'employeeSize',
  'classification',
  'products',
  'memo',
] as const satisfies readonly (keyof Lead)[];

/** The lead fields a list row may give, as text, plus its columns that are not lead fields. */
export type LeadDraft = Partial<Pick<Lead, (typeof DRAFT_FIELDS)[number]>> & { extra: Record<string, string> };

/** The longest text a list row may give each field (POST /leads holds a lead by hand to the same). */
export const MAX_LENGTH: Record<(typeof DRAFT_FIELDS)[number], number> = {
  name: 100,
  nameKana: 100,
  email: 254,
  company: 200,
  department: 200,
  title: 100,
  phone: 40,
  mobile: 40,
  industry: 100,
  employeeSize: 50,
  classification: 100,
  products: 500,
  memo: 4000,
};
export const MAX_EXTRA_LENGTH = 1000;
export const MAX_EXTRA_COLUMNS = 50;


/** Deliberately plain: local part and a dotted domain, after NFKC. Mail servers decide the rest. */
const EMAIL = /^[^\s@"(),:;<>[\]\\]+@[^\s@"(),:;<>[\]\\]+\.[^\s@"(),:;<>[\]\\.]+$/u;

const reject = (code: Rejection['code'], reason: string): RowVerdict => ({ ok: false, rejection: { code, reason } });

/** `2026-04-10`, `2026/4/10`, `2026年4月10日` → `2026-04-10`; undefined when it is not a real date. */
export function parseListDate(text: string): string | undefined {
  const match = /^(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:\s.*)?$/u.exec(text.normalize('NFKC').trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return date.toISOString().slice(0, 10);
}

export function judgeRow(row: ListRow, options: { kind: 'register' | 'update'; matchMode: MatchMode }): RowVerdict {
  if (row.errors.length > 0) return reject('cell_error', `読み取れないセルがあります: ${row.errors.join('; ')}`);

  const draft: LeadDraft = { extra: {} };
  for (const field of DRAFT_FIELDS) {
    const value = row.values[field];
    if (value === undefined) continue;
    if (value.length > MAX_LENGTH[field]) {
      return reject('too_long', `${CANONICAL_LABEL[field]}が長すぎます（${value.length}文字、上限${MAX_LENGTH[field]}文字）`);
    }
    draft[field] = value;
  }
  const extras = Object.entries(row.extra);
  if (extras.length > MAX_EXTRA_COLUMNS) return reject('too_long', `追加の列が多すぎます（上限${MAX_EXTRA_COLUMNS}列）`);
  for (const [label, value] of extras) {
    if (value.length > MAX_EXTRA_LENGTH) return reject('too_long', `列「${label}」が長すぎます（上限${MAX_EXTRA_LENGTH}文字）`);
    draft.extra[label] = value;
  }

  if (draft.email !== undefined && !EMAIL.test(draft.email.normalize('NFKC').trim())) {
    return reject('invalid_email', `メールアドレスの形式が正しくありません: ${draft.email}`);
  }

  // An update list's stage and read-only columns (./update-columns.ts); a register list leaves them to the system.
  let listed: ListedColumns | undefined;
  if (options.kind === 'update') {
    const judged = judgeListedColumns(row.values);
    if ('code' in judged) return reject(judged.code, judged.reason);
    listed = judged;
  }

  let arisenOn: string | undefined;
  if (row.values.arisenOn !== undefined) {
    arisenOn = parseListDate(row.values.arisenOn);
    if (!arisenOn) return reject('invalid_date', `リード発生日が日付ではありません: ${row.values.arisenOn}`);
  }

  let version: number | undefined;
  if (row.values.version !== undefined) {
    version = Number(row.values.version.normalize('NFKC').trim());
    if (!Number.isInteger(version) || version < 1) return reject('invalid_version', `バージョンが正しくありません: ${row.values.version}`);
  }
  const leadId = row.values.leadId?.normalize('NFKC').trim() || undefined;
  if (leadId !== undefined && !isAcceptableId(leadId)) return reject('invalid_value', `リードIDが正しくありません: ${leadId}`);

  const matchKey = matchKeyOf(draft, options.matchMode);
  if (options.kind === 'register') {
    if (!draft.name) return reject('missing_name', '名前がありません');
    if (!matchKey) return reject('no_match_key', 'メールアドレスも会社名もないため、既存リードと照合できません');
  } else if (!leadId && !matchKey) {
    return reject('no_match_key', 'リードID・メールアドレス・名前と会社名のいずれもないため、更新するリードを特定できません');
  } else if (!leadId && options.matchMode === 'email+name' && draft.email && !draft.name) {
    // The dedupe key is e-mail and name here: an e-mail alone would name a key no lead holds.
    return reject('no_match_key', 'この環境ではメールアドレスと名前で照合するため、リードIDがなければ名前も必要です');
  }
  // リード担当者 assigns the lead on an update list (resolved to a user when the row is applied); a register list
  // never assigns: new leads start unowned.
  const owner = options.kind === 'update' ? row.values.owner?.normalize('NFKC').trim() || undefined : undefined;
  return { ok: true, draft, matchKey, arisenOn, leadId, version, ...(owner ? { owner } : {}), ...(listed ? { listed } : {}) };
}
