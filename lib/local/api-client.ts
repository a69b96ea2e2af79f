import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { sleep } from '../async';
import { FINISHED_STATUSES, type Import, type ImportKind } from '../intake/schema';

/**
 * A small client of the HTTP API for the command line: `npm run upload` and `npm run demo` use it against the local
 * stack, and it works as well against a deployed API with a real token. Node's own fetch is all it needs.
 */

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
}

/** A problem+json answer read as one line: its detail, and each field error after it. */
function problemText(status: number, text: string): string {
  try {
    const problem = JSON.parse(text) as { title?: string; detail?: string; errors?: { path: string; message: string }[] };
    const errors = (problem.errors ?? []).map((e) => `${e.path}: ${e.message}`);
    return [`${status} ${problem.title ?? ''}`.trim(), problem.detail, ...errors].filter(Boolean).join(' — ');
  } catch {
    return `${status} ${text.slice(0, 200)}`;
  }
}

export function apiClient(baseUrl: string, token: string): ApiClient {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    baseUrl: base,
    async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      let response: Response;
      try {
        response = await fetch(base + path, {
          method,
          headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
      } catch (error) {
        throw new ApiCallError(0, `cannot reach the API at ${base}: is \`npm start\` running? (${(error as Error).cause ?? (error as Error).message})`);
      }
      const text = await response.text();
      if (!response.ok) throw new ApiCallError(response.status, `${method} ${path}: ${problemText(response.status, text)}`);
      return (text ? JSON.parse(text) : undefined) as T;
    },
  };
}

export interface UploadRequest {
  filePath: string;
  campaignId: string;
  kind: ImportKind;
  /** The name the import shows; the file's own name by default. */
  fileName?: string;
}

/**
 * POST /imports for a presigned upload of the file's size, then the PUT with the headers the answer names (they are
 * signed). The file is read whole: lists are limited in size (200 MB by default), and a PUT whose length is signed
 * needs that length known beforehand anyway.
 */
export async function uploadList(client: ApiClient, request: UploadRequest): Promise<{ importId: string; key: string }> {
  const fileName = request.fileName ?? basename(request.filePath);
  const { size } = await stat(request.filePath).catch((error: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${request.filePath}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  const upload = await client.call<{ importId: string; key: string; uploadUrl: string; uploadHeaders: Record<string, string> }>('POST', '/imports', {
    campaignId: request.campaignId,
    kind: request.kind,
    fileName,
    sizeBytes: size,
  });
  const put = await fetch(upload.uploadUrl, { method: 'PUT', headers: upload.uploadHeaders, body: await readFile(request.filePath) }).catch((error: Error) => {
    throw new Error(`cannot reach the bucket at ${new URL(upload.uploadUrl).origin}: ${error.cause ?? error.message}`);
  });
  if (!put.ok) throw new Error(`the upload was refused: ${put.status} ${(await put.text()).slice(0, 300)}`);
  return { importId: upload.importId, key: upload.key };
}

/** One line of an import's progress: rows done of the file's rows once the import has counted them. */
export function progressLine(record: Pick<Import, 'fileName' | 'status' | 'counts' | 'totalRows'>): string {
  const done = record.counts.rows;
  const rows = record.totalRows === undefined ? (record.status === 'queued' ? '' : `${done} rows (counting the file…)`) : `${done}/${record.totalRows} rows`;
  return `${record.fileName}: ${record.status}${rows ? `, ${rows}` : ''}`;
}

/** What an import ended with, in one line: the counts that say what became of each row, and why it failed. */
export function outcomeLine(record: Import): string {
  const c = record.counts;
  if (record.status === 'failed') return `${record.fileName}: failed — ${record.reason ?? 'no reason recorded'} (${c.rows} rows committed)`;
  const parts = [`created ${c.created}`, `matched ${c.matched}`, `updated ${c.updated}`, `unchanged ${c.unchanged}`, `merged ${c.merged}`, `rejected ${c.rejected}`];
  return `${record.fileName}: ${record.status}, ${c.rows}/${record.totalRows ?? c.rows} rows — ${parts.join(', ')}`;
}

export interface FollowOptions {
  /** Called with the record every time what it says changes, until it has ended (then followImport returns it). */
  onProgress?: (record: Import) => void;
  pollMs?: number;
  /** An import still queued this long after the upload was never picked up: stop waiting and say so. */
  queuedTimeoutMs?: number;
}

/** Polls GET /imports/{importId} until the import has ended; returns its last record. */
export async function followImport(client: ApiClient, importId: string, options: FollowOptions = {}): Promise<Import> {
  const pollMs = options.pollMs ?? 500;
  const queuedDeadline = Date.now() + (options.queuedTimeoutMs ?? 60_000);
  let last = '';
  for (;;) {
    const record = await client.call<Import>('GET', `/imports/${encodeURIComponent(importId)}`);
    const seen = JSON.stringify([record.status, record.counts, record.totalRows]);
    if (FINISHED_STATUSES.includes(record.status)) return record;
    if (seen !== last) {
      last = seen;
      options.onProgress?.(record);
    }
    if (record.status === 'queued' && Date.now() > queuedDeadline) {
      throw new Error(`import ${importId} is still queued ${Math.round((options.queuedTimeoutMs ?? 60_000) / 1000)} s after its upload: is the intake running (npm start)?`);
    }
    await sleep(pollMs);
  }
}

/** Progress on a terminal: one line rewritten in place; elsewhere (a log, a pipe), a plain line per change. */
export function progressPrinter(stream: NodeJS.WriteStream = process.stdout) {
  let open = false;
  return {
    update(line: string) {
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${line}`);
        open = true;
      } else stream.write(`${line}\n`);
    },
    /** Ends the line being rewritten (if any) and writes this one below it. */
    done(line: string) {
      if (open) stream.write('\n');
      open = false;
      stream.write(`${line}\n`);
    },
  };
}
