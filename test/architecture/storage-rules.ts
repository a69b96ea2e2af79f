/**
 * Where storage may show itself. lib/table owns the table (SDK commands, marshalling, expressions of keys, paging,
 * counting, cancellation reasons), lib/table/keys.ts and definition.ts own key values, prefixes and index names,
 * lib/storage owns the bucket and the other AWS services and the bucket's layout, lib/config.ts the environment.
 * Each rule is a pattern that may appear only in the files it names.
 */

export interface StorageRule {
  rule: string;
  /** Matched against a file's code with comments taken out. */
  pattern: RegExp;
  /** Paths (prefixes) where the pattern may appear. */
  allowedIn: string[];
  /** Matched against the file's package imports instead of its code. */
  packages?: boolean;
}

const TABLE = 'lib/table/';
const KEYS = ['lib/table/keys.ts', 'lib/table/definition.ts'];

export const STORAGE_RULES: StorageRule[] = [
  { rule: 'the DynamoDB SDK is used only by the table adapter', pattern: /^@aws-sdk\/(client-dynamodb|util-dynamodb|client-dynamodb-streams)$/, allowedIn: [TABLE], packages: true },
  { rule: 'the other AWS SDK clients only by lib/storage', pattern: /^@aws-sdk\/(?!client-dynamodb|util-dynamodb)/, allowedIn: ['lib/storage/'], packages: true },
  { rule: 'no SDK command is constructed outside the adapters', pattern: /new [A-Z]\w*Command\(/, allowedIn: [TABLE, 'lib/storage/'] },
  { rule: 'items are marshalled only by the table adapter', pattern: /\b(toAttributes|fromAttributes|marshall|unmarshall)\(/, allowedIn: [TABLE] },
  // infra/ names a CloudFormation output TableName.
  { rule: 'table names, index names and pages are the adapter’s', pattern: /\b(TableName|IndexName|ExclusiveStartKey|LastEvaluatedKey|KeyConditionExpression|ScanIndexForward)\b/, allowedIn: [TABLE, 'infra/'] },
  { rule: 'counting is the adapter’s', pattern: /Select:\s*['"]COUNT['"]/, allowedIn: [TABLE] },
  { rule: 'reading every page is the adapter’s: queryAll, queryPages', pattern: /startKey\s*=\s*\w+\.lastKey|while\s*\(\s*startKey\s*\)/, allowedIn: [TABLE] },
  { rule: 'sort-key prefixes are a query option, not an expression', pattern: /begins_with\(\s*(SK|#sk)\b/, allowedIn: [TABLE] },
  { rule: 'a cancelled transaction is read by label, not by position', pattern: /\.reasons\b|CancellationReasons/, allowedIn: [TABLE] },
  { rule: 'key prefixes are written only in keys.ts', pattern: /['"`][A-Z][A-Z_]+#/, allowedIn: KEYS },
  { rule: 'index names and index key attributes only in keys.ts and definition.ts', pattern: /\bGSI\d/, allowedIn: KEYS },
  // Not the zip signature `PK\x03\x04` the list reader checks.
  { rule: 'the table’s key attributes are named only by the adapter', pattern: /\b(PK|SK)\b(?!\\x)/, allowedIn: [TABLE] },
  { rule: 'the bucket’s layout is declared once', pattern: /['"`](imports|rejections|exports)\//, allowedIn: ['lib/storage/layout.ts'] },
  { rule: 'the environment is read only in lib/config.ts', pattern: /process\.env\b/, allowedIn: ['lib/config.ts'] },
];

/** The folders the rules hold for: the product, its local stack and its cloud stack (scripts and benches aside). */
export const RULED = ['lib/', 'functions/', 'infra/'];

export interface RuledFile {
  path: string;
  code: string;
  packages: string[];
}

/** Every place a rule is broken, as `path: rule (what matched)`. */
export function storageViolations(files: RuledFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (!RULED.some((p) => file.path.startsWith(p))) continue;
    for (const rule of STORAGE_RULES) {
      if (rule.allowedIn.some((p) => file.path.startsWith(p))) continue;
      const hits = rule.packages ? file.packages.filter((p) => rule.pattern.test(p)) : [...file.code.matchAll(new RegExp(rule.pattern, 'g'))].map((m) => m[0]);
      if (hits.length > 0) found.push(`${file.path}: ${rule.rule} (${[...new Set(hits)].join(', ')})`);
    }
  }
  return found;
}
