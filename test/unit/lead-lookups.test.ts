import { lookupChanges, lookupKeysOf } from '../../lib/leads/lookups';
import { newLead, type Lead } from '../../lib/leads/model';

const lead = (fields: Partial<Lead>, matchKey = 'e:a@example.com'): Lead => ({
  ...newLead({ leadId: '01JLOOKUP', fields: { name: '架電 一郎' }, extra: {}, matchKey, at: '2026-12-01T00:00:00.000Z' }),
  ...fields,
});

describe("a lead's look-up entries", () => {
  it('has one per phone key, for the phone and the mobile, however they are written', () => {
    expect(lookupKeysOf(lead({ phone: '０３（１２３４）５６７８', mobile: '090-1234-5678' }))).toEqual([
      { kind: 'PHONE', value: '+81312345678' },
      { kind: 'PHONE', value: '+819012345678' },
    ]);
  });

  it('has one entry for the same number written twice, and none for a number that is not valid', () => {
    expect(lookupKeysOf(lead({ phone: '03-1234-5678', mobile: '+81 3 1234 5678' }))).toEqual([{ kind: 'PHONE', value: '+81312345678' }]);
    expect(lookupKeysOf(lead({ phone: '12' }))).toEqual([]);
  });

  it('has an e-mail entry only where the dedupe key is e-mail and name (the claim answers otherwise)', () => {
    expect(lookupKeysOf(lead({ email: 'A@Example.com' }))).toEqual([]);
    expect(lookupKeysOf(lead({ email: 'Ａ@Example.com' }, 'en:a@example.com|架電一郎'))).toEqual([{ kind: 'EMAIL', value: 'a@example.com' }]);
  });

  it('has none once erased', () => {
    expect(lookupKeysOf(lead({ phone: '03-1234-5678', erased: true }))).toEqual([]);
  });

  it('moves with a changed number: the new one put, the old one deleted, the unchanged one left alone', () => {
    const before = lead({ phone: '03-1234-5678', mobile: '090-1234-5678' });
    const after = lead({ phone: '03-9999-0000', mobile: '090-1234-5678' });
    const { puts, deletes } = lookupChanges(before, after);
    expect(puts.map((item) => item.SK)).toEqual(['LOOKUP#PHONE#+81399990000']);
    expect(puts[0]).toMatchObject({ PK: 'LEAD#01JLOOKUP', GSI4PK: 'LOOKUP#PHONE#+81399990000', GSI4SK: '01JLOOKUP', entity: 'LeadLookup', leadId: '01JLOOKUP' });
    expect(deletes).toEqual([{ PK: 'LEAD#01JLOOKUP', SK: 'LOOKUP#PHONE#+81312345678' }]);
    expect(lookupChanges(before, { ...before, phone: '03(1234)5678' })).toEqual({ puts: [], deletes: [] });
  });
});
