// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { forEachConcurrently } from '../lib/async';
import { flagUpdateOf } from '../lib/intake/history-writes';
import { registerConcurrency } from '../lib/intake/registration';
import { campaignIdsOf, campaignSetItem, campaignsJoined } from '../lib/leads/campaign-count';
import { newMembershipItem } from '../lib/leads/model';
import { batchGet, batchWrite, keyString, putItem, putRequest, updateItem, type Item } from '../lib/table/client';
import { keys } from '../lib/table/keys';
import { transact, txPut, txUpdate } from '../lib/table/transaction';
import { argument, fmt, startBenchStack, timed } from './support';

/**
 * npm run bench:write-forms [-- --items N]
 *
 * What the updates list register makes cost DynamoDB Local in each form a write can take, against a plain
 * BatchWriteItem put of the same item in the same run.
 *  - A campaign history's second flag, what a campaign's second list writes for every known person
 *    (lib/intake/history-writes.ts): N invited histories (default 4,000) per form get `responded` with the intake's
 *    own update (flagUpdateOf), in transactions of 100 and of 25 (as list register writes them), as single
 *    conditional UpdateItems, and as single unconditional UpdateItems that return the old item (the form that would
 *    count from what the write replaced instead of a condition).
 *  - A lead's campaign set gaining a campaign, what every list writes for every person it reaches the first time
 *    (lib/leads/campaign-count.ts): as the single UpdateItems list register sends (INTAKE_CONCURRENCY in flight), in
 *    transactions of 100, and in the forms that would replace the update by a put of the whole set as read plus the
 *    campaign: plain batch puts over the sets (fast, but they lose a campaign another writer adds meanwhile), and the
 *    safe ones, conditional on the set's size as read (a set only grows), one by one or in transactions of 100.
 * Every form's items are read back and checked before anything is printed. 8 transactions, or 16 single history
 * updates, in flight; 8 batch calls.
 */

const count = argument('items', 4_000);
const AT = '2026-12-02T00:00:00.000Z';
const leadIdOf = (i: number) => `01JBENCH${String(i).padStart(8, '0')}`;
const invited = (i: number, campaignId: string): Item =>
  newMembershipItem({ leadId: leadIdOf(i), campaignId, flag: 'invited', marker: `IMPORT1#${i}`, arisenOn: '2026-12-01', at: AT });
const responded = (i: number, campaignId: string) =>
  flagUpdateOf({ leadId: leadIdOf(i), campaignId, flag: 'responded', marker: `IMPORT2#${i}`, at: AT }, invited(i, campaignId));

const groups = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, g) => items.slice(g * size, g * size + size));

const FORMS: { name: string; write: (ids: number[], campaignId: string) => Promise<void> }[] = [
  { name: 'transactions of 100 conditional updates', write: (ids, c) => forEachConcurrently(groups(ids, 100), 8, (g) => transact(g.map((i) => txUpdate(String(i), responded(i, c))))) },
  { name: 'transactions of 25 conditional updates', write: (ids, c) => forEachConcurrently(groups(ids, 25), 8, (g) => transact(g.map((i) => txUpdate(String(i), responded(i, c))))) },
  { name: 'single conditional updates', write: (ids, c) => forEachConcurrently(ids, 16, async (i) => void (await updateItem(responded(i, c)))) },
  {
    name: 'single unconditional updates returning the old item',
    write: (ids, c) => forEachConcurrently(ids, 16, async (i) => void (await updateItem({ key: responded(i, c).key, changes: responded(i, c).changes, returnOld: true }))),
  },
];

async function expectResponded(ids: number[], campaignId: string): Promise<void> {
  const found = await batchGet<Item>(ids.map((i) => keys.membership(leadIdOf(i), campaignId)), { concurrency: 8 });
  const wrong = ids.filter((i) => {
    const history = found.get(keyString(keys.membership(leadIdOf(i), campaignId)));
    return history?.responded !== true || history.respondedBy !== `IMPORT2#${i}` || history.invited !== true;
  });
  if (found.size !== ids.length || wrong.length > 0) throw new Error(`${campaignId}: ${wrong.length} of ${ids.length} histories not written as asked`);
}

