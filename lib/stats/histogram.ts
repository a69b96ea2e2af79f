/**
 * Speed to lead (初動までの時間): how long a lead waited for its owner's first touch, kept as a histogram with fixed
 * bucket edges so that a day's durations fit in a few counters of the day's item, and any period is the sum of its
 * days' histograms: memory and item size stay bounded whatever the number of first touches.
 *
 * Edges, in minutes: 0, then 1 · 2^(k/8) for k = 0, 1, …, 176 (1 minute up to 2^22 minutes, about 8 years): bucket 0
 * is [0, 1), bucket k + 1 is [2^(k/8), 2^((k+1)/8)). Each bucket is 2^(1/8) − 1 ≈ 9.05 % wider than its lower edge.
 *
 * A quantile (median, 90th percentile) is read by walking the buckets to the one holding the ⌈qN⌉-th smallest
 * duration of N and interpolating linearly inside it. That duration and the value reported lie in the same bucket,
 * so the error is less than the bucket's width: under 1 minute below 1 minute, and under 9.05 % of the true value
 * above (2^(1/8) − 1 of the lower edge, which the value is at least). A duration past the last edge counts in the
 * last bucket, read as its lower edge.
 */

const STEPS_PER_DOUBLING = 8;
const DOUBLINGS = 22;
/** Number of buckets: [0, 1) and one per eighth of a doubling from 1 minute to 2^22 minutes. */
export const BUCKETS = 1 + STEPS_PER_DOUBLING * DOUBLINGS;
/** How much wider than its lower edge each bucket from 1 minute on is: the relative error bound. */
export const RELATIVE_ERROR = 2 ** (1 / STEPS_PER_DOUBLING) - 1;

/** The lower edge of bucket `b`, in minutes. */
export const lowerEdge = (b: number): number => (b === 0 ? 0 : 2 ** ((b - 1) / STEPS_PER_DOUBLING));
/** The upper edge of bucket `b` (the next one's lower edge); the last bucket has none. */
export const upperEdge = (b: number): number | undefined => (b >= BUCKETS - 1 ? undefined : lowerEdge(b + 1));

/** The bucket a duration in minutes falls in. */
export function bucketOf(minutes: number): number {
  if (!(minutes >= 1)) return 0;
  let b = 1 + Math.floor(Math.log2(minutes) * STEPS_PER_DOUBLING);
  // Floating point may put a duration on an edge one bucket off: settle it against the edges themselves.
  while (b > 1 && minutes < lowerEdge(b)) b--;
  while (b < BUCKETS - 1 && minutes >= lowerEdge(b + 1)) b++;
  return Math.min(b, BUCKETS - 1);
}

/** A histogram as counts by bucket; buckets with nothing are simply absent. */
export type Histogram = Map<number, number>;

export function addInto(target: Histogram, source: ReadonlyMap<number, number>): Histogram {
  for (const [bucket, count] of source) target.set(bucket, (target.get(bucket) ?? 0) + count);
  return target;
}

/**
 * The q-quantile (0 < q ≤ 1) of the durations the histogram counts, in minutes, interpolated inside the bucket
 * holding the ⌈qN⌉-th smallest; null when it counts none.
 */
export function quantileOf(histogram: ReadonlyMap<number, number>, q: number): number | null {
  const buckets = [...histogram.entries()].filter(([, n]) => n > 0).sort(([a], [b]) => a - b);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  if (total === 0) return null;
  // q·N as a person computes it (0.9 × 30 is 27, not 27.000000000000004).
  const rank = Math.round(q * total * 1e9) / 1e9;
  let before = 0;
  for (const [bucket, count] of buckets) {
    if (before + count >= rank) {
      const lower = lowerEdge(bucket);
      const upper = upperEdge(bucket);
      if (upper === undefined) return lower;
      return lower + ((upper - lower) * Math.max(0, rank - before)) / count;
    }
    before += count;
  }
  return lowerEdge(buckets[buckets.length - 1]![0]);
}

/** Minutes as the API shows them: one decimal. */
export const roundMinutes = (minutes: number | null): number | null => (minutes === null ? null : Math.round(minutes * 10) / 10);
