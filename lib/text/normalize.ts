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
 * Legal-form markers, written before or after the name, in full or abbreviated. Only a whole token at either end
 * of the name is a legal form: inside a name the same letters are part of a word (Princeton Inc., Saltdean Ltd), and
 * 株式会社 in the middle of a name (日本株式会社研究所) is not this company's form. Japanese writes no space around
 * them, so a Japanese form is a token wherever the name starts or ends; a Latin one must stand apart from the name.
 */
const JAPANESE_FORMS = [
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
];

/**
 * Co., Ltd. in its spellings (Co.,Ltd / Co. Ltd. / Co Ltd), then single words; longest first. A final dot is
 * optional: the name's trailing dots are gone before the forms are looked for.
 */
const LATIN_FORMS = String.raw`co\.?\s*,?\s*ltd\.?|ltd\.?|inc\.?|corporation|corp\.?|k\.\s*k\.?`;
const LATIN_AT_START = new RegExp(`^(?:${LATIN_FORMS})(?=$|[\\s,.・])`, 'u');
const LATIN_AT_END = new RegExp(`(?:^|(?<=[\\s,・]))(?:${LATIN_FORMS})$`, 'u');

/**
 * An abbreviated form in brackets, (株) and the like: after NFKC that covers （株）, ㈱ and ㈲ too. The brackets set
 * it apart from the name, so it goes wherever it stands (フリーダム(株)東京支店).
 */
const BRACKETED_FORM = /[(\[【〔]\s*[株有同資名社財医学]\s*[)\]】〕]/gu;

/** What may be left at either end once a form is gone: the comma of "Freedom, Inc.", spaces, a middle dot. */
const EDGE_PUNCTUATION = /^[\s,.・]+|[\s,.・]+$/gu;

function withoutEdgeForm(name: string): string {
  for (const form of JAPANESE_FORMS) {
    if (name.startsWith(form)) return name.slice(form.length);
    if (name.endsWith(form)) return name.slice(0, -form.length);
  }
  return name.replace(LATIN_AT_START, '').replace(LATIN_AT_END, '');
}

/** Company match key: NFKC, lower case, legal forms at either end (or in brackets) removed, then no spaces. */
export function normaliseCompany(value: string): string {
  let key = value.normalize('NFKC').toLowerCase().replace(BRACKETED_FORM, ' ').replace(EDGE_PUNCTUATION, '');
  // A name may carry more than one (Freedom Co., Ltd. 株式会社): strip until nothing changes.
  for (let previous = ''; previous !== key; ) {
    previous = key;
    key = withoutEdgeForm(key).replace(EDGE_PUNCTUATION, '');
  }
  return key.replace(SPACES, '');
}