const SET_FORMS: { name: string; write: (leadIds: string[], campaignId: string) => Promise<void> }[] = [
  { name: 'single updates (as list register sends them)', write: (leadIds, c) => forEachConcurrently(leadIds, registerConcurrency(), async (leadId) => void (await updateItem(campaignsJoined(leadId, [c])))) },
  { name: 'transactions of 100 updates', write: (leadIds, c) => forEachConcurrently(groups(leadIds, 100), 8, (g) => transact(g.map((leadId) => txUpdate(leadId, campaignsJoined(leadId, [c]))))) },
  {
    name: 'plain batch puts over the sets',
    write: (leadIds, c) => batchWrite(leadIds.map((leadId) => putRequest(campaignSetItem(leadId, ['01JFIRST', c]))), { concurrency: 8 }),
  },
  {
    name: 'read, then single conditional puts',
    write: async (leadIds, c) => {
      const sets = await batchGet<Item>(leadIds.map((leadId) => keys.leadCampaigns(leadId)), { concurrency: 8 });
      await forEachConcurrently(leadIds, registerConcurrency(), async (leadId) => {
        const seen = campaignIdsOf(sets.get(keyString(keys.leadCampaigns(leadId))));
        await putItem(campaignSetItem(leadId, [...seen, c]), { condition: 'size(#ids) = :n', names: { '#ids': 'campaignIds' }, values: { ':n': seen.size } });
      });
    },
  },
  {
    name: 'read, then transactions of 100 conditional puts',
    write: async (leadIds, c) => {
      const sets = await batchGet<Item>(leadIds.map((leadId) => keys.leadCampaigns(leadId)), { concurrency: 8 });
      await forEachConcurrently(groups(leadIds, 100), 8, (g) =>
        transact(
          g.map((leadId) => {
            const seen = campaignIdsOf(sets.get(keyString(keys.leadCampaigns(leadId))));
            return txPut(leadId, campaignSetItem(leadId, [...seen, c]), { condition: 'size(#ids) = :n', names: { '#ids': 'campaignIds' }, values: { ':n': seen.size } });
          }),
        ),
      );
    },
  },
];

async function expectJoined(leadIds: string[], campaignIds: string[]): Promise<void> {
  const found = await batchGet<Item>(leadIds.map((leadId) => keys.leadCampaigns(leadId)), { concurrency: 8 });
  const wrong = leadIds.filter((leadId) => {
    const names = campaignIdsOf(found.get(keyString(keys.leadCampaigns(leadId))));
    return names.size !== campaignIds.length || campaignIds.some((c) => !names.has(c));
  });
  if (wrong.length > 0) throw new Error(`${wrong.length} of ${leadIds.length} campaign sets not as asked`);
}

async function main(): Promise<void> {
  const stack = await startBenchStack('BenchWriteForms');
  try {
    const ids = Array.from({ length: count }, (_, i) => i);
    const campaigns = FORMS.map((_, f) => `01JCAMPAIGN${f}`);
    for (const campaignId of campaigns) await batchWrite(ids.map((i) => putRequest(invited(i, campaignId))), { concurrency: 8 });
    const plain = await timed(() => batchWrite(ids.map((i) => putRequest(invited(i, 'PLAIN'))), { concurrency: 8 }));
    const rows: string[] = [];
    for (const [f, form] of FORMS.entries()) {
      const { ms } = await timed(() => form.write(ids, campaigns[f]!));
      await expectResponded(ids, campaigns[f]!);
      rows.push(`${form.name.padEnd(52)} ${fmt(ms / count, 3)} ms an item   plain ÷ form ${fmt(plain.ms / ms, 2)}`);
    }
    console.log(`${fmt(count)} campaign histories per form, DynamoDB Local`);
    console.log(`${'plain BatchWriteItem puts'.padEnd(52)} ${fmt(plain.ms / count, 3)} ms an item`);
    for (const row of rows) console.log(row);

    // Each form on sets of its own (a prefix on the lead id), all holding one campaign already.
    const setsOf = (prefix: string) => ids.map((i) => `${prefix}${leadIdOf(i)}`);
    for (const f of SET_FORMS.keys()) await batchWrite(setsOf(`S${f}`).map((leadId) => putRequest(campaignSetItem(leadId, ['01JFIRST']))), { concurrency: 8 });
    const plainSets = await timed(() => batchWrite(setsOf('P').map((leadId) => putRequest(campaignSetItem(leadId, ['01JFIRST', '01JSECOND']))), { concurrency: 8 }));
    const setRows: string[] = [];
    for (const [f, form] of SET_FORMS.entries()) {
      const { ms } = await timed(() => form.write(setsOf(`S${f}`), '01JSECOND'));
      await expectJoined(setsOf(`S${f}`), ['01JFIRST', '01JSECOND']);
      setRows.push(`${form.name.padEnd(52)} ${fmt(ms / count, 3)} ms an item   plain ÷ form ${fmt(plainSets.ms / ms, 2)}`);
    }
    await expectJoined(setsOf('P'), ['01JFIRST', '01JSECOND']);
    console.log(`${fmt(count)} campaign sets per form, each gaining a second campaign`);
    console.log(`${'plain BatchWriteItem puts'.padEnd(52)} ${fmt(plainSets.ms / count, 3)} ms an item`);
    for (const row of setRows) console.log(row);
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
