import { createHmac, timingSafeEqual } from 'node:crypto';
import { config } from '../config';
import { BadRequestError } from '../errors';
import { deploymentKey } from '../storage/secrets';

/**
 * Pagination cursors are opaque to clients and tamper-checked: the position (a DynamoDB key, or one per shard)
 * plus a fingerprint of the query it belongs to, signed with HMAC-SHA256. A cursor edited by hand, or replayed on
 * a different filter, is refused with 400 rather than silently returning the wrong page.
 */

const secret = deploymentKey({ local: config.cursorSecret, arn: config.cursorSecretArn, names: 'CURSOR_SECRET or CURSOR_SECRET_ARN' });
const cursorSecret = () => secret.get();

export const resetCursorSecret = (): void => secret.reset();

const sign = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest('base64url');

/** `scope` identifies the query (route + filter); a cursor only continues the query that made it. */
export async function encodeCursor(position: unknown, scope: string): Promise<string> {
  const payload = Buffer.from(JSON.stringify({ p: position, s: scope }), 'utf8').toString('base64url');
  return `${payload}.${sign(await cursorSecret(), payload)}`;
}

export async function decodeCursor<T>(cursor: string, scope: string): Promise<T> {
  const [payload, signature, extra] = cursor.split('.');
  if (!payload || !signature || extra !== undefined) throw new BadRequestError('the cursor is not valid');
  const expected = Buffer.from(sign(await cursorSecret(), payload));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new BadRequestError('the cursor is not valid');
  }
  let decoded: { p: T; s: string };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new BadRequestError('the cursor is not valid', { cause });
  }
  if (decoded.s !== scope) throw new BadRequestError('the cursor belongs to a different query');
  return decoded.p;
}
