import * as z from 'zod';
import { booleanParam, cursorParam, idParam, limitParam, paginated, csvOf } from '../schema/params';
import { ROLES } from './roles';

export const RoleSchema = z.enum(ROLES);

const name = z.string().trim().min(1).max(100);
/** Full-width input (ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ, typed with a Japanese IME) is folded so the address can receive mail. */
const email = z
  .string()
  .transform((value) => value.normalize('NFKC').trim())
  .pipe(z.string().max(254).pipe(z.email()));
const team = z.string().trim().min(1).max(100);

export const UserCreateSchema = z.strictObject({
  /** The identity provider's subject (Cognito `sub`), when the person already has a login; otherwise generated. */
  userId: idParam.optional(),
  name,
  email,
  team: team.optional(),
  role: RoleSchema,
  active: z.boolean().default(true),
});

export const UserPatchSchema = z
  .strictObject({
    name: name.optional(),
    email: email.optional(),
    team: team.nullable().optional(),
    role: RoleSchema.optional(),
    active: z.boolean().optional(),
    version: z.number().int().min(1).optional(),
  })
  .refine((patch) => Object.keys(patch).some((k) => k !== 'version'), { message: 'nothing to change' });

export const UserSchema = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  team: z.string().optional(),
  role: RoleSchema,
  active: z.boolean(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const UserListQuery = z.strictObject({
  role: csvOf([...ROLES]).optional(),
  team: z.string().optional(),
  active: booleanParam.optional(),
  limit: limitParam,
  cursor: cursorParam,
});

export const UserIdParams = z.object({ userId: idParam });
export const UserPage = paginated(UserSchema);

export type User = z.infer<typeof UserSchema>;
export type UserCreate = z.infer<typeof UserCreateSchema>;
export type UserPatch = z.infer<typeof UserPatchSchema>;
export type UserListQuery = z.infer<typeof UserListQuery>;

/**
 * GET /me/preferences: how the morning digest reaches the caller (both channels on unless turned off), and whether a
 * manager's weekly report comes by e-mail (on unless turned off; it has no in-app channel).
 */
export const PreferencesSchema = z.object({
  dailyDigest: z.object({
    email: z.boolean().describe('The morning digest by e-mail'),
    inApp: z.boolean().describe('The morning digest as an in-app notification'),
  }),
  weeklyReport: z.object({
    email: z.boolean().describe("A manager's weekly report of its reps' figures, by e-mail"),
  }),
});

/** PATCH /me/preferences: the channels to change; those not named stay as they are. */
export const PreferencesPatchSchema = z
  .strictObject({
    dailyDigest: z.strictObject({ email: z.boolean().optional(), inApp: z.boolean().optional() }).optional(),
    weeklyReport: z.strictObject({ email: z.boolean().optional() }).optional(),
  })
  .refine((patch) => patch.dailyDigest?.email !== undefined || patch.dailyDigest?.inApp !== undefined || patch.weeklyReport?.email !== undefined, {
    message: 'nothing to change',
  });

export type Preferences = z.infer<typeof PreferencesSchema>;
export type PreferencesPatch = z.infer<typeof PreferencesPatchSchema>;
