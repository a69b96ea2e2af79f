/**
 * The text of a workbook part, decoded as one stream of UTF-8 however the zip's inflater cuts it into chunks.
 *
 * exceljs's XML wrapper decodes each inflated chunk on its own, so a character whose bytes straddle two chunks
 * (a kanji is three bytes, 𠮷 four) comes out as U+FFFD, about one row in 2,000 of a Japanese list. Every part the
 * reader parses goes through here first, so the XML parsers only ever see whole characters.
 */

export async function* partText(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  // stream: true holds back the first bytes of a character cut at a chunk's end until the rest arrives.
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of bytes) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}
