import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import fc from 'fast-check';
import { ROUTES } from '../../lib/http/routes';
import type { RouteDefinition } from '../../lib/http/route';
import { useLocalStack, type ApiResponse } from '../support/local-stack';
import { xlsx } from '../support/lists';
import { anyJson, brokenArbitrary, hostileText, jsonSchemaOf, queryArbitrary, validArbitrary, type ArbitraryOptions } from '../support/schema-arbitraries';

/**
 * Every route of the route table, sent random valid-ish and invalid path parameters, query strings, bodies and
 * headers, as every role, as a user the table does not know, with a bad token and with none. Whatever comes in:
 * never a 5xx; every refusal is problem+json with its title, status and detail; and a refused request writes
 * nothing: the whole table is read before and after it and must be the same. (Every 2xx is held against the
 * route's response schema by the test stack itself.)
 *
 * Deterministic: each route and caller runs from a seed of its own derived from FUZZ_SEED, and fast-check prints
 * the seed and the request on a failure. FUZZ_RUNS sets the runs per route and caller; FUZZ_REPORT=1 prints what
 * each route answered.
 */

const stack = useLocalStack();

const BASE_SEED = Number(process.env.FUZZ_SEED ?? 20260917);
// Two a route and caller keep the suite within its time on two cores; FUZZ_RUNS=20 explores further.
const RUNS = Number(process.env.FUZZ_RUNS ?? 2);

/** `as` a seeded user, or a token of its own kind. */
type Caller = { name: string; as?: string; token?: string };
const CALLERS: Caller[] = [
  ...['admin', 'marketing', 'manager', 'rep1', 'rep2', 'sales', 'agent'].map((as) => ({ name: as, as })),
  { name: 'unknown user', as: 'ghost' },
  { name: 'bad token', token: 'not.a.jwt' },
  { name: 'anonymous' },
];
/** Callers the gateway or the caller check refuse whatever they send: fewer runs each. */
const REFUSED_CALLERS = new Set(['unknown user', 'bad token', 'anonymous']);

// --- the things that exist, for path parameters and body fields -------------------------------------------------
const seeded: Record<string, string[]> = {};
const idsFor: ArbitraryOptions['idsFor'] = (field) => {
  const name = field.replace(/Ids$/, 'Id');
  if (seeded[name]) return seeded[name];
  if (/^(owner|actor|assignee|user)Id$/.test(name)) return seeded.userId ?? [];
  return [];
};
const allIds = () => [...new Set(Object.values(seeded).flat())];

// --- the table, item by item ------------------------------------------------------------------------------------
let dynamo: DynamoDBClient;
type Snapshot = Map<string, string>;

async function snapshot(): Promise<Snapshot> {
  const items: Snapshot = new Map();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(new ScanCommand({ TableName: stack().tableName, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const raw of page.Items ?? []) {
      const item = unmarshall(raw);
      items.set(`${item.PK} | ${item.SK}`, JSON.stringify(item, Object.keys(item).sort()));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function differences(before: Snapshot, after: Snapshot): string[] {
  const out: string[] = [];
  for (const [key, item] of after) {
    if (!before.has(key)) out.push(`added ${key}: ${item.slice(0, 300)}`);
    else if (before.get(key) !== item) out.push(`changed ${key}: ${before.get(key)!.slice(0, 300)} → ${item.slice(0, 300)}`);
  }
  for (const key of before.keys()) if (!after.has(key)) out.push(`removed ${key}`);
  return out;
}

/** Nothing started by an earlier request is still running: intake, exports, the outbox. */
async function quiet(): Promise<void> {
  await stack().intakeIdle();
  await stack().outboxIdle();
}

// --- requests ---------------------------------------------------------------------------------------------------
type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType?: string }
  /** Built when sent, so that a failure report does not print a megabyte. */
  | { kind: 'huge' }
  | { kind: 'deep'; depth: number }
  | { kind: 'many'; items: number };

interface FuzzRequest {
  params: Record<string, string>;
  /** A path segment sent as it is, not encoded (malformed escapes). */
  rawParams: Record<string, boolean>;
  query: [string, string][];
  body: Body;
  headers: Record<string, string>;
}

const asciiHeader = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).map((s) => s.replace(/[\r\n]/g, '').trim() || 'k'),
  fc.constant('k'.repeat(300)),
);
const ifMatch = fc.oneof(fc.constantFrom('"1"', '"2"', '"0"', '*', 'W/"1"', '"-1"', '"abc"', '""', '"9007199254740993"'), asciiHeader);

function paramArbitrary(name: string): fc.Arbitrary<[string, boolean]> {
  const own = seeded[name] ?? [];
  const encoded = fc.oneof(
    ...(own.length ? [fc.constantFrom(...own), fc.constantFrom(...own)] : []),
    fc.constantFrom(...allIds()),
    fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    hostileText.filter((s) => !/[\ud800-\udfff]/.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))),
  );
  return fc.oneof(
    { weight: 12, arbitrary: encoded.map((value) => [value, false] as [string, boolean]) },
    // Not dot segments: the client resolves those before sending, as any URL parser does.
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%C0%AF', '%F0%9F', '%ED%A0%80').map((value) => [value, true] as [string, boolean]) },
  );
}

