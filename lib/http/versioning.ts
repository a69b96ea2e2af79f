import { ValidationError } from '../errors';

/**
 * Optimistic concurrency: the version a client last saw comes as `If-Match: "3"` (the ETag we sent) or as
 * `version` in the body. A write without either is refused: silently overwriting someone else's edit is exactly
 * what this product promises not to do.
 */
export function expectedVersion(headers: Record<string, string | undefined>, bodyVersion?: number): number {
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    const match = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
    if (!match) throw new ValidationError('If-Match must carry a version', [{ path: 'header.if-match', message: 'expected "<version>"' }]);
    const version = Number(match[1]);
    if (bodyVersion !== undefined && bodyVersion !== version) {
      throw new ValidationError('If-Match and body version disagree', [{ path: 'body.version', message: 'differs from If-Match' }]);
    }
    return version;
  }
  if (bodyVersion !== undefined) return bodyVersion;
  throw new ValidationError('send the version you edited, as If-Match or in the body', [
    { path: 'body.version', message: 'required (or an If-Match header)' },
  ]);
}
