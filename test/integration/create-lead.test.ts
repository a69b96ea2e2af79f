import { FAULT_POINTS, injectFault, type FaultPoint } from '../../lib/faults';
import { intakeHelpers } from '../support/intake';
import { useLocalStack } from '../support/local-stack';
import { resolved } from '../support/openapi';
import { xlsx } from '../support/lists';

const stack = useLocalStack();
const { newCampaign, importList } = intakeHelpers(stack);

/**
 * POST /leads: one lead by hand (an inbound call, a web inquiry), held to a list row's rules and deduplicated as a
 * list row is, through the real HTTP API on the local stack. Who owns it, what a bad request is told, a known person
 * (409, or attach), the campaign's counters, an erased person, a retried request, and a list import of the same people
 * at the same moment: one lead per person whatever comes first.
 */

const post = (body: Record<string, unknown>, as = 'rep1', headers: Record<string, string> = {}) => stack().api('POST', '/leads', { as, body, headers });
const get = (path: string, as = 'manager') => stack().api('GET', path, { as });
const byEmail = async (email: string) => {
  const page = await get(`/leads?email=${encodeURIComponent(email)}`);
  expect(page.status).toBe(200);
  return page.body.items.map((item: { leadId: string }) => item.leadId);
};
const byPhone = async (phone: string) => {
  const page = await get(`/leads?phone=${encodeURIComponent(phone)}`);
  expect(page.status).toBe(200);
  return page.body.items.map((item: { leadId: string }) => item.leadId);
};
const metricsOf = async (campaignId: string) => (await get(`/campaigns/${campaignId}/metrics`)).body;
const recount = async (campaignId: string) => (await get(`/campaigns/${campaignId}/metrics?recount=true`, 'admin')).body.recount;
const histories = async (leadId: string) => (await get(`/leads/${leadId}/campaigns`)).body.items;
type Counted = 'invited' | 'responded' | 'invitedResponded' | 'newLeads' | 'knownLeads';
const counters = (m: Record<Counted, number>): Record<Counted, number> => ({ invited: m.invited, responded: m.responded, invitedResponded: m.invitedResponded, newLeads: m.newLeads, knownLeads: m.knownLeads });

/** Holds whatever reaches the fault point until released: a deterministic instant between two steps of the intake. */
function pauseAt(point: FaultPoint) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  const restore = injectFault(point, async () => {
    arrived();
    await released;
  });
  return {
    reached,
    release: () => {
      restore();
      release();
    },
  };
}

/** A 409 that says to retry (a list of the campaign was being imported) is retried, as a client would. */
async function postUntilAnswered(body: Record<string, unknown>, as = 'rep1') {
  for (;;) {
    const response = await post(body, as);
    if (!(response.status === 409 && response.body.retryable === true)) return response;
  }
}

let seminar: string;
let knownId: string;

beforeAll(async () => {
  seminar = await newCampaign('問い合わせ窓口');
  const imported = await importList(seminar, 'participant', 'known.xlsx', await xlsx([['既存 一郎', 'Known.Person@example.com', '既存商事', '', '', '06-1111-2222']]));
  expect(imported).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
  [knownId] = await byEmail('known.person@example.com');
  expect(knownId).toEqual(expect.any(String));
}, 60_000);

