import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The project's own source files and what each imports, read as text: the architecture tests judge the code as a
 * newcomer reads it, without running any of it.
 */

export const ROOT = resolve(__dirname, '../..');
const SOURCE_FOLDERS = ['lib', 'functions', 'infra', 'scripts', 'bench'];

export interface SourceFile {
  /** Relative to the project root, with forward slashes: `lib/leads/model.ts`. */
  path: string;
  text: string;
  /** Project files this one imports (relative specifiers resolved), as paths like `path`. */
  imports: string[];
  /** Package specifiers it imports (`@aws-sdk/client-dynamodb`, `zod`). */
  packages: string[];
  /** The text with comments taken out: what the storage rules are checked against. */
  code: string;
}

function walk(folder: string, out: string[]): void {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(ts|js|mjs|cjs)$/.test(name)) out.push(path);
  }
}

const SPECIFIER = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm;

function resolveImport(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, `${base}.d.ts`, `${base}.js`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return relative(ROOT, candidate).split('\\').join('/');
  }
  return undefined;
}

/** Comments out of the way, so an import named in a comment is not taken for one. */
export const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

let cache: SourceFile[] | undefined;

export function sourceFiles(): SourceFile[] {
  if (cache) return cache;
  const paths: string[] = [];
  for (const folder of SOURCE_FOLDERS) if (existsSync(join(ROOT, folder))) walk(join(ROOT, folder), paths);
  cache = paths.map((absolute) => {
    const text = readFileSync(absolute, 'utf8');
    const code = withoutComments(text);
    const imports: string[] = [];
    const packages: string[] = [];
    for (const match of code.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3]!;
      if (specifier.startsWith('.')) {
        const target = resolveImport(absolute, specifier);
        if (!target) throw new Error(`${relative(ROOT, absolute)} imports ${specifier}, which does not resolve`);
        imports.push(target);
      } else {
        packages.push(specifier);
      }
    }
    return { path: relative(ROOT, absolute).split('\\').join('/'), text, imports, packages, code };
  });
  return cache;
}
