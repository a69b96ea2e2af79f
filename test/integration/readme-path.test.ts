import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../lib/local/stack';
import { DEMO_USERS } from '../../lib/local/seed';

/**
 * The README's "Try it by hand", run as a newcomer runs it: its shell blocks, extracted from README.md and run in
 * order by one bash, against a local stack started as `npm start` starts it. Every command must succeed, and at
 * the end the campaign's leads are in the API and the assignment's mail is in the SES emulator.
 *
 * What differs from a newcomer's machine, and why:
 * - The stack listens on ports of its own (other test files run beside this one), so the README's addresses
 *   (localhost:3000, 127.0.0.1:4569, localhost:8005) are rewritten to them, and the commands get API_PORT, S3_PORT,
 *   SES_PORT, DYNAMODB_PORT, DATA_DIR and TABLE_NAME, as someone who moved `npm start` elsewhere would set them.
 * - The commands run with a bare environment (PATH, HOME, a language), no AWS credentials or config files: a line
 *   that does not carry its own credentials fails here as it would there.
 * - curl is made to fail on an HTTP error (--fail-with-body), so a refused request fails the run instead of printing
 *   a problem and going on.
 * - Where the AWS CLI is not installed, `aws … s3 cp` is run by an equivalent: the same arguments given to the AWS SDK
 *   for JavaScript, which reads the same inline variables (credentials, region) and puts the object path-style at
 *   the same endpoint. Where it is installed, the real CLI runs.
 */

const ROOT = join(__dirname, '..', '..');
const README_PORTS = { api: 3000, s3: 4569, ses: 8005 };

/** The ```sh blocks of the README's "Try it by hand" section, in order. */
function tryItByHandBlocks(readme: string): string[] {
  const start = readme.indexOf('## Try it by hand');
  if (start < 0) throw new Error('README.md has no "Try it by hand" section');
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/** `aws --endpoint-url URL s3 cp FILE s3://BUCKET/KEY` through the SDK, for machines without the AWS CLI. */
const AWS_EQUIVALENT = `
const { readFileSync } = require('node:fs');
const { S3Client, PutObjectCommand } = require(require.resolve('@aws-sdk/client-s3', { paths: [process.cwd()] }));
const args = process.argv.slice(2);
const endpoint = args[args.indexOf('--endpoint-url') + 1];
const cp = args.indexOf('cp');
if (args[cp - 1] !== 's3' || cp < 0) { console.error('only "aws --endpoint-url URL s3 cp FILE s3://BUCKET/KEY" is stood in for'); process.exit(2); }
const [, bucket, key] = /^s3:\\/\\/([^/]+)\\/(.+)$/.exec(args[cp + 2]);
const client = new S3Client({ endpoint, forcePathStyle: true });
client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(args[cp + 1]) })).then(
  () => console.log('upload: ' + args[cp + 1] + ' to ' + args[cp + 2]),
  (error) => { console.error(error.name + ': ' + error.message); process.exit(1); },
);
`;

function runBash(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ status: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ status: code ?? signal ?? 'unknown', stdout, stderr });
    });
  });
}

