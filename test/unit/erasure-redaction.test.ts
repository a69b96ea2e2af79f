import { ERASED_EMAIL_ERROR, ERASED_NOTIFICATION, actionRedaction, importAssignmentsRedaction, notificationRedaction, redactText } from '../../lib/erasure/redaction';
import type { Lead } from '../../lib/leads/model';
import { ERASED_NAME, PERSONAL_FIELDS, anonymousLead, identifyingValues, isErasedOrErasing, refuseIfErased } from '../../lib/leads/tombstone';
import { GoneError } from '../../lib/errors';

const OUTBOX = ['GSI2PK', 'GSI2SK'];

const lead: Lead = {
  leadId: 'L1',
  name: '鈴木 一朗',
  nameKana: 'スズキ イチロウ',
  email: 'suzuki@example.com',
  company: 'A&B株式会社',
  department: '情報システム部',
  title: '部長',
  phone: '03-1111-2222',
  memo: '来月まで不在',
  stage: 'disqualified',
  stageReason: '本人の希望',
  ownerId: 'rep1',
  classification: 'A',
  lastActionAt: '2025-04-01T01:00:00.000Z',
  lastActionResult: '不在',
  qualification: { budget: '100万円' },
  ngActions: ['no_call'],
  extra: { 備考: '紹介者: 田中様' },
  matchKey: 'e:suzuki@example.com',
  erasure: { requestedAt: '2025-05-01T00:00:00.000Z', requestedBy: 'admin' },
  createdAt: '2025-01-01T00:00:00.000Z',
  updatedAt: '2025-04-01T00:00:00.000Z',
  version: 7,
};

describe('the tombstone of an erased lead', () => {
  test('keeps what counts and nothing that tells who the person was', () => {
    const tombstone = anonymousLead(lead, 'hash', '2025-05-01T00:00:05.000Z');
    for (const field of PERSONAL_FIELDS) expect(tombstone[field]).toBeUndefined();
    expect(tombstone).toMatchObject({
      name: ERASED_NAME,
      extra: {},
      matchKey: 'erased:hash',
      stage: 'disqualified',
      ownerId: 'rep1',
      classification: 'A',
      lastActionResult: '不在',
      erased: true,
      erasedAt: '2025-05-01T00:00:00.000Z',
      erasedBy: 'admin',
      version: 8,
    });
    expect(tombstone.erasure).toBeUndefined();
    expect(JSON.stringify(tombstone)).not.toMatch(/鈴木|スズキ|suzuki|A&B|03-1111|来月まで|田中|100万円|本人の希望/);
  });

  test('refuses writes while being erased and once erased, with 410', () => {
    expect(isErasedOrErasing(lead)).toBe(true);
    expect(() => refuseIfErased(lead)).toThrow(GoneError);
    const { erasure, ...plain } = lead;
    expect(erasure).toBeDefined();
    expect(isErasedOrErasing(plain)).toBe(false);
    expect(() => refuseIfErased(plain)).not.toThrow();
  });
});

describe('what erasure takes out of related items', () => {
  test("an action loses its memo and stage reason, keeps the rest; a scrubbed one needs nothing", () => {
    expect(actionRedaction({ channel: 'phone', result: '不在', note: 'メモ', stageReason: '理由' })).toEqual({ remove: ['note', 'stageReason'] });
    expect(actionRedaction({ channel: 'phone', result: '不在' })).toBeUndefined();
  });

  test('a digest keeps the other leads and loses the person wherever they appear, escaped in HTML too', () => {
    const values = identifyingValues(lead);
    const digest = {
      leadIds: ['L1', 'L2'],
      title: '2件のリードが割り当てられました',
      body: '管理者さんから2件のリードが割り当てられました（セミナー）。',
      emailStatus: 'pending',
      mail: { subject: '【リード割り当て】2件', text: '鈴木 一朗\tA&B株式会社\n佐藤 花子\tC社', html: '<td>鈴木 一朗</td><td>A&amp;B株式会社</td><td>佐藤 花子</td>' },
    };
    const changes = notificationRedaction(digest, 'L1', values, OUTBOX)!;
    expect(changes.set!.mail).toEqual({
      subject: '【リード割り当て】2件',
      text: `${ERASED_NAME}\t${ERASED_NAME}\n佐藤 花子\tC社`,
      html: `<td>${ERASED_NAME}</td><td>${ERASED_NAME}</td><td>佐藤 花子</td>`,
    });
    expect(changes.remove).toBeUndefined();
    expect(notificationRedaction({ ...digest, mail: changes.set!.mail }, 'L1', values, OUTBOX)).toBeUndefined();
  });

  test('a notification about the person alone says only that they were erased, and its pending e-mail is not sent', () => {
    const handover = { leadIds: ['L1'], title: '営業引継ぎ: 鈴木 一朗', body: '…', emailStatus: 'pending', nextAttemptAt: 'x', GSI2PK: 'OUTBOX', GSI2SK: 'x', mail: { subject: 's', text: 't', html: 'h' } };
    const changes = notificationRedaction(handover, 'L1', identifyingValues(lead), OUTBOX)!;
    expect(changes.set).toEqual({ ...ERASED_NOTIFICATION, emailStatus: 'failed', emailError: ERASED_EMAIL_ERROR });
    expect(changes.remove).toEqual(['mail', 'nextAttemptAt', 'GSI2PK', 'GSI2SK']);
    const done = { leadIds: ['L1'], ...ERASED_NOTIFICATION, emailStatus: 'failed' };
    expect(notificationRedaction(done, 'L1', [], OUTBOX)).toBeUndefined();
  });

  test("an update list's digest entry keeps the lead id only", () => {
    const item = { leads: [{ leadId: 'L1', name: '鈴木 一朗', company: 'A&B株式会社' }, { leadId: 'L2', name: '佐藤 花子' }] };
    const changes = importAssignmentsRedaction(item, 'L1')!;
    expect(changes.set!.leads).toEqual([{ leadId: 'L1', name: ERASED_NAME }, { leadId: 'L2', name: '佐藤 花子' }]);
    expect(importAssignmentsRedaction({ leads: changes.set!.leads }, 'L1')).toBeUndefined();
  });

  test('redaction replaces longer values first, so a name inside a longer one goes whole', () => {
    expect(redactText('鈴木 一朗（鈴木商事）', ['鈴木', '鈴木 一朗'])).toBe(`${ERASED_NAME}（${ERASED_NAME}商事）`);
  });
});
