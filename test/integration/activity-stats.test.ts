import { ulid } from 'ulid';
import { RELATIVE_ERROR } from '../../lib/stats/histogram';
import { getItem, updateItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { japanDate } from '../../lib/text/japan-time';
import { seedAssignedLead } from '../support/seeded-leads';
import { useLocalStack } from '../support/local-stack';

/**
 * The manager's view through the HTTP API on the local stack: a scripted week of actions by three reps (rep1, rep2
 * and rep3 of another team) on leads given to them on Monday 2026-11-16 at 09:00 in Japan, with the figures worked
 * out by hand below; actions at once, a request retried with its Idempotency-Key, days cut at midnight in Japan
 * (weeks at Monday, months at the 1st), hand-overs, conversions and won deals; the recount; who may read what; the
 * pipeline; many campaigns' metrics side by side.
 */

const stack = useLocalStack();
const api = (...args: Parameters<ReturnType<typeof stack>['api']>) => stack().api(...args);

let campaign: string;
let other: string;
/** Leads by name: A* rep1's, B* rep2's, C* rep3's. */
const lead: Record<string, string> = {};
const ASSIGNED = '2026-11-16T09:00:00+09:00';

async function seedLead(name: string, ownerId: string, assignedAt: string): Promise<void> {
  lead[name] = await seedAssignedLead({ label: '統計', prefix: 'stats', name, ownerId, assignedAt, campaignId: campaign });
}

/** An action at a time in Japan (`2026-11-16 09:10`). */
const act = (as: string, name: string, when: string, channel: string, result: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  api('POST', `/leads/${lead[name]}/actions`, {
    as,
    headers,
    body: { campaignId: campaign, at: `${when.replace(' ', 'T')}:00+09:00`, channel, content: channel === 'email' ? 'お礼' : 'ヒアリング', result, ...extra },
  });
async function logged(as: string, name: string, when: string, channel: string, result: string): Promise<void> {
  const res = await act(as, name, when, channel, result);
  expect([res.status, res.body]).toEqual([201, expect.anything()]);
}

const activity = async (query: string, as = 'manager') => {
  const res = await api('GET', `/stats/activity?${query}`, { as });
  expect([res.status, res.body.detail]).toEqual([200, undefined]);
  return res.body;
};
const rowOf = (body: { items: { userId: string; period: string }[] }, userId: string, period: string) => body.items.find((r) => r.userId === userId && r.period === period);
/** Within the histogram's bound of the true (nearest-rank) value, and the API's rounding to 0.1 minute. */
const near = (minutes: number) => ({ asymmetricMatch: (v: number) => Math.abs(v - minutes) <= minutes * RELATIVE_ERROR + 0.05, toString: () => `≈${minutes}` });

beforeAll(async () => {
  campaign = (await api('POST', '/campaigns', { as: 'marketing', body: { name: '統計セミナー', type: 'seminar', status: 'active' } })).body.campaignId;
  other = (await api('POST', '/campaigns', { as: 'marketing', body: { name: '別の展示会', type: 'exhibition', status: 'planned', actualCostJpy: 100_000 } })).body.campaignId;
  const rep3 = await api('POST', '/users', { as: 'admin', body: { userId: 'rep3', name: '担当 四子', email: 'rep3@example.com', team: 'インサイドセールス二課', role: 'rep' } });
  expect(rep3.status).toBe(201);
  for (const name of ['A1', 'A2', 'A3']) await seedLead(name, 'rep1', ASSIGNED);
  for (const name of ['B1', 'B2', 'B3']) await seedLead(name, 'rep2', ASSIGNED);
  for (const name of ['C1', 'C3']) await seedLead(name, 'rep3', ASSIGNED);
  await seedLead('C2', 'rep3', '2026-11-17T09:00:00+09:00');
}, 60_000);

describe('the counters the writes keep', () => {
  test('a scripted week: every action lands', async () => {
    // rep1: A1 first touched after 10 minutes, A2 after 120, A3 after two days (2,880 minutes).
    await logged('rep1', 'A1', '2026-11-16 09:10', 'phone', '不在');
    await logged('rep1', 'A1', '2026-11-16 10:00', 'phone', '興味あり');
    await logged('rep1', 'A2', '2026-11-16 11:00', 'phone', 'アポ獲得');
    await logged('rep1', 'A1', '2026-11-17 09:00', 'email', '検討中');
    await logged('rep1', 'A3', '2026-11-18 09:00', 'phone', '見込みなし');
    // rep2: a minute before and after midnight in Japan (Monday, Tuesday), and on either side of the week's end.
    await logged('rep2', 'B1', '2026-11-16 23:59', 'phone', '検討中'); // first touch after 899 minutes
    await logged('rep2', 'B1', '2026-11-17 00:01', 'phone', '不在');
    await logged('rep2', 'B2', '2026-11-17 10:00', 'web_meeting', '興味あり'); // first touch after 1,500 minutes
    await logged('rep2', 'B2', '2026-11-22 23:59', 'phone', '連絡不要'); // Sunday: week 47
    await logged('rep2', 'B2', '2026-11-23 00:01', 'phone', '不在'); // Monday: week 48
    // rep3: C1 after 30 minutes; C2 (given on Tuesday at 09:00) five times at once at 10:00; three leads at once.
    await logged('rep3', 'C1', '2026-11-16 09:30', 'phone', '担当者不在');
    const burst = await Promise.all(Array.from({ length: 5 }, (_, i) => act('rep3', 'C2', '2026-11-17 10:00', 'phone', '興味あり', { note: `同時 ${i}` })));
    expect(burst.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const spread = await Promise.all([
      act('rep3', 'C1', '2026-11-18 10:00', 'phone', '不在'),
      act('rep3', 'C3', '2026-11-18 10:00', 'phone', 'アポ獲得'), // first touch after 2,940 minutes
      act('rep3', 'C2', '2026-11-18 10:00', 'email', '資料送付済み'),
    ]);
    expect(spread.map((r) => r.status)).toEqual([201, 201, 201]);
    // The month's end, in Japan: 23:59 on the 30th is November, 00:01 on the 1st December.
    await logged('rep3', 'C1', '2026-11-30 23:59', 'phone', '不在');
    await logged('rep3', 'C1', '2026-12-01 00:01', 'phone', '興味あり');
  }, 60_000);

  test('a request retried with its Idempotency-Key is one action, counted once', async () => {
    const headers = { 'idempotency-key': 'stats-retry-1' };
    const first = await act('rep3', 'C3', '2026-12-01 10:00', 'phone', '検討中', {}, headers);
    const again = await act('rep3', 'C3', '2026-12-01 10:00', 'phone', '検討中', {}, headers);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body.action.actionId).toBe(first.body.action.actionId);
    const actions = (await api('GET', `/leads/${lead.C3}/actions?limit=50`, { as: 'rep3' })).body.items;
    expect(actions.filter((a: { at: string }) => a.at === '2026-12-01T01:00:00.000Z')).toHaveLength(1);
    const day = await getItem(keys.userStatsDay('rep3', '2026-12-01'));
    expect(day).toMatchObject({ actions: 2, leadsTouched: 2, effectiveCalls: 2 });
  });

  test('the week by user: effective calls, distinct leads touched, first touches and their median, as worked out by hand', async () => {
    const week = await activity('from=2026-11-16&to=2026-11-22&groupBy=week');
    expect(rowOf(week, 'rep1', '2026-W47')).toEqual({
      userId: 'rep1',
      name: '担当 二郎',
      team: 'インサイドセールス部',
      period: '2026-W47',
      actions: 5,
      byChannel: { phone: 4, email: 1 },
      byResult: { 不在: 1, 興味あり: 1, アポ獲得: 1, 検討中: 1, 見込みなし: 1 },
      // 興味あり, アポ獲得 and 見込みなし by phone; 検討中 was an e-mail.
      effectiveCalls: 3,
      // Monday A1 and A2, Tuesday A1, Wednesday A3.
      leadsTouched: 4,
      firstTouches: 3,
      medianFirstTouchMinutes: near(120),
      p90FirstTouchMinutes: near(2880),
      handovers: 0,
      conversions: 0,
      wonDeals: 0,
      wonAmountJpy: 0,
    });
    expect(rowOf(week, 'rep2', '2026-W47')).toMatchObject({
      actions: 4,
      byChannel: { phone: 3, web_meeting: 1 },
      effectiveCalls: 2, // 検討中 and 連絡不要 by phone; 興味あり was a web meeting
      leadsTouched: 4, // Monday B1, Tuesday B1 and B2, Sunday B2
      firstTouches: 2,
      medianFirstTouchMinutes: near(899),
      p90FirstTouchMinutes: near(1500),
    });
    expect(rowOf(week, 'rep3', '2026-W47')).toMatchObject({
      team: 'インサイドセールス二課',
      actions: 9,
      byChannel: { phone: 8, email: 1 },
      byResult: { 担当者不在: 1, 興味あり: 5, 不在: 1, アポ獲得: 1, 資料送付済み: 1 },
      effectiveCalls: 6, // the five at once and アポ獲得
      leadsTouched: 5, // Monday C1; Tuesday C2 once for five actions; Wednesday C1, C2, C3
      firstTouches: 3, // C1, C2 once, C3
      medianFirstTouchMinutes: near(60),
      p90FirstTouchMinutes: near(2940),
    });
    // Nobody else did anything that week: rows are only where something happened.
    expect(week.items.map((r: { userId: string }) => r.userId).sort()).toEqual(['rep1', 'rep2', 'rep3']);
    expect(week.totals).toMatchObject({ actions: 18, effectiveCalls: 11, leadsTouched: 13, firstTouches: 8, medianFirstTouchMinutes: near(120) });
  });

  test('days are cut at midnight in Japan, weeks at Monday and months at the 1st', async () => {
    const days = await activity('from=2026-11-16&to=2026-11-23&groupBy=day&userId=rep2');
    expect(days.items.map((r: { period: string; actions: number; leadsTouched: number }) => [r.period, r.actions, r.leadsTouched])).toEqual([
      ['2026-11-16', 1, 1],
      ['2026-11-17', 2, 2],
      ['2026-11-22', 1, 1],
      ['2026-11-23', 1, 1],
    ]);
    const weeks = await activity('from=2026-11-16&to=2026-11-29&groupBy=week&userId=rep2');
    expect(weeks.items.map((r: { period: string; actions: number }) => [r.period, r.actions])).toEqual([
      ['2026-W47', 4],
      ['2026-W48', 1],
    ]);
    const months = await activity('from=2026-11-01&to=2026-12-01&groupBy=month&userId=rep3');
    expect(months.items.map((r: { period: string; actions: number; effectiveCalls: number }) => [r.period, r.actions, r.effectiveCalls])).toEqual([
      ['2026-11', 10, 6],
      ['2026-12', 2, 2],
    ]);
    const monthWeeks = await activity('from=2026-11-30&to=2026-12-01&groupBy=week&userId=rep3');
    expect(monthWeeks.items.map((r: { period: string; actions: number }) => [r.period, r.actions])).toEqual([['2026-W49', 3]]);
  });

  test('a team, and a rep or sales asking for itself', async () => {
    const team = await activity(`from=2026-11-16&to=2026-11-22&groupBy=week&team=${encodeURIComponent('インサイドセールス二課')}`);
    expect(team.items.map((r: { userId: string }) => r.userId)).toEqual(['rep3']);
    const mine = await activity('from=2026-11-16&to=2026-11-22&groupBy=week', 'rep1');
    expect(mine.items.map((r: { userId: string }) => r.userId)).toEqual(['rep1']);
    expect((await activity('from=2026-11-16&to=2026-11-22&userId=me', 'rep2')).items.every((r: { userId: string }) => r.userId === 'rep2')).toBe(true);
    expect((await activity('from=2026-11-16&to=2026-11-22', 'sales')).items).toEqual([]);
  });

  test('hand-overs and conversions count for the caller, won deals for the owner on the day they became won; a reopened deal is taken back', async () => {
    const before = japanDate(new Date());
    expect((await api('POST', `/leads/${lead.A2}/handover`, { as: 'rep1', body: { ownerId: 'sales', note: 'デモ希望' } })).status).toBe(200);
    const converted = await api('POST', `/leads/${lead.A1}/convert`, {
      as: 'rep1',
      body: { campaignId: campaign, account: { new: {} }, deal: { name: '統計案件', ownerId: 'sales', amountJpy: 1_000_000 }, notify: false },
    });
    expect(converted.status).toBe(201);
    const deal = converted.body.deal;
    const patch = async (body: Record<string, unknown>, version: number) => {
      const res = await api('PATCH', `/deals/${deal.dealId}`, { as: 'sales', body: { ...body, version } });
      expect(res.status).toBe(200);
      return res.body.version as number;
    };
    let version = await patch({ status: 'won' }, deal.version);
    version = await patch({ amountJpy: 1_200_000 }, version);
    const range = `from=${before}&to=${japanDate(new Date())}&groupBy=month`;
    const month = (await activity(range)).totals;
    expect(month).toMatchObject({ handovers: 1, conversions: 1, wonDeals: 1, wonAmountJpy: 1_200_000 });
    const byUser = await activity(range);
    expect(byUser.items.find((r: { userId: string }) => r.userId === 'rep1')).toMatchObject({ handovers: 1, conversions: 1, wonDeals: 0, actions: 0 });
    expect(byUser.items.find((r: { userId: string }) => r.userId === 'sales')).toMatchObject({ handovers: 0, wonDeals: 1, wonAmountJpy: 1_200_000 });

    version = await patch({ status: 'open' }, version);
    expect((await activity(range)).totals).toMatchObject({ wonDeals: 0, wonAmountJpy: 0 });
    await patch({ status: 'won' }, version);
    expect((await activity(range)).totals).toMatchObject({ wonDeals: 1, wonAmountJpy: 1_200_000 });
    // The hand-over again changes nothing and counts nothing.
    expect((await api('POST', `/leads/${lead.A2}/handover`, { as: 'manager', body: { ownerId: 'sales' } })).status).toBe(200);
    expect((await activity(range)).totals.handovers).toBe(1);
  });
});

describe('the recount', () => {
  const through = () => japanDate(new Date());

  test.each(['rep1', 'rep2', 'rep3', 'sales'])('%s: the counters agree with the actions, events and deals', async (userId) => {
    const body = await activity(`from=2026-11-01&to=${through()}&groupBy=month&userId=${userId}&recount=true`, 'admin');
    expect(body.recount.differences).toEqual([]);
    expect(body.recount.agrees).toBe(true);
    expect(body.recount.items).toEqual(body.items);
  });

  test('a counter that drifted shows, by day and name', async () => {
    const key = keys.userStatsDay('rep1', '2026-11-17');
    await updateItem({ key, changes: { add: { actions: 1, 'result:検討中': -1 } } });
    try {
      const body = await activity('from=2026-11-16&to=2026-11-22&userId=rep1&recount=true', 'admin');
      expect(body.recount.agrees).toBe(false);
      expect(body.recount.differences).toEqual([
        { day: '2026-11-17', name: 'actions', counter: 2, recount: 1 },
        { day: '2026-11-17', name: 'result:検討中', counter: 0, recount: 1 },
      ]);
    } finally {
      await updateItem({ key, changes: { add: { actions: -1, 'result:検討中': 1 } } });
    }
  });
});

describe('who may read what, and what is refused', () => {
  const get = (query: string, as: string) => api('GET', `/stats/activity?${query}`, { as });
  const week = 'from=2026-11-16&to=2026-11-22';

  test('agents and marketing are refused; a rep or sales may not read another, nor a team', async () => {
    expect((await get(week, 'agent')).status).toBe(403);
    expect((await get(week, 'marketing')).status).toBe(403);
    expect((await get(`${week}&userId=rep2`, 'rep1')).status).toBe(403);
    expect((await get(`${week}&team=${encodeURIComponent('インサイドセールス部')}`, 'rep1')).status).toBe(403);
    expect((await get(`${week}&userId=rep1`, 'sales')).status).toBe(403);
    expect((await api('GET', '/stats/pipeline', { as: 'rep1' })).status).toBe(403);
    expect((await api('GET', '/stats/pipeline', { as: 'marketing' })).status).toBe(403);
  });

  test('only an admin recounts, and one user at a time', async () => {
    expect((await get(`${week}&userId=rep1&recount=true`, 'manager')).status).toBe(403);
    const noUser = await get(`${week}&recount=true`, 'admin');
    expect([noUser.status, noUser.body.errors]).toEqual([422, [{ path: 'query.userId', message: expect.any(String) }]]);
  });

  test('a bad or too long range, an unknown grouping or parameter: 422 with the field; an unknown user: 404', async () => {
    const paths = async (query: string) => {
      const res = await get(query, 'manager');
      expect(res.status).toBe(422);
      return res.body.errors.map((e: { path: string }) => e.path);
    };
    expect(await paths('from=2026-01-01&to=2027-01-02')).toEqual(['query.to']);
    expect(await paths('from=2026-11-22&to=2026-11-16')).toEqual(['query.to']);
    expect(await paths(`${week}&groupBy=year`)).toEqual(['query.groupBy']);
    expect(await paths('from=2026-11-31&to=2026-12-01')).toEqual(['query.from']);
    expect(await paths('to=2026-12-01')).toEqual(['query.from']);
    expect(await paths(`${week}&colour=red`)).toEqual(['query']);
    // A year is fine (366 days at most).
    expect((await get('from=2028-01-01&to=2028-12-31&groupBy=month', 'manager')).status).toBe(200);
    expect((await get(`${week}&userId=nobody`, 'manager')).status).toBe(404);
  });
});

describe('the pipeline', () => {
  test("each owner's open leads by stage, overdue and today's tasks, untouched leads; a team", async () => {
    // rep2 has B1 and B2 worked, B3 never touched; one task overdue, one due now, one next year.
    for (const dueAt of ['2026-11-01', new Date().toISOString(), '2027-06-01']) {
      expect((await api('POST', `/leads/${lead.B1}/tasks`, { as: 'rep2', body: { kind: 'call', title: '再架電', dueAt } })).status).toBe(201);
    }
    const res = await api('GET', '/stats/pipeline', { as: 'manager' });
    expect(res.status).toBe(200);
    expect(res.body.today).toBe(japanDate(new Date()));
    const row = (userId: string) => res.body.items.find((r: { userId: string }) => r.userId === userId);
    expect(row('rep2')).toEqual({
      userId: 'rep2',
      name: '担当 三子',
      team: 'インサイドセールス部',
      openLeads: { new: 1, working: 2, recycle: 0 },
      openLeadsTotal: 3,
      overdueTasks: 1,
      tasksDueToday: 1,
      untouchedLeads: 1,
    });
    // A1 converted and A2 handed over are no longer rep1's work.
    expect(row('rep1')).toMatchObject({ openLeads: { new: 0, working: 1, recycle: 0 }, untouchedLeads: 0 });
    expect(row('rep3')).toMatchObject({ openLeadsTotal: 3, untouchedLeads: 0 });
    expect(res.body.items.map((r: { userId: string }) => r.userId)).not.toContain('marketing');
    expect(res.body.totals).toMatchObject({ openLeadsTotal: 7, overdueTasks: 1, tasksDueToday: 1, untouchedLeads: 1 });

    const team = await api('GET', `/stats/pipeline?team=${encodeURIComponent('インサイドセールス二課')}`, { as: 'admin' });
    expect(team.body.items.map((r: { userId: string }) => r.userId)).toEqual(['rep3']);
    expect((await api('GET', '/stats/pipeline?owner=rep1', { as: 'admin' })).status).toBe(422);
  });
});

describe("many campaigns' metrics side by side", () => {
  test('by ids, in the order asked, each as its own metrics read it; by status, a page at a time', async () => {
    const one = async (id: string) => (await api('GET', `/campaigns/${id}/metrics`, { as: 'manager' })).body;
    const both = await api('GET', `/campaigns/metrics?ids=${other},${campaign}`, { as: 'marketing' });
    expect(both.status).toBe(200);
    expect(both.body.items).toEqual([
      { ...(await one(other)), name: '別の展示会', status: 'planned' },
      { ...(await one(campaign)), name: '統計セミナー', status: 'active' },
    ]);
    expect(both.body.items[1].actions).toBe(22);
    expect(both.body.nextCursor).toBeNull();
    const active = await api('GET', '/campaigns/metrics?status=active&limit=1', { as: 'rep1' });
    expect(active.body.items.map((m: { campaignId: string }) => m.campaignId)).toEqual([campaign]);
  });

  test('refusals: an agent, an unknown id (404 naming it), both or neither of ids and status, more than 100 ids', async () => {
    expect((await api('GET', `/campaigns/metrics?ids=${campaign}`, { as: 'agent' })).status).toBe(403);
    const unknown = await api('GET', `/campaigns/metrics?ids=${campaign},NOSUCHCAMPAIGN`, { as: 'manager' });
    expect([unknown.status, unknown.body.missing]).toEqual([404, ['NOSUCHCAMPAIGN']]);
    expect((await api('GET', `/campaigns/metrics?ids=${campaign}&status=active`, { as: 'manager' })).status).toBe(422);
    expect((await api('GET', '/campaigns/metrics', { as: 'manager' })).status).toBe(422);
    const many = Array.from({ length: 101 }, () => ulid()).join(',');
    expect((await api('GET', `/campaigns/metrics?ids=${many}`, { as: 'manager' })).body.errors[0].path).toBe('query.ids');
  });
});