describe("the README's path", () => {
  let stack: LocalStack;
  let dataDir: string;

  beforeAll(async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
    if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (globalSetup starts DynamoDB Local)');
    dataDir = mkdtempSync(join(tmpdir(), 'readme-path-'));
    stack = await startLocalStack({
      apiPort: 0,
      dynamodbPort: 0,
      s3Port: 0,
      sesPort: 0,
      inMemory: true,
      dataDir,
      bucket: 'lead-intake',
      tableName: `readme-${process.pid}-${Date.now().toString(36)}`,
      dynamodbEndpoint: endpoint,
      scheduleTimers: false,
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  test('Try it by hand, copied line by line, ends with leads in the API and mail in the inbox', async () => {
    const blocks = tryItByHandBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    const port = (url: string) => new URL(url).port;
    const script = blocks
      .join('\n')
      .replaceAll(`localhost:${README_PORTS.api}`, `127.0.0.1:${port(stack.apiUrl)}`)
      .replaceAll(`127.0.0.1:${README_PORTS.s3}`, `127.0.0.1:${port(stack.s3Url)}`)
      .replaceAll(`localhost:${README_PORTS.ses}`, `127.0.0.1:${port(stack.sesUrl)}`);
    // Nothing of the README's own ports may be left: a missed one would reach whatever else listens there.
    for (const p of Object.values(README_PORTS)) expect(script).not.toMatch(new RegExp(`(localhost|127\\.0\\.0\\.1):${p}\\b`));

    const equivalent = join(dataDir, 'aws-equivalent.js');
    writeFileSync(equivalent, AWS_EQUIVALENT);
    const prelude = [
      'set -euo pipefail',
      'curl() { command curl --fail-with-body "$@"; }',
      `command -v aws >/dev/null || aws() { node ${JSON.stringify(equivalent)} "$@"; }`,
    ].join('\n');
    const env = {
      PATH: process.env.PATH!,
      HOME: process.env.HOME ?? dataDir,
      LANG: 'C.UTF-8',
      AWS_CONFIG_FILE: join(dataDir, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-aws-credentials'),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      API_PORT: port(stack.apiUrl),
      S3_PORT: port(stack.s3Url),
      SES_PORT: port(stack.sesUrl),
      DYNAMODB_PORT: port(stack.dynamodbUrl),
      DATA_DIR: dataDir,
      TABLE_NAME: stack.tableName,
    };
    // Asynchronously: the stack the commands talk to runs in this process.
    const run = await runBash(`${prelude}\n${script}\necho "README-CAMPAIGN=$CAMPAIGN"`, env, 170_000);
    if (run.status !== 0) throw new Error(`the README's commands stopped with exit ${run.status}:\n${`${run.stdout}\n${run.stderr}`.slice(-4000)}`);

    // A list dropped into the bucket imports after the `aws s3 cp` has returned.
    await stack.intakeIdle();
    const campaignId = /README-CAMPAIGN=(\S+)/.exec(run.stdout)?.[1];
    expect(campaignId).toMatch(/^[0-9A-Z]{26}$/);
    // The progress of each upload, rows done of the file's rows.
    expect(run.stdout).toMatch(/participants\.xlsx: succeeded, 12\/12 rows — created 5, matched 6, updated 0, unchanged 0, merged 1, rejected 0/);
    expect(run.stdout).toMatch(/update\.xlsx: succeeded, 10\/10 rows — created 0, matched 0, updated 10/);

    const manager = await stack.token('manager', DEMO_USERS.find((u) => u.userId === 'manager')!.role);
    const get = async (path: string) => {
      const response = await fetch(stack.apiUrl + path, { headers: { authorization: `Bearer ${manager}` } });
      expect(response.status).toBe(200);
      return response.json() as Promise<any>;
    };
    const leads = await get(`/leads?campaignId=${campaignId}&limit=100`);
    expect(leads.items).toHaveLength(17);
    expect(new Set(leads.items.map((l: { ownerId?: string }) => l.ownerId))).toEqual(new Set(['rep1', 'rep2']));
    const imports = await get(`/imports?campaignId=${campaignId}`);
    // invitation, participant and update through `npm run upload`, and the participant list again through the bucket.
    expect(imports.items.map((i: { kind: string; status: string }) => `${i.kind} ${i.status}`).sort()).toEqual([
      'invitation succeeded',
      'participant succeeded',
      'participant succeeded',
      'update succeeded',
    ]);
    expect(await get(`/campaigns/${campaignId}/metrics`)).toMatchObject({ invited: 12, responded: 11, invitedResponded: 6, walkIns: 5, newLeads: 17 });

    await stack.outboxIdle();
    const { emails } = (await (await fetch(`${stack.sesUrl}/store`)).json()) as { emails: { destination: { to: string[] }; subject: string }[] };
    const to = new Set(emails.flatMap((mail) => mail.destination.to));
    expect([...to]).toEqual(expect.arrayContaining(['rep1@example.com', 'rep2@example.com']));
  }, 200_000);
});
