import fc from 'fast-check';
import { countersFromItem, deltaAttributes, flatCounters } from '../../lib/stats/counters';
import { BUCKETS, bucketOf, lowerEdge, quantileOf, RELATIVE_ERROR, upperEdge, type Histogram } from '../../lib/stats/histogram';
import { daysIncluded, isoWeekOf, periodOf, periodsBetween } from '../../lib/stats/periods';
import { japanDateOf } from '../../lib/text/japan-time';
import { loadChoices } from '../../lib/settings/choices';
import { ConfigError } from '../../lib/errors';

/** The pure parts of the manager's view: the speed-to-lead histogram, the calendar, the counters' attributes. */

/** The nearest-rank q-quantile: the ⌈qN⌉-th smallest. */
const nearestRank = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.max(1, Math.ceil(Math.round(q * values.length * 1e9) / 1e9)) - 1]!;
const histogramOf = (values: number[]): Histogram => {
  const h: Histogram = new Map();
  for (const v of values) h.set(bucketOf(v), (h.get(bucketOf(v)) ?? 0) + 1);
  return h;
};

describe('the speed-to-lead histogram', () => {
  test('edges: [0, 1) then eighths of a doubling; every duration falls in the bucket whose edges hold it', () => {
    expect(lowerEdge(0)).toBe(0);
    expect(lowerEdge(1)).toBe(1);
    expect(lowerEdge(9)).toBeCloseTo(2, 12);
    expect(RELATIVE_ERROR).toBeCloseTo(0.0905, 4);
    for (const minutes of [0, 0.5, 0.999, 1, 1.09, 2, 59.9, 60, 61, 1440, 10_080, 525_600]) {
      const b = bucketOf(minutes);
      expect(minutes).toBeGreaterThanOrEqual(lowerEdge(b));
      expect(minutes).toBeLessThan(upperEdge(b)!);
    }
    // On an edge exactly: the bucket it opens.
    for (let b = 1; b < BUCKETS - 1; b += 7) expect(bucketOf(lowerEdge(b))).toBe(b);
    expect(bucketOf(1e12)).toBe(BUCKETS - 1);
  });

  test('the median and the 90th percentile are within one bucket of the true value: 9.05 % above 1 minute, under 1 minute below', () => {
    const duration = fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 1, max: 200_000, noNaN: true }));
    fc.assert(
      fc.property(fc.array(duration, { minLength: 1, maxLength: 400 }), fc.constantFrom(0.5, 0.9), (values, q) => {
        const estimate = quantileOf(histogramOf(values), q)!;
        const truth = nearestRank(values, q);
        const bound = truth < 1 ? 1 : truth * RELATIVE_ERROR;
        expect(Math.abs(estimate - truth)).toBeLessThan(bound + 1e-9);
      }),
      { numRuns: 300 },
    );
  });

  test('days merge by adding their counts: the quantile of the merged histogram is that of all the durations', () => {
    const monday = [3, 5, 8, 240];
    const tuesday = [1.5, 12, 30, 45, 90, 600];
    const merged: Histogram = new Map(histogramOf(monday));
    for (const [b, n] of histogramOf(tuesday)) merged.set(b, (merged.get(b) ?? 0) + n);
    expect(quantileOf(merged, 0.5)).toEqual(quantileOf(histogramOf([...monday, ...tuesday]), 0.5));
    // Ten durations: the median is the 5th smallest (12), the 90th percentile the 9th (240).
    expect(Math.abs(quantileOf(merged, 0.5)! - 12)).toBeLessThan(12 * RELATIVE_ERROR);
    expect(Math.abs(quantileOf(merged, 0.9)! - 240)).toBeLessThan(240 * RELATIVE_ERROR);
    expect(quantileOf(new Map(), 0.5)).toBeNull();
  });
});