function bodyArbitrary(route: RouteDefinition): fc.Arbitrary<Body> {
  if (route.method === 'GET') return fc.constant({ kind: 'none' });
  const schema = route.body ? jsonSchemaOf(route.body) : undefined;
  const json = (value: fc.Arbitrary<unknown>) => value.map((v): Body => ({ kind: 'json', value: v }));
  const shaped = schema ? [json(validArbitrary(schema, { idsFor })), json(validArbitrary(schema, { idsFor })), json(brokenArbitrary(schema, { idsFor }))] : [];
  const asText = schema ? validArbitrary(schema, { idsFor }).map((v) => JSON.stringify(v)) : fc.constant('{}');
  return fc.oneof(
    ...shaped,
    json(anyJson),
    fc.constant<Body>({ kind: 'none' }),
    fc.record({
      kind: fc.constant('raw' as const),
      text: fc.oneof(fc.constantFrom('not json', '{', '{"a":', '[1,]', "{'a':1}", 'null', '[]', '1e999', '"text"', '\ufeff{}', ''), asText, hostileText),
      contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', undefined),
    }).map((b): Body => b),
    fc.constantFrom<Body>({ kind: 'huge' }, { kind: 'deep', depth: 50 }, { kind: 'deep', depth: 20_000 }, { kind: 'many', items: 20_001 }, { kind: 'many', items: 120_000 }),
  );
}

function requestArbitrary(route: RouteDefinition): fc.Arbitrary<FuzzRequest> {
  const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const params = fc.tuple(...names.map(paramArbitrary)).map((pairs) => ({
    params: Object.fromEntries(names.map((n, i) => [n, pairs[i]![0]])),
    rawParams: Object.fromEntries(names.map((n, i) => [n, pairs[i]![1]])),
  }));
  const headers = fc.record(
    { 'if-match': ifMatch, 'idempotency-key': asciiHeader, accept: fc.constantFrom('application/xml', '*/*', 'text/html') },
    { requiredKeys: [] },
  );
  return fc
    .tuple(params, queryArbitrary(route.query ? jsonSchemaOf(route.query) : undefined, { idsFor }), bodyArbitrary(route), headers)
    .map(([p, query, body, h]) => ({ ...p, query, body, headers: h as Record<string, string> }));
}

function pathOf(route: RouteDefinition, request: FuzzRequest): string {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    request.rawParams[name] ? request.params[name]! : encodeURIComponent(request.params[name]!),
  );
  const query = new URLSearchParams(request.query).toString();
  return query ? `${path}?${query}` : path;
}

function bodyOf(body: Body): { body?: unknown; rawBody?: string; contentType?: string } {
  switch (body.kind) {
    case 'none':
      return {};
    case 'json':
      return { body: body.value };
    case 'raw':
      return { rawBody: body.text, contentType: body.contentType };
    case 'huge':
      return { rawBody: JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) }), contentType: 'application/json' };
    case 'deep':
      return { rawBody: `${'{"a":['.repeat(body.depth)}1${']}'.repeat(body.depth)}`, contentType: 'application/json' };
    case 'many':
      return { rawBody: JSON.stringify({ leadIds: Array.from({ length: body.items }, (_, i) => `L${i}`), filter: Array(body.items).fill(0) }), contentType: 'application/json' };
  }
}

