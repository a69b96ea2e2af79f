import { stageAfterAction } from '../../lib/actions/log-action';
import { instantOf, japanDateOf } from '../../lib/actions/model';
import { compareCounters, computeMetrics, emptyCounters, type Counters } from '../../lib/campaigns/metrics';
import { dealAssignedMail, japanTime } from '../../lib/deals/conversion-mail';
import { wonContribution } from '../../lib/deals/model';
import { ConfigError, ValidationError } from '../../lib/errors';
import { DEFAULT_CHOICES, loadChoices } from '../../lib/settings/choices';

const counters = (values: Partial<Counters>): Counters => ({ ...emptyCounters(), ...values });

describe('campaign metrics arithmetic', () => {
  const campaign = { campaignId: 'c1', budgetJpy: 1_000_000, actualCostJpy: 750_000, targets: { leads: 30, actions: 90, deals: 4, wonDeals: 2, wonAmountJpy: 5_000_000 } };

  test('rates, ROI, unit costs and progress from the counters and the campaign', () => {
    const m = computeMetrics(campaign, counters({ invited: 120, responded: 45, invitedResponded: 45, newLeads: 30, knownLeads: 15, actions: 60, deals: 3, wonDeals: 1, wonAmountJpy: 1_800_000 }));
    expect(m).toMatchObject({
      participationRate: 0.375,
      roi: 1.4, // (1,800,000 − 750,000) / 750,000
      costPerLeadJpy: 25_000,
      costPerDealJpy: 250_000,
      budgetJpy: 1_000_000,
      actualCostJpy: 750_000,
      progress: { leads: 1, actions: 0.6667, deals: 0.75, wonDeals: 0.5, wonAmountJpy: 0.36 },
    });
  });

  test('participation is the share of the invited who came; walk-ins are counted beside it, not in it', () => {
    const m = computeMetrics({ campaignId: 'c5', targets: {} }, counters({ invited: 3, responded: 6, invitedResponded: 3 }));
    expect(m).toMatchObject({ invited: 3, responded: 6, invitedResponded: 3, walkIns: 3, participationRate: 1 });
    expect(computeMetrics({ campaignId: 'c6', targets: {} }, counters({ invited: 6, responded: 4, invitedResponded: 3 }))).toMatchObject({ walkIns: 1, participationRate: 0.5 });
    expect(computeMetrics({ campaignId: 'c7', targets: {} }, counters({ responded: 2 }))).toMatchObject({ invitedResponded: 0, walkIns: 2, participationRate: null });
  });

  test('a blank or zero denominator gives null, never Infinity or NaN; a cost of 0 costs 0 per lead', () => {
    const none = computeMetrics({ campaignId: 'c2', targets: {} }, counters({ responded: 3, newLeads: 0 }));
    expect(none).toMatchObject({ participationRate: null, roi: null, costPerLeadJpy: null, costPerDealJpy: null, budgetJpy: null, actualCostJpy: null });
    expect(none.progress).toEqual({ leads: null, actions: null, deals: null, wonDeals: null, wonAmountJpy: null });
    const free = computeMetrics({ campaignId: 'c3', actualCostJpy: 0, targets: { leads: 0 } }, counters({ newLeads: 4, wonAmountJpy: 100 }));
    expect(free).toMatchObject({ roi: null, costPerLeadJpy: 0, costPerDealJpy: null, progress: { leads: null } });
    expect(JSON.stringify([none, free])).not.toMatch(/Infinity|NaN/);
    expect(computeMetrics({ campaignId: 'c4', actualCostJpy: 1_000, targets: {} }, counters({ newLeads: 3 })).costPerLeadJpy).toBe(333);
  });

  test('a recount comparison names each counter that differs', () => {
    expect(compareCounters(counters({ actions: 5 }), counters({ actions: 5 }))).toEqual({ counters: counters({ actions: 5 }), agrees: true, differences: {} });
    expect(compareCounters(counters({ actions: 6, deals: 1 }), counters({ actions: 5, deals: 1 })).differences).toEqual({ actions: { counter: 6, recount: 5 } });
  });

  test('a deal adds to the won counters only while it is won', () => {
    expect(wonContribution({ status: 'won', amountJpy: 500 })).toEqual({ wonDeals: 1, wonAmountJpy: 500 });
    expect(wonContribution({ status: 'won' })).toEqual({ wonDeals: 1, wonAmountJpy: 0 });
    expect(wonContribution({ status: 'lost', amountJpy: 500 })).toEqual({ wonDeals: 0, wonAmountJpy: 0 });
  });
});

