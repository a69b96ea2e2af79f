/** The module of exceljs's streaming writer, typed as the package's index types the same class. */
declare module 'exceljs/lib/stream/xlsx/workbook-writer' {
  import type { stream } from 'exceljs';

  const WorkbookWriter: typeof stream.xlsx.WorkbookWriter;
  export = WorkbookWriter;
}
