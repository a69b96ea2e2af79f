import { Readable } from 'node:stream';
import { isListHeader, readList, type ListRow } from '../../lib/intake/reader';
import { readRelationships, readStyles, readWorkbookPart } from '../../lib/intake/reader/workbook-parts';
import { scratchDirectory, writeZip, type ZipPart } from '../support/workbooks';

/**
 * The workbook's small parts (workbook, relationships, styles) as producers other than Excel write them: which sheet
 * is the list, which style is a date, which date system. The parts below follow files LibreOffice Calc, Google
 * Sheets and openpyxl write (their attribute spellings, their extra elements, their relationship targets).
 */

let scratch: Awaited<ReturnType<typeof scratchDirectory>>;
beforeAll(async () => {
  scratch = await scratchDirectory();
});
afterAll(async () => {
  await scratch.remove();
});

const MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const RELS = 'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"';

/** One byte a chunk: the parsers may not depend on how the inflater cuts a part. */
const bytes = (xml: string): Readable => Readable.from([...Buffer.from(xml, 'utf8')].map((byte) => Buffer.from([byte])));

async function rowsOf(parts: ZipPart[]): Promise<ListRow[]> {
  const file = scratch.path(`parts-${parts.length}-${Math.random().toString(36).slice(2)}.xlsx`);
  await writeZip(file, parts);
  const rows: ListRow[] = [];
  for await (const item of readList(file, 'xlsx')) if (!isListHeader(item)) rows.push(item);
  return rows;
}

const inline = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
const LIST_ROWS =
  `<row r="1">${inline('A1', '名前')}${inline('B1', '会社名')}${inline('C1', 'リード発生日')}${inline('D1', '携帯電話')}</row>` +
  `<row r="2">${inline('A2', '山田')}${inline('B2', 'A社')}<c r="C2" s="2"><v>43921</v></c><c r="D2" s="1"><v>9012345678</v></c></row>`;
const worksheet = (rows: string) => `<?xml version="1.0" encoding="UTF-8"?><worksheet ${MAIN} ${R}><sheetData>${rows}</sheetData></worksheet>`;

