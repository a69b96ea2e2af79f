// The meter is read when the table client is made: on before anything below touches the table.
process.env.TABLE_CAPACITY_METER = '1';

import { newId } from '../../lib/ids';
import { leadItem, newLead } from '../../lib/leads/model';
import { consumedCapacity, resetConsumedCapacity } from '../../lib/table/capacity';
import { batchGet, batchWrite, putRequest, resetDynamoClient } from '../../lib/table/client';
import { keys, shardOf } from '../../lib/table/keys';
import { queryAll } from '../../lib/table/queries';
import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack();

/**
 * The capacity meter the benchmarks print their bill from (lib/table/capacity.ts), on DynamoDB Local: a write is
 * counted where it was written, the table and each index that holds the item, a read where it was read, and the two
 * are never added together.
 */

beforeAll(() => {
  stack();
  resetDynamoClient();
});

afterAll(() => {
  delete process.env.TABLE_CAPACITY_METER;
  resetDynamoClient();
});

test('counts writes by the places they were written to and reads by the places they were read from', async () => {
  const lead = newLead({ leadId: newId(), fields: { name: '計測 太郎' }, extra: {}, matchKey: `e:meter-${newId()}@example.com`, at: '2026-12-02T00:00:00.000Z' });
  const item = leadItem(lead);
  const indexes = Object.keys(item).filter((name) => /^GSI\d+PK$/.test(name)).map((name) => name.replace(/PK$/, ''));
  expect(indexes.length).toBeGreaterThan(3);

  resetConsumedCapacity();
  await batchWrite([putRequest(item)]);
  const written = consumedCapacity();
  // A lead under 1 KB: one unit in the table and one in each index that holds it.
  expect(written.writesByPlace).toEqual(Object.fromEntries([['table', 1], ...indexes.map((index) => [index, 1])]));
  expect(written.write).toBe(1 + indexes.length);
  expect(written).toMatchObject({ read: 0, readsByPlace: {} });

  await batchGet([keys.lead(lead.leadId)], { consistent: true });
  await queryAll({ index: 'gsi4', partition: keys.leadsRecentPartition(shardOf(lead.leadId)) });
  const after = consumedCapacity();
  expect(after.writesByPlace).toEqual(written.writesByPlace);
  expect(after.write).toBe(written.write);
  expect(Object.keys(after.readsByPlace).sort()).toEqual(['GSI4', 'table']);
  expect(after.readsByPlace.table).toBe(1);
  expect(after.read).toBeCloseTo(1 + after.readsByPlace.GSI4!, 5);
});
