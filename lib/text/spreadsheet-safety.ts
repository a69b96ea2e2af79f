/**
 * CSV injection: a cell that starts with = + - @ (or a tab or carriage return) is run as a formula by spreadsheet
 * programs that open a CSV, and so is one that starts with their full-width forms ＝ ＋ － ＠, which a Japanese IME
 * types and Excel reads as the half-width sign. Exports prefix such text with an apostrophe, which Excel shows as text
 * and hides; list intake removes that apostrophe again, so an exported list edited and uploaded back reads as the
 * same text. (In .xlsx every value is written as a typed string cell, which Excel never evaluates: no prefix there.)
 *
 * The two sides are one rule, so the round trip is exact for any text: the guard prefixes text that is formula-like
 * after any apostrophes it already starts with ('=x typed by hand gets one more), and intake takes one apostrophe
 * off exactly such text, and nothing else.
 */

const FORMULA_START = /^'*[=+\-@＝＋－＠\t\r]/u;

export function neutraliseForCsv(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function restoreFromCsv(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