// --- the properties ---------------------------------------------------------------------------------------------
let baseline: Snapshot;
const answered = new Map<string, Map<string, number>>();
const took = new Map<string, number>();

function describeReply(reply: ApiResponse): string {
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  return `${reply.status} ${reply.headers.get('content-type') ?? '(no content-type)'} ${String(text).slice(0, 400)}`;
}

async function send(route: RouteDefinition, caller: Caller, request: FuzzRequest): Promise<void> {
  const path = pathOf(route, request);
  const { body, rawBody, contentType } = bodyOf(request.body);
  const headers = { ...request.headers, ...(contentType ? { 'content-type': contentType } : {}) };
  const reply = await stack().api(route.method, path, { as: caller.as, token: caller.token, body, rawBody, headers });
  const where = `${route.method} ${path.slice(0, 200)} as ${caller.name}`;
  const counts = answered.get(route.operationId)!;
  counts.set(String(reply.status), (counts.get(String(reply.status)) ?? 0) + 1);

  if (reply.status >= 500) throw new Error(`${where} answered ${describeReply(reply)}`);
  if (reply.status >= 200 && reply.status < 300) {
    // A write that succeeds may start work of its own (an export, mail): the next refusal is compared with what all
    // of it left. A read starts nothing.
    if (route.method !== 'GET') await quiet();
    baseline = await snapshot();
    return;
  }
  if (reply.status < 400) throw new Error(`${where} answered neither a success nor an error: ${describeReply(reply)}`);

  const problem = reply.body as { title?: unknown; status?: unknown; detail?: unknown };
  const problemJson = /^application\/problem\+json/.test(reply.headers.get('content-type') ?? '');
  if (!problemJson || typeof problem !== 'object' || problem === null || typeof problem.title !== 'string' || typeof problem.detail !== 'string' || problem.status !== reply.status) {
    throw new Error(`${where} refused without a problem+json of its status: ${describeReply(reply)}`);
  }
  // Nothing else is running (every success waited for what it started), so any difference is this request's.
  const after = await snapshot();
  const written = differences(baseline, after);
  if (written.length > 0) {
    baseline = after;
    throw new Error(`${where} was refused (${describeReply(reply)}) but wrote:\n${written.slice(0, 10).join('\n')}`);
  }
}

const seedOf = (route: RouteDefinition, caller: Caller) => {
  let hash = BASE_SEED;
  for (const c of `${route.operationId}/${caller.name}`) hash = (Math.imul(hash, 31) + c.charCodeAt(0)) | 0;
  return hash;
};

