import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';
import { backfillLeadLookups } from '../../lib/leads/lookups';
import { deleteItem } from '../../lib/table/client';
import { keyOfItem } from '../../lib/table/attributes';
import { queryAll } from '../../lib/table/queries';
import { keys } from '../../lib/table/keys';

const stack = useLocalStack();
const { newCampaign, importList } = intakeHelpers(stack);

/**
 * The call-ready list: list items carry the contact fields a rep calls from, and GET /leads?email= and ?phone= find
 * a lead however the address or the number was written, follow a number when PATCH or an update list changes it,
 * and find an agent only its own leads.
 */
const HEADER = ['*名前', 'メールアドレス', '名刺会社', '組織', '役職', '電話番号', '携帯電話'];
const PEOPLE = [
  ['架電 一郎', 'Call.One@example.com', '株式会社架電', '営業部', '部長', '03-1234-5678', '090-1234-5678'],
  ['架電 二郎', 'call.two@example.com', '架電商事株式会社', '', '', '06-6543-2100', ''],
  ['架電 三郎', 'call.three@example.com', '外注先の会社', '', '', '045-111-2222', ''],
  ['架電 四郎', 'call.four@example.com', '消去株式会社', '', '', '011-222-3333', '080-2222-3333'],
];
const ids: Record<string, string> = {};

const get = (path: string, as = 'manager') => stack().api('GET', path, { as });
const byPhone = async (phone: string, as = 'manager') => {
  const page = await get(`/leads?phone=${encodeURIComponent(phone)}`, as);
  expect(page.status).toBe(200);
  return page.body.items.map((item: { leadId: string }) => item.leadId);
};
const byEmail = async (email: string, as = 'manager') => {
  const page = await get(`/leads?email=${encodeURIComponent(email)}`, as);
  expect(page.status).toBe(200);
  return page.body.items.map((item: { leadId: string }) => item.leadId);
};
const version = async (leadId: string) => (await get(`/leads/${leadId}`)).body.version as number;

let campaignId: string;

beforeAll(async () => {
  campaignId = await newCampaign('架電リスト');
  const imported = await importList(campaignId, 'participant', 'call.xlsx', await xlsx(PEOPLE, HEADER));
  expect(imported).toMatchObject({ status: 'succeeded', counts: { created: PEOPLE.length } });
  for (const [name] of PEOPLE) {
    const page = await get(`/leads?name=${encodeURIComponent(name!)}`);
    expect(page.body.items).toHaveLength(1);
    ids[name!] = page.body.items[0].leadId;
  }
}, 60_000);

