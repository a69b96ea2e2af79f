import { newId } from '../ids';
import { ConflictError, NotFoundError } from '../errors';
import { withoutTableAttributes } from '../table/attributes';
import { getItem, type Item } from '../table/client';
import { TransactionCancelledError } from '../table/errors';
import { ITEM_ABSENT } from '../table/expressions';
import { ENTITY, keys } from '../table/keys';
import { queryAll, queryPage } from '../table/queries';
import { transact, txDelete, txPut } from '../table/transaction';
import { normaliseEmail } from '../text/normalize';
import type { User, UserCreate, UserListQuery, UserPatch } from './schema';

/**
 * Users live at USER#{id}; a guard item USEREMAIL#{normalised e-mail} keeps e-mails unique (two admins creating the
 * same person at once cannot both win) and answers "which user has this e-mail?" for assignment by list.
 */

type UserItem = User & Item;

const toUser = (item: UserItem & Item): User => withoutTableAttributes<User>(item);

export async function getUser(userId: string): Promise<User | undefined> {
  const item = await getItem<UserItem>(keys.user(userId));
  return item ? toUser(item) : undefined;
}

/** Every user, in id order (GSI1): for the jobs that go over the whole team, such as the morning digest. */
export async function everyUser(): Promise<User[]> {
  return (await queryAll<UserItem>({ index: 'gsi1', partition: keys.usersPartition })).map(toUser);
}

export async function requireUser(userId: string): Promise<User> {
  const user = await getUser(userId);
  if (!user) throw new NotFoundError(`no user ${userId}`);
  return user;
}

const userItem = (user: User): Item => ({ ...keys.user(user.userId), ...keys.usersIndex(user.userId), entity: ENTITY.user, ...user });

/** Claims the e-mail for the user: refused when another user holds it. */
const emailGuard = (userId: string, email: string) =>
  txPut('emailGuard', { ...keys.userEmail(normaliseEmail(email)), entity: ENTITY.userEmail, userId }, { condition: ITEM_ABSENT });

export async function createUser(input: UserCreate, now = new Date()): Promise<User> {
  const userId = input.userId ?? newId();
  const timestamp = now.toISOString();
  const user: User = {
    userId,
    name: input.name,
    email: input.email,
    ...(input.team ? { team: input.team } : {}),
    role: input.role,
    active: input.active,
    version: 1,
    createdAt: timestamp,
    updatedAt: timestamp,
  };
  try {
    await transact([txPut('user', userItem(user), { condition: ITEM_ABSENT }), emailGuard(userId, input.email)]);
  } catch (error) {
    if (error instanceof TransactionCancelledError) {
      if (error.failed('user')) throw new ConflictError(`a user with id ${userId} already exists`);
      if (error.failed('emailGuard')) throw new ConflictError('another user already has this e-mail address');
    }
    throw error;
  }
  return user;
}

export async function updateUser(userId: string, patch: Omit<UserPatch, 'version'>, expectedVersion: number, now = new Date()): Promise<User> {
  const current = await getUser(userId);
  if (!current) throw new NotFoundError(`no user ${userId}`);
  if (current.version !== expectedVersion) {
    throw new ConflictError(`user ${userId} has changed since version ${expectedVersion}`, {
      extensions: { currentVersion: current.version },
    });
  }
  const next: User = { ...current, version: current.version + 1, updatedAt: now.toISOString() };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete (next as Record<string, unknown>)[field];
    else if (value !== undefined) (next as Record<string, unknown>)[field] = value;
  }
  const emailChanged = normaliseEmail(next.email) !== normaliseEmail(current.email);
  try {
    await transact([
      txPut('user', userItem(next), { condition: 'version = :expected', values: { ':expected': expectedVersion } }),
      ...(emailChanged
        ? [
            emailGuard(userId, next.email),
            txDelete('previousEmail', keys.userEmail(normaliseEmail(current.email)), { condition: 'userId = :userId', values: { ':userId': userId } }),
          ]
        : []),
    ]);
  } catch (error) {
    if (error instanceof TransactionCancelledError) {
      if (error.failed('user')) {
        const latest = await getUser(userId);
        throw new ConflictError(`user ${userId} has changed since version ${expectedVersion}`, {
          extensions: { currentVersion: latest?.version },
        });
      }
      if (error.failed('emailGuard')) throw new ConflictError('another user already has this e-mail address');
    }
    throw error;
  }
  return next;
}

export async function listUsers(query: UserListQuery, startKey?: Item) {
  const clauses: string[] = [];
  const names: Record<string, string> = {};
  const values: Item = {};
  if (query.role) {
    names['#role'] = 'role';
    clauses.push(`#role IN (${query.role.map((_, i) => `:role${i}`).join(', ')})`);
    query.role.forEach((r, i) => (values[`:role${i}`] = r));
  }
  if (query.team !== undefined) {
    names['#team'] = 'team';
    values[':team'] = query.team;
    clauses.push('#team = :team');
  }
  if (query.active !== undefined) {
    names['#active'] = 'active';
    values[':active'] = query.active;
    clauses.push('#active = :active');
  }
  const page = await queryPage<UserItem>({
    index: 'gsi1',
    partition: keys.usersPartition,
    limit: query.limit,
    startKey,
    filter: clauses.length ? { expression: clauses.join(' AND '), names, values } : undefined,
  });
  return { items: page.items.map(toUser), lastKey: page.lastKey };
}

/** Every user, in id order: one partition of GSI1, a few hundred items at most (a company's staff, not its leads). */
export async function allUsers(): Promise<User[]> {
  return (await queryAll<UserItem>({ index: 'gsi1', partition: keys.usersPartition })).map(toUser);
}
