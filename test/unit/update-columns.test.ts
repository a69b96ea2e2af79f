import { EXPORT_COLUMNS } from '../../lib/exports/columns';
import { DRAFT_FIELDS, judgeRow } from '../../lib/intake/row-rules';
import { judgeListedColumns, readOnlyMismatch, UPDATE_LIST_TREATMENT, withListedStage } from '../../lib/intake/update-columns';
import { CLEAR_MARKER } from '../../lib/intake/update-list';
import { matchColumn } from '../../lib/leads/columns';
import type { Lead } from '../../lib/leads/model';
import { editedStage, stageNamed } from '../../lib/leads/stages';
import { japanClockText, namesInstant, readJapanTime } from '../../lib/text/japan-time';

const lead: Lead = {
  leadId: 'L1',
  name: '列 太郎',
  email: 'r@example.com',
  stage: 'working',
  ownerId: 'rep1',
  ownerTeam: 'インサイドセールス部',
  lastActionAt: '2026-11-20T05:05:30.000Z', // 14:05:30 in Japan
  lastActionResult: '不在',
  extra: {},
  matchKey: 'e:r@example.com',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 3,
};
const disqualified: Lead = { ...lead, stage: 'disqualified', stageReason: '予算なし' };

describe('what an update list does with each column', () => {
  test('every column the export writes is applied, assigns, finds the lead or is checked; none is dropped', () => {
    for (const { label } of EXPORT_COLUMNS) {
      const field = matchColumn(label);
      expect([label, field]).toEqual([label, expect.any(String)]);
      expect([label, UPDATE_LIST_TREATMENT[field!]]).toEqual([label, expect.stringMatching(/^(finds|edits|stage|assigns|read-only)$/)]);
    }
  });

  test('the edited columns are exactly the fields a row draft carries', () => {
    const edited = Object.entries(UPDATE_LIST_TREATMENT).filter(([, treatment]) => treatment === 'edits').map(([field]) => field);
    expect(edited.sort()).toEqual([...DRAFT_FIELDS].sort());
  });

  test('a stage is named by its label or its id, in any width; anything else, or emptying it, rejects the row', () => {
    expect(stageNamed('対象外')).toBe('disqualified');
    expect(stageNamed(' recycle ')).toBe('recycle');
    expect(stageNamed('ＨＡＮＤＥＤ_ＯＶＥＲ')).toBe('handed_over');
    expect(judgeListedColumns({ stage: '見込み' })).toEqual({ code: 'invalid_value', reason: 'リードステージが正しくありません: 見込み（新規・対応中・対象外・リサイクルのいずれか）' });
    expect(judgeListedColumns({ stage: CLEAR_MARKER })).toMatchObject({ code: 'invalid_value', reason: 'リードステージは空にできません' });
    expect(judgeListedColumns({ stage: '対象外', stageReason: '#clear', lastActionResult: '不在' })).toEqual({
      stage: 'disqualified',
      stageReason: null,
      readOnly: { lastActionResult: '不在' },
    });
    expect(judgeListedColumns({ stageReason: 'x'.repeat(501) })).toMatchObject({ code: 'too_long' });
    expect(judgeListedColumns({ arisenOn: '2026-04-01' })).toMatchObject({ code: 'not_on_update_list' });
  });
});

describe('リードステージ by list: the stage rules of PATCH /leads', () => {
  test('対象外 and リサイクル take a reason; a reason goes with its stage', () => {
    expect(withListedStage(lead, { stage: 'disqualified', stageReason: '競合導入済み' })).toMatchObject({ stage: 'disqualified', stageReason: '競合導入済み' });
    expect(withListedStage(lead, { stage: 'disqualified' })).toEqual({ refused: '対象外にするにはステージ理由が必要です' });
    // The old stage's reason does not carry over to a new stage that needs one.
    expect(withListedStage(disqualified, { stage: 'recycle' })).toEqual({ refused: 'リサイクルにするにはステージ理由が必要です' });
    expect(withListedStage(disqualified, { stageReason: null })).toEqual({ refused: '対象外のリードのステージ理由は空にできません' });
    const working = withListedStage(disqualified, { stage: 'working' }) as Lead;
    expect(working.stage).toBe('working');
    expect('stageReason' in working).toBe(false);
    expect(withListedStage(disqualified, { stage: 'disqualified' })).toEqual(disqualified);
    expect(withListedStage(lead, {})).toBe(lead);
  });

  test('案件化 and 営業引継ぎ come only from their operations; a converted lead keeps its stage', () => {
    expect(withListedStage(lead, { stage: 'converted' })).toEqual({ refused: '案件化は案件化の操作でだけ設定できます（リストでは設定できません）' });
    expect(withListedStage(lead, { stage: 'handed_over' })).toEqual({ refused: '営業引継ぎは引継ぎの操作でだけ設定できます（リストでは設定できません）' });
    const converted: Lead = { ...lead, stage: 'converted' };
    expect(withListedStage(converted, { stage: 'working' })).toEqual({ refused: '案件化済みのリードはステージを変更できません' });
    expect(withListedStage(converted, { stage: 'converted' })).toEqual(converted);
  });

  test('PATCH follows the same rules: a reason alone may be set, never removed from a stage that needs one', () => {
    expect(editedStage(lead, { stageReason: 'メモ' }, 'edit')).toEqual({ stage: 'working', stageReason: 'メモ' });
    expect(editedStage(disqualified, { stageReason: null }, 'edit')).toEqual({ refusal: 'reason_required' });
    expect(editedStage(disqualified, { stage: 'recycle' }, 'edit')).toEqual({ refusal: 'reason_required' });
    expect(editedStage(disqualified, { stage: 'recycle', stageReason: '時期尚早' }, 'edit')).toEqual({ stage: 'recycle', stageReason: '時期尚早' });
  });
});

