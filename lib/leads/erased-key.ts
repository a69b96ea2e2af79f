import { createHmac } from 'node:crypto';
import { config } from '../config';
import { deploymentKey } from '../storage/secrets';
import { batchGet, keyString } from '../table/client';
import { keys } from '../table/keys';

/**
 * How the product remembers a person erased on request without keeping who they were: an HMAC-SHA-256 of their
 * dedupe key (lib/leads/match-key.ts, so full width, case and spaces are already seen through) under a key of the
 * deployment's. A bare hash would not do: e-mail addresses are guessable, and anyone holding the table could hash a
 * list of them and find who asked to be erased. Without the key the stored value names nobody.
 *
 * The key is never rotated: hashes made under an old key would no longer match, and an erased person's next list row
 * would create them again.
 */

const secret = deploymentKey({ local: config.erasureSecret, arn: config.erasureSecretArn, names: 'ERASURE_SECRET or ERASURE_SECRET_ARN' });
const erasureSecret = () => secret.get();

/** The one-way, keyed hash of a dedupe key, as stored for an erased person. */
export async function erasedKeyOf(matchKey: string): Promise<string> {
  return createHmac('sha256', await erasureSecret()).update(matchKey, 'utf8').digest('base64url');
}

/** Which of these dedupe keys belong to people erased on request (one batch read of their hashes). */
export async function erasedAmong(matchKeys: string[], options: { concurrency?: number } = {}): Promise<Set<string>> {
  if (matchKeys.length === 0) return new Set();
  const hashed = await Promise.all(matchKeys.map(async (matchKey) => ({ matchKey, hash: await erasedKeyOf(matchKey) })));
  const found = await batchGet(hashed.map(({ hash }) => keys.erasedMatchKey(hash)), options);
  return new Set(hashed.filter(({ hash }) => found.has(keyString(keys.erasedMatchKey(hash)))).map(({ matchKey }) => matchKey));
}
