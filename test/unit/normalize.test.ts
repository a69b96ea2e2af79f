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
