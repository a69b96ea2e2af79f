import { ValidationError, type FieldIssue } from '../errors';
import type { User } from '../users/schema';
import { getUser } from '../users/repository';
import { PERMISSIONS, type Role } from '../users/roles';

/** The people leads may be given to: active users whose role works leads (PERMISSIONS.ownLeads). */

export const canOwnLeads = (user: Pick<User, 'active' | 'role'>): boolean =>
  user.active && (PERMISSIONS.ownLeads as readonly Role[]).includes(user.role);

/** The named owners, or a 422 naming each one that cannot own leads and why. */
export async function requireOwners(ownerIds: string[], path: string, roles: readonly Role[] = PERMISSIONS.ownLeads): Promise<Map<string, User>> {
  const users = await Promise.all(ownerIds.map((id) => getUser(id)));
  const issues: FieldIssue[] = [];
  const owners = new Map<string, User>();
  users.forEach((user, index) => {
    const at = ownerIds.length > 1 || path.endsWith('s') ? `${path}.${index}` : path;
    if (!user) issues.push({ path: at, message: `no user ${ownerIds[index]}` });
    else if (!user.active) issues.push({ path: at, message: `user ${user.userId} is inactive` });
    else if (!roles.includes(user.role)) issues.push({ path: at, message: `a ${user.role} cannot be given leads here (allowed: ${roles.join(', ')})` });
    else owners.set(user.userId, user);
  });
  if (issues.length > 0) throw new ValidationError('every owner must be an active user whose role can own these leads', issues);
  return owners;
}
