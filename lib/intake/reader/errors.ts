/**
 * Why a list file could not be read. The message is shown to the marketing user who uploaded the file, so it names
 * the problem in their terms (the file, the row, the column) and, where there is one, the fix. Match with
 * `instanceof`; every class carries a literal `name` for logs.
 */

export abstract class ListFileError extends Error {
  abstract override readonly name: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** The file is not an .xlsx workbook at all: not a zip, an old .xls, password-protected, or missing its workbook. */
export class NotAWorkbookError extends ListFileError {
  override readonly name = 'NotAWorkbookError';
}

/** The file is an .xlsx zip, but a part of it cannot be inflated or parsed. */
export class DamagedWorkbookError extends ListFileError {
  override readonly name = 'DamagedWorkbookError';
}

/** The workbook would expand to more than we are willing to inflate, or compresses suspiciously well. */
export class ZipBombError extends ListFileError {
  override readonly name = 'ZipBombError';
}

/** A .csv upload that is binary, or text in an encoding we cannot read. */
export class NotACsvFileError extends ListFileError {
  override readonly name = 'NotACsvFileError';
}

/** CSV text that breaks the format in a way we will not guess around (an unclosed quote, a runaway row). */
export class MalformedCsvError extends ListFileError {
  override readonly name = 'MalformedCsvError';
  readonly rowNumber: number;

  constructor(message: string, rowNumber: number) {
    super(message);
    this.rowNumber = rowNumber;
  }
}

/** More data rows than the import accepts. */
export class TooManyRowsError extends ListFileError {
  override readonly name = 'TooManyRowsError';
  readonly maxRows: number;

  constructor(message: string, maxRows: number) {
    super(message);
    this.maxRows = maxRows;
  }
}

/** None of the first rows looks like a header (a name column and an e-mail or company column). */
export class NoHeaderRowError extends ListFileError {
  override readonly name = 'NoHeaderRowError';
}
