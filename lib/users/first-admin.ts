import { ConflictError } from '../errors';
import type { SignIn } from '../storage/sign-in';
import { createUser, getUser } from './repository';
import { UserCreateSchema, type User } from './schema';

/**
 * The deployment's first admin (`-c adminEmail=…`): a sign-in in the user pool and the user record POST /users would
 * write for it, keyed by the sign-in's `sub`, with the admin role. Safe to run on every deploy: a sign-in that exists
 * is kept (Cognito mails no second password) and a record that exists is left as it is, even if an admin has changed
 * it since (renamed, moved to a team).
 */

export interface FirstAdminRequest {
  email: string;
  name: string;
}

export interface FirstAdmin {
  user: User;
  signInCreated: boolean;
  recordCreated: boolean;
}

export async function ensureFirstAdmin(
  request: FirstAdminRequest,
  signIn: (email: string) => Promise<SignIn>,
  now = new Date(),
): Promise<FirstAdmin> {
  // The same rules as POST /users: an address folded and checked, a name of 1 to 100 characters.
  const input = UserCreateSchema.parse({ name: request.name, email: request.email, role: 'admin' });
  const { subject, created: signInCreated } = await signIn(input.email);

  const existing = await getUser(subject);
  if (existing) return { user: existing, signInCreated, recordCreated: false };
  try {
    return { user: await createUser({ ...input, userId: subject }, now), signInCreated, recordCreated: true };
  } catch (error) {
    // Two deploys at once: the other one wrote it.
    const written = error instanceof ConflictError ? await getUser(subject) : undefined;
    if (written) return { user: written, signInCreated, recordCreated: false };
    if (error instanceof ConflictError) {
      throw new ConflictError(`another user record already has the address ${input.email}: the first admin's sign-in (${subject}) would have no user to act as; give another adminEmail or correct that user's record`, { cause: error });
    }
    throw error;
  }
}
