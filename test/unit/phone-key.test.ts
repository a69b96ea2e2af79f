import { parsePhoneKey, phoneKeyOf } from '../../lib/text/phone';

describe('the phone key', () => {
  it.each([
    ['03-1234-5678', '+81312345678'],
    ['０３（１２３４）５６７８', '+81312345678'],
    ['+81 3 1234 5678', '+81312345678'],
    ['＋８１ ３ １２３４ ５６７８', '+81312345678'],
    ['0312345678', '+81312345678'],
    ['(03) 1234-5678', '+81312345678'],
    ['090-1234-5678', '+819012345678'],
    ['+81 90 1234 5678', '+819012345678'],
    ['０９０－１２３４－５６７８', '+819012345678'],
  ])('reads %s as %s', (written, key) => {
    expect(parsePhoneKey(written)).toEqual({ key });
    expect(phoneKeyOf(written)).toBe(key);
  });

  it('tells a landline from a mobile with the same digits after the area code', () => {
    expect(phoneKeyOf('03-1234-5678')).not.toBe(phoneKeyOf('090-1234-5678'));
  });

  it.each(['12', 'abc', '', '03-1234', '+81 0000'])('refuses %j with a reason', (written) => {
    const result = parsePhoneKey(written);
    expect(result).toEqual({ reason: expect.stringMatching(/\S/) });
    expect(phoneKeyOf(written)).toBeUndefined();
  });
});
