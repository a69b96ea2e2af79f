/**
 * The layers of the code, bottom first. A file may import only files of its own layer or of a layer below it, and
 * the folders of one layer never import each other in a circle. README.md ("Architecture") draws the same order.
 */
export const LAYERS: { name: string; holds: string[] }[] = [
  { name: 'base: words, ids, errors, config, schema bricks', holds: ['lib/text/', 'lib/ids.ts', 'lib/errors.ts', 'lib/config.ts', 'lib/log.ts', 'lib/metrics.ts', 'lib/tracing.ts', 'lib/observability.ts', 'lib/async.ts', 'lib/faults.ts', 'lib/package-files.ts', 'lib/settings/', 'lib/schema/'] },
  { name: 'storage: the table and the AWS services', holds: ['lib/table/', 'lib/storage/'] },
  { name: 'users: who calls, with what role', holds: ['lib/users/'] },
  { name: 'records: leads, campaigns, notifications', holds: ['lib/leads/', 'lib/campaigns/', 'lib/notifications/'] },
  { name: 'work on leads: actions, tasks, exports, activity statistics', holds: ['lib/actions/', 'lib/tasks/', 'lib/exports/', 'lib/stats/'] },
  { name: 'operations: assignment, deals, erasure, the morning digest and the weekly report', holds: ['lib/assignment/', 'lib/deals/', 'lib/erasure/', 'lib/digest/'] },
  { name: 'intake: lists in', holds: ['lib/intake/'] },
  { name: 'read models: views over several domains', holds: ['lib/read-models/'] },
  { name: 'http: the route table and the chain', holds: ['lib/http/'] },
  { name: 'entry points and the cloud stack', holds: ['functions/', 'infra/'] },
  { name: 'the local stack, scripts, benchmarks', holds: ['lib/local/', 'scripts/', 'bench/'] },
];

/** The layer entry (folder or file) that holds `path`, and the layer's rank; undefined when none does. */
export function placeOf(path: string): { rank: number; unit: string; layer: string } | undefined {
  let best: { rank: number; unit: string; layer: string } | undefined;
  LAYERS.forEach((layer, rank) => {
    for (const unit of layer.holds) {
      const holds = unit.endsWith('/') ? path.startsWith(unit) : path === unit;
      if (holds && (!best || unit.length > best.unit.length)) best = { rank, unit, layer: layer.name };
    }
  });
  return best;
}

export interface ImportEdge {
  path: string;
  imports: string[];
}

/** Imports from a file to a file of a higher layer, as readable lines. */
export function upwardImports(files: ImportEdge[]): string[] {
  const upward: string[] = [];
  for (const file of files) {
    const from = placeOf(file.path);
    if (!from) continue;
    for (const target of file.imports) {
      const to = placeOf(target);
      if (to && to.rank > from.rank) upward.push(`${file.path} (${from.layer}) imports ${target} (${to.layer})`);
    }
  }
  return upward;
}

/** Circles among the layer entries (folders): a → b → … → a, one line per edge that closes one. */
export function circles(files: ImportEdge[]): string[] {
  const edges = new Map<string, Set<string>>();
  for (const file of files) {
    const from = placeOf(file.path)?.unit;
    if (!from) continue;
    for (const target of file.imports) {
      const to = placeOf(target)?.unit;
      if (to && to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
  }
  const reaches = (start: string, goal: string, seen = new Set<string>()): boolean => {
    for (const next of edges.get(start) ?? []) {
      if (next === goal) return true;
      if (!seen.has(next)) {
        seen.add(next);
        if (reaches(next, goal, seen)) return true;
      }
    }
    return false;
  };
  const found: string[] = [];
  for (const [from, tos] of edges) for (const to of tos) if (reaches(to, from)) found.push(`${from} → ${to} → … → ${from}`);
  return found;
}

/** Circles among files (a → b → … → a), each told once by the file where the walk met it. */
export function fileCircles(files: ImportEdge[]): string[] {
  const graph = new Map(files.map((f) => [f.path, f.imports]));
  const found: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const visit = (file: string) => {
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) found.push([...path.slice(at), next].join(' → '));
      else if (!done.has(next)) visit(next);
    }
    path.pop();
    done.add(file);
  };
  for (const file of graph.keys()) if (!done.has(file)) visit(file);
  return found;
}
