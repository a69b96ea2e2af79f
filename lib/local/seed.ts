import { ConflictError } from '../errors';
import { createUser, getUser } from '../users/repository';
import type { Role } from '../users/roles';

/** The people a fresh local stack starts with (README lists them). Demo addresses only, never real ones. */
export const DEMO_USERS: { userId: string; name: string; email: string; team?: string; role: Role }[] = [
  { userId: 'admin', name: '管理者 太郎', email: 'admin@example.com', role: 'admin' },
  { userId: 'marketing', name: 'マーケ 花子', email: 'marketing@example.com', team: 'マーケティング部', role: 'marketing' },
  { userId: 'manager', name: '責任者 一郎', email: 'manager@example.com', team: 'インサイドセールス部', role: 'manager' },
  { userId: 'rep1', name: '担当 二郎', email: 'rep1@example.com', team: 'インサイドセールス部', role: 'rep' },
  { userId: 'rep2', name: '担当 三子', email: 'rep2@example.com', team: 'インサイドセールス部', role: 'rep' },
  { userId: 'sales', name: '営業 四郎', email: 'sales@example.com', team: 'フィールドセールス部', role: 'sales' },
  { userId: 'agent', name: '外注 五郎', email: 'agent@example.com', team: '外注コールセンター', role: 'agent' },
];

/** Idempotent: a user that already exists (from an earlier run) is left as it is. */
export async function seedDemoUsers(): Promise<number> {
  let created = 0;
  for (const user of DEMO_USERS) {
    if (await getUser(user.userId)) continue;
    try {
      await createUser({ ...user, active: true });
      created++;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return created;
}