describe('POST /leads: who creates it, who owns it', () => {
  test('a rep creates a lead it owns: stage new, the team from its user, found by e-mail and by phone however written, in its list, with a created event', async () => {
    const created = await post({ name: '問合 太郎', email: 'Ｔａｒｏ．Ｉｎｑｕｉｒｙ＠Example.com', company: '問合せ株式会社', phone: '03-1234-5678', extra: { 問い合わせ経路: '電話' } });
    expect(created.status).toBe(201);
    const lead = created.body;
    expect(created.headers.get('location')).toBe(`/leads/${lead.leadId}`);
    expect(created.headers.get('etag')).toBe('"1"');
    // The stored value keeps what was typed; only the key is normalised.
    expect(lead).toMatchObject({ name: '問合 太郎', email: 'Ｔａｒｏ．Ｉｎｑｕｉｒｙ＠Example.com', stage: 'new', ownerId: 'rep1', ownerTeam: 'インサイドセールス部', version: 1, extra: { 問い合わせ経路: '電話' } });

    expect(await byEmail('taro.inquiry@example.com')).toEqual([lead.leadId]);
    expect(await byEmail('TARO.INQUIRY@EXAMPLE.COM')).toEqual([lead.leadId]);
    expect(await byPhone('０３（１２３４）５６７８')).toEqual([lead.leadId]);
    expect(await byPhone('+81 3 1234 5678')).toEqual([lead.leadId]);

    const mine = (await get('/leads?owner=me', 'rep1')).body.items.map((item: { leadId: string }) => item.leadId);
    expect(mine).toContain(lead.leadId);
    expect((await get(`/leads/${lead.leadId}`, 'rep1')).body.lead).toMatchObject({ leadId: lead.leadId, ownerId: 'rep1', stage: 'new' });
    expect((await get(`/leads/${lead.leadId}/history`, 'rep1')).body.items).toEqual([
      expect.objectContaining({ kind: 'created', actorId: 'rep1', toOwnerId: 'rep1', leadId: lead.leadId }),
    ]);
    // No campaign, no campaign history.
    expect(await histories(lead.leadId)).toEqual([]);
  });

  test('a manager creates it unassigned, or for an owner it names who works leads; a sales user owns its own', async () => {
    const unassigned = await post({ name: '問合 二郎', email: 'jiro.inquiry@example.com' }, 'manager');
    expect(unassigned.status).toBe(201);
    expect(unassigned.body.ownerId).toBeUndefined();
    expect((await get('/leads?owner=unassigned')).body.items.map((item: { leadId: string }) => item.leadId)).toContain(unassigned.body.leadId);
    expect((await get(`/leads/${unassigned.body.leadId}/history`)).body.items).toEqual([expect.objectContaining({ kind: 'created', actorId: 'manager' })]);

    const forRep = await post({ name: '問合 三郎', email: 'saburo.inquiry@example.com', ownerId: 'rep2' }, 'manager');
    expect(forRep.status).toBe(201);
    expect(forRep.body).toMatchObject({ ownerId: 'rep2', ownerTeam: 'インサイドセールス部' });
    expect((await get('/leads?owner=me', 'rep2')).body.items.map((item: { leadId: string }) => item.leadId)).toContain(forRep.body.leadId);

    const bySales = await post({ name: '問合 四郎', company: '営業経由株式会社' }, 'sales');
    expect(bySales.status).toBe(201);
    expect(bySales.body).toMatchObject({ ownerId: 'sales', ownerTeam: 'フィールドセールス部' });

    // An owner must be an active user whose role works leads.
    for (const [ownerId, message] of [['marketing', 'a marketing cannot be given leads'], ['ghost', 'no user ghost']] as const) {
      const refused = await post({ name: '問合 五郎', email: `goro-${ownerId}@example.com`, ownerId }, 'manager');
      expect(refused.status).toBe(422);
      expect(refused.body.errors).toEqual([{ path: 'body.ownerId', message: expect.stringContaining(message) }]);
    }
    expect(await byEmail('goro-marketing@example.com')).toEqual([]);
  });

  test('marketing creates leads unassigned: naming an owner is assignment, an admin\'s or a manager\'s', async () => {
    const named = await post({ name: '問合 七郎', email: 'shichiro.inquiry@example.com', ownerId: 'rep1' }, 'marketing');
    expect(named.status).toBe(403);
    expect(await byEmail('shichiro.inquiry@example.com')).toEqual([]);
    const plain = await post({ name: '問合 七郎', email: 'shichiro.inquiry@example.com' }, 'marketing');
    expect(plain.status).toBe(201);
    expect(plain.body.ownerId).toBeUndefined();
  });

  test('a lead its creator owns waits in the creator\'s queue for its first action', async () => {
    const mine = await post({ name: '問合 八郎', email: 'hachiro.inquiry@example.com' }, 'rep2');
    expect(mine.status).toBe(201);
    const queue = (await get('/me/queue?limit=100', 'rep2')).body.items as { reason: string; lead: { leadId: string } }[];
    expect(queue.filter((i) => i.lead.leadId === mine.body.leadId).map((i) => i.reason)).toEqual(['new_untouched']);
  });

  test('a rep may not create a lead for someone else; an agent may not create one at all', async () => {
    const forOther = await post({ name: '問合 六郎', email: 'rokuro.inquiry@example.com', ownerId: 'rep2' }, 'rep1');
    expect(forOther.status).toBe(403);
    expect(forOther.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const byAgent = await post({ name: '問合 六郎', email: 'rokuro.inquiry@example.com' }, 'agent');
    expect(byAgent.status).toBe(403);
    expect(byAgent.body).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(await byEmail('rokuro.inquiry@example.com')).toEqual([]);
  });
});

describe('POST /leads: what a bad request is told', () => {
  test.each([
    ['no name', { email: 'a@example.com' }, 'body.name'],
    ['a blank name', { name: '　 ', email: 'a@example.com' }, 'body.name'],
    ['a name too long', { name: 'あ'.repeat(101), email: 'a@example.com' }, 'body.name'],
    ['neither an e-mail nor a company', { name: '問合 七郎' }, 'body.email'],
    ['an e-mail the list refuses', { name: '問合 七郎', email: 'not an e-mail' }, 'body.email'],
    ['an e-mail without a dotted domain', { name: '問合 七郎', email: 'someone@localhost' }, 'body.email'],
    ['a phone that is not text', { name: '問合 七郎', email: 'a@example.com', phone: 312345678 }, 'body.phone'],
    ['attach without a campaign', { name: '問合 七郎', email: 'a@example.com', onDuplicate: 'attach' }, 'body.onDuplicate'],
    ['an unknown way to treat a duplicate', { name: '問合 七郎', email: 'a@example.com', onDuplicate: 'merge' }, 'body.onDuplicate'],
    ['a date the lead arose without a campaign', { name: '問合 七郎', email: 'a@example.com', arisenOn: '2026-04-01' }, 'body.arisenOn'],
    ['a date that is no date', { name: '問合 七郎', email: 'a@example.com', campaignId: 'X', arisenOn: '2026-02-30' }, 'body.arisenOn'],
    ['a campaign id that is no id', { name: '問合 七郎', email: 'a@example.com', campaignId: 'a#b' }, 'body.campaignId'],
    ['a campaign that does not exist', { name: '問合 七郎', email: 'a@example.com', campaignId: 'NOSUCHCAMPAIGN' }, 'body.campaignId'],
    ['a field nobody knows', { name: '問合 七郎', email: 'a@example.com', stage: 'working' }, 'body'],
  ])('%s: 422 problem+json naming %#', async (_case, body, path) => {
    const refused = await post(body, 'manager');
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await byEmail('a@example.com')).toEqual([]);
  });

  test('a field nobody knows is named in the message; malformed JSON is a 400', async () => {
    const unknown = await post({ name: '問合 七郎', email: 'a@example.com', stage: 'working', ownerTeam: 'x' }, 'manager');
    expect(unknown.body.errors[0].message).toMatch(/stage/);
    const malformed = await stack().api('POST', '/leads', { as: 'manager', rawBody: '{"name":', headers: { 'content-type': 'application/json' } });
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ status: 400, title: 'Bad request' });
  });
});