describe('stage rules of an action', () => {
  test('the first action on a new lead moves it to working unless a stage is given; others keep their stage', () => {
    expect(stageAfterAction('new', undefined, undefined)).toBe('working');
    expect(stageAfterAction('new', 'recycle', '時期尚早')).toBe('recycle');
    expect(stageAfterAction('working', undefined, undefined)).toBe('working');
    expect(stageAfterAction('converted', undefined, undefined)).toBe('converted');
  });

  test('disqualified and recycle need a reason; converted and handed_over are not reached by an action; a converted lead stays', () => {
    const fails = (run: () => unknown, path: string) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(ValidationError);
        expect((error as ValidationError).errors[0]!.path).toBe(path);
        return;
      }
      throw new Error('expected a ValidationError');
    };
    fails(() => stageAfterAction('working', 'disqualified', undefined), 'body.stageReason');
    fails(() => stageAfterAction('working', 'recycle', ' '), 'body.stageReason');
    fails(() => stageAfterAction('working', 'converted', undefined), 'body.stage');
    fails(() => stageAfterAction('working', 'handed_over', undefined), 'body.stage');
    fails(() => stageAfterAction('converted', 'working', undefined), 'body.stage');
    fails(() => stageAfterAction('working', undefined, '理由だけ'), 'body.stage');
  });
});

describe('time', () => {
  test('dates are Japan days; instants keep their offset and are stored in UTC', () => {
    expect(instantOf('2026-10-02', 'start')).toBe('2026-10-01T15:00:00.000Z');
    expect(instantOf('2026-10-02', 'end')).toBe('2026-10-02T14:59:59.999Z');
    expect(instantOf('2026-10-02T09:30:00+09:00', 'start')).toBe('2026-10-02T00:30:00.000Z');
    expect(japanDateOf('2026-10-01T15:30:00Z')).toBe('2026-10-02');
    expect(japanTime('2026-10-01T15:30:00Z')).toBe('2026/10/02 00:30');
  });
});

describe('choice lists', () => {
  test('Japanese defaults; a list given in CHOICES replaces that list only', () => {
    expect(loadChoices(undefined)).toBe(DEFAULT_CHOICES);
    const custom = loadChoices(JSON.stringify({ results: ['不在', '受付拒否'], stageReasons: { recycle: ['半年後に再アプローチ'] } }));
    expect(custom.results).toEqual(['不在', '受付拒否']);
    expect(custom.stageReasons).toEqual({ disqualified: DEFAULT_CHOICES.stageReasons.disqualified, recycle: ['半年後に再アプローチ'] });
    expect(custom.contents).toEqual(DEFAULT_CHOICES.contents);
  });

  test('broken configuration fails at load, naming what is wrong', () => {
    expect(() => loadChoices('{')).toThrow(ConfigError);
    expect(() => loadChoices(JSON.stringify({ results: [] }))).toThrow(/results/);
    expect(() => loadChoices(JSON.stringify({ results: ['a', 'a'] }))).toThrow(/unique/);
    expect(() => loadChoices(JSON.stringify({ colours: ['赤'] }))).toThrow(ConfigError);
    expect(() => loadChoices(JSON.stringify({ channels: [{ value: 'email', label: 'メール' }] }))).toThrow(/phone/);
  });
});

describe("the deal owner's e-mail", () => {
  test('subject, blocks and at most 20 actions, newest first as given; user text escaped in HTML', () => {
    const actions = Array.from({ length: 25 }, (_, i) => ({
      actionId: `A${String(25 - i).padStart(2, '0')}`,
      leadId: 'L1',
      campaignId: 'C1',
      actorId: 'rep1',
      at: new Date(Date.UTC(2026, 9, 25 - i, 1)).toISOString(),
      channel: 'phone' as const,
      content: 'ヒアリング',
      result: i === 0 ? '<script>' : '不在',
      createdAt: '2026-10-25T00:00:00Z',
    }));
    const { title, mail } = dealAssignedMail({
      deal: { dealId: 'D1', name: '案件', accountId: 'A1', leadId: 'L1', campaignId: 'C1', ownerId: 'sales', status: 'open', amountJpy: 1_234_567, createdBy: 'rep1', createdAt: '', updatedAt: '', version: 1 },
      account: { accountId: 'A1', name: '株式会社テスト', createdBy: 'rep1', createdAt: '' },
      lead: { leadId: 'L1', name: '山田 太郎', company: '(株)テスト', stage: 'working', extra: {}, matchKey: 'k', createdAt: '', updatedAt: '', version: 1 },
      campaign: { name: 'セミナー' },
      ownerName: '営業 四郎',
      convertedByName: '担当 二郎',
      actions,
      actorNames: new Map([['rep1', '担当 二郎']]),
      link: 'https://leads.example/deals/D1',
    });
    expect(title).toBe('【案件化】案件（(株)テスト）');
    expect(mail.subject).toBe(title);
    const rows = mail.text.split('\n').filter((l) => l.startsWith('・'));
    expect(rows).toHaveLength(20);
    expect(rows[0]).toBe('・2026/10/25 10:00 / 電話 / ヒアリング / <script> / 担当 二郎');
    expect(mail.text).toContain('金額: 1,234,567円');
    expect(mail.html).toContain('&lt;script&gt;');
    expect(mail.html).not.toContain('<script>');
  });
});
