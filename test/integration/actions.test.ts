import { getLead, saveLead } from '../../lib/leads/repository';
import type { Lead } from '../../lib/leads/model';
import { getItem } from '../../lib/table/client';
import { keys } from '../../lib/table/keys';
import { useLocalStack } from '../support/local-stack';
import { xlsx } from '../support/lists';

const stack = useLocalStack();

/**
 * Eight participants of a seminar (two of them also invited to a webinar), imported through the bucket. Owners are
 * set with the lead repository's own write, as assignment will: rep1 p0–p4, agent p5, p6–p7 unassigned.
 */
let seminar: string;
let webinar: string;
const ids: string[] = [];

async function setLead(leadId: string, change: Partial<Lead>) {
  const found = (await getLead(leadId))!;
  await saveLead(found.lead, { ...found.lead, ...change, updatedAt: new Date().toISOString(), version: found.lead.version + 1 });
}

const lead = async (leadId: string) => (await stack().api('GET', `/leads/${leadId}`, { as: 'admin' })).body;
const counters = async (campaignId: string) => (await getItem(keys.campaignMetrics(campaignId))) ?? {};

const action = (campaignId: string, extra: Record<string, unknown> = {}) => ({
  campaignId,
  at: '2026-10-01T10:00:00+09:00',
  channel: 'phone',
  content: 'ヒアリング',
  result: '不在',
  ...extra,
});

beforeAll(async () => {
  for (const [name, type] of [['DX推進セミナー', 'seminar'], ['製品ウェビナー', 'webinar']] as const) {
    const { body } = await stack().api('POST', '/campaigns', { as: 'marketing', body: { name, type, targets: { actions: 40 } } });
    if (type === 'seminar') seminar = body.campaignId;
    else webinar = body.campaignId;
  }
  const people = Array.from({ length: 8 }, (_, i) => [`山田 ${i}`, `a${i}@example.com`, `株式会社アクト${i}`, '営業部', '', '']);
  await stack().upload(`imports/${seminar}/participant/seminar.xlsx`, await xlsx(people));
  await stack().upload(`imports/${webinar}/invitation/webinar.xlsx`, await xlsx(people.slice(0, 2)));
  for (let i = 0; i < 8; i++) {
    const page = await stack().api('GET', `/leads?name=${encodeURIComponent(`山田 ${i}`)}`, { as: 'admin' });
    ids.push(page.body.items[0].leadId);
  }
  for (let i = 0; i < 6; i++) await setLead(ids[i]!, { ownerId: i < 5 ? 'rep1' : 'agent' });
}, 60_000);

