/**
 * Where things live in the intake bucket, declared once: the intake, the exports, the rejections workbooks and the
 * CDK stack (notification filter, per-prefix grants, lifecycle rules) all take their keys from here.
 * api.md fixes `imports/{campaignId}/{invitation|participant|update}/{fileName}`.
 */

export const BUCKET_PREFIXES = {
  /** Uploaded lists; an object created here starts an import. */
  imports: 'imports/',
  /** Workbooks of the rows an import rejected, with the reason for each. */
  rejections: 'rejections/',
  /** Exported lists, downloaded once through a presigned URL. */
  exports: 'exports/',
} as const;

export type BucketPrefix = (typeof BUCKET_PREFIXES)[keyof typeof BUCKET_PREFIXES];

/** The key a list is uploaded to. */
export const listKey = (campaignId: string, kind: string, fileName: string): string => `${BUCKET_PREFIXES.imports}${campaignId}/${kind}/${fileName}`;

/** `imports/{campaignId}/{kind}/{fileName}` → its parts; undefined for a key outside that layout. */
export function parseListKey(key: string): { campaignId: string; kind: string; fileName: string } | undefined {
  if (!key.startsWith(BUCKET_PREFIXES.imports)) return undefined;
  const match = /^([^/]+)\/([^/]+)\/([^/]+)$/.exec(key.slice(BUCKET_PREFIXES.imports.length));
  return match ? { campaignId: match[1]!, kind: match[2]!, fileName: match[3]! } : undefined;
}

/** Whether an object key is an uploaded list (what the intake is notified of). */
export const isListKey = (key: string): boolean => key.startsWith(BUCKET_PREFIXES.imports);

export const rejectionsKey = (importId: string): string => `${BUCKET_PREFIXES.rejections}${importId}.xlsx`;

export const exportKey = (exportId: string, format: string): string => `${BUCKET_PREFIXES.exports}${exportId}.${format}`;
