// The meter is read when the table client is made: on before anything below touches the table.
process.env.TABLE_CAPACITY_METER = '1';

import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { consumedCapacity, resetConsumedCapacity } from '../../lib/table/capacity';
import { dynamo, getItem, putItem, resetDynamoClient, type Item } from '../../lib/table/client';
import { INDEXES, REPLACED_INDEXES, TABLE_DEFINITION, keyAttributeNames } from '../../lib/table/definition';
import { keys, shardOf } from '../../lib/table/keys';
import { ensureTable } from '../../lib/table/provision';
import { queryAll } from '../../lib/table/queries';
import { intakeHelpers } from '../support/intake';
import { xlsx } from '../support/lists';
import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack();
const { newCampaign, importList, leadByEmail } = intakeHelpers(stack);

/**
 * The campaign members' index (GSI5v2) holds only what its readers take from it: the lead id and the history's own
 * conditions. So the history's other writes (the owner an assignment gives it, an action's marks, its version) cost
 * that index nothing, and it holds no copy of anyone's name or address. It replaced the first GSI5, which held every
 * attribute; a table kept from before is upgraded without rewriting an item.
 */

const KEY_ATTRIBUTES = ['PK', 'SK', 'GSI5PK', 'GSI5SK'];
let campaignId: string;
const leadIds: string[] = [];
const members = (id: string) => Promise.all([...Array(8).keys()].map((shard) => queryAll<Item>({ index: 'gsi5', partition: keys.campaignMembersPartition(id, shard) }))).then((pages) => pages.flat());

beforeAll(async () => {
  stack();
  resetDynamoClient();
  campaignId = await newCampaign('会員索引セミナー');
  const rows = [0, 1, 2].map((p) => [`索引 ${p}郎`, `sakuin${p}@example.com`, `株式会社索引${p}`, '東京都千代田区1-1', `0312340${p}00`]);
  const imported = await importList(campaignId, 'participant', '参加者.xlsx', await xlsx(rows, ['*名前', 'メールアドレス', '名刺会社', '住所', '電話番号']));
  expect(imported).toMatchObject({ status: 'succeeded', counts: { rows: 3, created: 3 } });
  for (const p of [0, 1, 2]) leadIds.push((await leadByEmail(`sakuin${p}@example.com`))!.leadId);
}, 60_000);

afterAll(() => {
  delete process.env.TABLE_CAPACITY_METER;
  resetDynamoClient();
});

test('holds the keys, the lead id and the history conditions only: no owner, no version, no personal data', async () => {
  const assigned = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds, ownerId: 'rep1' } });
  expect(assigned.body.assigned).toBe(3);
  const entries = await members(campaignId);
  expect(entries.map((e) => e.leadId).sort()).toEqual([...leadIds].sort());
  const allowed = [...KEY_ATTRIBUTES, ...INDEXES.gsi5.projects];
  for (const entry of entries) {
    expect(Object.keys(entry).filter((name) => !allowed.includes(name))).toEqual([]);
    expect(entry).toMatchObject({ responded: true });
    // The history itself holds more: the owner the assignment gave it, which the index does not copy.
    const history = await getItem<Item>(keys.membership(entry.leadId as string, campaignId));
    expect(history).toMatchObject({ GSI1PK: expect.stringContaining('rep1'), arisenOn: entry.arisenOn });
    expect(JSON.stringify(entry)).not.toMatch(/索引|sakuin|千代田|rep1/);
  }
});