describe('POST /leads/{id}/actions', () => {
  test('the first action moves a new lead to working, stores the action, the last action and the campaign history', async () => {
    const before = await lead(ids[0]!);
    expect(before.lead.stage).toBe('new');
    const logged = await stack().api('POST', `/leads/${ids[0]}/actions`, {
      as: 'rep1',
      body: action(seminar, { note: '受付で不在', nextActionAt: '2026-10-03T15:00:00+09:00' }),
    });
    expect(logged.status).toBe(201);
    expect(logged.body.action).toMatchObject({
      leadId: ids[0],
      campaignId: seminar,
      actorId: 'rep1',
      at: '2026-10-01T01:00:00.000Z',
      nextActionAt: '2026-10-03T06:00:00.000Z',
      channel: 'phone',
      stageFrom: 'new',
      stageTo: 'working',
      followStatus: 'in_progress',
    });
    expect(logged.body.lead).toMatchObject({ stage: 'working', lastActionAt: '2026-10-01T01:00:00.000Z', lastActionResult: '不在', version: before.version + 1 });
    expect(logged.headers.get('etag')).toBe(`"${before.version + 1}"`);

    const after = await lead(ids[0]!);
    expect(after.lead).toMatchObject({ stage: 'working', lastActionAt: '2026-10-01T01:00:00.000Z', lastActionResult: '不在' });
    expect(after.counts.actions).toBe(1);
    expect(after.latestActions[0]).toMatchObject({ actionId: logged.body.action.actionId, note: '受付で不在' });
    expect(after.latestActions[0].GSI1PK).toBeUndefined();
    const history = after.campaigns.find((c: { campaignId: string }) => c.campaignId === seminar);
    expect(history).toMatchObject({ followStatus: 'in_progress', lastActionResult: '不在', lastActionAt: '2026-10-01T01:00:00.000Z' });
    // The other campaign's history is untouched.
    expect(after.campaigns.find((c: { campaignId: string }) => c.campaignId === webinar)).toMatchObject({ followStatus: 'not_started' });
    expect(await counters(seminar)).toMatchObject({ actions: 1 });

    // GSI7 (leads by last action) sees it first.
    const byAction = await stack().api('GET', '/leads?sort=lastActionAt&limit=1', { as: 'manager' });
    expect(byAction.body.items[0].leadId).toBe(ids[0]);
  });

  test('an action logged late for an earlier time does not move the last action back; a later one does', async () => {
    const early = await stack().api('POST', `/leads/${ids[0]}/actions`, { as: 'rep1', body: action(seminar, { at: '2026-09-30T09:00:00+09:00', result: '興味あり', channel: 'email' }) });
    expect(early.status).toBe(201);
    expect(early.body.lead).toMatchObject({ lastActionAt: '2026-10-01T01:00:00.000Z', lastActionResult: '不在' });
    const history = (await lead(ids[0]!)).campaigns.find((c: { campaignId: string }) => c.campaignId === seminar);
    expect(history).toMatchObject({ lastActionAt: '2026-10-01T01:00:00.000Z', lastActionResult: '不在' });

    const later = await stack().api('POST', `/leads/${ids[0]}/actions`, {
      as: 'rep1',
      body: action(seminar, { at: '2026-10-02T01:30:00Z', result: 'アポ獲得', followStatus: 'done' }),
    });
    expect(later.body.lead).toMatchObject({ stage: 'working', lastActionAt: '2026-10-02T01:30:00.000Z', lastActionResult: 'アポ獲得' });
    expect(later.body.action.stageTo).toBeUndefined();
    const done = (await lead(ids[0]!)).campaigns.find((c: { campaignId: string }) => c.campaignId === seminar);
    expect(done).toMatchObject({ followStatus: 'done', completedOn: '2026-10-02', lastActionResult: 'アポ獲得' });
  });

  test('stage rules and choice lists: violations are 422 and change nothing', async () => {
    const id = ids[2]!; // a seminar participant the webinar never reached
    const before = await lead(id);
    const post = (body: unknown) => stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body });
    const noReason = await post(action(seminar, { stage: 'disqualified' }));
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].path).toBe('body.stageReason');
    expect((await post(action(seminar, { stage: 'recycle' }))).body.errors[0].path).toBe('body.stageReason');
    for (const stage of ['converted', 'handed_over']) {
      const refused = await post(action(seminar, { stage }));
      expect(refused.status).toBe(422);
      expect(refused.body.errors[0].path).toBe('body.stage');
    }
    const badContent = await post(action(seminar, { content: '雑談', result: '最高' }));
    expect(badContent.status).toBe(422);
    expect(badContent.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.content', 'body.result']);
    expect((await post(action(seminar, { channel: 'fax' }))).status).toBe(422);
    const future = await post(action(seminar, { at: new Date(Date.now() + 86_400_000).toISOString() }));
    expect(future.status).toBe(422);
    expect(future.body.errors[0].path).toBe('body.at');
    const notItsCampaign = await post(action(webinar));
    expect(notItsCampaign.status).toBe(422);
    expect(notItsCampaign.body.errors[0].path).toBe('body.campaignId');
    expect((await post(action('01NOSUCHCAMPAIGN0000000000'))).status).toBe(422);
    expect((await post({ ...action(seminar), unknown: 1 })).status).toBe(422);

    const after = await lead(id);
    expect(after.version).toBe(before.version);
    expect(after.counts.actions).toBe(0);

    const disqualified = await post(action(seminar, { stage: 'disqualified', stageReason: '競合導入済み', result: '見込みなし' }));
    expect(disqualified.status).toBe(201);
    expect(disqualified.body.action).toMatchObject({ stageFrom: 'new', stageTo: 'disqualified', stageReason: '競合導入済み' });
    expect((await lead(id)).lead).toMatchObject({ stage: 'disqualified', stageReason: '競合導入済み' });
    // Back to work: the old reason goes with the old stage.
    const recycled = await post(action(seminar, { stage: 'working', result: '検討中', at: '2026-10-05T10:00:00+09:00' }));
    expect(recycled.body.lead.stage).toBe('working');
    expect((await lead(id)).lead.stageReason).toBeUndefined();
  });

  test("ownership: a rep acts only on its own leads, an agent cannot see others' leads, marketing may not act", async () => {
    expect((await stack().api('POST', `/leads/${ids[2]}/actions`, { as: 'rep2', body: action(seminar) })).status).toBe(403);
    expect((await stack().api('POST', `/leads/${ids[2]}/actions`, { as: 'agent', body: action(seminar) })).status).toBe(404);
    expect((await stack().api('POST', `/leads/${ids[2]}/actions`, { as: 'marketing', body: action(seminar) })).status).toBe(403);
    expect((await stack().api('POST', `/leads/${ids[5]}/actions`, { as: 'agent', body: action(seminar) })).status).toBe(201);
    expect((await stack().api('POST', `/leads/${ids[6]}/actions`, { as: 'manager', body: action(seminar) })).status).toBe(201);
    expect((await stack().api('GET', `/leads/${ids[2]}/actions`, { as: 'agent' })).status).toBe(404);
  });

  test('lead updates apply with the version they were made on; a stale one is 409 and nothing is stored', async () => {
    const id = ids[3]!;
    const before = await lead(id);
    const applied = await stack().api('POST', `/leads/${id}/actions`, {
      as: 'rep1',
      body: action(seminar, { result: '興味あり', leadUpdates: { version: before.version, memo: '来期に予算化', qualification: { budget: '300万円', timeline: '来期' }, title: '課長' } }),
    });
    expect(applied.status).toBe(201);
    expect((await lead(id)).lead).toMatchObject({ memo: '来期に予算化', qualification: { budget: '300万円' }, title: '課長', stage: 'working', version: before.version + 1 });

    const stale = await stack().api('POST', `/leads/${id}/actions`, {
      as: 'rep1',
      body: action(seminar, { leadUpdates: { version: before.version, memo: '古い画面から' } }),
    });
    expect(stale.status).toBe(409);
    expect(stale.body.currentVersion).toBe(before.version + 1);
    expect((await lead(id)).lead.memo).toBe('来期に予算化');
    expect((await lead(id)).counts.actions).toBe(1);

    const noVersion = await stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body: action(seminar, { leadUpdates: { memo: 'x' } }) });
    expect(noVersion.status).toBe(422);
    expect(noVersion.body.errors[0].path).toBe('body.leadUpdates.version');
    // Contact data is not changed from the action form.
    expect((await stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body: action(seminar, { leadUpdates: { version: before.version + 1, email: 'x@example.com' } }) })).status).toBe(422);
  });

  test('ten actions at once on one lead: all stored, the version advanced by exactly ten, ten more on the counters', async () => {
    const id = ids[4]!;
    const before = await lead(id);
    const countersBefore = await counters(seminar);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body: action(seminar, { at: `2026-10-0${i === 9 ? '9' : i + 1}T1${i}:00:00+09:00`, note: `同時 ${i}` }) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201));
    const after = await lead(id);
    expect(after.version).toBe(before.version + 10);
    expect(after.counts.actions).toBe(10);
    expect(after.lead.lastActionAt).toBe('2026-10-09T10:00:00.000Z');
    expect((await counters(seminar)).actions).toBe((countersBefore.actions as number) + 10);
    const notes = (await stack().api('GET', `/leads/${id}/actions?limit=500`, { as: 'rep1' })).body.items.map((a: { note: string }) => a.note).sort();
    expect(notes).toEqual(Array.from({ length: 10 }, (_, i) => `同時 ${i}`).sort());
    // The stage moved once, by whichever action landed first.
    expect(after.lead.stage).toBe('working');
    const moved = (await stack().api('GET', `/leads/${id}/actions?limit=500`, { as: 'rep1' })).body.items.filter((a: { stageTo?: string }) => a.stageTo);
    expect(moved).toHaveLength(1);
  });
});

