import { DRAFT_FIELDS, MAX_EXTRA_COLUMNS, MAX_EXTRA_LENGTH, MAX_LENGTH } from '../../lib/intake/row-rules';
import { LeadCreateSchema } from '../../lib/leads/schema';

/**
 * POST /leads holds a lead by hand to a list row's rules. The request's schema (lib/leads/schema.ts, below intake in
 * the layers) writes the list's limits again so that /openapi.json shows them and a refusal names its field; these
 * tests keep the two from drifting apart.
 */

const base = { name: '問合 太郎', email: 'taro@example.com' };
const issuesOf = (body: unknown) => {
  const parsed = LeadCreateSchema.safeParse(body);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
};

describe('the request of POST /leads and the list row', () => {
  test('takes every field a list row gives', () => {
    expect(Object.keys(LeadCreateSchema.shape)).toEqual(expect.arrayContaining([...DRAFT_FIELDS, 'extra', 'arisenOn']));
  });

  test.each(DRAFT_FIELDS.map((field) => [field, MAX_LENGTH[field]] as const))('%s: as long as a list cell may be (%i), and no longer', (field, max) => {
    expect(issuesOf({ ...base, [field]: 'あ'.repeat(max) })).toEqual([]);
    expect(issuesOf({ ...base, [field]: 'あ'.repeat(max + 1) })).toEqual([field]);
  });

  test('extra columns: as many and as long as a list row may have', () => {
    const columns = (n: number, length = 1) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`列${i}`, 'x'.repeat(length)]));
    expect(issuesOf({ ...base, extra: columns(MAX_EXTRA_COLUMNS, MAX_EXTRA_LENGTH) })).toEqual([]);
    expect(issuesOf({ ...base, extra: columns(MAX_EXTRA_COLUMNS + 1) })).toEqual(['extra']);
    expect(issuesOf({ ...base, extra: columns(1, MAX_EXTRA_LENGTH + 1) })).toEqual(['extra.列0']);
  });

  test('a name, and an e-mail or a company, as a register row needs; attach and arisenOn need a campaign', () => {
    expect(issuesOf({ email: 'taro@example.com' })).toEqual(['name']);
    expect(issuesOf({ name: '問合 太郎' })).toEqual(['email']);
    expect(issuesOf({ name: '問合 太郎', company: '問合せ株式会社' })).toEqual([]);
    expect(issuesOf({ ...base, onDuplicate: 'attach' })).toEqual(['onDuplicate']);
    expect(issuesOf({ ...base, onDuplicate: 'attach', campaignId: 'C1' })).toEqual([]);
    expect(issuesOf({ ...base, arisenOn: '2026-04-01' })).toEqual(['arisenOn']);
    expect(issuesOf({ ...base, owner: 'rep1' })).toEqual(['']);
  });
});
