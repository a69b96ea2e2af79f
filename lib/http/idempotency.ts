import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ConflictError, ValidationError } from '../errors';
import { batchWrite, deleteItem, getItem, putItem, putRequest, updateItem } from '../table/client';
import { ConditionFailedError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryAll } from '../table/queries';
import type { Reply } from './route';

/**
 * `Idempotency-Key` for writes that create things (api.md): the same key and body from the same caller within 24 h
 * gets the first answer back and does nothing twice. A key reused with a different body is refused (422); a retry
 * that arrives while the first request is still running gets 409 rather than a second execution.
 */

const TTL_SECONDS = 24 * 3600;
/**
 * How long a first request may hold its key while running. API functions time out at 29 s; a record still
 * `in_progress` after this is from a request that died (timeout, crash), and a retry may run in its place.
 */
const IN_PROGRESS_SECONDS = 90;
const MAX_KEY_LENGTH = 128;
/**
 * A reply larger than this is kept beside the record, gzipped and cut into parts, rather than in it: an item holds
 * at most 400 KB, and an assignment of 20,000 leads can answer with every one of them.
 */
const INLINE_REPLY_BYTES = 100_000;
const PART_BYTES = 300_000;

interface IdempotencyRecord {
  requestHash: string;
  state: 'in_progress' | 'done';
  reply?: Reply;
  /** A large reply: its status and headers here, its body in this many parts. */
  replyParts?: number;
}

/** Keeps the reply on the record, or, when large, its body in gzipped parts written before the record says done. */
async function storeReply(key: ReturnType<typeof keys.idempotency>, reply: Reply, expiresAt: number): Promise<void> {
  const body = JSON.stringify(reply.body ?? null);
  if (Buffer.byteLength(body) <= INLINE_REPLY_BYTES) {
    await updateItem({ key, changes: { set: { state: 'done', reply } } });
    return;
  }
  const packed = gzipSync(body);
  const parts = Math.ceil(packed.length / PART_BYTES);
  await batchWrite(
    Array.from({ length: parts }, (_, n) =>
      putRequest({ ...keys.idempotencyPart(key, n), entity: ENTITY.idempotencyPart, expiresAt, data: packed.subarray(n * PART_BYTES, (n + 1) * PART_BYTES) }),
    ),
  );
  await updateItem({ key, changes: { set: { state: 'done', reply: { status: reply.status, headers: reply.headers ?? {} }, replyParts: parts } } });
}

async function storedReply(partition: string, record: IdempotencyRecord): Promise<Reply> {
  if (!record.replyParts) return record.reply!;
  const parts = await queryAll<{ data: Uint8Array }>({ partition, sortPrefix: keys.idempotencyPartPrefix });
  if (parts.length !== record.replyParts) throw new Error('the stored reply is incomplete');
  const body = JSON.parse(gunzipSync(Buffer.concat(parts.map((p) => Buffer.from(p.data)))).toString('utf8'));
  return { ...record.reply!, body };
}

export async function idempotent(
  input: { callerId: string; scope: string; headers: Record<string, string | undefined>; body: unknown },
  run: () => Promise<Reply>,
): Promise<Reply> {
  const idempotencyKey = input.headers['idempotency-key']?.trim();
  if (!idempotencyKey) return run();
  if (idempotencyKey.length > MAX_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(idempotencyKey)) {
    throw new ValidationError('Idempotency-Key must be 1–128 visible ASCII characters', [{ path: 'header.idempotency-key', message: 'invalid' }]);
  }
  const key = keys.idempotency(input.callerId, input.scope, idempotencyKey);
  const requestHash = createHash('sha256').update(JSON.stringify(input.body ?? null)).digest('base64url');
  const nowSeconds = Math.floor(Date.now() / 1000);
  const expiresAt = nowSeconds + TTL_SECONDS;

  try {
    await putItem(
      { ...key, entity: ENTITY.idempotency, requestHash, state: 'in_progress', expiresAt, leaseUntil: nowSeconds + IN_PROGRESS_SECONDS },
      // An expired record may linger until TTL deletes it; it no longer counts. Nor does an abandoned first attempt
      // of the same request (the work it did is safe to meet again: the writes behind these routes are idempotent).
      {
        condition: `${ITEM_ABSENT} OR expiresAt < :now OR (#state = :inProgress AND leaseUntil < :now AND requestHash = :hash)`,
        names: { '#state': 'state' },
        values: { ':now': nowSeconds, ':inProgress': 'in_progress', ':hash': requestHash },
      },
    );
  } catch (error) {
    if (!(error instanceof ConditionFailedError)) throw error;
    const existing = await getItem<IdempotencyRecord>(key);
    if (existing && existing.requestHash !== requestHash) {
      throw new ValidationError('this Idempotency-Key was used with a different request body', [{ path: 'header.idempotency-key', message: 'reused' }]);
    }
    if (existing?.state === 'done' && existing.reply) {
      const stored = await storedReply(keys.idempotencyPartition(input.callerId, input.scope, idempotencyKey), existing);
      return { ...stored, headers: { ...(stored.headers ?? {}), 'idempotent-replayed': 'true' } };
    }
    throw new ConflictError('a request with this Idempotency-Key is still being processed; retry shortly');
  }

  let reply: Reply;
  try {
    reply = await run();
  } catch (error) {
    // Nothing was done (or it was rolled back): the record goes, so that a refused request leaves nothing behind and
    // a retry with the same key runs afresh. (It used to stay with expiresAt 0, which TTL never deletes: DynamoDB
    // skips items that expired over five years ago, so each refusal left an item for good.) Only our own record, still
    // in progress, is deleted.
    await deleteItem(key, {
      condition: 'requestHash = :hash AND #state = :inProgress',
      names: { '#state': 'state' },
      values: { ':hash': requestHash, ':inProgress': 'in_progress' },
    }).catch(() => undefined);
    throw error;
  }
  await storeReply(key, reply, expiresAt);
  return reply;
}
