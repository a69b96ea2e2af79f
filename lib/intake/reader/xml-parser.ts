/**
 * The XML parser the reader's own part parsers share: saxes, the parser exceljs itself uses, fed whole characters
 * (see part-text.ts). It throws on the first well-formedness error, including at `close()` for a part cut short.
 */

import { SaxesParser } from 'saxes';

export interface XmlHandlers {
  open(name: string, attributes: Record<string, string>): void;
  /** Character data, entities resolved; CDATA sections arrive here too. */
  text(text: string): void;
  close(name: string): void;
}

export function createXmlParser(handlers: XmlHandlers): SaxesParser {
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => handlers.open(tag.name, tag.attributes));
  parser.on('text', (text) => handlers.text(text));
  parser.on('cdata', (text) => handlers.text(text));
  parser.on('closetag', (tag) => handlers.close(tag.name));
  return parser;
}
