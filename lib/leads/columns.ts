/**
 * The column dictionary: which lead field a list column holds, judged from its header label. Intake reads it to map
 * uploaded columns; the list export writes CANONICAL_LABEL so an exported file reads back into the same fields.
 *
 * Labels come from the seed product's list format (`*名前`, `名刺会社`, `名前（カナ）`, …) and from what marketing
 * lists exported by other tools tend to use. Matching is forgiving about how a label is typed, never about what it
 * says: a label we do not know stays an extra column rather than being guessed into a field.
 */

export const LEAD_FIELDS = [
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
  'products',
  'classification',
  'stage',
  'stageReason',
  'owner',
  'ownerTeam',
  'memo',
  'arisenOn',
  'lastActionResult',
  'lastActionAt',
  'leadId',
  'version',
] as const;

export type LeadField = (typeof LEAD_FIELDS)[number];

/** Every label a field answers to; the first is the one the export writes. */
const LABELS: Record<LeadField, readonly string[]> = {
  name: ['名前', '氏名', 'お名前', '姓名', 'Name', 'Full name'],
  nameKana: [
    '名前（カナ）',
    '名前（フリガナ）',
    '氏名（カナ）',
    '氏名（フリガナ）',
    'フリガナ',
    'ふりがな',
    'カナ氏名',
    'Name kana',
  ],
  email: ['メールアドレス', 'メール', 'Eメール', 'Eメールアドレス', 'E-mail', 'E-mail address', 'Email', 'Mail'],
  company: ['名刺会社', '会社名', '企業名', '会社', '社名', 'Company', 'Company name'],
  department: ['組織', '部署', '部署名', '所属', '所属部署', '部門', 'Department'],
  title: ['役職', '役職名', 'Title', 'Job title', 'Position'],
  phone: ['電話番号', '電話', 'TEL', 'Phone', 'Phone number', 'Telephone'],
  mobile: ['携帯電話', '携帯', '携帯電話番号', '携帯番号', 'Mobile', 'Mobile phone'],
  industry: ['業種', '業界', 'Industry'],
  employeeSize: ['従業員規模', '従業員数', 'Employees', 'Employee size', 'Number of employees'],
  products: ['対象製品', 'Products'],
  classification: ['リード分類', 'Classification', 'Lead classification'],
  stage: ['リードステージ', 'ステージ', 'Stage', 'Lead stage'],
  stageReason: ['ステージ理由', 'ステージの理由', 'Stage reason'],
  owner: ['リード担当者', 'Owner', 'Lead owner'],
  ownerTeam: ['リード担当組織', 'Owner team'],
  memo: ['共有メモ', 'メモ', 'Memo', 'Shared memo'],
  arisenOn: ['リード発生日', 'Lead date'],
  lastActionResult: ['最終アクション結果', 'Last action result'],
  lastActionAt: ['最終アクション日', '最終アクション日時', 'Last action date'],
  leadId: ['リードID', 'Lead ID'],
  version: ['バージョン', 'Version'],
};

/** The Japanese label the list export writes for each field. */
export const CANONICAL_LABEL: Readonly<Record<LeadField, string>> = Object.fromEntries(
  LEAD_FIELDS.map((field) => [field, LABELS[field][0]]),
) as Record<LeadField, string>;

// Templates mark columns as required or optional in several ways: `*名前`, `※名前`, `名前（必須）`, `【必須】名前`.
const REQUIRED_MARK = /[([【〔]\s*(?:必須|任意|required|optional)\s*[)\]】〕]/gu;
// After NFKC, what is left that does not change a label's meaning: spaces of any width, required marks, brackets
// (so 名前（カナ）, 名前(カナ) and 名前 カナ agree) and the separators in E-mail / Full_name / TEL.
const IGNORABLE = /[\s\u200b\ufeff*※()[\]【】〔〕・\-‐_.:]/gu;

/** The form two labels are compared in: for matching only, never shown or stored. */
export function labelKey(label: string): string {
  return label.normalize('NFKC').toLowerCase().replace(REQUIRED_MARK, '').replace(IGNORABLE, '');
}

const FIELD_BY_KEY: ReadonlyMap<string, LeadField> = (() => {
  const byKey = new Map<string, LeadField>();
  for (const field of LEAD_FIELDS) {
    for (const label of LABELS[field]) {
      const key = labelKey(label);
      const taken = byKey.get(key);
      // Two fields answering to one label would make matching depend on declaration order.
      if (taken !== undefined && taken !== field) throw new Error(`label ${label} is claimed by ${taken} and ${field}`);
      byKey.set(key, field);
    }
  }
  return byKey;
})();

/** The lead field a column label stands for, or undefined when the label is not one we know. */
export function matchColumn(label: string): LeadField | undefined {
  const key = labelKey(label);
  return key === '' ? undefined : FIELD_BY_KEY.get(key);
}
