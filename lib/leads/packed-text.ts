import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';

/**
 * A lead's long text that no index reader needs, as the lead item stores it: its extra columns (the list's columns
 * that are not lead fields: an exhibition's survey answers, a seminar's questions) and its shared memo.
 *
 * Every index holds the whole lead item (lib/table/definition.ts), and DynamoDB bills each copy by the kilobyte, so a
 * lead with a dozen survey answers pays three units in every index on every write where one with the usual columns
 * pays one or two (`npm run bench:index-capacity`). No list shows these and no filter reads them (the lead's detail,
 * its edit, an update list, the export and the hand-over and conversion mails do). So above a few hundred bytes they
 * are stored compressed, as DynamoDB's guide advises for large attributes: Brotli (Node's own zlib), which about
 * halves Japanese text, in a binary attribute whose first byte names the format. Shorter ones stay as they are,
 * readable in the console; a lead written before this keeps its text as it was, read as before.
 */

/** The size in bytes above which a value is packed: below, the plain form costs about what the packed one does. */
export const PACK_ABOVE_BYTES = 256;
/** First byte of a packed value: what the Brotli-compressed UTF-8 bytes after it hold. */
const FORMAT = { json: 1, text: 2 } as const;

// Quality 5: most of the size of quality 11 (the default) at a small part of its time, on every lead write.
const pack = (format: number, bytes: Buffer): Uint8Array =>
  Uint8Array.from([
    format,
    ...brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }),
  ]);

/** What a packed value holds: the extra columns' map or the memo's text. */
export function unpacked(stored: Uint8Array): unknown {
  const text = () => brotliDecompressSync(stored.subarray(1)).toString('utf8');
  if (stored[0] === FORMAT.json) return JSON.parse(text());
  if (stored[0] === FORMAT.text) return text();
  throw new Error(`lead text stored in an unknown format (${stored[0]})`);
}

export function packExtra(extra: Record<string, string>): Record<string, string> | Uint8Array {
  const json = Buffer.from(JSON.stringify(extra));
  return json.length <= PACK_ABOVE_BYTES ? extra : pack(FORMAT.json, json);
}

export function unpackExtra(stored: unknown): Record<string, string> {
  if (stored === undefined || stored === null) return {};
  return (stored instanceof Uint8Array ? unpacked(stored) : stored) as Record<string, string>;
}

export function packMemo(memo: string | undefined): string | Uint8Array | undefined {
  if (memo === undefined) return undefined;
  const bytes = Buffer.from(memo);
  return bytes.length <= PACK_ABOVE_BYTES ? memo : pack(FORMAT.text, bytes);
}

export function unpackMemo(stored: unknown): string | undefined {
  if (stored === undefined || stored === null) return undefined;
  return (stored instanceof Uint8Array ? unpacked(stored) : stored) as string;
}
