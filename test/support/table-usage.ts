import { AsyncLocalStorage } from 'node:async_hooks';
import type { ItemGrant, RouteGroupGrants } from '../../infra/route-group-grants';
import { IDEMPOTENCY_RECORDS } from '../../infra/route-group-grants';
import type { ItemAction } from '../../infra/storage';
import type { RouteGroup } from '../../lib/http/route';
import { INDEXES, type IndexKey } from '../../lib/table/definition';
import { dynamo } from '../../lib/table/client';
import { PARTITION_PREFIXES, type PartitionKind } from '../../lib/table/keys';

/**
 * What the route groups really do to the table, recorded while their handlers run on the local stack: each DynamoDB
 * call made inside a group's handler becomes one use (its IAM actions, the kinds of partition its keys fall in, the
 * index it queries), attributed to the group by the async context of the handler. Calls made by the export worker,
 * the intake or the dispatcher run outside any handler's context and are not attributed.
 *
 * Locally nothing enforces IAM, so this is how a test sees the grants a production function would need.
 */

export interface TableUse {
  group: RouteGroup;
  route: string;
  /** The SDK command, as sent: `TransactWriteItems`, `Query`… */
  command: string;
  /** The IAM actions the call is authorised by (a transaction: one per kind of write it holds). */
  actions: string[];
  /** The partition kinds of every key the call names; `unknown:{PK}` for a key of no kind. Empty for an index query. */
  partitions: string[];
  index?: IndexKey;
}

interface Scope {
  group: RouteGroup;
  route: string;
}

type Attr = { S?: string };
type Keyed = { PK?: Attr };

const INDEX_BY_NAME = new Map(Object.entries(INDEXES).map(([key, index]) => [index.indexName, key as IndexKey]));
/** Longest first, so a prefix that begins another is never taken for it. */
const PREFIXES = (Object.entries(PARTITION_PREFIXES) as [PartitionKind, string][]).sort((a, b) => b[1].length - a[1].length);

export function partitionKindOf(pk: string | undefined): string {
  const found = pk === undefined ? undefined : PREFIXES.find(([, prefix]) => pk.startsWith(prefix));
  return found ? found[0] : `unknown:${pk}`;
}

const pkOf = (keyed: Keyed | undefined) => partitionKindOf(keyed?.PK?.S);

/** A command's input as the IAM request it is: actions, partitions, index. */
function describe(command: string, input: any): Pick<TableUse, 'actions' | 'partitions' | 'index'> {
  switch (command) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return { actions: [command], partitions: [pkOf(input.Key)] };
    case 'PutItem':
      return { actions: [command], partitions: [pkOf(input.Item)] };
    case 'Query': {
      if (input.IndexName) return { actions: ['Query'], partitions: [], index: INDEX_BY_NAME.get(input.IndexName) ?? (`unknown:${input.IndexName}` as IndexKey) };
      // The adapter names the partition key's value :pk (lib/table/queries.ts).
      return { actions: ['Query'], partitions: [partitionKindOf(input.ExpressionAttributeValues?.[':pk']?.S)] };
    }
    case 'BatchGetItem':
      return { actions: [command], partitions: Object.values(input.RequestItems as Record<string, { Keys: Keyed[] }>).flatMap((r) => r.Keys.map(pkOf)) };
    case 'BatchWriteItem':
      return {
        actions: [command],
        partitions: Object.values(input.RequestItems as Record<string, { PutRequest?: { Item: Keyed }; DeleteRequest?: { Key: Keyed } }[]>).flatMap((writes) =>
          writes.map((w) => pkOf(w.PutRequest?.Item ?? w.DeleteRequest?.Key)),
        ),
      };
    case 'TransactWriteItems': {
      // IAM has no TransactWriteItems action: each write is authorised by the action of its kind.
      const writes = (input.TransactItems as Record<string, { Item?: Keyed; Key?: Keyed }>[]).map((item) => {
        if (item.Put) return { action: 'PutItem', partition: pkOf(item.Put.Item) };
        if (item.Update) return { action: 'UpdateItem', partition: pkOf(item.Update.Key) };
        if (item.Delete) return { action: 'DeleteItem', partition: pkOf(item.Delete.Key) };
        if (item.ConditionCheck) return { action: 'ConditionCheckItem', partition: pkOf(item.ConditionCheck.Key) };
        return { action: `unknown:${Object.keys(item).join(',')}`, partition: 'unknown' };
      });
      return { actions: writes.map((w) => w.action), partitions: writes.map((w) => w.partition) };
    }
    default:
      // Scan, TransactGetItems, DescribeTable…: no group is granted these, so a use of one fails the check.
      return { actions: [command], partitions: [] };
  }
}

const unique = <T>(values: T[]): T[] => [...new Set(values)].sort();

/**
 * Starts recording. `handlers` is the record the local gateway invokes (functions/http/index.ts httpHandlers): each
 * entry is wrapped so that its table calls are attributed to its group and route. Returns the uses so far and a stop.
 */
export function recordTableUse(handlers: Record<RouteGroup, (event: any, context: any) => Promise<unknown>>) {
  const scope = new AsyncLocalStorage<Scope>();
  const uses: TableUse[] = [];
  const routes = new Set<string>();
  const originals = { ...handlers };
  for (const group of Object.keys(handlers) as RouteGroup[]) {
    const original = originals[group];
    handlers[group] = Object.assign(
      (event: { routeKey: string }, context: unknown) => {
        routes.add(event.routeKey);
        return scope.run({ group, route: event.routeKey }, () => original(event, context));
      },
      original,
    );
  }

  const client = dynamo();
  const name = 'routeGroupTableUse';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const at = scope.getStore();
      if (at) {
        const command = String((context as { commandName?: string }).commandName ?? 'unknown').replace(/Command$/, '');
        const described = describe(command, (args as { input: unknown }).input);
        uses.push({ ...at, command, actions: unique(described.actions), partitions: unique(described.partitions), ...(described.index ? { index: described.index } : {}) });
      }
      return next(args);
    },
    { step: 'initialize', name },
  );

  return {
    uses,
    /** The route keys (`GET /leads`) whose handler ran at least once. */
    routes,
    stop() {
      client.middlewareStack.remove(name);
      Object.assign(handlers, originals);
    },
  };
}

/** The item grants a group's function holds (infra/route-group-grants.ts grantRouteGroup gives exactly these). */
export function itemGrantsOf(grants: RouteGroupGrants): ItemGrant[] {
  return [...(grants.reads ? [grants.reads] : []), ...(grants.writes ?? []), ...(grants.idempotencyRecords ? [IDEMPOTENCY_RECORDS] : [])];
}

/**
 * Whether the grants allow the use. An index query needs its index. Any other call needs one item grant holding all
 * of its actions and all of its partitions: IAM may judge a batch or a transaction as one set of leading keys, and a
 * single grant covering the whole call allows it whether it does so or judges write by write.
 */
export function allows(grants: RouteGroupGrants, use: TableUse): boolean {
  if (use.index) return use.actions.length === 1 && use.actions[0] === 'Query' && (grants.queries ?? []).includes(use.index);
  return itemGrantsOf(grants).some(
    (grant) =>
      use.actions.every((action) => grant.actions.includes(action as ItemAction)) &&
      use.partitions.every((partition) => grant.partitions.includes(partition as PartitionKind)),
  );
}