describe('read-only columns: equal to the lead passes, anything else says why', () => {
  test('最終アクション日 as a person in Japan sees it, at the precision the cell shows', () => {
    for (const cell of ['2026-11-20 14:05:30', '2026/11/20 14:05:30', '2026/11/20 14:05', '2026-11-20', '２０２６年１１月２０日 １４時０５分', '2026-11-20T05:05:30.000Z', '2026-11-20T14:05:30+09:00']) {
      expect([cell, readOnlyMismatch(lead, { lastActionAt: cell })]).toEqual([cell, undefined]);
    }
    for (const cell of ['2026-11-21', '2026/11/20 14:06', '2026-11-20 05:05:30', '昨日', CLEAR_MARKER]) {
      expect([cell, readOnlyMismatch(lead, { lastActionAt: cell })]).toEqual([
        cell,
        '最終アクション日はアクションの記録から決まるため、リストでは変更できません（現在の値: 2026-11-20 14:05:30）',
      ]);
    }
    const never: Lead = { ...lead, lastActionAt: undefined, lastActionResult: undefined };
    expect(readOnlyMismatch(never, { lastActionAt: CLEAR_MARKER })).toBeUndefined();
    expect(readOnlyMismatch(never, { lastActionAt: '2026-11-20' })).toBe('最終アクション日はアクションの記録から決まるため、リストでは変更できません（現在の値: なし）');
  });

  test('最終アクション結果 and リード担当組織 compare as text, width and outer spaces aside', () => {
    expect(readOnlyMismatch(lead, { lastActionResult: ' 不在 ', ownerTeam: 'インサイドセールス部' })).toBeUndefined();
    expect(readOnlyMismatch(lead, { lastActionResult: '興味あり' })).toBe('最終アクション結果はアクションの記録から決まるため、リストでは変更できません（現在の値: 不在）');
    expect(readOnlyMismatch(lead, { ownerTeam: '営業部' })).toBe(
      'リード担当組織はリード担当者のユーザー情報から決まるため、リストでは変更できません（リード担当者の組織: インサイドセールス部）',
    );
    expect(readOnlyMismatch({ ...lead, ownerTeam: undefined }, { ownerTeam: '営業部' })).toMatch(/（リード担当者の組織: なし）$/);
  });
});

describe('Japan time in lists', () => {
  test('an instant is shown as the wall clock in Japan, and a typed day is a Japanese day', () => {
    expect(japanClockText('2026-11-20T15:30:00.000Z')).toBe('2026-11-21 00:30:00');
    expect(namesInstant('2026-11-21', '2026-11-20T15:30:00.000Z')).toBe(true);
    expect(namesInstant('2026-11-20', '2026-11-20T15:30:00.000Z')).toBe(false);
    expect(readJapanTime('2026-11-20 14:05')).toEqual({ from: Date.parse('2026-11-20T05:05:00Z'), to: Date.parse('2026-11-20T05:06:00Z') });
  });

  test('what is not a real date and time names nothing', () => {
    for (const text of ['2026-02-30', '2026-11-20 25:00', '2026-11-20 14:60', '14:05', '']) expect([text, readJapanTime(text)]).toEqual([text, undefined]);
  });
});

describe('finding the lead of an update row', () => {
  const values = { email: 'r@example.com', title: '部長' };
  const row = (v: Record<string, string>) => ({ rowNumber: 2, cells: [], values: v, extra: {}, errors: [] });

  test('where the dedupe key is e-mail and name, an e-mail alone finds nobody: the row says so', () => {
    expect(judgeRow(row(values), { kind: 'update', matchMode: 'email+name' })).toMatchObject({ ok: false, rejection: { code: 'no_match_key' } });
    expect(judgeRow(row({ ...values, name: '列 太郎' }), { kind: 'update', matchMode: 'email+name' })).toMatchObject({ ok: true, matchKey: 'en:r@example.com|列太郎' });
    expect(judgeRow(row({ ...values, leadId: '01ABC' }), { kind: 'update', matchMode: 'email+name' })).toMatchObject({ ok: true, leadId: '01ABC' });
    expect(judgeRow(row(values), { kind: 'update', matchMode: 'email' })).toMatchObject({ ok: true, matchKey: 'e:r@example.com' });
  });
});
