import * as z from 'zod';
import { ID_PATTERN } from '../ids';

/**
 * Building blocks for query-string and path schemas. Query values arrive as strings (HTTP API joins repeated keys
 * with commas), so these coerce and split.
 */

export const MAX_PAGE_SIZE = 500;

export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(50)
  .describe(`page size, at most ${MAX_PAGE_SIZE}`);

export const cursorParam = z.string().min(1).max(4096).optional().describe('nextCursor from the previous page');

export const booleanParam = z
  .enum(['true', 'false'])
  .transform((v) => v === 'true');

/**
 * `stage=new,working` or `stage=new&stage=working` → ['new', 'working']. Each value once, in the order first given
 * (`new,new` is `new`), so a list is never longer than its choices: a query's plan and filter stay bounded.
 */
export function csvOf<T extends [string, ...string[]]>(values: T) {
  return z
    .string()
    .max(values.join(',').length * 4 + 64)
    .transform((s) => [...new Set(s.split(',').map((v) => v.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(values)).min(1).max(values.length));
}

/** Ids are opaque strings; this only keeps obvious garbage (and key-injection characters) out. */
export const idParam = z.string().regex(ID_PATTERN, 'not a valid id');

export const paginated = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** `YYYY-MM-DD`, a real calendar date. */
export const isoDate = z.iso.date();
/** ISO 8601 date-time with an offset. */
export const isoDateTime = z.iso.datetime({ offset: true });
/** Money: an integer number of yen, never a float. */
export const yen = z.number().int().min(0).max(1_000_000_000_000_000);
