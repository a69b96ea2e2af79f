/**
 * exceljs's streaming .xlsx writer, imported alone: the package's index also brings its reader (unzipper, bluebird),
 * its in-memory workbook (jszip, pako) and its CSV module, none of which a function that only writes workbooks
 * runs (about 300 KB of the bundle). The writer streams rows to its output as they are committed, so a workbook of
 * a million rows never sits in memory. Its types are exceljs's own (exceljs-writer.d.ts).
 */

import WorkbookWriter from 'exceljs/lib/stream/xlsx/workbook-writer';

export { WorkbookWriter };