describe('POST /leads: a person who already has a lead', () => {
  test('written in full width, upper case and with spaces, the e-mail finds them: 409 naming the lead, and nothing changes', async () => {
    const before = (await get(`/leads/${knownId}`)).body;
    const metricsBefore = await metricsOf(seminar);
    for (const email of ['ＫＮＯＷＮ．ＰＥＲＳＯＮ＠ＥＸＡＭＰＬＥ．ＣＯＭ', ' KNOWN.person@Example.com ']) {
      const refused = await post({ name: '別名 一郎', email, company: '別の会社', campaignId: seminar }, 'manager');
      expect(refused.status).toBe(409);
      expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(refused.body).toMatchObject({ status: 409, title: 'Conflict', existingLeadId: knownId });
      expect(refused.body.detail).toContain(knownId);
    }
    expect((await get(`/leads/${knownId}`)).body).toEqual(before);
    expect(await metricsOf(seminar)).toEqual(metricsBefore);
    expect(await byEmail('known.person@example.com')).toEqual([knownId]);
  });

  test('attach: the existing lead becomes a responded member of the campaign, its base data untouched, the counters moved once; attaching again changes nothing', async () => {
    const webinar = await newCampaign('製品ウェビナー');
    const before = (await get(`/leads/${knownId}`)).body.lead;
    const attach = { name: '別名 一郎', email: 'ＫＮＯＷＮ．ＰＥＲＳＯＮ＠example.com', company: '別の会社', campaignId: webinar, onDuplicate: 'attach', arisenOn: '2026-05-01' };

    const attached = await post(attach, 'rep1');
    expect(attached.status).toBe(200);
    expect(attached.headers.get('location')).toBeNull();
    expect(attached.body).toMatchObject({ leadId: knownId, name: '既存 一郎', company: '既存商事', version: before.version });
    expect(attached.body.ownerId).toBeUndefined();
    expect((await histories(knownId)).find((h: { campaignId: string }) => h.campaignId === webinar)).toMatchObject({
      leadId: knownId,
      invited: false,
      responded: true,
      followStatus: 'not_started',
      arisenOn: '2026-05-01',
    });
    // As a one-row participant list of a known person: responded, first reached.
    expect(counters(await metricsOf(webinar))).toEqual({ invited: 0, responded: 1, invitedResponded: 0, newLeads: 0, knownLeads: 1 });

    for (const as of ['rep1', 'marketing']) {
      const again = await post(attach, as);
      expect(again.status).toBe(200);
      expect(again.body.leadId).toBe(knownId);
    }
    expect(counters(await metricsOf(webinar))).toEqual({ invited: 0, responded: 1, invitedResponded: 0, newLeads: 0, knownLeads: 1 });
    expect((await histories(knownId)).filter((h: { campaignId: string }) => h.campaignId === webinar)).toHaveLength(1);
    expect((await get(`/leads/${knownId}`)).body.lead).toEqual(before);
    expect((await recount(webinar)).agrees).toBe(true);
    // The campaign the lead was first listed in is not touched.
    expect((await histories(knownId)).find((h: { campaignId: string }) => h.campaignId === seminar)).toMatchObject({ responded: true });
  });

  test('attach to an invited person: the history becomes responded, and invited-and-came counts it', async () => {
    const dinner = await newCampaign('顧客招待会');
    const invited = await importList(dinner, 'invitation', 'invited.xlsx', await xlsx([['既存 一郎', 'known.person@example.com', '', '', '', '']]));
    expect(invited.counts).toMatchObject({ matched: 1 });
    expect(counters(await metricsOf(dinner))).toEqual({ invited: 1, responded: 0, invitedResponded: 0, newLeads: 0, knownLeads: 1 });

    const attached = await post({ name: '既存 一郎', email: 'known.person@example.com', campaignId: dinner, onDuplicate: 'attach' }, 'manager');
    expect(attached.status).toBe(200);
    expect((await histories(knownId)).find((h: { campaignId: string }) => h.campaignId === dinner)).toMatchObject({ invited: true, responded: true });
    const metrics = await metricsOf(dinner);
    expect(counters(metrics)).toEqual({ invited: 1, responded: 1, invitedResponded: 1, newLeads: 0, knownLeads: 1 });
    expect(metrics).toMatchObject({ walkIns: 0, participationRate: 1 });
    expect((await recount(dinner)).agrees).toBe(true);
  });
});

