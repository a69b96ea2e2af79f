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

/** The stored attribute of each channel of each kind of message. */
const ATTRIBUTES = {
  dailyDigest: { email: 'dailyDigestEmail', inApp: 'dailyDigestInApp' },
  weeklyReport: { email: 'weeklyReportEmail' },
} as const;

type Setting = { [K in keyof typeof ATTRIBUTES]: [K, keyof (typeof ATTRIBUTES)[K]] }[keyof typeof ATTRIBUTES];
const SETTINGS: readonly Setting[] = [
  ['dailyDigest', 'email'],
  ['dailyDigest', 'inApp'],
  ['weeklyReport', 'email'],
];

const attributeOf = ([kind, channel]: Setting): string => (ATTRIBUTES[kind] as Record<string, string>)[channel]!;
const defaultOf = ([kind, channel]: Setting): boolean => (DEFAULT_PREFERENCES[kind] as Record<string, boolean>)[channel]!;

function preferencesOf(item: Item | undefined): Preferences {
  const stored = (setting: Setting) => {
    const value = item?.[attributeOf(setting)];
    return typeof value === 'boolean' ? value : defaultOf(setting);
  };
  return {
    dailyDigest: { email: stored(['dailyDigest', 'email']), inApp: stored(['dailyDigest', 'inApp']) },
    weeklyReport: { email: stored(['weeklyReport', 'email']) },
  };
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
  for (const setting of SETTINGS) {
    const value = (patch[setting[0]] as Record<string, boolean | undefined> | undefined)?.[setting[1]];
    if (value !== undefined) set[attributeOf(setting)] = value;
  }
  return preferencesOf(await updateItem<Item>({ key: keys.userPreferences(userId), changes: { set } }));
}
