import { forgetNames, NAME_TTL_MS, rememberedNames, rememberNames } from '../../lib/users/display-names';

beforeEach(() => forgetNames());

test('a name read is trusted for a minute, then read again', () => {
  const at = 1_000_000;
  expect(rememberedNames(['rep1'], at)).toEqual({ names: new Map(), unknown: ['rep1'] });
  rememberNames(new Map([['rep1', '担当 二郎']]), at);
  expect(rememberedNames(['rep1', 'rep1'], at + NAME_TTL_MS - 1)).toEqual({ names: new Map([['rep1', '担当 二郎']]), unknown: [] });
  expect(rememberedNames(['rep1'], at + NAME_TTL_MS)).toEqual({ names: new Map(), unknown: ['rep1'] });
});

test('an id without a user is remembered as having none, and each id is asked for once', () => {
  rememberNames(new Map([['gone', null]]), 0);
  expect(rememberedNames(['gone', 'rep2', 'rep2'], 1)).toEqual({ names: new Map([['gone', null]]), unknown: ['rep2'] });
});

test('a name read again is trusted from the new read; the oldest reads go first when the bound is passed', () => {
  rememberNames(new Map([['rep1', '旧姓']]), 0);
  rememberNames(new Map(Array.from({ length: 4_999 }, (_, i) => [`u${i}`, `u${i}`])), 10);
  rememberNames(new Map([['rep1', '新姓']]), 20);
  rememberNames(new Map([['u-last', 'last']]), 30);
  // 5,001 names read: u0 is the oldest and goes; rep1 was read again and stays, under its new name.
  const { names, unknown } = rememberedNames(['rep1', 'u0', 'u1', 'u-last'], 40);
  expect(unknown).toEqual(['u0']);
  expect(names.get('rep1')).toBe('新姓');
  expect(names.get('u-last')).toBe('last');
});
