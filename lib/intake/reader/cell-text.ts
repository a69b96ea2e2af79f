/**
 * A cell's text as the user sees it in Excel, from the value exceljs's streaming reader gives. Lists are typed by
 * hand, so the rule is to keep what the user sees: a phone number typed as a number keeps its digits (never
 * "3.12E+08"), a zero-padded format keeps its zeros, a date stays the date on the screen whatever the server's
 * time zone.
 */

/** A cell that has something in it but no text we can take as the user's: an error value, a missing result. */
export interface CellProblem {
  problem: string;
}

/** Text (possibly empty), or a problem; an empty cell is an empty string. */
export type CellContent = string | CellProblem;

export function isCellProblem(content: CellContent | undefined): content is CellProblem {
  return typeof content === 'object';
}

/** Excel keeps 15 significant digits; the 16th and 17th that the file may carry are binary noise (0.1 + 0.2). */
const EXCEL_PRECISION = 15;
const MS_PER_DAY = 86_400_000;
/** Serial day 0 is 1899-12-30 in the 1900 date system, 1904-01-01 in the 1904 one (old Mac workbooks). */
const EPOCH_1900 = Date.UTC(1899, 11, 30);
const EPOCH_1904 = Date.UTC(1904, 0, 1);

export interface CellFormat {
  /** The cell's number format code, when the workbook gives one. */
  numFmt?: string | undefined;
  date1904?: boolean | undefined;
}

export function cellContent(value: unknown, format: CellFormat = {}): CellContent {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return displayedString(value);
  if (typeof value === 'number') return numberText(value, format);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return dateText(value);
  if (typeof value !== 'object') return String(value).trim();

  const cell = value as Record<string, unknown>;
  if (typeof cell.error === 'string') return { problem: `error cell ${cell.error}` };
  if (Array.isArray(cell.richText)) return displayedString(richText(cell.richText));
  if ('formula' in cell || 'sharedFormula' in cell || 'result' in cell) {
    const result = cell.result;
    if (result === undefined || result === null) {
      return { problem: 'formula without a calculated value (open the file in Excel and save it again)' };
    }
    // The streaming reader parses every non-text result with parseFloat, so an error result (#N/A) arrives as NaN.
    if (typeof result === 'number' && Number.isNaN(result)) return { problem: 'formula whose result is an error' };
    return cellContent(result, format);
  }
  if ('hyperlink' in cell) {
    const text = cell.text;
    if (typeof text === 'string' && text.trim() !== '') return displayedString(text);
    if (text !== undefined && text !== null && typeof text === 'object') return cellContent(text, format);
    return typeof cell.hyperlink === 'string' ? displayedString(cell.hyperlink) : '';
  }
  return { problem: 'a value that cannot be read as text' };
}

function richText(runs: unknown[]): string {
  return runs.map((run) => (run as { text?: unknown }).text ?? '').join('');
}

/**
 * Trimmed of surrounding spaces of any width, line breaks as the LF Excel uses in a cell; a bare `mailto:` link
 * shows as the address it opens.
 */
function displayedString(value: string): string {
  const trimmed = value.trim();
  const text = trimmed.includes('\r') ? trimmed.replace(/\r\n?/g, '\n') : trimmed;
  const mailto = /^mailto:([^\s?]+@[^\s?]+)(?:\?.*)?$/i.exec(text);
  return mailto ? decodeMailto(mailto[1] ?? '') : text;
}

function decodeMailto(address: string): string {
  try {
    return decodeURIComponent(address);
  } catch {
    return address;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Numbers

function numberText(value: number, format: CellFormat): CellContent {
  if (!Number.isFinite(value)) return { problem: 'a number Excel cannot hold' };
  if (isDateFormat(format.numFmt)) return dateText(serialToDate(value, format.date1904 ?? false));
  const rounded = Number(value.toPrecision(EXCEL_PRECISION)) || 0; // `|| 0` folds -0
  if (Number.isInteger(rounded)) {
    const digits = BigInt(rounded).toString();
    const pattern = rounded >= 0 ? digitPattern(format.numFmt) : undefined;
    // Zero has no significant digit: `#` shows nothing for it, `0` shows a zero.
    return pattern ? applyDigitPattern(pattern, rounded === 0 ? '' : digits).trim() : digits;
  }
  return rounded.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 });
}

