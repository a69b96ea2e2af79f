import { classifyByClaim, decideHistory, duplicatesInChunk, madeBothByRow } from '../../lib/intake/classify-people';
import type { KeyClaim, PreparedRow } from '../../lib/intake/registration';

/** The dedupe decision of list register, on what the table showed of a chunk's people, without the table. */

const IMPORT = '01JIMPORT0000000000000000A';
const OTHER = '01JOTHER00000000000000000B';
const row = (rowNumber: number, matchKey: string): PreparedRow => ({ rowNumber, cells: [], draft: { name: `人 ${rowNumber}`, extra: {} }, matchKey });
const claim = (leadId: string, createdBy: string): KeyClaim => ({ leadId, createdBy, createdAt: '2026-12-01T00:00:00.000Z' });

describe('what a chunk’s people are', () => {
  test('later rows of a person in the chunk merge into its first row', () => {
    const rows = [row(2, 'e:a'), row(3, 'e:b'), row(4, 'e:a'), row(5, 'e:a')];
    const firstByKey = new Map([['e:a', rows[0]!], ['e:b', rows[1]!]]);
    expect(duplicatesInChunk(rows, firstByKey)).toEqual([
      { row: rows[2], intoRow: 2 },
      { row: rows[3], intoRow: 2 },
    ]);
  });

  test('by the claim of their key: new, our own replayed creation, an earlier row of this import, or known', () => {
    const people = [row(2, 'e:new'), row(3, 'e:replayed'), row(4, 'e:earlier'), row(5, 'e:known'), row(6, 'e:edited')];
    const claims = new Map<string, KeyClaim>([
      ['e:replayed', claim('L3', `${IMPORT}#3`)],
      ['e:earlier', claim('L9', `${IMPORT}#120`)],
      ['e:known', claim('L5', `${OTHER}#7`)],
      ['e:edited', claim('L6', 'lead#L6')],
    ]);
    const sorted = classifyByClaim(people, (r) => claims.get(r.matchKey), IMPORT);
    expect(sorted.fresh).toEqual([people[0]]);
    expect(sorted.replayed).toEqual([{ row: people[1], leadId: 'L3' }]);
    expect(sorted.merged).toEqual([{ row: people[2], intoRow: 120 }]);
    expect(sorted.known).toEqual([
      { row: people[3], leadId: 'L5', createdBy: `${OTHER}#7` },
      { row: people[4], leadId: 'L6', createdBy: 'lead#L6' },
    ]);
  });

  test('a known person’s history: write it, or it is our replay, an earlier row’s, or another list’s', () => {
    const person = row(8, 'e:k');
    expect(decideHistory(undefined, person, IMPORT, 'responded')).toEqual({ kind: 'write' });
    expect(decideHistory({ invited: true, responded: false }, person, IMPORT, 'responded')).toEqual({ kind: 'write' });
    expect(decideHistory({ responded: true, respondedBy: `${IMPORT}#8`, reachedBy: `${IMPORT}#8` }, person, IMPORT, 'responded')).toEqual({ kind: 'replayed', firstReach: true });
    expect(decideHistory({ invited: true, responded: true, respondedBy: `${IMPORT}#8`, reachedBy: `${OTHER}#2` }, person, IMPORT, 'responded')).toEqual({ kind: 'replayed', firstReach: false });
    expect(decideHistory({ responded: true, respondedBy: `${IMPORT}#3` }, person, IMPORT, 'responded')).toEqual({ kind: 'merged', intoRow: 3 });
    expect(decideHistory({ responded: true, respondedBy: `${OTHER}#8` }, person, IMPORT, 'responded')).toEqual({ kind: 'unchanged' });
  });

  test('a replayed row made the history both invited and responded only if the history names it', () => {
    const person = row(8, 'e:k');
    expect(madeBothByRow({ invited: true, responded: true, respondedBy: `${IMPORT}#8`, invitedRespondedBy: `${IMPORT}#8` }, person, IMPORT)).toBe(true);
    // The other list came after our write: it made the history both, and counted it.
    expect(madeBothByRow({ invited: true, responded: true, respondedBy: `${IMPORT}#8`, invitedRespondedBy: `${OTHER}#2` }, person, IMPORT)).toBe(false);
    expect(madeBothByRow({ responded: true, respondedBy: `${IMPORT}#8` }, person, IMPORT)).toBe(false);
    expect(madeBothByRow(undefined, person, IMPORT)).toBe(false);
  });

  test('a creation replayed on a claim taken over from a failed import knows whose claim it was', () => {
    const taken = { ...claim('L4', `${IMPORT}#4`), takenOverFrom: `${OTHER}#11` };
    expect(classifyByClaim([row(4, 'e:taken')], () => taken, IMPORT).replayed).toEqual([{ row: row(4, 'e:taken'), leadId: 'L4', takenOverFrom: `${OTHER}#11` }]);
  });
});
