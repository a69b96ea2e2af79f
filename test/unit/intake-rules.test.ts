import { matchKeyOf } from '../../lib/leads/match-key';
import type { ListRow } from '../../lib/intake/reader';
import { judgeRow, parseListDate } from '../../lib/intake/row-rules';
import { applyRow, CLEAR_MARKER } from '../../lib/intake/update-list';
import type { Lead } from '../../lib/leads/model';

const row = (values: ListRow['values'], extra: Record<string, string> = {}, errors: string[] = []): ListRow => ({
  rowNumber: 7,
  cells: [],
  values,
  extra,
  errors,
});

describe('the dedupe key (名寄せキー)', () => {
  test('e-mail by default, seeing through width, case and spaces', () => {
    expect(matchKeyOf({ email: 'ＴＡＲＯ＠Example.com ' }, 'email')).toBe('e:taro@example.com');
    expect(matchKeyOf({ email: 'taro@example.com', name: '山田 太郎' }, 'email')).toBe('e:taro@example.com');
  });

  test('e-mail + name when the deployment says so; the name without spaces of any width', () => {
    expect(matchKeyOf({ email: 'taro@example.com', name: '山田\u3000太郎' }, 'email+name')).toBe('en:taro@example.com|山田太郎');
    expect(matchKeyOf({ email: 'taro@example.com', name: '山田 太郎' }, 'email+name')).toBe(matchKeyOf({ email: 'TARO@example.com', name: '山田太郎' }, 'email+name'));
  });

  test('without an e-mail: name + company, legal form ignored; nothing to match on gives no key', () => {
    expect(matchKeyOf({ name: '棚橋 太郎', company: '㈱イーゼス' }, 'email')).toBe(matchKeyOf({ name: '棚橋太郎', company: 'イーゼス株式会社' }, 'email'));
    expect(matchKeyOf({ name: '棚橋 太郎' }, 'email')).toBeUndefined();
  });
});

describe('row verdicts', () => {
  const register = { kind: 'register' as const, matchMode: 'email' as const };

  test('a good row becomes a draft with its extra columns and its date', () => {
    const verdict = judgeRow(row({ name: '長谷川 隆', email: 'h@example.com', arisenOn: '2026年4月1日' }, { 来場ブース: 'A-3' }), register);
    expect(verdict).toEqual({ ok: true, draft: { name: '長谷川 隆', email: 'h@example.com', extra: { 来場ブース: 'A-3' } }, matchKey: 'e:h@example.com', arisenOn: '2026-04-01', leadId: undefined, version: undefined });
  });

  test.each([
    ['missing_name', row({ email: 'x@example.com' })],
    ['invalid_email', row({ name: 'a', email: 'x@@example' })],
    ['no_match_key', row({ name: 'a' })],
    ['too_long', row({ name: 'a'.repeat(101), email: 'x@example.com' })],
    ['invalid_date', row({ name: 'a', email: 'x@example.com', arisenOn: '2026-02-30' })],
    ['cell_error', row({ name: 'a', email: 'x@example.com' }, {}, ['error cell #N/A in column 電話番号'])],
    ['invalid_version', row({ name: 'a', email: 'x@example.com', version: 'v2' })],
  ])('rejects the row: %s', (code, input) => {
    const verdict = judgeRow(input, register);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.rejection.code).toBe(code);
  });

  test('an update row needs only something to find the lead by', () => {
    expect(judgeRow(row({ leadId: '01ABC', title: '部長' }), { kind: 'update', matchMode: 'email' })).toMatchObject({ ok: true, leadId: '01ABC' });
    expect(judgeRow(row({ title: '部長' }), { kind: 'update', matchMode: 'email' })).toMatchObject({ ok: false, rejection: { code: 'no_match_key' } });
  });

  test('dates as Japanese lists write them', () => {
    expect(parseListDate('2026/4/1')).toBe('2026-04-01');
    expect(parseListDate('２０２６－０４－０１')).toBe('2026-04-01');
    expect(parseListDate('2026-04-01 10:30')).toBe('2026-04-01');
    expect(parseListDate('April 1')).toBeUndefined();
  });
});

describe('applying an update row', () => {
  const lead: Lead = {
    leadId: 'L1',
    name: '更新 太郎',
    email: 'u@example.com',
    company: '旧社',
    department: '営業部',
    stage: 'working',
    extra: { 来場ブース: 'A-3' },
    matchKey: 'e:u@example.com',
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 3,
  };
  const update = (draft: Record<string, unknown>) => ({ rowNumber: 2, cells: [], draft: { extra: {}, ...draft } });

  test('blank leaves a field, a value replaces it, the clear marker empties it', () => {
    const result = applyRow(lead, update({ company: '新社', department: CLEAR_MARKER, extra: { 来場ブース: '#clear', 備考: '要フォロー' } }));
    expect(result).toEqual({
      changed: true,
      next: { ...lead, company: '新社', department: undefined, extra: { 備考: '要フォロー' } },
    });
    expect('department' in (result as { next: Lead }).next).toBe(false);
  });

  test('the same values again change nothing; a name cannot be cleared', () => {
    expect(applyRow(lead, update({ company: '旧社' }))).toMatchObject({ changed: false });
    expect(applyRow(lead, update({ name: CLEAR_MARKER }))).toEqual({ error: '名前は空にできません', code: 'invalid_value' });
  });
});
