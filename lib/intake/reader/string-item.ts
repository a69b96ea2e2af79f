/**
 * The text of a string item as Excel shows it: `<si>` in the shared string table, `<is>` in an inline-string cell
 * (both are the same OOXML type).
 *
 * Japanese Excel stores the reading (furigana) typed through the IME next to the text:
 * `<si><t>山田</t><rPh sb="0" eb="2"><t>ヤマダ</t></rPh></si>`. The cell shows 山田, so phonetic runs are skipped;
 * rich-text runs (`<r><t>…</t></r>`) are joined, since only the text matters to a list.
 */

/** `_x000D_` is how OOXML writes a character XML cannot carry; `_x005F_` escapes a literal underscore. */
const OOXML_ESCAPE = /_x([0-9A-Fa-f]{4})_/g;

export function unescapeOoxml(text: string): string {
  return text.includes('_x') ? text.replace(OOXML_ESCAPE, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

/** Collects one item's text from the XML events inside it; `open`/`close` take every tag name met within. */
export class StringItemText {
  private parts: string[] = [];
  private inText = false;
  private phoneticDepth = 0;

  open(name: string): void {
    if (name === 'rPh') this.phoneticDepth += 1;
    else if (name === 't') this.inText = this.phoneticDepth === 0;
  }

  text(text: string): void {
    if (this.inText) this.parts.push(text);
  }

  close(name: string): void {
    if (name === 't') this.inText = false;
    else if (name === 'rPh') this.phoneticDepth -= 1;
  }

  /** The item's text, and a fresh start for the next item. */
  take(): string {
    const text = unescapeOoxml(this.parts.join(''));
    this.parts = [];
    this.inText = false;
    this.phoneticDepth = 0;
    return text;
  }
}