describe('POST /leads with a campaign', () => {
  test('a new person becomes a responded member of it: a new lead of the campaign, counted as one', async () => {
    const fair = await newCampaign('展示会ブース');
    const created = await post({ name: '来場 一郎', email: 'visitor.one@example.com', company: '来場商事', campaignId: fair, ownerId: 'agent' }, 'manager');
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ ownerId: 'agent', ownerTeam: '外注コールセンター', stage: 'new' });
    const leadId = created.body.leadId;
    expect(await histories(leadId)).toEqual([expect.objectContaining({ campaignId: fair, invited: false, responded: true, followStatus: 'not_started' })]);
    expect(counters(await metricsOf(fair))).toEqual({ invited: 0, responded: 1, invitedResponded: 0, newLeads: 1, knownLeads: 0 });
    expect((await recount(fair)).agrees).toBe(true);
    expect((await get(`/leads/${leadId}/history`)).body.items).toEqual([expect.objectContaining({ kind: 'created', campaignId: fair, toOwnerId: 'agent' })]);
    // The history carries its owner: the agent sees the campaign through its own lead.
    expect((await get(`/campaigns/${fair}`, 'agent')).status).toBe(200);
    // The campaign's member list has it.
    expect((await get(`/leads?campaignId=${fair}&responded=true`)).body.items.map((item: { leadId: string }) => item.leadId)).toEqual([leadId]);
  });
});