describe('approaches the person declined (NG)', () => {
  test('a phone action on a 電話NG lead and a visit on a 訪問NG one are 422 naming the channel, and store nothing', async () => {
    const id = ids[1]!;
    await setLead(id, { ngActions: ['no_call', 'no_visit'] });
    const before = await lead(id);
    const countersBefore = await counters(seminar);
    const post = (body: unknown) => stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body });
    for (const channel of ['phone', 'visit']) {
      const refused = await post(action(seminar, { channel }));
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([{ path: 'body.channel', message: expect.stringMatching(channel === 'phone' ? /no_call/ : /no_visit/) }]);
      expect(refused.body.detail).toMatch(channel === 'phone' ? /電話NG/ : /訪問NG/);
    }
    const after = await lead(id);
    expect(after.version).toBe(before.version);
    expect(after.counts.actions).toBe(before.counts.actions);
    expect((await counters(seminar)).actions).toBe(countersBefore.actions);
    // An e-mail is still allowed.
    expect((await post(action(seminar, { channel: 'email', result: '興味あり' }))).status).toBe(201);
  });

  test('a call in which the person declines further calls is logged, with the NG it sets; the next call is refused', async () => {
    const id = ids[6]!;
    await setLead(id, { ownerId: 'rep1' });
    const current = await lead(id);
    const post = (body: unknown) => stack().api('POST', `/leads/${id}/actions`, { as: 'rep1', body });
    const declined = await post(action(seminar, { result: '見込みなし', leadUpdates: { version: current.version, ngActions: ['no_call'] } }));
    expect(declined.status).toBe(201);
    expect((await lead(id)).lead.ngActions).toEqual(['no_call']);
    expect((await post(action(seminar, { at: '2026-10-02T10:00:00+09:00' }))).status).toBe(422);
  });
});