beforeAll(async () => {
  const api = stack().api;
  dynamo = new DynamoDBClient({ endpoint: stack().dynamodbUrl, region: 'ap-northeast-1', credentials: stack().dynamodbCredentials });

  const campaign = await api('POST', '/campaigns', { as: 'marketing', body: { name: 'ファズ展示会', type: 'exhibition', budgetJpy: 100_000, targets: { leads: 10 } } });
  expect(campaign.status).toBe(201);
  const campaignId = campaign.body.campaignId as string;
  const people = [
    ['山田 一郎', 'fuzz0@example.com', '株式会社ファズ', '営業部', '部長', '03-1111-0000'],
    ['山田 二郎', 'fuzz1@example.com', 'ファズ工業', '', '', ''],
    ['山田 三郎', 'fuzz2@example.com', 'ファズ電機', '', '', ''],
    ['山田 四郎', 'fuzz3@example.com', '', '', '', ''],
  ];
  await stack().upload(`imports/${campaignId}/participant/fuzz.xlsx`, await xlsx(people));
  const imports = await api('GET', `/imports?campaignId=${campaignId}`, { as: 'marketing' });
  const leads = await api('GET', `/leads?campaignId=${campaignId}`, { as: 'admin' });
  // In the order of the list, whatever order the page gives: the third has a company, for its conversion.
  const byName = new Map((leads.body.items as { leadId: string; name: string }[]).map((l) => [l.name, l.leadId]));
  const leadIds = people.map((p) => byName.get(p[0]!)!);
  expect(leadIds.filter(Boolean)).toHaveLength(4);
  // One lead each for rep1 and the agent, so that ownership rules have something to refuse and allow.
  for (const [leadId, ownerId] of [[leadIds[0], 'rep1'], [leadIds[1], 'agent'], [leadIds[2], 'rep1']]) {
    expect((await api('POST', '/leads/assign', { as: 'manager', body: { leadIds: [leadId], ownerId } })).status).toBe(200);
  }
  const converted = await api('POST', `/leads/${leadIds[2]}/convert`, {
    as: 'manager',
    body: { campaignId, account: { new: {} }, deal: { name: 'ファズ案件', ownerId: 'sales', amountJpy: 500_000 }, notify: false },
  });
  expect(converted.status).toBe(201);
  const task = await api('POST', `/leads/${leadIds[0]}/tasks`, { as: 'rep1', body: { kind: 'call', title: '折り返し電話', dueAt: '2026-12-10' } });
  expect(task.status).toBe(201);
  const exported = await api('POST', '/exports', { as: 'manager', body: { format: 'csv' } });
  expect(exported.status).toBe(202);
  const user = await api('POST', '/users', { as: 'admin', body: { userId: 'fuzz-user', name: 'ファズ 太郎', email: 'fuzz-user@example.com', role: 'rep' } });
  expect(user.status).toBe(201);
  await quiet();
  const inbox = await api('GET', '/me/notifications', { as: 'rep1' });
  expect(inbox.body.items.length).toBeGreaterThan(0);

  Object.assign(seeded, {
    campaignId: [campaignId],
    leadId: leadIds,
    importId: [imports.body.items[0].importId],
    dealId: [converted.body.deal.dealId],
    accountId: [converted.body.account.accountId],
    exportId: [exported.body.exportId],
    notificationId: [inbox.body.items[0].notificationId],
    taskId: [task.body.taskId],
    // The fuzz may edit the user it is given; it is not one the callers are.
    userId: ['fuzz-user'],
    // The docs page's files: the small ones (the viewer's script is 1.7 MB).
    asset: ['start.js', 'swagger-ui.css'],
  });
  baseline = await snapshot();
}, 60_000);

afterAll(async () => {
  if (process.env.FUZZ_REPORT) {
    const lines = [...answered].map(([id, counts]) => `${id.padEnd(22)} ${((took.get(id) ?? 0) / 1000).toFixed(1).padStart(5)} s  ${[...counts].sort().map(([s, n]) => `${s}×${n}`).join(' ')}`);
    process.stdout.write(`\nfuzz: what each route answered\n${lines.join('\n')}\n`);
  }
  dynamo?.destroy();
});

test('every path parameter of the route table has an id seeded for it', () => {
  const names = new Set(ROUTES.flatMap((r) => [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!)));
  expect([...names].filter((name) => !seeded[name]?.length)).toEqual([]);
});

describe.each(ROUTES.map((route) => [route.operationId, route] as const))('%s', (_operationId, route) => {
  test('never a 5xx, every refusal problem+json, nothing written by a refusal', async () => {
    answered.set(route.operationId, new Map());
    const started = Date.now();
    for (const caller of CALLERS) {
      if (route.public && caller.name !== 'anonymous' && caller.name !== 'admin') continue;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(route), (request) => send(route, caller, request)),
        { seed: seedOf(route, caller), numRuns: REFUSED_CALLERS.has(caller.name) ? Math.ceil(RUNS / 3) : RUNS, endOnFailure: true },
      );
    }
    took.set(route.operationId, Date.now() - started);
  }, 120_000);
});

test('the fuzz sent requests to every route of the route table, and left nothing running', async () => {
  expect([...answered.keys()].sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  // Before the stack stops (its own afterAll runs first): whatever a success started has finished.
  await quiet();
});
