/**
 * The cell text that empties a field on an update list. A blank cell means "leave it as it is" (a list of only the
 * columns to change is the common case), so emptying a field needs a word of its own.
 */
export const CLEAR_MARKER = '#CLEAR';

export const isClear = (value: string): boolean => value.normalize('NFKC').trim().toUpperCase() === CLEAR_MARKER;