describe('POST /leads for a person erased on request', () => {
  test('is refused with 422 saying so, with or without attach', async () => {
    const created = await post({ name: '消去 一郎', email: 'erase.me@example.com' }, 'manager');
    expect(created.status).toBe(201);
    expect((await stack().api('DELETE', `/leads/${created.body.leadId}`, { as: 'admin' })).status).toBe(200);
    for (const body of [
      { name: '消去 一郎', email: 'ＥＲＡＳＥ．ＭＥ＠example.com' },
      { name: '消去 一郎', email: 'erase.me@example.com', campaignId: seminar, onDuplicate: 'attach' },
    ]) {
      const refused = await post(body, 'manager');
      expect(refused.status).toBe(422);
      expect(refused.body.detail).toMatch(/erased/);
      expect(refused.body.errors).toEqual([{ path: 'body.email', message: 'erased on request' }]);
    }
    expect(await byEmail('erase.me@example.com')).toEqual([]);
  });
});

describe('POST /leads retried', () => {
  test('with the same Idempotency-Key, the first answer again and one lead; without one, the retry is a 409 naming it', async () => {
    const body = { name: '再送 一郎', email: 'retry.one@example.com', phone: '045-222-3333' };
    const headers = { 'idempotency-key': 'create-lead-retry-1' };
    const first = await post(body, 'rep2', headers);
    const again = await post(body, 'rep2', headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await byEmail('retry.one@example.com')).toEqual([first.body.leadId]);
    expect(await byPhone('045-222-3333')).toEqual([first.body.leadId]);

    const unkeyed = await post(body, 'rep2');
    expect(unkeyed.status).toBe(409);
    expect(unkeyed.body.existingLeadId).toBe(first.body.leadId);
    // The key with another body is refused rather than run.
    expect((await post({ ...body, name: '再送 二郎' }, 'rep2', headers)).status).toBe(422);
  });
});

