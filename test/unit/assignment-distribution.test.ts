import { balanced, dealingOrder, roundRobin } from '../../lib/assignment/distribution';

const leads = (n: number) => Array.from({ length: n }, (_, i) => `L${i}`);
const counts = (dealt: Map<string, string[]>) => Object.fromEntries([...dealt].map(([owner, ids]) => [owner, ids.length]));

describe('round robin', () => {
  test('spreads evenly within one, every lead once', () => {
    const dealt = roundRobin(leads(31), ['a', 'b', 'c']);
    expect(counts(dealt)).toEqual({ a: 11, b: 10, c: 10 });
    expect(new Set([...dealt.values()].flat()).size).toBe(31);
  });

  test('the next operation starts where the last stopped, so nobody is always dealt first', () => {
    // Three operations of one lead each over the same owners, the rotation advancing by what each dealt.
    let next = 0;
    const firsts: string[] = [];
    for (let op = 0; op < 3; op++) {
      const order = dealingOrder(['a', 'b', 'c'], next);
      firsts.push([...roundRobin(leads(1), order)].find(([, ids]) => ids.length > 0)![0]);
      next += 1;
    }
    expect(firsts).toEqual(['a', 'b', 'c']);
  });

  test('a rotation past the end wraps, and a repeated owner counts once', () => {
    expect(dealingOrder(['a', 'b', 'c', 'a'], 4)).toEqual(['b', 'c', 'a']);
  });
});

describe('balanced', () => {
  test('fills the least loaded owner first and ends as even as the leads allow', () => {
    const dealt = balanced(leads(7), ['a', 'b', 'c'], new Map([['a', 5], ['b', 1], ['c', 0]]));
    // Open leads after: a 5, b 1+x, c 0+y with x+y+z = 7 → 5, 4, 4.
    expect(counts(dealt)).toEqual({ a: 0, b: 3, c: 4 });
  });

  test('an owner far ahead gets nothing until the others catch up; ties go to the earlier owner in the order', () => {
    expect(counts(balanced(leads(3), ['a', 'b'], new Map([['a', 10]])))).toEqual({ a: 0, b: 3 });
    expect(balanced(leads(1), ['b', 'a'], new Map())).toEqual(new Map([['b', ['L0']], ['a', []]]));
  });
});
