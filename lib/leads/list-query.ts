import * as z from 'zod';
import { cursorParam, limitParam } from '../schema/params';
import { normaliseEmail } from '../text/normalize';
import { parsePhoneKey } from '../text/phone';
import { historyNeedsCampaign, leadFilterFields } from './schema';

/*
 * GET /leads's query: the lead filter (./schema.ts) with the exact look-ups. Apart from the other lead schemas
 * because the phone look-up parses with libphonenumber's numbering plan, which only the functions that read or
 * write phone numbers should bundle (the actions, exports and assignment schemas name the lead filter too).
 */

/**
 * The exact look-ups of GET /leads: `email` normalised as dedupe normalises it (width, case, spaces), `phone` as its
 * phone key (lib/text/phone.ts), so `０３（１２３４）５６７８` and `+81 3 1234 5678` are one number. A phone the key
 * cannot be made of is a 422 with the reason.
 */
const lookupFields = {
  email: z
    .string()
    .max(254)
    .transform(normaliseEmail)
    .pipe(z.email())
    .optional()
    .describe('exact look-up by e-mail, normalised as dedupe normalises it; takes no other condition'),
  phone: z
    .string()
    .max(40)
    .transform((written, ctx) => {
      const parsed = parsePhoneKey(written);
      if ('reason' in parsed) {
        ctx.addIssue({ code: 'custom', message: parsed.reason });
        return z.NEVER;
      }
      return parsed.key;
    })
    .optional()
    .describe('exact look-up by phone or mobile, however the number is written (read as Japanese unless it has +); takes no other condition'),
};

const FILTER_NAMES = Object.keys(leadFilterFields).filter((name) => name !== 'sort') as (keyof typeof leadFilterFields)[];

/** A look-up answers one question: which leads have this e-mail or this number. It narrows by nothing else. */
const lookupStandsAlone = {
  check: (q: Record<string, unknown>) =>
    (q.email === undefined && q.phone === undefined) ||
    ((q.email === undefined || q.phone === undefined) && FILTER_NAMES.every((name) => q[name] === undefined) && q.sort === 'updatedAt'),
  message: 'email and phone are exact look-ups: give one of them alone, with no other condition or sort (limit and cursor only)',
};

export const LeadListQuery = z
  .strictObject({ ...leadFilterFields, ...lookupFields, limit: limitParam, cursor: cursorParam })
  .refine(historyNeedsCampaign.check, { message: historyNeedsCampaign.message, path: ['campaignId'] })
  .refine(lookupStandsAlone.check, { message: lookupStandsAlone.message });
export type LeadListQuery = z.infer<typeof LeadListQuery>;
