import { build, stop, type Metafile } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { esbuildOptions, functionEntries, packageFilesBeside, PHONE_PARSING_FUNCTIONS } from '../../infra/function-defaults';
import { NUMBERING_PLAN_FILE } from '../../lib/text/phone';

/**
 * Every function's bundle, built as the stack builds it (infra/function-defaults.ts's options, by esbuild itself:
 * no synth), stays within its size, and only the functions that read or write workbooks bundle exceljs. The
 * functions are those of functionEntries() (every file under functions/ that exports a `handler`), so a new one is
 * measured without a line here (an API function gets API_LIMIT, another DEFAULT_LIMIT, until it states its own).
 */

const REPO_ROOT = path.join(__dirname, '../..');
const KB = 1024;

/** Sizes of the minified .js (the source map ships beside it and is not loaded at a cold start). */
const API_LIMIT = 500 * KB;
/** Stream, queue and scheduled workers: their cold starts are on no user's request, and they hold the SDK clients they need. */
const DEFAULT_LIMIT = 640 * KB;
const LIMITS: Record<string, number> = {
  // Reads CSV and .xlsx lists and writes the rejections workbook.
  'functions/intake/handler.ts': 1536 * KB,
  // Writes .xlsx and .csv exports.
  'functions/exports/handler.ts': 1536 * KB,
};

/**
 * Bundles over their limit, each with the ceiling it may not grow past (what it measured, rounded up): none today.
 * A bundle let over its limit for a while goes here with the reason, and must leave once within it (the test says
 * so). The AWS SDK is about 200 KB of a function that uses DynamoDB, Powertools' Logger and Metrics about 33 KB, zod
 * about 97 KB: README ("Bundles and cold start") has each function's parts.
 */
const OVER_LIMIT: Record<string, number> = {};

/** The functions that read or write workbooks: exceljs is theirs alone. */
const WORKBOOK_FUNCTIONS = ['functions/intake/handler.ts', 'functions/exports/handler.ts'];

const limitOf = (entry: string) => LIMITS[entry] ?? (entry.startsWith('functions/http/') ? API_LIMIT : DEFAULT_LIMIT);

interface Bundle {
  entry: string;
  bytes: number;
  packages: Set<string>;
  /** Whether the phone parser's code is in the bundle (not only imported and shaken out). */
  parsesPhones: boolean;
}

async function bundle(entry: string): Promise<Bundle> {
  const result = await build({ ...esbuildOptions(entry), outdir: path.join(REPO_ROOT, 'cdk.out/bundle-test'), write: false, metafile: true, logLevel: 'silent' });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'))!;
  const output = Object.values(result.metafile.outputs).find((file) => file.entryPoint !== undefined)!;
  const parsesPhones = (output.inputs['lib/text/phone.ts']?.bytesInOutput ?? 0) > 0;
  return { entry, bytes: js.contents.byteLength, packages: packagesOf(result.metafile), parsesPhones };
}

function packagesOf(metafile: Metafile): Set<string> {
  const names = Object.keys(metafile.inputs).map((input) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1]);
  return new Set(names.filter((name): name is string => name !== undefined));
}

const ENTRIES = functionEntries();
let bundles: Map<string, Bundle>;

beforeAll(async () => {
  // esbuild builds them side by side on its own threads: a few seconds for all.
  bundles = new Map((await Promise.all(ENTRIES.map(bundle))).map((b) => [b.entry, b]));
}, 120_000);

// esbuild keeps a service process for its builds; let jest's worker exit.
afterAll(() => stop());

const kb = (bytes: number) => `${Math.ceil(bytes / KB)} KB`;

describe('function bundles', () => {
  test('are found for every function of the stack', () => {
    expect(ENTRIES).toEqual(expect.arrayContaining(['functions/http/system.ts', 'functions/intake/handler.ts', 'functions/exports/handler.ts']));
    expect(ENTRIES).not.toContain('functions/http/index.ts'); // the local gateway's map of handlers, never deployed
  });

  test.each(ENTRIES)('%s stays within its size', (entry) => {
    const { bytes } = bundles.get(entry)!;
    const ceiling = OVER_LIMIT[entry] ?? limitOf(entry);
    expect({ entry, size: kb(bytes), within: bytes <= ceiling ? 'yes' : `no, over ${kb(ceiling)}` }).toEqual({ entry, size: kb(bytes), within: 'yes' });
  });

  test('leave the over-limit list once within their limit', () => {
    const nowWithin = Object.keys(OVER_LIMIT).filter((entry) => !bundles.has(entry) || bundles.get(entry)!.bytes <= limitOf(entry));
    expect(nowWithin).toEqual([]);
  });

  test("carry the SDK's credential chain cut to the environment Lambda gives it (lib/storage/lambda-credentials.ts)", () => {
    const withFullChain = ENTRIES.filter((entry) => ['@aws-sdk/credential-provider-node', '@aws-sdk/credential-provider-ini', '@aws-sdk/nested-clients'].some((name) => bundles.get(entry)!.packages.has(name)));
    expect(withFullChain).toEqual([]);
  });

  test('bundle exceljs only in the functions that read or write workbooks', () => {
    const withExcel = ENTRIES.filter((entry) => bundles.get(entry)!.packages.has('exceljs'));
    expect(withExcel).toEqual(WORKBOOK_FUNCTIONS.filter((entry) => ENTRIES.includes(entry)).sort());
  });

  test('that parse phones have the numbering plan copied beside them, and only those', () => {
    const parsing = ENTRIES.filter((entry) => bundles.get(entry)!.parsesPhones);
    expect(parsing).toEqual([...PHONE_PARSING_FUNCTIONS].sort());
    const given = ENTRIES.filter((entry) => packageFilesBeside(entry).includes(NUMBERING_PLAN_FILE));
    expect(given).toEqual(parsing);
  });

  test('read the numbering plan from beside the bundle, and name it when it is missing', async () => {
    // Outside the repository, so no node_modules above can stand in for the file beside the bundle.
    const dir = mkdtempSync(path.join(tmpdir(), 'phone-bundle-'));
    try {
      const entry = path.join(dir, 'entry.ts');
      writeFileSync(entry, `import { parsePhoneKey } from ${JSON.stringify(path.join(REPO_ROOT, 'lib/text/phone'))};\nexport const handler = () => parsePhoneKey('０３（１２３４）５６７８');\n`);
      await build({ ...esbuildOptions('lib/text/phone.ts'), entryPoints: [entry], outfile: path.join(dir, 'index.js'), logLevel: 'silent' });
      const run = () => execFileSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(require(${JSON.stringify(path.join(dir, 'index.js'))}).handler()))`], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      expect(() => run()).toThrow(`Cannot find module '${NUMBERING_PLAN_FILE}'`);
      copyFileSync(require.resolve(NUMBERING_PLAN_FILE), path.join(dir, path.basename(NUMBERING_PLAN_FILE)));
      expect(JSON.parse(run())).toEqual({ key: '+81312345678' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