test('an assignment, and an action that leaves the follow status, change the histories and write nothing to the members index', async () => {
  resetConsumedCapacity();
  const moved = await stack().api('POST', '/leads/assign', { as: 'manager', body: { leadIds, ownerId: 'rep2' } });
  expect(moved.body.assigned).toBe(3);
  const assignment = consumedCapacity().writesByPlace;
  // The histories took the new owner (GSI1, the owner's campaign memberships), the members index nothing.
  expect(assignment.GSI1).toBeGreaterThan(0);
  expect(assignment[INDEXES.gsi5.indexName]).toBeUndefined();
  for (const leadId of leadIds) expect(await getItem<Item>(keys.membership(leadId, campaignId))).toMatchObject({ GSI1PK: expect.stringContaining('rep2') });

  const act = async (result: string) => {
    resetConsumedCapacity();
    const logged = await stack().api('POST', `/leads/${leadIds[0]}/actions`, { as: 'rep2', body: { campaignId, at: new Date().toISOString(), channel: 'phone', content: 'ヒアリング', result } });
    expect(logged.status).toBe(201);
    return consumedCapacity().writesByPlace;
  };
  // The first action moves the history's follow status (not started → in progress), which the index holds.
  const first = await act('不在');
  expect(first[INDEXES.gsi5.indexName]).toBeGreaterThan(0);
  expect(await getItem<Item>(keys.membership(leadIds[0]!, campaignId))).toMatchObject({ followStatus: 'in_progress', lastActionResult: '不在' });
  const second = await act('折り返し待ち');
  // A later one leaves it as it was: the history's result, time and version change, and the index is not written.
  expect(second.table).toBeGreaterThan(0);
  expect(second[INDEXES.gsi5.indexName]).toBeUndefined();
  expect(await getItem<Item>(keys.membership(leadIds[0]!, campaignId))).toMatchObject({ followStatus: 'in_progress', lastActionResult: '折り返し待ち' });

  // What the readers take from it is still there: the member list with its follow status, filtered on the history.
  const listed = await stack().api('GET', `/leads?campaignId=${campaignId}&responded=true`, { as: 'manager' });
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((i: { leadId: string }) => i.leadId).sort()).toEqual([...leadIds].sort());
  expect((await stack().api('GET', `/leads?campaignId=${campaignId}&invited=true`, { as: 'manager' })).body.items).toEqual([]);
  const recount = await stack().api('GET', `/campaigns/${campaignId}/metrics?recount=true`, { as: 'admin' });
  expect(recount.body.recount).toMatchObject({ agrees: true, counters: { responded: 3, newLeads: 3 } });
});

describe('a table kept from before GSI5v2', () => {
  const tableName = `before-gsi5v2-${process.pid}-${Date.now().toString(36)}`;
  const formerIndexes = TABLE_DEFINITION.indexes.map((index) => (index.indexName === INDEXES.gsi5.indexName ? REPLACED_INDEXES.gsi5 : index));
  const history = { ...keys.membership('L-BEFORE', 'C-BEFORE'), ...keys.campaignMembersIndex('C-BEFORE', shardOf('L-BEFORE'), '2026-11-30', 'L-BEFORE'), leadId: 'L-BEFORE', campaignId: 'C-BEFORE', responded: true, invited: false, arisenOn: '2026-11-30', version: 4 };
  let ownTable: string | undefined;

  beforeAll(async () => {
    ownTable = process.env.TABLE_NAME;
    await dynamo().send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: keyAttributeNames().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: 'PK', KeyType: 'HASH' },
          { AttributeName: 'SK', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: formerIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
    process.env.TABLE_NAME = tableName;
    await putItem(history);
  });

  afterAll(async () => {
    process.env.TABLE_NAME = ownTable;
    delete process.env.TABLE_FORMER_INDEXES;
    await dynamo().send(new DeleteTableCommand({ TableName: tableName }));
  });

  const entries = () => queryAll<Item>({ index: 'gsi5', partition: keys.campaignMembersPartition('C-BEFORE', shardOf('L-BEFORE')) });

  test('is read through the first GSI5 while the deployment says so, and refuses a name that was never replaced', async () => {
    process.env.TABLE_FORMER_INDEXES = 'gsi5';
    expect(await entries()).toEqual([expect.objectContaining({ leadId: 'L-BEFORE', version: 4 })]);
    process.env.TABLE_FORMER_INDEXES = 'gsi6';
    await expect(entries()).rejects.toThrow(/TABLE_FORMER_INDEXES names no replaced index: gsi6/);
    delete process.env.TABLE_FORMER_INDEXES;
  });

  test('gains GSI5v2 and loses GSI5 when the local stack starts on it, and its histories are members as before', async () => {
    expect(await ensureTable(tableName)).toBe('existed');
    const { Table } = await dynamo().send(new DescribeTableCommand({ TableName: tableName }));
    const indexes = Table!.GlobalSecondaryIndexes!;
    expect(indexes.map((i) => i.IndexName).sort()).toEqual(TABLE_DEFINITION.indexes.map((i) => i.indexName).sort());
    expect(indexes.find((i) => i.IndexName === 'GSI5v2')!.Projection).toEqual({ ProjectionType: 'INCLUDE', NonKeyAttributes: [...INDEXES.gsi5.projects] });
    const [entry] = await entries();
    expect(entry).toMatchObject({ leadId: 'L-BEFORE', responded: true, invited: false, arisenOn: '2026-11-30' });
    expect(entry!.version).toBeUndefined();
    // Once upgraded, a second start changes nothing.
    expect(await ensureTable(tableName)).toBe('existed');
  });
});