describe('the call-ready list', () => {
  test('list items carry the contact fields: department, title, e-mail, phone, mobile and NG actions', async () => {
    const id = ids['架電 一郎']!;
    const patched = await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: await version(id), ngActions: ['no_dm', 'no_visit'] } });
    expect(patched.status).toBe(200);
    const page = await get(`/leads?name=${encodeURIComponent('架電 一郎')}`, 'rep1');
    expect(page.body.items[0]).toMatchObject({
      leadId: id,
      name: '架電 一郎',
      company: '株式会社架電',
      department: '営業部',
      title: '部長',
      email: 'Call.One@example.com',
      phone: '03-1234-5678',
      mobile: '090-1234-5678',
      ngActions: ['no_dm', 'no_visit'],
    });
    // A lead without them carries none (absent, not empty).
    const other = (await get(`/leads?name=${encodeURIComponent('架電 二郎')}`)).body.items[0];
    expect(other).toMatchObject({ phone: '06-6543-2100' });
    expect(other).not.toHaveProperty('mobile');
    expect(other).not.toHaveProperty('department');
  });

  test('?email= finds the lead written in full width and upper case, and nothing for an unknown address', async () => {
    expect(await byEmail('ＣＡＬＬ．ＯＮＥ＠ＥＸＡＭＰＬＥ．ＣＯＭ')).toEqual([ids['架電 一郎']]);
    expect(await byEmail(' call.one@example.com ')).toEqual([ids['架電 一郎']]);
    expect(await byEmail('nobody@example.com')).toEqual([]);
  });

  test('?phone= finds the lead however its number is written, by its phone or its mobile', async () => {
    const id = ids['架電 一郎'];
    for (const written of ['03-1234-5678', '０３（１２３４）５６７８', '+81 3 1234 5678', '0312345678', '(03) 1234-5678']) {
      expect([written, await byPhone(written)]).toEqual([written, [id]]);
    }
    for (const written of ['090-1234-5678', '+81 90 1234 5678', '09012345678']) {
      expect([written, await byPhone(written)]).toEqual([written, [id]]);
    }
    expect(await byPhone('03-1234-5679')).toEqual([]);
  });

  test('after PATCH changes the phone, the old number finds nothing and the new one finds the lead', async () => {
    const id = ids['架電 一郎']!;
    const patched = await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: await version(id), phone: '03-9999-0000' } });
    expect(patched.status).toBe(200);
    expect(await byPhone('03-1234-5678')).toEqual([]);
    expect(await byPhone('＋８１ ３ ９９９９ ００００')).toEqual([id]);
    // The mobile was not touched: it still finds the lead.
    expect(await byPhone('090-1234-5678')).toEqual([id]);
    // A number cleared finds nothing.
    const cleared = await stack().api('PATCH', `/leads/${id}`, { as: 'manager', body: { version: await version(id), mobile: null } });
    expect(cleared.status).toBe(200);
    expect(await byPhone('090-1234-5678')).toEqual([]);
    expect(await byPhone('03-9999-0000')).toEqual([id]);
  });

  test('after an update list changes the phone, the old number finds nothing and the new one finds the lead', async () => {
    const id = ids['架電 二郎']!;
    const imported = await importList(campaignId, 'update', 'phones.xlsx', await xlsx([[id, '０６－７７７７－８８８８', '070-1111-2222']], ['リードID', '電話番号', '携帯電話']));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { updated: 1, rejected: 0 } });
    expect(await byPhone('06-6543-2100')).toEqual([]);
    expect(await byPhone('+81 6 7777 8888')).toEqual([id]);
    expect(await byPhone('07011112222')).toEqual([id]);
  });

  test('an agent finds only its own leads: another lead is simply not found', async () => {
    const own = ids['架電 三郎']!;
    const assigned = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [own], ownerId: 'agent' } });
    expect(assigned.status).toBe(200);
    expect(await byPhone('045-111-2222', 'agent')).toEqual([own]);
    expect(await byEmail('CALL.THREE@example.com', 'agent')).toEqual([own]);
    expect(await byPhone('03-9999-0000', 'agent')).toEqual([]);
    expect(await byEmail('call.one@example.com', 'agent')).toEqual([]);
    // Everyone else finds it as before.
    expect(await byPhone('045-111-2222', 'rep2')).toEqual([own]);
  });

  test('a lead written before look-up entries existed is found once the backfill has run', async () => {
    const id = ids['架電 三郎']!;
    for (const entry of await queryAll({ partition: keys.leadPartition(id), sortPrefix: keys.leadLookupPrefix })) await deleteItem(keyOfItem(entry));
    expect(await byPhone('045-111-2222')).toEqual([]);
    const written = await backfillLeadLookups();
    expect(written.leads).toBeGreaterThanOrEqual(3);
    expect(await byPhone('045-111-2222')).toEqual([id]);
    // Rewriting the entries of leads that had them changes nothing.
    expect(await byPhone('+81 6 7777 8888')).toEqual([ids['架電 二郎']]);
  });

  test('a person erased on request is found by neither look-up', async () => {
    const id = ids['架電 四郎']!;
    expect(await byPhone('080-2222-3333')).toEqual([id]);
    // The look-up entries hold the person's numbers: erasure deletes them, it does not only hide them.
    const entries = () => queryAll({ partition: keys.leadPartition(id), sortPrefix: keys.leadLookupPrefix });
    expect(await entries()).toHaveLength(2);
    const erased = await stack().api('DELETE', `/leads/${id}`, { as: 'admin' });
    expect(erased.status).toBe(200);
    expect(await byPhone('011-222-3333')).toEqual([]);
    expect(await byPhone('080-2222-3333')).toEqual([]);
    expect(await byEmail('call.four@example.com')).toEqual([]);
    expect(await entries()).toEqual([]);
  });

  test('a phone that cannot be read, a malformed e-mail, or a look-up with other conditions is a 422 with the reason', async () => {
    const unreadable = await get('/leads?phone=12');
    expect(unreadable.status).toBe(422);
    expect(unreadable.body.errors).toEqual([expect.objectContaining({ path: 'query.phone', message: expect.stringContaining('not a valid phone number') })]);
    const letters = await get('/leads?phone=abc');
    expect(letters.status).toBe(422);
    expect(letters.body.errors[0]).toMatchObject({ path: 'query.phone', message: 'a phone number needs digits' });
    const badEmail = await get('/leads?email=not-an-address');
    expect(badEmail.status).toBe(422);
    expect(badEmail.body.errors[0].path).toBe('query.email');
    for (const path of ['/leads?phone=0312345678&stage=new', '/leads?email=a%40example.com&owner=me', '/leads?phone=0312345678&email=a%40example.com', '/leads?phone=0312345678&sort=name']) {
      const combined = await get(path);
      expect([path, combined.status]).toEqual([path, 422]);
      expect(combined.body.errors[0].message).toContain('exact look-ups');
    }
  });
});

describe('where the dedupe key is e-mail and name', () => {
  const previous = process.env.MATCH_KEY;
  beforeAll(() => {
    process.env.MATCH_KEY = 'email+name';
  });
  afterAll(() => {
    if (previous === undefined) delete process.env.MATCH_KEY;
    else process.env.MATCH_KEY = previous;
  });

  test('?email= finds every lead with the address (their look-up entries), one per name, and follows an edit', async () => {
    const campaign = await newCampaign('名前つきの重複判定');
    const rows = [
      ['共有 一子', 'Shared@Example.com', '共有株式会社', '', '', '', ''],
      ['共有 二子', 'shared@example.com', '共有株式会社', '', '', '', ''],
    ];
    const imported = await importList(campaign, 'participant', 'shared.xlsx', await xlsx(rows, HEADER));
    expect(imported).toMatchObject({ status: 'succeeded', counts: { created: 2 } });
    const found = await byEmail('ＳＨＡＲＥＤ＠ＥＸＡＭＰＬＥ．ＣＯＭ');
    expect(found).toHaveLength(2);
    const [first] = found;
    const patched = await stack().api('PATCH', `/leads/${first}`, { as: 'manager', body: { version: await version(first), email: 'moved@example.com' } });
    expect(patched.status).toBe(200);
    expect(await byEmail('shared@example.com')).toEqual(found.filter((id: string) => id !== first));
    expect(await byEmail('MOVED@example.com')).toEqual([first]);
  });
});
