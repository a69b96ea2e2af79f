import { leadFromItem, type Lead } from '../../lib/leads/model';
import { getItems } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { intakeHelpers } from '../support/intake';
import { japanesePeople, japaneseWorkbook, type JapanesePerson } from '../support/lists';
import { useLocalStack } from '../support/local-stack';
import { zipArchive } from '../support/workbooks';

const stack = useLocalStack();

const { newCampaign, importList } = intakeHelpers(stack);

const FIELDS = ['name', 'nameKana', 'company', 'department', 'title'] as const satisfies readonly (keyof JapanesePerson & keyof Lead)[];

/**
 * Thousands of rows through the real intake: it keeps DynamoDB Local busy for a while, so it runs on its own after
 * the rest of the suite (jest.heavy.config.js), not beside it.
 */
describe('Japanese text through the bucket', () => {
  test('every name, reading and company of a 2,000-row list is stored exactly as written', async () => {
    // Large enough that the inflater cuts the shared strings and the sheet into many chunks, most edges falling
    // inside a character.
    const people = japanesePeople(2000);
    const body = zipArchive(japaneseWorkbook(people));
    expect(body.length).toBeGreaterThan(64 * 1024);

    const campaignId = await newCampaign('日本語の名前');
    const imported = await importList(campaignId, 'participant', '参加者リスト（日本語）.xlsx', body);
    expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 2000, created: 2000, rejected: 0, merged: 0 } });

    const claims = await getItems<{ PK: string; leadId: string }>(people.map((p) => keys.leadMatchKey(`e:${p.email}`)));
    expect(claims).toHaveLength(people.length);
    const leads = (await getItems(claims.map((claim) => keys.lead(claim.leadId)))).map(leadFromItem);
    expect(leads).toHaveLength(people.length);

    const byEmail = new Map(leads.map((lead) => [lead.email, lead]));
    const differences = people.flatMap((person) => {
      const lead = byEmail.get(person.email);
      if (!lead) return [`${person.email}: no lead`];
      return FIELDS.flatMap((field) => {
        const stored = lead[field] ?? '';
        // Compared as UTF-8 bytes: a string that merely looks the same (a variation selector dropped) must fail.
        return Buffer.from(stored, 'utf8').equals(Buffer.from(person[field], 'utf8'))
          ? []
          : [`${person.email} ${field}: wrote ${person[field]}, stored ${stored}`];
      });
    });
    expect(differences).toEqual([]);
  }, 180_000);
});
