import { ERASED_NAME } from '../leads/tombstone';
import { escapeHtml } from '../notifications/mail';
import type { NotificationMail } from '../notifications/model';
import type { Changes } from '../table/expressions';
import type { Item } from '../table/client';

/**
 * What erasure takes out of each kind of item related to an erased lead, decided on the item as read, with no I/O.
 * Each function answers the changes to write, or undefined when the item holds nothing of the person any more, so a
 * resumed erasure writes only what is left to do.
 */

/** Free text of an action (its memo, the reason given for a stage): what was written about the person. */
const ACTION_FREE_TEXT = ['note', 'stageReason'] as const;
/** Free text of a lead event: the hand-over memo. */
const EVENT_FREE_TEXT = ['note'] as const;

function removing(item: Item, attributes: readonly string[]): Changes | undefined {
  const remove = attributes.filter((attribute) => item[attribute] !== undefined);
  return remove.length > 0 ? { remove } : undefined;
}

/** An action keeps its channel, content, result and times (counters and metrics count those) and loses its free text. */
export const actionRedaction = (action: Item): Changes | undefined => removing(action, ACTION_FREE_TEXT);

export const eventRedaction = (event: Item): Changes | undefined => removing(event, EVENT_FREE_TEXT);

/** Free text of a task: its note. The kind, title, due date and status stay (the work lists count them). */
const TASK_FREE_TEXT = ['note'] as const;
export const taskRedaction = (task: Item): Changes | undefined => removing(task, TASK_FREE_TEXT);

/** Every occurrence of the person's values in `text`, longest first, replaced by the erased name. */
export function redactText(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of [...values].sort((a, b) => b.length - a.length)) out = out.split(value).join(ERASED_NAME);
  return out;
}

const redactMail = (mail: NotificationMail, values: readonly string[]): NotificationMail => ({
  subject: redactText(mail.subject, values),
  text: redactText(mail.text, values),
  // The HTML part holds the values escaped, and its own escaped copy of the erased name is what replaces them.
  html: redactText(mail.html, [...values.map(escapeHtml), ...values]),
});

export const ERASED_NOTIFICATION = {
  title: 'リードの情報は消去されました',
  body: '本人の依頼により、このお知らせが扱っていたリードの個人情報は消去されました。',
} as const;

/** Why a pending e-mail about an erased person was never sent (`emailError` holds names, never text from outside). */
export const ERASED_EMAIL_ERROR = 'ErasedOnRequest';

/**
 * A notification that names the person. One about this lead alone (a hand-over, a deal) says only that its lead was
 * erased, and its e-mail, if still to be sent, is not sent (the outbox lets it go). A digest of many leads keeps the
 * others: the person's values are replaced wherever they appear in its text and its rendered e-mail.
 * `outboxAttributes` are the index attributes that keep a notification in the outbox.
 */
export function notificationRedaction(notification: Item, leadId: string, values: readonly string[], outboxAttributes: readonly string[]): Changes | undefined {
  const leadIds = (notification.leadIds as string[] | undefined) ?? [];
  const mail = notification.mail as NotificationMail | undefined;
  if (leadIds.length === 1 && leadIds[0] === leadId) {
    const set: Item = {};
    const remove: string[] = [];
    if (notification.title !== ERASED_NOTIFICATION.title) set.title = ERASED_NOTIFICATION.title;
    if (notification.body !== ERASED_NOTIFICATION.body) set.body = ERASED_NOTIFICATION.body;
    if (mail !== undefined) remove.push('mail');
    if (notification.emailStatus === 'pending') {
      Object.assign(set, { emailStatus: 'failed', emailError: ERASED_EMAIL_ERROR });
      remove.push('nextAttemptAt', ...outboxAttributes.filter((a) => notification[a] !== undefined));
    }
    return Object.keys(set).length > 0 || remove.length > 0 ? { set, remove } : undefined;
  }
  const set: Item = {};
  const title = redactText(String(notification.title ?? ''), values);
  const body = redactText(String(notification.body ?? ''), values);
  if (title !== notification.title) set.title = title;
  if (body !== notification.body) set.body = body;
  if (mail) {
    const redacted = redactMail(mail, values);
    if (redacted.subject !== mail.subject || redacted.text !== mail.text || redacted.html !== mail.html) set.mail = redacted;
  }
  return Object.keys(set).length > 0 ? { set } : undefined;
}

/**
 * The leads an update list gave an owner, from which the import's notification is built when it finishes: the
 * person's entry keeps its lead id and loses its name and company.
 */
export function importAssignmentsRedaction(item: Item, leadId: string): Changes | undefined {
  const leads = (item.leads as { leadId: string; name?: string; company?: string }[] | undefined) ?? [];
  const entry = leads.find((l) => l.leadId === leadId);
  if (!entry || (entry.name === ERASED_NAME && entry.company === undefined)) return undefined;
  return { set: { leads: leads.map((l) => (l.leadId === leadId ? { leadId, name: ERASED_NAME } : l)) } };
}
