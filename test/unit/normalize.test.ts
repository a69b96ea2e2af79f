import { normaliseCompany, normaliseEmail, normaliseName } from '../../lib/text/normalize';

describe('match keys see through what Japanese lists mix', () => {
  test.each([
    ['ＡＢＣ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'abc@example.com'],
    ['  Taro.Yamada@Example.CO.JP ', 'taro.yamada@example.co.jp'],
    ['taro @example.com', 'taro@example.com'],
    ['\u3000hanako@example.com\u3000', 'hanako@example.com'],
  ])('e-mail %s → %s', (input, expected) => {
    expect(normaliseEmail(input)).toBe(expected);
  });

  test.each([
    ['山田\u3000太郎', '山田太郎'],
    ['山田 太郎', '山田太郎'],
    ['ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダタロウ'],
    ['Taro  YAMADA', 'taroyamada'],
  ])('name %s → %s', (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });
});

describe('company match key ignores legal forms wherever they stand', () => {
  test.each([
    ['株式会社フリーダム', 'フリーダム'],
    ['フリーダム株式会社', 'フリーダム'],
    ['(株)フリーダム', 'フリーダム'],
    ['㈱フリーダム', 'フリーダム'],
    ['フリーダム（株）', 'フリーダム'],
    ['有限会社　山田商店', '山田商店'],
    ['㈲山田商店', '山田商店'],
    ['Freedom Co., Ltd.', 'freedom'],
    ['ＦＲＥＥＤＯＭ Inc.', 'freedom'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseCompany(input)).toBe(expected);
  });
});

describe('a legal form goes only as a whole token at the start or the end, never out of a word', () => {
  test.each([
    ['Princeton Inc.', 'princeton'],
    ['Princeton', 'princeton'],
    ['Incline Partners', 'inclinepartners'],
    ['Saltdean Ltd', 'saltdean'],
    ['Altdorf Systems', 'altdorfsystems'],
    ['Corporate Planning Inc', 'corporateplanning'],
    ['Freedom, Inc.', 'freedom'],
    ['Freedom Co.,Ltd.', 'freedom'],
    ['Freedom K.K.', 'freedom'],
    ['Freedom Corporation', 'freedom'],
    ['Inc. Freedom', 'freedom'],
    ['日本株式会社研究所', '日本株式会社研究所'],
    ['NNTネクスト株式会社', 'nntネクスト'],
    ['NNTネクスト㈱', 'nntネクスト'],
    ['フリーダム ㈱ 東京支店', 'フリーダム東京支店'],
  ])('%s → %s', (input, expected) => {
    expect(normaliseCompany(input)).toBe(expected);
  });

  test.each(['株式会社フリーダム', 'フリーダム株式会社', '(株)フリーダム', 'フリーダム㈱', '（株）フリーダム', '［株］フリーダム', '株式会社 フリーダム', 'フリーダム'])(
    '%s has the key of フリーダム',
    (input) => {
      expect(normaliseCompany(input)).toBe(normaliseCompany('フリーダム'));
    },
  );

  test('NNTネクスト株式会社 and NNTネクスト㈱ share a key', () => {
    expect(normaliseCompany('NNTネクスト株式会社')).toBe(normaliseCompany('NNTネクスト㈱'));
  });
});
