import type { NotificationMail } from './model';

/**
 * The shape every e-mail of the product shares: a Japanese subject, a plain-text body and the same content as simple
 * HTML. Every value that came from users or lists is escaped: a lead named `<script>` stays text.
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** One line of a linked list: text before the link, the linked label, text after it. */
export interface MailListItem {
  before?: string;
  label: string;
  url: string;
  after?: string;
}

/** A block of an e-mail: a paragraph, a table of label → value, a list of rows, a list of linked lines, a link. */
export type MailBlock =
  | { paragraph: string }
  | { fields: [label: string, value: string | undefined][] }
  | { heading: string }
  | { rows: string[][]; header: string[] }
  | { list: MailListItem[] }
  | { link: { label: string; url: string } };

const SIGNATURE = '※このメールは送信専用アドレスから自動送信されています。';

export function renderMail(subject: string, greeting: string, blocks: MailBlock[]): NotificationMail {
  const text: string[] = [greeting, ''];
  const html: string[] = [`<p>${escapeHtml(greeting)}</p>`];
  for (const block of blocks) {
    if ('paragraph' in block) {
      text.push(block.paragraph, '');
      html.push(`<p>${escapeHtml(block.paragraph).replace(/\n/g, '<br>')}</p>`);
    } else if ('heading' in block) {
      text.push(`■ ${block.heading}`);
      html.push(`<h3>${escapeHtml(block.heading)}</h3>`);
    } else if ('fields' in block) {
      const shown = block.fields.filter(([, value]) => value !== undefined && value !== '');
      for (const [label, value] of shown) text.push(`${label}: ${value}`);
      text.push('');
      html.push(
        `<table>${shown.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value!).replace(/\n/g, '<br>')}</td></tr>`).join('')}</table>`,
      );
    } else if ('rows' in block) {
      for (const row of block.rows) text.push(`・${row.filter(Boolean).join(' / ')}`);
      text.push('');
      html.push(
        `<table border="1" cellpadding="4" cellspacing="0"><tr>${block.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>${block.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</table>`,
      );
    } else if ('list' in block) {
      // Plain text puts each link on a line of its own under its item, where every mail reader makes it clickable.
      for (const item of block.list) text.push(`・${[item.before, `${item.label}${item.after ?? ''}`].filter(Boolean).join(' ')}`, `  ${item.url}`);
      text.push('');
      html.push(
        `<ul>${block.list
          .map((item) => `<li>${item.before ? `${escapeHtml(item.before)} ` : ''}<a href="${escapeHtml(item.url)}">${escapeHtml(item.label)}</a>${escapeHtml(item.after ?? '')}</li>`)
          .join('')}</ul>`,
      );
    } else {
      text.push(`${block.link.label}: ${block.link.url}`, '');
      html.push(`<p><a href="${escapeHtml(block.link.url)}">${escapeHtml(block.link.label)}</a></p>`);
    }
  }
  text.push('--', SIGNATURE);
  html.push(`<hr><p><small>${escapeHtml(SIGNATURE)}</small></p>`);
  return {
    subject,
    text: text.join('\n'),
    html: `<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${html.join('\n')}</body></html>`,
  };
}