describe('a workbook written by another producer', () => {
  it('as LibreOffice Calc writes it: true and false for booleans, the visible sheet after a hidden one, its own date format', async () => {
    const rows = await rowsOf([
      {
        name: 'xl/workbook.xml',
        data:
          `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook ${MAIN} ${R}><fileVersion appName="Calc"/>` +
          '<workbookPr backupFile="false" showObjects="all" date1904="true"/><workbookProtection/><bookViews><workbookView activeTab="1"/></bookViews>' +
          '<sheets><sheet name="マスタ" sheetId="1" state="hidden" r:id="rId2"/><sheet name="リスト" sheetId="2" state="visible" r:id="rId3"/></sheets>' +
          '<calcPr iterateCount="100" refMode="A1" iterate="false" iterateDelta="0.001"/></workbook>',
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data:
          `<?xml version="1.0" encoding="UTF-8"?>\n<Relationships ${RELS}><Relationship Id="rId1" Type="${REL}/styles" Target="styles.xml"/>` +
          `<Relationship Id="rId2" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId3" Type="${REL}/worksheet" Target="worksheets/sheet2.xml"/></Relationships>`,
      },
      {
        name: 'xl/styles.xml',
        data:
          `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet ${MAIN}><numFmts count="2"><numFmt numFmtId="164" formatCode="General"/><numFmt numFmtId="165" formatCode="YYYY/MM/DD"/></numFmts>` +
          '<fonts count="1"><font><sz val="10"/><name val="Arial"/><family val="2"/></font></fonts><fills count="1"><fill><patternFill patternType="none"/></fill></fills>' +
          '<borders count="1"><border diagonalUp="false" diagonalDown="false"><left/><right/><top/><bottom/><diagonal/></border></borders>' +
          '<cellStyleXfs count="2"><xf numFmtId="165" fontId="0" fillId="0" borderId="0"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
          '<cellXfs count="3"><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false"><alignment horizontal="general" vertical="bottom"/><protection locked="true" hidden="false"/></xf>' +
          '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyFont="false"/></cellXfs>' +
          '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
      },
      { name: 'xl/worksheets/sheet1.xml', data: worksheet(`<row r="1">${inline('A1', '区分')}</row>`) },
      { name: 'xl/worksheets/sheet2.xml', data: worksheet(LIST_ROWS) },
    ]);
    // 43921 is 2024-04-01 in the 1904 date system (2020-03-31 in the 1900 one).
    expect(rows.map((row) => row.cells)).toEqual([['山田', 'A社', '2024-04-01', '9012345678']]);
  });

  it('as Google Sheets writes it: attributes in another order, dxfs and extensions among the styles', async () => {
    const rows = await rowsOf([
      {
        name: 'xl/workbook.xml',
        data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook ${MAIN} ${R}><workbookPr/><sheets><sheet state="visible" name="Sheet1" sheetId="1" r:id="rId4"/></sheets><definedNames/><calcPr/></workbook>`,
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships ${RELS}><Relationship Id="rId1" Type="${REL}/theme" Target="theme/theme1.xml"/><Relationship Id="rId2" Type="${REL}/styles" Target="styles.xml"/><Relationship Id="rId4" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
      },
      {
        name: 'xl/styles.xml',
        data:
          `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet ${MAIN} xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006">` +
          '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/m/d"/></numFmts><fonts count="1"><font><sz val="10.0"/><name val="Arial"/></font></fonts>' +
          '<cellStyleXfs count="1"><xf borderId="0" fillId="0" fontId="0" numFmtId="0" applyAlignment="1" applyFont="1"/></cellStyleXfs>' +
          '<cellXfs count="3"><xf borderId="0" fillId="0" fontId="0" numFmtId="0" xfId="0" applyAlignment="1"><alignment readingOrder="0" vertical="bottom"/></xf>' +
          '<xf borderId="0" fillId="0" fontId="0" numFmtId="0" xfId="0"/><xf borderId="0" fillId="0" fontId="0" numFmtId="164" xfId="0" applyNumberFormat="1"><alignment readingOrder="0"/></xf></cellXfs>' +
          '<cellStyles count="1"><cellStyle xfId="0" name="Normal" builtinId="0"/></cellStyles><dxfs count="1"><dxf><numFmt numFmtId="164" formatCode="0.0"/></dxf></dxfs>' +
          '<extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9B2C6}"><x14ac:dummy/></ext></extLst></styleSheet>',
      },
      { name: 'xl/worksheets/sheet1.xml', data: worksheet(LIST_ROWS) },
    ]);
    expect(rows.map((row) => row.cells)).toEqual([['山田', 'A社', '2020-03-31', '9012345678']]);
  });

  it('as openpyxl writes it: relationship targets absolute from the package root', async () => {
    const rows = await rowsOf([
      {
        name: 'xl/workbook.xml',
        data: `<workbook ${MAIN}><workbookPr/><bookViews><workbookView activeTab="0"/></bookViews><sheets><sheet xmlns:r="${REL}" name="Sheet" sheetId="1" r:id="rId1"/></sheets><definedNames/><calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>`,
      },
      {
        name: 'xl/_rels/workbook.xml.rels',
        data: `<Relationships ${RELS}><Relationship Type="${REL}/worksheet" Target="/xl/worksheets/sheet1.xml" Id="rId1"/><Relationship Type="${REL}/styles" Target="/xl/styles.xml" Id="rId2"/><Relationship Type="${REL}/theme" Target="/xl/theme/theme1.xml" Id="rId3"/></Relationships>`,
      },
      {
        name: 'xl/styles.xml',
        data: `<styleSheet ${MAIN}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/></numFmts><fonts count="1"><font><name val="Calibri"/></font></fonts><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" pivotButton="0" quotePrefix="0" xfId="0"/><xf numFmtId="1" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" pivotButton="0" quotePrefix="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" pivotButton="0" quotePrefix="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" hidden="0"/></cellStyles><tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`,
      },
      { name: 'xl/worksheets/sheet1.xml', data: worksheet(LIST_ROWS) },
    ]);
    expect(rows.map((row) => row.cells)).toEqual([['山田', 'A社', '2020-03-31', '9012345678']]);
  });
});