describe('the calendar: days in Japan, ISO weeks, months', () => {
  test('a day is cut at midnight in Japan: 23:59 JST and 00:01 JST the next day are two days', () => {
    expect(japanDateOf('2026-11-20T23:59:00+09:00')).toBe('2026-11-20');
    expect(japanDateOf('2026-11-21T00:01:00+09:00')).toBe('2026-11-21');
    expect(japanDateOf('2026-11-20T14:59:59.999Z')).toBe('2026-11-20');
    expect(japanDateOf('2026-11-20T15:00:00.000Z')).toBe('2026-11-21');
  });

  test('ISO weeks start on Monday and belong to the year of their Thursday, across year boundaries', () => {
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01'); // a Thursday
    expect(isoWeekOf('2025-12-29')).toBe('2026-W01'); // the Monday of that week, still in 2025
    expect(isoWeekOf('2025-12-28')).toBe('2025-W52'); // a Sunday
    expect(isoWeekOf('2026-12-31')).toBe('2026-W53'); // 2026 has 53 weeks (it starts on a Thursday)
    expect(isoWeekOf('2027-01-03')).toBe('2026-W53'); // a Sunday in January, in the last week of 2026
    expect(isoWeekOf('2027-01-04')).toBe('2027-W01');
    expect(isoWeekOf('2021-01-03')).toBe('2020-W53');
    expect(isoWeekOf('2024-12-30')).toBe('2025-W01');
    expect(isoWeekOf('2026-11-16')).toBe('2026-W47');
    expect(isoWeekOf('2026-11-22')).toBe('2026-W47');
    expect(isoWeekOf('2026-11-23')).toBe('2026-W48');
  });

  test('periods of a range, in order; days counted with both ends', () => {
    expect(periodsBetween('2026-12-28', '2027-01-11', 'week')).toEqual(['2026-W53', '2027-W01', '2027-W02']);
    expect(periodsBetween('2026-11-30', '2026-12-01', 'month')).toEqual(['2026-11', '2026-12']);
    expect(periodsBetween('2026-11-30', '2026-12-01', 'day')).toEqual(['2026-11-30', '2026-12-01']);
    expect(periodOf('2027-01-03', 'month')).toBe('2027-01');
    expect(daysIncluded('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysIncluded('2028-01-01', '2028-12-31')).toBe(366);
    expect(daysIncluded('2026-01-02', '2026-01-01')).toBe(0);
  });
});

describe('the counters of a day', () => {
  test('a delta is flat attributes (no map paths), read back into the figures', () => {
    const add = deltaAttributes({ actions: 1, channel: 'phone', result: 'アポ獲得', effectiveCalls: 1, leadsTouched: 1, firstTouchAfterMinutes: 42 });
    expect(add).toEqual({ actions: 1, 'channel:phone': 1, 'result:アポ獲得': 1, effectiveCalls: 1, leadsTouched: 1, firstTouches: 1, [`firstTouchBucket:${bucketOf(42)}`]: 1 });
    expect(deltaAttributes({ wonDeals: -1, wonAmountJpy: -500_000 })).toEqual({ wonDeals: -1, wonAmountJpy: -500_000 });
    const counters = countersFromItem({ ...add, day: '2026-11-20', userId: 'rep1', updatedAt: 'x' });
    expect(counters).toMatchObject({ actions: 1, byChannel: { phone: 1 }, byResult: { アポ獲得: 1 }, effectiveCalls: 1, leadsTouched: 1, firstTouches: 1, handovers: 0 });
    expect(flatCounters(counters)).toEqual(add);
  });
});

describe('effective call results in the choice lists', () => {
  test('the default: the results that reached the person; replaced results keep those they still hold', () => {
    expect(loadChoices(undefined).effectiveCallResults).toEqual(['興味あり', 'アポ獲得', '検討中', '見込みなし', '連絡不要']);
    expect(loadChoices(JSON.stringify({ results: ['不在', 'アポ獲得', '受付拒否'] })).effectiveCallResults).toEqual(['アポ獲得']);
    expect(loadChoices(JSON.stringify({ effectiveCallResults: ['折り返し待ち'] })).effectiveCallResults).toEqual(['折り返し待ち']);
    expect(loadChoices(JSON.stringify({ effectiveCallResults: [] })).effectiveCallResults).toEqual([]);
  });

  test('an effective result that is no result, or named twice, stops the function', () => {
    expect(() => loadChoices(JSON.stringify({ effectiveCallResults: ['つながった'] }))).toThrow(ConfigError);
    expect(() => loadChoices(JSON.stringify({ results: ['不在'], effectiveCallResults: ['アポ獲得'] }))).toThrow(/effectiveCallResults/);
    expect(() => loadChoices(JSON.stringify({ effectiveCallResults: ['アポ獲得', 'アポ獲得'] }))).toThrow(/unique/);
  });
});
