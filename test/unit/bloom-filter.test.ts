import { randomBytes } from 'node:crypto';
import { encodeTime } from 'ulid';
import { BloomFilter } from '../../lib/intake/bloom-filter';

// Lead ids as an import makes them: ULIDs of one millisecond, which differ only in their 16 random characters
// (built here directly, as the ULID package is slow inside the test sandbox).
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const leadIds = (n: number) => {
  const time = encodeTime(Date.UTC(2026, 11, 1), 10);
  const random = randomBytes(16 * n);
  return Array.from({ length: n }, (_, i) => {
    let id = time;
    for (let j = 0; j < 16; j++) id += CROCKFORD[random[16 * i + j]! & 31];
    return id;
  });
};

describe('the Bloom filter of leads an import gave a history', () => {
  test('never says no for a lead it took', () => {
    const filter = new BloomFilter(64 * 1024);
    const taken = leadIds(50_000);
    taken.forEach((id) => filter.add(id));
    expect(taken.filter((id) => !filter.mightContain(id))).toEqual([]);
  });

  test('an empty filter says no to everything', () => {
    const filter = new BloomFilter();
    expect(leadIds(1000).some((id) => filter.mightContain(id))).toBe(false);
  });

  test('its false "maybe" rate stays at what its size promises', () => {
    // 1 Mibit, 7 hashes, 100,000 leads: (1 - e^(-7·100000/2^20))^7 ≈ 0.8 %.
    const filter = new BloomFilter(128 * 1024);
    leadIds(100_000).forEach((id) => filter.add(id));
    const others = leadIds(100_000);
    const rate = others.filter((id) => filter.mightContain(id)).length / others.length;
    expect(rate).toBeGreaterThan(0.004);
    expect(rate).toBeLessThan(0.012);
  });

  test('the default size keeps a million leads at about 1 false "maybe" in 2,000', () => {
    const filter = new BloomFilter();
    leadIds(1_000_000).forEach((id) => filter.add(id));
    const others = leadIds(200_000);
    expect(others.filter((id) => filter.mightContain(id)).length / others.length).toBeLessThan(0.0015);
  });
});
