/**
 * CSV injection: a cell that starts with = + - @ (or a tab or carriage return) is run as a formula by spreadsheet
 * programs that open a CSV. Exports prefix such text with an apostrophe, which Excel shows as text and hides; list
 * intake removes that apostrophe again, so an exported list edited and uploaded back reads as the same text.
 * (In .xlsx every value is written as a typed string cell, which Excel never evaluates: no prefix needed there.)
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseForCsv(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function restoreFromCsv(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}
