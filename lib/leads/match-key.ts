import { config } from '../config';
import { ConfigError } from '../errors';
import { normaliseCompany, normaliseEmail, normaliseName } from '../text/normalize';

/**
 * The dedupe key (名寄せキー, seed 000 A.1). By default the normalised e-mail; a deployment may switch to e-mail +
 * name (MATCH_KEY=email+name). A row without an e-mail is matched on normalised name + company, legal form ignored.
 * The kinds are prefixed so an e-mail key can never collide with a name key.
 */

export type MatchMode = 'email' | 'email+name';

/** The deployment's match mode (MATCH_KEY); anything but the two modes is a configuration error. */
export function configuredMatchMode(): MatchMode {
  const value = config.matchKey();
  if (value !== 'email' && value !== 'email+name') throw new ConfigError(`MATCH_KEY must be "email" or "email+name", not "${value}"`);
  return value;
}

export function matchKeyOf(person: { email?: string; name?: string; company?: string }, mode: MatchMode): string | undefined {
  const email = person.email ? normaliseEmail(person.email) : '';
  const name = person.name ? normaliseName(person.name) : '';
  if (email) return mode === 'email+name' ? `en:${email}|${name}` : `e:${email}`;
  const company = person.company ? normaliseCompany(person.company) : '';
  if (name && company) return `nc:${name}|${company}`;
  return undefined;
}