type PatternToken = { placeholder: '0' | '#' | '?' } | { literal: string };

/**
 * Integer formats built only from digit placeholders and literals: how lists keep a phone's leading zero
 * (`0##########`, `00000000000`) or show a postal code (`000-0000`). Anything richer (decimals, grouping, percent,
 * colours, conditions) is not applied: the plain digits are more useful to an import than a rendering of it.
 */
export function digitPattern(numFmt: string | undefined): PatternToken[] | undefined {
  if (!numFmt) return undefined;
  const tokens: PatternToken[] = [];
  let i = 0;
  while (i < numFmt.length) {
    const ch = numFmt[i] as string;
    if (ch === ';') break; // the first section is the one for positive numbers
    if (ch === '0' || ch === '#' || ch === '?') {
      tokens.push({ placeholder: ch });
      i += 1;
    } else if (ch === '"') {
      const close = numFmt.indexOf('"', i + 1);
      if (close < 0) return undefined;
      tokens.push({ literal: numFmt.slice(i + 1, close) });
      i = close + 1;
    } else if (ch === '\\') {
      tokens.push({ literal: numFmt[i + 1] ?? '' });
      i += 2;
    } else if ('-()/ +'.includes(ch)) {
      tokens.push({ literal: ch });
      i += 1;
    } else {
      return undefined;
    }
  }
  const placeholders = tokens.filter((token) => 'placeholder' in token).length;
  // A lone placeholder adds nothing to the digits.
  return placeholders > 1 ? tokens : undefined;
}

function applyDigitPattern(tokens: PatternToken[], digits: string): string {
  const placeholders = tokens.filter((token) => 'placeholder' in token).length;
  // Digits fill placeholders from the right; extra digits all go to the first placeholder, as in Excel.
  let unfilled = placeholders - digits.length;
  let next = 0;
  let seen = 0;
  let out = '';
  for (const token of tokens) {
    if ('literal' in token) {
      out += token.literal;
      continue;
    }
    seen += 1;
    if (seen === 1 && unfilled < 0) {
      const take = 1 - unfilled;
      out += digits.slice(0, take);
      next = take;
    } else if (unfilled > 0) {
      unfilled -= 1;
      out += token.placeholder === '0' ? '0' : token.placeholder === '?' ? ' ' : '';
    } else {
      out += digits[next] ?? '';
      next += 1;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates

/** Whether a number format shows a date or time: any of y m d h s outside quoted text, escapes and [brackets]. */
export function isDateFormat(numFmt: string | undefined): boolean {
  if (!numFmt || /^general$/i.test(numFmt)) return false;
  const bare = numFmt
    .replace(/"[^"]*"/g, '')
    .replace(/\\./g, '')
    .replace(/[_*]./g, '')
    .replace(/\[[^\]]*\]/g, '');
  return /[ymdhs]/i.test(bare);
}

export function serialToDate(serial: number, date1904: boolean): Date {
  return new Date((date1904 ? EPOCH_1904 : EPOCH_1900) + Math.round(serial * MS_PER_DAY));
}

/**
 * YYYY-MM-DD, with HH:mm when there is a time (and :ss when the seconds are not zero); a bare time as HH:mm.
 * exceljs builds dates from the serial number as if it were UTC, so the parts are taken from the UTC (ISO) form:
 * the server's time zone must not turn a 2024-04-01 into 2024-03-31.
 */
export function dateText(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) return '';
  // Serial numbers carry float noise (0.9999999 of a second); round to the second Excel would show.
  const at = Math.round(time / 1000) * 1000;
  const iso = new Date(at).toISOString(); // 2024-04-01T09:30:05.000Z
  const seconds = iso.slice(17, 19);
  const clock = seconds === '00' ? iso.slice(11, 16) : iso.slice(11, 19);
  const hasTime = at % MS_PER_DAY !== 0;
  // A bare time is a fraction of day 0, which is 1899-12-30 (or 1904-01-01): no list means those days.
  const timeOnly = [EPOCH_1900, EPOCH_1904].some((epoch) => at >= epoch && at - epoch < MS_PER_DAY);
  if (timeOnly && hasTime) return clock;
  return hasTime ? `${iso.slice(0, 10)} ${clock}` : iso.slice(0, 10);
}
