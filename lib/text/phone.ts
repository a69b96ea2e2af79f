import { readFileSync } from 'node:fs';
import { parsePhoneNumberFromString, type MetadataJson } from 'libphonenumber-js/core';
import { packageFilePath } from '../package-files';

/**
 * The phone key: a number however it was written (hyphens, brackets, spaces, full-width digits, a national 0 or
 * +81) as one E.164 string, `+81312345678`. Numbers without a country code are read as Japanese, where the users
 * and their lists are. The numbering plan is libphonenumber's, a maintained library: which lengths and prefixes
 * make a valid number changes with the plan, and is not ours to keep.
 */

export const DEFAULT_PHONE_REGION = 'JP';

/**
 * libphonenumber's numbering plan of every country (its `min` set: what parsing and validating need, 80 KB of the
 * 118 KB the library is in a bundle). It is read from a file on the first number parsed, not bundled: most calls of
 * the functions that parse phones parse none (a lead list, a page of the API reference), and their cold start then
 * does not compile it. Infra copies it beside each such function's bundle (infra/function-defaults.ts), and the
 * bundle-size test holds the list of those functions to the bundles that carry this file.
 */
export const NUMBERING_PLAN_FILE = 'libphonenumber-js/metadata.min.json';

let numberingPlan: MetadataJson | undefined;
const plan = (): MetadataJson => (numberingPlan ??= JSON.parse(readFileSync(packageFilePath(NUMBERING_PLAN_FILE), 'utf8')) as MetadataJson);

export type PhoneKeyResult = { key: string } | { reason: string };

export function parsePhoneKey(written: string): PhoneKeyResult {
  // NFKC first: full-width digits, brackets and plus signs (０３（１２３４）５６７８, ＋８１) become ASCII.
  const text = written.normalize('NFKC').trim();
  if (!/\d/.test(text)) return { reason: 'a phone number needs digits' };
  const parsed = parsePhoneNumberFromString(text, DEFAULT_PHONE_REGION, plan());
  if (!parsed) return { reason: 'not a phone number: only digits, spaces, hyphens, brackets and a leading + may be used' };
  if (!parsed.isValid()) return { reason: `not a valid phone number for ${parsed.country ?? `country code +${parsed.countryCallingCode}`}` };
  return { key: parsed.number };
}

/** The key of a stored phone, or undefined when it is not a valid number (it cannot then be looked up). */
export function phoneKeyOf(written: string | undefined): string | undefined {
  if (!written) return undefined;
  const result = parsePhoneKey(written);
  return 'key' in result ? result.key : undefined;
}
