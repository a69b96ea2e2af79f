/**
 * Normalisation for matching, never for storage: the stored value keeps what the user typed.
 * NFKC folds full-width letters, digits and symbols to their half-width forms (ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ →
 * ABC@example.com) and the ideographic space (U+3000) to a plain space.
 */

const SPACES = /[\s\u3000\u200b\ufeff]+/gu;

/** E-mail match key: NFKC, trimmed, spaces removed, lower-cased. */
export function normaliseEmail(value: string): string {
  return value.normalize('NFKC').replace(SPACES, '').toLowerCase();
}

/** Name match key: NFKC, every space of any width removed, lower-cased. */
export function normaliseName(value: string): string {
  return value.normalize('NFKC').replace(SPACES, '').toLowerCase();
}
