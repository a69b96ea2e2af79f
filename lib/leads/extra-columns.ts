import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * A lead's extra columns (the list's columns that are not lead fields: an exhibition's survey answers, a seminar's
 * questions) as the lead item stores them.
 *
 * Every index holds the whole lead item (lib/table/definition.ts), and DynamoDB bills each copy by the kilobyte, so a
 * lead with a dozen survey answers pays three units in every index on every write where one with the usual columns
 * pays one or two (`npm run bench:index-capacity`). No index reader needs these columns: no list shows them and no
 * filter reads them (only the lead's detail, its edit and an update list do). So above a few hundred bytes they are
 * stored compressed, as DynamoDB's guide advises for large attributes: Brotli (Node's own zlib), which about halves
 * Japanese text, in a binary attribute whose first byte names the format. Small ones stay a map, readable in the
 * console; a lead written before this keeps its map, read as before.
 */

/** The JSON size above which the columns are packed: below, a map costs about what the packed form does. */
export const PACK_ABOVE_BYTES = 256;
/** First byte of a packed value: Brotli-compressed UTF-8 JSON of the label → text map. */
const BROTLI_JSON = 1;

export type StoredExtra = Record<string, string> | Uint8Array;

export function packExtra(extra: Record<string, string>): StoredExtra {
  const json = Buffer.from(JSON.stringify(extra));
  if (json.length <= PACK_ABOVE_BYTES) return extra;
  // Quality 5: most of the size of quality 11 (the default) at a small part of its time, on every lead write.
  const packed = brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: json.length },
  });
  return Uint8Array.from([BROTLI_JSON, ...packed]);
}

export function unpackExtra(stored: unknown): Record<string, string> {
  if (stored === undefined || stored === null) return {};
  if (!(stored instanceof Uint8Array)) return stored as Record<string, string>;
  if (stored[0] !== BROTLI_JSON) throw new Error(`extra columns stored in an unknown format (${stored[0]})`);
  return JSON.parse(brotliDecompressSync(stored.subarray(1)).toString('utf8')) as Record<string, string>;
}
