import { batchGet, getItem, keyString, updateItem, type Item } from '../table/client';
import { ENTITY, keys } from '../table/keys';
import type { Preferences, PreferencesPatch } from './schema';

/**
 * A user's own settings (GET and PATCH /me/preferences), one item beside the user (keys.userPreferences). Today they
 * say how the morning digest reaches the user (by e-mail, in the app, both or neither) and whether a manager's weekly
 * report comes by e-mail. A user who never set them has the defaults, and no item.
 *
 * Each channel is its own attribute, and a PATCH sets only the channels it names: two changes at once to different
 * channels both stay, so there is no version to carry (the same channel twice: the later one wins, as meant).
 */

export const DEFAULT_PREFERENCES: Preferences = { dailyDigest: { email: true, inApp: true }, weeklyReport: { email: true } };

/** Each setting: the message and channel it is in the preferences, and the attribute it is stored in. */
const SETTINGS = [
  { kind: 'dailyDigest', channel: 'email', attribute: 'dailyDigestEmail' },
  { kind: 'dailyDigest', channel: 'inApp', attribute: 'dailyDigestInApp' },
  { kind: 'weeklyReport', channel: 'email', attribute: 'weeklyReportEmail' },
] as const;

type Channels = Record<string, boolean | undefined>;

function preferencesOf(item: Item | undefined): Preferences {
  const preferences: Preferences = structuredClone(DEFAULT_PREFERENCES);
  for (const { kind, channel, attribute } of SETTINGS) {
    const value = item?.[attribute];
    if (typeof value === 'boolean') (preferences[kind] as Channels)[channel] = value;
  }
  return preferences;
}

export async function getPreferences(userId: string): Promise<Preferences> {
  return preferencesOf(await getItem<Item>(keys.userPreferences(userId)));
}

/** The preferences of many users at once (the morning digest reads everyone's, the weekly report managers'), by user id. */
export async function preferencesOfUsers(userIds: readonly string[]): Promise<Map<string, Preferences>> {
  const found = await batchGet<Item>(userIds.map((userId) => keys.userPreferences(userId)));
  return new Map(userIds.map((userId) => [userId, preferencesOf(found.get(keyString(keys.userPreferences(userId))))]));
}

/** Sets the channels the patch names, leaves the others; answers the preferences as they are now. */
export async function updatePreferences(userId: string, patch: PreferencesPatch, now = new Date()): Promise<Preferences> {
  const set: Item = { entity: ENTITY.userPreferences, userId, updatedAt: now.toISOString() };
  for (const { kind, channel, attribute } of SETTINGS) {
    const value = (patch[kind] as Channels | undefined)?.[channel];
    if (value !== undefined) set[attribute] = value;
  }
  return preferencesOf(await updateItem<Item>({ key: keys.userPreferences(userId), changes: { set } }));
}
