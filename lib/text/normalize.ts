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

/**
 * Japanese legal-form markers, written before or after the name, in full or abbreviated: 株式会社 / (株) / ㈱,
 * 有限会社 / (有) / ㈲, 合同会社, 合資会社, 合名会社, and common foreign forms. After NFKC, ㈱ becomes (株).
 */
const LEGAL_FORMS = [
  '株式会社',
  '有限会社',
  '合同会社',
  '合資会社',
  '合名会社',
  '一般社団法人',
  '一般財団法人',
  '公益社団法人',
  '公益財団法人',
  '特定非営利活動法人',
  '医療法人',
  '学校法人',
  '社会福祉法人',
  '(株)',
  '(有)',
  '(同)',
  '(資)',
  '(名)',
  '(社)',
  '(財)',
  '(医)',
  '(学)',
  'co.,ltd.',
  'co.,ltd',
  'co.ltd.',
  'co.ltd',
  'ltd.',
  'ltd',
  'inc.',
  'inc',
  'corporation',
  'corp.',
  'k.k.',
];

/** Company match key: NFKC, lower case, no spaces, legal form removed wherever it stands. */
export function normaliseCompany(value: string): string {
  let key = value.normalize('NFKC').toLowerCase().replace(SPACES, '');
  for (const form of LEGAL_FORMS) key = key.split(form).join('');
  return key.replace(/^[,.・]+|[,.・]+$/g, '');
}
