import { planLeadQuery } from '../../lib/leads/list';
import { LeadListQuery } from '../../lib/leads/list-query';
import { LEAD_LIST_SHARDS } from '../../lib/table/keys';

const plan = (query: Record<string, string>, role: 'manager' | 'rep' | 'agent' = 'manager') =>
  planLeadQuery(LeadListQuery.parse(query), { userId: 'u1', role });

describe('which index answers a lead list', () => {
  test.each([
    [{}, 'gsi4', 'LEADS#ALL#0'],
    [{ owner: 'me' }, 'gsi1', 'LEADS#OWNER#u1#0'],
    [{ owner: 'unassigned' }, 'gsi1', 'LEADS#OWNER#-#0'],
    [{ owner: 'rep9', stage: 'working' }, 'gsi2', 'LEADS#OWNER#rep9#STAGE#working#0'],
    [{ stage: 'new' }, 'gsi3', 'LEADS#STAGE#new#0'],
    [{ name: '佐藤' }, 'gsi6', 'LEADS#NAME#0'],
    [{ sort: 'name', owner: 'me' }, 'gsi6', 'LEADS#NAME#0'],
    [{ sort: 'lastActionAt', owner: 'me' }, 'gsi7', 'LEADS#ACTION#0'],
    [{ campaignId: 'C1', owner: 'me', stage: 'new' }, 'gsi5', 'MEMBERS#C1#0'],
    [{ sort: 'nextActionAt' }, 'gsi8', 'LEADS#NEXT#0'],
    [{ sort: 'nextActionAt', owner: 'me', stage: 'working' }, 'gsi9', 'LEADS#NEXT#OWNER#u1#0'],
    [{ sort: 'nextActionAt', owner: 'unassigned' }, 'gsi8', 'LEADS#NEXT#0'],
  ])('%j → %s', (query, index, firstPartition) => {
    const chosen = plan(query as Record<string, string>);
    expect(chosen.index).toBe(index);
    expect(chosen.partitions[0]).toBe(firstPartition);
    expect(chosen.partitions.length % LEAD_LIST_SHARDS).toBe(0);
  });

  test('several stages read every shard of every stage', () => {
    expect(plan({ owner: 'me', stage: 'new,working' }).partitions).toHaveLength(2 * LEAD_LIST_SHARDS);
  });

  test('conditions the index does not hold become a filter on it', () => {
    const chosen = plan({ owner: 'me', company: '㈱ミライ', industry: '製造業' });
    expect(chosen.index).toBe('gsi1');
    expect(chosen.clauses).toEqual(expect.arrayContaining(['begins_with(#companyKey, :companyKey)', '#industry = :industry']));
    expect(chosen.values[':companyKey']).toBe('ミライ');
  });

  test.each([
    [{ owner: 'me' }, 'manager'],
    [{ owner: 'unassigned' }, 'manager'],
    [{ owner: 'rep9', stage: 'working,new' }, 'manager'],
    [{ stage: 'new' }, 'manager'],
    [{}, 'agent'],
    [{ stage: 'new' }, 'agent'],
  ] as const)('%j for a %s filters nothing its index key already holds', (query, role) => {
    expect(plan(query as Record<string, string>, role).clauses).toEqual([]);
  });

  test('behind the name and last-action indexes owner and stage are filters', () => {
    expect(plan({ sort: 'name', owner: 'me', stage: 'new' }).clauses).toEqual(['#owner = :owner', '#stage IN (:s0)']);
    expect(plan({ sort: 'lastActionAt', owner: 'unassigned' }).clauses).toEqual(['attribute_not_exists(#owner)']);
  });

  test('an agent gets its own leads whatever owner it names', () => {
    expect(plan({ owner: 'unassigned' }, 'agent').partitions[0]).toBe('LEADS#OWNER#u1#0');
    expect(plan({}, 'agent').index).toBe('gsi1');
  });

  test.each([
    [{ sort: 'name' }, 'gsi1', 'LEADS#OWNER#u1#0', 'name'],
    [{ sort: 'lastActionAt' }, 'gsi1', 'LEADS#OWNER#u1#0', 'lastActionAt'],
    [{ name: '佐藤' }, 'gsi1', 'LEADS#OWNER#u1#0', undefined],
    [{ campaignId: 'C1' }, 'gsi1', 'LEADS#OWNER#u1#0', 'campaign'],
    [{ campaignId: 'C1', stage: 'new', sort: 'name' }, 'gsi2', 'LEADS#OWNER#u1#STAGE#new#0', 'campaign'],
  ])("an agent's %j comes from its own partitions (%s), ordered %s", (query, index, firstPartition, order) => {
    const chosen = plan(query as Record<string, string>, 'agent');
    expect(chosen).toMatchObject({ index });
    expect(chosen.partitions[0]).toBe(firstPartition);
    expect(chosen.partitions.every((p) => p.includes('#OWNER#u1#'))).toBe(true);
    expect(chosen.order).toBe(order);
  });

  test('by next action: soonest first, from the owner\'s own partitions when it is named, the stage a filter', () => {
    expect(plan({ sort: 'nextActionAt', owner: 'rep9', stage: 'working' })).toMatchObject({ descending: false, clauses: ['#stage IN (:s0)'] });
    expect(plan({ sort: 'nextActionAt', owner: 'unassigned' }).clauses).toEqual(['attribute_not_exists(#owner)']);
    const agent = plan({ sort: 'nextActionAt', owner: 'unassigned' }, 'agent');
    expect(agent).toMatchObject({ index: 'gsi9', clauses: [] });
    expect(agent.partitions.every((p) => p.startsWith('LEADS#NEXT#OWNER#u1#'))).toBe(true);
    expect(agent.order).toBeUndefined();
  });

  test('next-action days are days in Japan, compared by the due instant', () => {
    const chosen = plan({ owner: 'me', nextActionFrom: '2026-12-01', nextActionTo: '2026-12-01' });
    expect(chosen.clauses).toEqual(['#na >= :naFrom', '#na < :naTo']);
    expect(chosen.names['#na']).toBe('GSI8SK');
    expect(chosen.values).toMatchObject({ ':naFrom': '2026-11-30T15:00:00.000Z', ':naTo': '2026-12-01T15:00:00.000Z' });
  });

  test('a name search orders by the name key, from its normalised prefix', () => {
    const chosen = plan({ name: 'ＳＡＴＯ　Taro' });
    expect(chosen).toMatchObject({ index: 'gsi6', descending: false, sortPrefix: 'satotaro' });
  });
});

describe('last-action dates are days in Japan', () => {
  test('a day runs from 00:00 JST, which is 15:00 UTC the day before', () => {
    const { values } = plan({ lastActionFrom: '2026-11-01', lastActionTo: '2026-11-30' });
    expect(values[':laFrom']).toBe('2026-10-31T15:00:00.000Z');
    // Exclusive: the instant the next day begins in Japan.
    expect(values[':laTo']).toBe('2026-11-30T15:00:00.000Z');
  });
});