describe('POST /leads racing a participant list import of the same people', () => {
  const people = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ name: `競合 ${prefix}${i}`, email: `race-${prefix}${i}@example.com`, company: '競合商事' }));
  const rowsOf = (list: { name: string; email: string; company: string }[]) => list.map((p) => [p.name, p.email.toUpperCase(), p.company, '', '', '']);
  /** The id each side names: a 201 or 200 its lead, a 409 the existing one. */
  const named = (response: { status: number; body: any }) => {
    expect([200, 201, 409]).toContain(response.status);
    return response.status === 409 ? response.body.existingLeadId : response.body.leadId;
  };

  test('the import claims first and is held before writing the leads: the request names the lead not written yet, or attaches to it; one lead each', async () => {
    const campaignId = await newCampaign('競合セミナー');
    const other = await newCampaign('競合ウェビナー');
    const [refusedOne, attachedOne] = people('held', 2);
    const paused = pauseAt(FAULT_POINTS.intakeNewPeople);
    const importing = stack().upload(`imports/${campaignId}/participant/held.xlsx`, await xlsx(rowsOf([refusedOne!, attachedOne!])));
    let answers: { status: number; body: any }[];
    try {
      await paused.reached;
      // The import's claims are in, its leads not yet: a claim points at a lead not written.
      answers = await Promise.all([post(refusedOne!, 'rep1'), post({ ...attachedOne!, campaignId: other, onDuplicate: 'attach' }, 'rep1')]);
    } finally {
      paused.release();
    }
    await importing;
    expect(answers.map((a) => a.status)).toEqual([409, 200]);
    for (const [i, person] of [refusedOne!, attachedOne!].entries()) {
      const found = await byEmail(person.email);
      expect(found).toHaveLength(1);
      expect(named(answers[i]!)).toBe(found[0]);
      expect((await histories(found[0])).find((h: { campaignId: string }) => h.campaignId === campaignId)).toMatchObject({ responded: true });
    }
    // The import created both; the attached one also responded to the other campaign, once, as a known person.
    expect(counters(await metricsOf(campaignId))).toEqual({ invited: 0, responded: 2, invitedResponded: 0, newLeads: 2, knownLeads: 0 });
    expect(counters(await metricsOf(other))).toEqual({ invited: 0, responded: 1, invitedResponded: 0, newLeads: 0, knownLeads: 1 });
    expect((await recount(campaignId)).agrees).toBe(true);
    expect((await recount(other)).agrees).toBe(true);
  });

  /** Calls `start` once, the first time the import reaches the point, and lets the import go on at once. */
  function whenReached(point: FaultPoint, start: () => Promise<{ status: number; body: any }[]>) {
    let started: Promise<{ status: number; body: any }[]> | undefined;
    const restore = injectFault(point, () => {
      started ??= start();
    });
    return {
      answers: async () => {
        restore();
        if (!started) throw new Error('the import never reached the point');
        return started;
      },
    };
  }

  test('while the import runs, without a campaign: exactly one lead per person, and both sides name it', async () => {
    const campaignId = await newCampaign('同時セミナー');
    const racing = people('free', 8);
    // Two racing people in the first chunk (500 rows), six at the head of the second. The requests go out when the
    // import has claimed its first chunk's people, as it reads (or has read ahead) the second's and claims them.
    const rows = rowsOf(people('pad', 510));
    for (const [i, person] of racing.entries()) rows.splice(i < 2 ? 100 + i * 200 : 498 + i, 0, rowsOf([person])[0]!);
    const race = whenReached(FAULT_POINTS.intakeNewPeople, () => Promise.all(racing.map((person, i) => post(person, i % 2 ? 'rep1' : 'manager'))));
    await stack().upload(`imports/${campaignId}/participant/free.xlsx`, await xlsx(rows));
    const answers = await race.answers();

    const imports = (await get(`/imports?campaignId=${campaignId}`, 'marketing')).body.items;
    expect(imports).toHaveLength(1);
    expect(imports[0]).toMatchObject({ status: 'succeeded', counts: { rows: rows.length, rejected: 0 } });
    for (const [i, person] of racing.entries()) {
      const found = await byEmail(person.email);
      expect(found).toHaveLength(1);
      expect(named(answers[i]!)).toBe(found[0]);
      expect((await histories(found[0])).filter((h: { campaignId: string }) => h.campaignId === campaignId)).toEqual([expect.objectContaining({ responded: true })]);
    }
    // Each racing person was created by one side and matched by the other; the import created everyone else.
    expect(answers.filter((a) => a.status === 201)).toHaveLength(imports[0].counts.matched);
    expect(answers.filter((a) => a.status === 409)).toHaveLength(imports[0].counts.created - (rows.length - racing.length));
    const metrics = counters(await metricsOf(campaignId));
    expect(metrics).toEqual({ invited: 0, responded: rows.length, invitedResponded: 0, newLeads: imports[0].counts.created, knownLeads: imports[0].counts.matched });
    expect((await recount(campaignId)).agrees).toBe(true);
  }, 180_000);

  test('while the import of the same campaign runs, attaching: the requests wait for it and attach; one lead and one responded history each', async () => {
    const campaignId = await newCampaign('同時ウェビナー');
    const list = people('same', 6);
    // The import holds its campaign's intake lock and has claimed everyone, their leads not written yet.
    const race = whenReached(FAULT_POINTS.intakeNewPeople, () => Promise.all(list.map((person) => postUntilAnswered({ ...person, campaignId, onDuplicate: 'attach' }, 'rep1'))));
    await stack().upload(`imports/${campaignId}/participant/same.xlsx`, await xlsx(rowsOf(list)));
    const answers = await race.answers();
    expect(answers.map((a) => a.status)).toEqual(list.map(() => 200));
    for (const [i, person] of list.entries()) {
      const found = await byEmail(person.email);
      expect(found).toHaveLength(1);
      expect(named(answers[i]!)).toBe(found[0]);
      expect((await histories(found[0])).filter((h: { campaignId: string }) => h.campaignId === campaignId)).toEqual([expect.objectContaining({ responded: true })]);
    }
    // The import created each person in this campaign; each request found them responded already.
    expect(counters(await metricsOf(campaignId))).toEqual({ invited: 0, responded: list.length, invitedResponded: 0, newLeads: list.length, knownLeads: 0 });
    expect((await recount(campaignId)).agrees).toBe(true);
  });

  test('the request first, then the list: the import finds the people the requests created', async () => {
    const campaignId = await newCampaign('後追いセミナー');
    const list = people('first', 3);
    const answers = await Promise.all(list.map((person) => post({ ...person, campaignId }, 'manager')));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201]);
    const imported = await importList(campaignId, 'participant', 'first.xlsx', await xlsx(rowsOf(list)));
    expect(imported.counts).toMatchObject({ rows: 3, created: 0, matched: 0, unchanged: 3 });
    for (const [i, person] of list.entries()) expect(await byEmail(person.email)).toEqual([answers[i]!.body.leadId]);
    expect(counters(await metricsOf(campaignId))).toEqual({ invited: 0, responded: 3, invitedResponded: 0, newLeads: 3, knownLeads: 0 });
    expect((await recount(campaignId)).agrees).toBe(true);
  });
});

describe('the contract', () => {
  test('/openapi.json has POST /leads: its body, 201 and 200 with the lead, 409, the Idempotency-Key, its roles', async () => {
    const { body } = await stack().api('GET', '/openapi.json');
    const create = body.paths['/leads'].post;
    expect(create).toMatchObject({ operationId: 'createLead', 'x-roles': ['admin', 'marketing', 'manager', 'rep', 'sales'] });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '403', '409', '422']));
    expect(resolved(body, create.responses['201'].content['application/json'].schema).required).toEqual(expect.arrayContaining(['leadId', 'name', 'stage', 'version']));
    expect(resolved(body, create.requestBody.content['application/json'].schema)).toMatchObject({ additionalProperties: false, required: ['name'] });
    expect(Object.keys(resolved(body, create.requestBody.content['application/json'].schema).properties)).toEqual(expect.arrayContaining(['campaignId', 'onDuplicate', 'ownerId', 'email', 'phone']));
    expect(create.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
    // The list route on the same path is still there.
    expect(body.paths['/leads'].get.operationId).toBe('listLeads');
  });
});
