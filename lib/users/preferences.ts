import { batchGet, getItem, keyString, updateItem, type Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import type { Preferences, PreferencesPatch } from './schema';

/**
 * A user's own settings (GET and PATCH /me/preferences), one item beside the user (keys.userPreferences). Today they
 * say how the morning digest reaches the user: by e-mail, in the app, both or neither. A user who never set them has
 * the defaults, and no item.
 *
 * Each channel is its own attribute, and a PATCH sets only the channels it names: two changes at once to different
 * channels both stay, so there is no version to carry (the same channel twice: the later one wins, as meant).
 */

export const DEFAULT_PREFERENCES: Preferences = { dailyDigest: { email: true, inApp: true } };

/** The stored attribute of each digest channel. */
const DIGEST_ATTRIBUTES = { email: 'dailyDigestEmail', inApp: 'dailyDigestInApp' } as const;

function preferencesOf(item: Item | undefined): Preferences {
  const stored = (channel: keyof typeof DIGEST_ATTRIBUTES) => {
    const value = item?.[DIGEST_ATTRIBUTES[channel]];
    return typeof value === 'boolean' ? value : DEFAULT_PREFERENCES.dailyDigest[channel];
  };
  return { dailyDigest: { email: stored('email'), inApp: stored('inApp') } };
}

export async function getPreferences(userId: string): Promise<Preferences> {
  return preferencesOf(await getItem<Item>(keys.userPreferences(userId)));
}

/** The preferences of many users at once (the morning digest reads everyone's), by user id. */
export async function preferencesOfUsers(userIds: readonly string[]): Promise<Map<string, Preferences>> {
  const found = await batchGet<Item>(userIds.map((userId) => keys.userPreferences(userId)));
  return new Map(userIds.map((userId) => [userId, preferencesOf(found.get(keyString(keys.userPreferences(userId))))]));
}

/** Sets the channels the patch names, leaves the others; answers the preferences as they are now. */
export async function updatePreferences(userId: string, patch: PreferencesPatch, now = new Date()): Promise<Preferences> {
  const set: Item = { entity: ENTITY.userPreferences, userId, updatedAt: now.toISOString() };
  for (const channel of ['email', 'inApp'] as const) {
    const value = patch.dailyDigest?.[channel];
    if (value !== undefined) set[DIGEST_ATTRIBUTES[channel]] = value;
  }
  return preferencesOf(await updateItem<Item>({ key: keys.userPreferences(userId), changes: { set } }));
}