describe('the parsers of the small parts', () => {
  it("take the number format of each cell style: the workbook's own first, then the built-in ones, Japanese ones too", async () => {
    const styles = await readStyles(
      bytes(
        `<styleSheet ${MAIN}><numFmts count="3"><numFmt numFmtId="164" formatCode="0##########"/><numFmt numFmtId="14" formatCode="yyyy/m/d"/>` +
          '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd&quot;日&quot;"/></numFmts>' +
          '<cellStyleXfs count="2"><xf numFmtId="0"/><xf numFmtId="31"/></cellStyleXfs>' +
          '<cellXfs count="9"><xf numFmtId="14" xfId="0"/><xf numFmtId="14" xfId="1"/><xf numFmtId="31"/><xf numFmtId="57"/><xf numFmtId="164"><alignment horizontal="left"/></xf>' +
          '<xf/><xf numFmtId="165"/><xf numFmtId="22"/><xf numFmtId="49"/><xf numFmtId="200"/></cellXfs>' +
          '<dxfs count="1"><dxf><numFmt numFmtId="166" formatCode="0.0"/></dxf></dxfs></styleSheet>',
      ),
    );
    expect(Array.from({ length: 12 }, (_, id) => styles.numberFormat(id))).toEqual([
      undefined, // style 0 is General, whatever it says
      'yyyy/m/d', // the workbook redefines built-in 14
      'yyyy"年"m"月"d"日"',
      '[$-411]ge.m.d',
      '0##########',
      undefined, // no number format
      'yyyy-mm-dd"日"', // backslash escapes taken off
      'm/d/yy "h":mm',
      '@',
      undefined, // a format no one defines
      undefined, // no such style
      undefined,
    ]);
    expect(styles.numberFormat(-1)).toBeUndefined();
    expect(styles.numberFormat(1.5)).toBeUndefined();
  });

  it('take the sheets in tab order with their states, and the date system however the boolean is spelled', async () => {
    const book = (workbookPr: string) =>
      bytes(
        `<workbook ${MAIN} ${R}>${workbookPr}<sheets><sheet name="A&amp;B" sheetId="2" state="hidden" r:id="rId9"/><sheet name="リスト" sheetId="1" r:id="rId1"/></sheets>` +
          '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">A!$A$1</definedName></definedNames></workbook>',
      );
    expect(await readWorkbookPart(book('<workbookPr date1904="1"/>'))).toEqual({
      sheets: [
        { name: 'A&B', rId: 'rId9', state: 'hidden' },
        { name: 'リスト', rId: 'rId1', state: undefined },
      ],
      date1904: true,
    });
    expect((await readWorkbookPart(book('<workbookPr date1904="true"/>'))).date1904).toBe(true);
    expect((await readWorkbookPart(book('<workbookPr date1904="false"/>'))).date1904).toBe(false);
    expect((await readWorkbookPart(book('<workbookPr defaultThemeVersion="166925"/>'))).date1904).toBe(false);
    expect((await readWorkbookPart(book(''))).date1904).toBe(false);
  });

  it('take every relationship that names a target, and fail on a part that is not XML or is cut short', async () => {
    expect(
      await readRelationships(
        bytes(
          `<Relationships ${RELS}><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
            `<Relationship Id="rId2" TargetMode="External" Type="${REL}/hyperlink" Target="https://example.com/?a=1&amp;b=2"/><Relationship Id="rId3" Type="${REL}/styles"/></Relationships>`,
        ),
      ),
    ).toEqual([
      { Id: 'rId1', Type: `${REL}/worksheet`, Target: 'worksheets/sheet1.xml', TargetMode: undefined },
      { Id: 'rId2', Type: `${REL}/hyperlink`, Target: 'https://example.com/?a=1&b=2', TargetMode: 'External' },
    ]);
    await expect(readRelationships(bytes('PK\u0003\u0004 not xml'))).rejects.toThrow();
    await expect(readStyles(bytes(`<styleSheet ${MAIN}><cellXfs count="1"><xf numFmtId="14"/>`))).rejects.toThrow();
    await expect(readWorkbookPart(bytes(`<workbook ${MAIN}><sheets><sheet name="a" r:id="rId1"/>`))).rejects.toThrow();
  });
});
