import type { Role } from './roles';

/**
 * Who is calling: the user id the gateway vouched for (the JWT's `sub`), the role and team from the user record.
 * Every domain rule that depends on the caller (own leads only, who may see what) takes one of these.
 */
export interface Caller {
  userId: string;
  role: Role;
  team?: string;
}
