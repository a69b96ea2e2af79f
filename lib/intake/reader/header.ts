/**
 * Finding the header row and giving each column its meaning. Lists often carry a title, a date or a note above the
 * header, so the header is the first row that names the columns the list's kind cannot do without, not simply row 1:
 * a register list creates people, so it needs a person (名前) and a way to tell people apart (メールアドレス or
 * 名刺会社); an update list only finds leads, so a リードID, or the dedupe key's columns (メールアドレス, or 名前 and
 * 名刺会社), are enough beside the columns it changes.
 */

import { matchColumn, type LeadField } from '../../leads/columns';
import { isCellProblem, type CellContent } from './cell-text';
import { columnName, type HeaderKind, type ListHeader, type ListRow, type SheetRow } from './list';

const NAMES_ENOUGH: Record<HeaderKind, (has: (field: LeadField) => boolean) => boolean> = {
  register: (has) => has('name') && (has('email') || has('company')),
  update: (has) => has('leadId') || has('email') || (has('name') && has('company')),
};

function textOf(content: CellContent | undefined): string {
  return content === undefined || isCellProblem(content) ? '' : content;
}

/** The header this row would be for a list of this kind, or undefined when it is not one. */
export function headerFrom(row: SheetRow, kind: HeaderKind = 'register'): ListHeader | undefined {
  const texts = Array.from(row.cells, textOf);
  let width = texts.length;
  while (width > 0 && texts[width - 1] === '') width -= 1;
  const labels = texts.slice(0, width);

  const fields: (LeadField | undefined)[] = [];
  const claimed = new Set<LeadField>();
  for (const label of labels) {
    const field = matchColumn(label);
    // The first column for a field wins; a second one is kept, as an extra column, rather than silently merged.
    if (field !== undefined && !claimed.has(field)) {
      claimed.add(field);
      fields.push(field);
    } else {
      fields.push(undefined);
    }
  }
  if (!NAMES_ENOUGH[kind]((field) => claimed.has(field))) return undefined;

  const taken = new Set(labels.filter((_, i) => fields[i] !== undefined));
  const extraKeys = labels.map((label, i) => {
    if (fields[i] !== undefined) return undefined;
    const base = label === '' ? `column ${columnName(i)}` : label;
    let key = base;
    for (let n = 2; taken.has(key); n += 1) key = `${base} (${n})`;
    taken.add(key);
    return key;
  });
  return { rowNumber: row.rowNumber, labels, fields, extraKeys };
}

/** The row in the header's terms, or undefined when every cell is empty or only spaces (formatted but empty). */
export function listRowFrom(header: ListHeader, row: SheetRow): ListRow | undefined {
  if (!row.cells.some((content) => content !== undefined && content !== '')) return undefined;

  const cells = header.labels.map((_, i) => textOf(row.cells[i]));
  const values: Partial<Record<LeadField, string>> = {};
  const extra: Record<string, string> = {};
  const errors: string[] = [];
  row.cells.forEach((content, i) => {
    if (content === undefined || content === '') return;
    const label = header.labels[i];
    if (isCellProblem(content)) {
      errors.push(`${content.problem} in column ${label || columnName(i)}`);
      return;
    }
    const field = header.fields[i];
    if (field !== undefined) values[field] = content;
    else extra[header.extraKeys[i] ?? `column ${columnName(i)}`] = content;
  });
  return { rowNumber: row.rowNumber, cells, values, extra, errors };
}
