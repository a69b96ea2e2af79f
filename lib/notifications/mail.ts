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

/**
 * One figure in a table of bars: the value as shown, its share of the largest value of its column (0 to 1: the bar's
 * length), and a note under it (the change against the week before).
 */
export interface BarCell {
  value: string;
  share: number;
  note?: string;
}

/** A row of a table of bars: its label (a rep's name) and one cell per figure. */
export interface BarRow {
  label: string;
  cells: BarCell[];
}

/**
 * A block of an e-mail: a paragraph, a table of label → value, a list of rows, a list of linked lines, a link, a table
 * of figures each with a small bar.
 */
export type MailBlock =
  | { paragraph: string }
  | { fields: [label: string, value: string | undefined][] }
  | { heading: string }
  | { rows: string[][]; header: string[] }
  | { list: MailListItem[] }
  | { link: { label: string; url: string } }
  | { bars: { header: string[]; rows: BarRow[] } };

/** How long a full bar is, in pixels, and its colours. */
const BAR_PX = 80;
const BAR_COLOR = '#2f6fdf';
const TRACK_COLOR = '#e3e8ef';
const CELL_STYLE = 'padding:6px 8px;border-bottom:1px solid #dddddd;vertical-align:top;text-align:left;font-size:14px;';

/** One piece of a bar: a table cell of a fixed width and colour, with nothing in it that could widen it. */
const barPiece = (px: number, color: string): string =>
  `<td width="${px}" height="8" bgcolor="${color}" style="width:${px}px;height:8px;background-color:${color};font-size:1px;line-height:1px;">&nbsp;</td>`;

/**
 * A bar drawn with table cells, so that every mail reader shows it (Outlook renders neither CSS widths on divs nor
 * background images, and many readers block images): a table of a fixed width whose first cell is as wide as the
 * share, the rest a pale track. Inline styles only, and the HTML attributes old readers read instead.
 */
export function barHtml(share: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(share) ? share : 0)) * BAR_PX);
  const pieces = [...(filled > 0 ? [barPiece(filled, BAR_COLOR)] : []), ...(filled < BAR_PX ? [barPiece(BAR_PX - filled, TRACK_COLOR)] : [])];
  return `<table role="presentation" width="${BAR_PX}" border="0" cellpadding="0" cellspacing="0" style="width:${BAR_PX}px;border-collapse:collapse;margin:2px 0;"><tr>${pieces.join('')}</tr></table>`;
}

function barTableHtml(header: string[], rows: BarRow[]): string {
  const head = `<tr>${header.map((h) => `<th style="${CELL_STYLE}font-weight:bold;border-bottom:2px solid #999999;">${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows
    .map(
      (row) =>
        `<tr><td style="${CELL_STYLE}white-space:nowrap;">${escapeHtml(row.label)}</td>${row.cells
          .map(
            (cell) =>
              `<td style="${CELL_STYLE}">${escapeHtml(cell.value)}${barHtml(cell.share)}${cell.note ? `<span style="font-size:12px;color:#666666;">${escapeHtml(cell.note)}</span>` : ''}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<table role="presentation" border="0" cellpadding="0" cellspacing="0" style="border-collapse:collapse;">${head}${body}</table>`;
}

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
    } else if ('bars' in block) {
      // Plain text has no bars: each row's figures on lines of their own, with the note beside them.
      const { header, rows } = block.bars;
      for (const row of rows) {
        text.push(`・${row.label}`);
        row.cells.forEach((cell, i) => text.push(`  ${header[i + 1] ?? ''}: ${cell.value}${cell.note ? `（${cell.note}）` : ''}`));
      }
      text.push('');
      html.push(barTableHtml(header, rows));
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
