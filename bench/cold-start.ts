import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions, functionEntries } from '../infra/function-defaults';
import { argument, fmt, percentiles } from './support';

/**
 * npm run bench:cold-start [-- --runs N]
 *
 * What a function's bundle costs at a cold start: each function of functionEntries() is bundled as the stack
 * bundles it (infra/function-defaults.ts), then loaded N times (default 20) by a fresh `node` process that requires
 * the bundle, checks its `handler` export and exits, with NODE_OPTIONS=--enable-source-maps as the functions run.
 * An empty handler bundled the same way is measured in the same run, round-robin with the others so that a busy
 * machine slows them all alike. Prints per function the bundle size, the time `require` took inside the process
 * (median, p95), the whole process's time (median, p95), and the ratio of each median to the empty handler's.
 * Nothing is invoked and no service is needed: this is module loading and initialisation only, the part a bundle's
 * size decides; the Lambda runtime's own start comes on top in the cloud.
 */

const REPO_ROOT = path.join(__dirname, '..');
const OUT = path.join(REPO_ROOT, '.bench/cold-start');
const EMPTY = '(empty handler)';

/** What the stack tells every function, so that module-level configuration reads succeed as they do in the cloud. */
const FUNCTION_ENV = {
  NODE_OPTIONS: '--enable-source-maps',
  LOG_LEVEL: 'info',
  AWS_REGION: 'ap-northeast-1',
  TABLE_NAME: 'bench-table',
  INTAKE_BUCKET: 'bench-bucket',
  CURSOR_SECRET_ARN: 'arn:aws:secretsmanager:ap-northeast-1:000000000000:secret:bench',
  SENDER_ADDRESS: 'noreply@example.com',
  APP_BASE_URL: 'https://app.example.com',
};

/** Loads the bundle in the child and prints how long `require` took, in milliseconds. */
const LOADER = `
const started = performance.now();
const loaded = require(process.argv[1]);
const ms = performance.now() - started;
if (typeof loaded.handler !== 'function') { console.error('no handler export'); process.exit(2); }
process.stdout.write(String(ms));
`;

interface Bundled {
  name: string;
  file: string;
  bytes: number;
}

async function bundleAll(): Promise<Bundled[]> {
  await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  const emptyEntry = path.join(OUT, 'empty-handler.ts');
  await writeFile(emptyEntry, 'export const handler = async () => ({});\n');
  const entries = [...functionEntries(), path.relative(REPO_ROOT, emptyEntry)];
  return Promise.all(
    entries.map(async (entry) => {
      const name = entry.startsWith('.bench/') ? EMPTY : entry;
      const file = path.join(OUT, entry.replace(/[/.]/g, '_') + '.js');
      const result = await build({ ...esbuildOptions(entry), outfile: file, metafile: true, logLevel: 'warning' });
      const bytes = Object.entries(result.metafile.outputs).find(([out]) => out.endsWith('.js'))![1].bytes;
      return { name, file, bytes };
    }),
  );
}

function loadOnce(file: string): Promise<{ requireMs: number; processMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['-e', LOADER, file], { env: { ...FUNCTION_ENV, PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - started;
      if (code !== 0) reject(new Error(`${file} did not load (exit ${code}): ${err.trim()}`));
      else resolve({ requireMs: Number(out), processMs });
    });
  });
}

async function main(): Promise<void> {
  const runs = argument('runs', 20);
  const bundles = await bundleAll();
  const samples = new Map(bundles.map((b) => [b.name, { require: [] as number[], process: [] as number[] }]));
  // One process at a time: two cores, and parallel loads would measure each other.
  for (let run = 0; run < runs; run++) {
    for (const bundled of bundles) {
      const { requireMs, processMs } = await loadOnce(bundled.file);
      samples.get(bundled.name)!.require.push(requireMs);
      samples.get(bundled.name)!.process.push(processMs);
    }
  }

  const empty = samples.get(EMPTY)!;
  const emptyRequire = percentiles(empty.require).median;
  const emptyProcess = percentiles(empty.process).median;
  console.log(`cold start: ${runs} fresh node ${process.version} processes per bundle, round robin, on ${process.platform}/${process.arch}`);
  console.log(['function', 'size KB', 'require ms (median / p95)', 'process ms (median / p95)', 'require ÷ empty', 'process ÷ empty'].join(' | '));
  const order = [...bundles].sort((a, b) => (a.name === EMPTY ? -1 : b.name === EMPTY ? 1 : a.name.localeCompare(b.name)));
  for (const bundled of order) {
    const s = samples.get(bundled.name)!;
    const r = percentiles(s.require);
    const p = percentiles(s.process);
    console.log(
      [
        bundled.name,
        fmt(bundled.bytes / 1024),
        `${fmt(r.median, 1)} / ${fmt(r.p95, 1)}`,
        `${fmt(p.median, 1)} / ${fmt(p.p95, 1)}`,
        `${fmt(r.median / emptyRequire, 1)}×`,
        `${fmt(p.median / emptyProcess, 2)}×`,
      ].join(' | '),
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
