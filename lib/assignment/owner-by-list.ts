import { isAcceptableId } from '../ids';
import { getItem } from '../table/client';
import { keys } from '../table/keys';
import { queryAll } from '../table/queries';
import { normaliseEmail, normaliseName } from '../text/normalize';
import type { User } from '../users/schema';
import { getUser } from '../users/repository';
import { canOwnLeads } from './owners';

/**
 * The リード担当者 cell of an update list, as a user: by e-mail (as the list export writes it), by user id, or by
 * name when exactly one user has it. Anything else is a reason to reject the row, in Japanese for the marketer.
 */

export type OwnerLookup = { ok: true; user: User } | { ok: false; code: 'unknown_owner' | 'ambiguous_owner' | 'invalid_owner'; reason: string };

export function ownerResolver(): (cell: string) => Promise<OwnerLookup> {
  const cache = new Map<string, Promise<OwnerLookup>>();
  let everyone: Promise<User[]> | undefined;
  const allUsers = () =>
    (everyone ??= queryAll<User>({ index: 'gsi1', partition: keys.usersPartition }));

  const find = async (cell: string): Promise<OwnerLookup> => {
    const text = cell.normalize('NFKC').trim();
    let user: User | undefined;
    if (text.includes('@')) {
      const guard = await getItem<{ userId: string }>(keys.userEmail(normaliseEmail(text)));
      user = guard ? await getUser(guard.userId) : undefined;
    } else {
      user = isAcceptableId(text) ? await getUser(text) : undefined;
      if (!user) {
        const named = (await allUsers()).filter((u) => normaliseName(u.name) === normaliseName(text));
        if (named.length > 1) return { ok: false, code: 'ambiguous_owner', reason: `リード担当者「${cell}」に当たるユーザーが複数います。メールアドレスで指定してください` };
        user = named[0];
      }
    }
    if (!user) return { ok: false, code: 'unknown_owner', reason: `リード担当者「${cell}」に当たるユーザーがいません` };
    if (!canOwnLeads(user)) return { ok: false, code: 'invalid_owner', reason: `「${user.name}」さんにはリードを割り当てられません（無効なユーザー、または担当できない役割）` };
    return { ok: true, user };
  };
  return (cell) => {
    const key = cell.normalize('NFKC').trim().toLowerCase();
    if (!cache.has(key)) cache.set(key, find(cell));
    return cache.get(key)!;
  };
}
