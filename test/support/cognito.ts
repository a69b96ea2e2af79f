import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../lib/local/services';
import { eventually } from './waiting';

/**
 * cognito-local, a Cognito user-pool emulator, as a child process in a folder of its own (it keeps its pools there),
 * for the tests of what the backend asks of Cognito. What it would e-mail it prints; `output()` has it.
 */
export interface CognitoEmulator {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export async function startCognito(): Promise<CognitoEmulator> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'cognito-'));
  const child = spawn(process.execPath, [require.resolve('cognito-local/lib/bin/start.js')], {
    cwd: dir,
    // It is built on the AWS SDK v2, whose end-of-support notice says nothing about the product.
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DEBUG: '', AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-100_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`cognito-local exited during start-up:\n${output}`);
    // Any HTTP answer means it is listening.
    await fetch(url, { signal: AbortSignal.timeout(1000) });
  }, 20_000);
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killOnExit);
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
