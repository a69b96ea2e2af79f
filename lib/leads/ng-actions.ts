import { ValidationError } from '../errors';
import type { Lead } from './model';

/**
 * The approaches a person declined (NG: 電話NG, メールNG, 訪問NG) bar the matching approach: a phone action or a call
 * task on a `no_call` lead, an e-mail one on `no_email`, a visit on `no_visit`. The rule is judged on the lead as it
 * was before the request, so a call in which the person asked not to be called again is still logged, with the NG
 * set by the same request. DM (`no_dm`) has no channel or task kind of its own to bar.
 */

type NgAction = NonNullable<Lead['ngActions']>[number];

const DECLINED_BY: Record<string, { ng: NgAction; label: string }> = {
  phone: { ng: 'no_call', label: '電話NG' },
  call: { ng: 'no_call', label: '電話NG' },
  email: { ng: 'no_email', label: 'メールNG' },
  visit: { ng: 'no_visit', label: '訪問NG' },
};

/** Refuses an approach (an action's channel, a task's kind) the person declined; `path` names the field. */
export function requireApproachAllowed(lead: Pick<Lead, 'ngActions'>, approach: string, path: string): void {
  const declined = DECLINED_BY[approach];
  if (!declined || !(lead.ngActions ?? []).includes(declined.ng)) return;
  throw new ValidationError(`the person declined this approach (${declined.label}: ngActions has ${declined.ng})`, [
    { path, message: `${approach} is not allowed on a lead with ${declined.ng}` },
  ]);
}