describe('reading actions', () => {
  test("a lead's actions, newest logged first, page by page", async () => {
    const first = await stack().api('GET', `/leads/${ids[0]}/actions?limit=2`, { as: 'sales' });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    const second = await stack().api('GET', `/leads/${ids[0]}/actions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: 'sales' });
    expect(second.body.items).toHaveLength(1);
    expect(second.body.nextCursor).toBeNull();
    const all = [...first.body.items, ...second.body.items].map((a) => a.actionId);
    expect(all).toEqual([...all].sort().reverse());
    expect((await stack().api('GET', `/leads/${ids[1]}/actions?limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: 'sales' })).status).toBe(400);
  });

  test("a rep's activity over a period (Japan days or instants); only managers, admins and marketing see others'", async () => {
    const october = await stack().api('GET', '/actions?actorId=rep1&from=2026-10-01&to=2026-10-31&limit=500', { as: 'manager' });
    expect(october.status).toBe(200);
    expect(october.body.items.every((a: { actorId: string }) => a.actorId === 'rep1')).toBe(true);
    const ats = october.body.items.map((a: { at: string }) => a.at);
    expect(ats).toEqual([...ats].sort().reverse());
    // The action at 2026-09-30 09:00 JST falls outside; everything rep1 logged in October is in.
    expect(ats).not.toContain('2026-09-30T00:00:00.000Z');
    const mine = await stack().api('GET', '/actions?limit=500', { as: 'rep1' });
    expect(mine.body.items).toHaveLength(october.body.items.length + 1);
    const oneDay = await stack().api('GET', '/actions?from=2026-10-02&to=2026-10-02&limit=500', { as: 'rep1' });
    expect(oneDay.body.items.map((a: { at: string }) => a.at).sort()).toEqual(ats.filter((at: string) => at >= '2026-10-01T15:00:00.000Z' && at < '2026-10-02T15:00:00.000Z').sort());
    const instant = await stack().api('GET', `/actions?from=${encodeURIComponent('2026-10-09T19:00:00+09:00')}&to=${encodeURIComponent('2026-10-09T19:00:00+09:00')}`, { as: 'rep1' });
    expect(instant.body.items.map((a: { at: string }) => a.at)).toEqual(['2026-10-09T10:00:00.000Z']);

    expect((await stack().api('GET', '/actions?actorId=rep1', { as: 'rep2' })).status).toBe(403);
    expect((await stack().api('GET', '/actions?actorId=rep1', { as: 'marketing' })).status).toBe(200);
    expect((await stack().api('GET', '/actions?actorId=agent', { as: 'agent' })).body.items).toHaveLength(1);
    expect((await stack().api('GET', '/actions?from=2026-13-01', { as: 'rep1' })).status).toBe(422);
  });

  test('the choice lists, with Japanese defaults, for every role', async () => {
    const { status, body } = await stack().api('GET', '/settings/choices', { as: 'agent' });
    expect(status).toBe(200);
    expect(body.contents).toEqual(expect.arrayContaining(['お礼', '製品説明', 'ヒアリング', '日程調整', '資料送付']));
    expect(body.results).toEqual(expect.arrayContaining(['不在', '折り返し待ち', '興味あり', 'アポ獲得', '検討中', '見込みなし']));
    expect(body.channels.map((c: { value: string }) => c.value)).toEqual(['email', 'phone', 'web_meeting', 'visit', 'other']);
    expect(body.stageReasons.disqualified.length).toBeGreaterThan(0);
    expect(body.dealStages.length).toBeGreaterThan(0);
  });
});
