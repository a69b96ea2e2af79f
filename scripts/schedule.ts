// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// What this prints is the job's result as JSON; the job's own log lines would get in its way.
process.env.LOG_LEVEL ??= 'warn';

import { defaultOptions } from '../lib/local/stack';

/**
 * `npm run -s schedule -- <job> [--at <ISO timestamp>]`: runs one scheduled job at once against the running local
 * stack (its DynamoDB Local and table, as `npm start` runs them; or the table TABLE_NAME names, at DYNAMODB_ENDPOINT
 * when set), as if it were that time, and prints the job's result as JSON. The stack's dispatcher sends the e-mails
 * the job puts in the outbox.
 *
 * Exit codes: 0 done; 1 the job failed (or the local stack is not running); 2 the command line is wrong (an unknown
 * job, a missing or unreadable --at).
 */

const JOBS: Record<string, () => Promise<(event: { job: string; scheduledTime: string }) => Promise<unknown>>> = {
  'daily-digest': async () => (await import('../functions/jobs/daily-digest')).handler,
  'weekly-report': async () => (await import('../functions/jobs/weekly-report')).handler,
};

const USAGE = `usage: npm run -s schedule -- <job> [--at <ISO timestamp with offset, e.g. 2026-12-02T08:00:00+09:00>]
jobs: ${Object.keys(JOBS).join(', ')}`;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An ISO 8601 timestamp with its offset (or Z): a time without one would depend on this machine's zone. */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/u;

function parseArguments(argv: readonly string[]): { job: string; at?: Date } {
  const args = [...argv];
  const job = args.shift();
  if (!job || job.startsWith('-')) throw new UsageError('name the job to run');
  if (!Object.hasOwn(JOBS, job)) throw new UsageError(`unknown job "${job}"`);
  let at: Date | undefined;
  while (args.length > 0) {
    const arg = args.shift()!;
    const value = arg === '--at' ? args.shift() : arg.startsWith('--at=') ? arg.slice('--at='.length) : undefined;
    if (value === undefined) throw new UsageError(arg === '--at' ? '--at needs a timestamp' : `unknown argument "${arg}"`);
    if (!ISO_WITH_OFFSET.test(value) || Number.isNaN(Date.parse(value))) throw new UsageError(`--at must be an ISO 8601 timestamp with an offset, not "${value}"`);
    at = new Date(value);
  }
  return { job, ...(at ? { at } : {}) };
}

async function main(): Promise<number> {
  let command: ReturnType<typeof parseArguments>;
  try {
    command = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (!process.env.TABLE_NAME) {
    const options = defaultOptions();
    process.env.TABLE_NAME = options.tableName;
    process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${options.dynamodbPort}`;
  }
  const handler = await JOBS[command.job]!();
  try {
    const result = await handler({ job: command.job, scheduledTime: (command.at ?? new Date()).toISOString() });
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    // A run that served some users (or managers) and not others says what it did, then fails.
    const partial = (error as { result?: unknown }).result;
    if (partial !== undefined) process.stdout.write(`${JSON.stringify(partial, null, 2)}\n`);
    const unreachable = /ECONNREFUSED|fetch failed|socket hang up/i.test(`${(error as Error).message} ${String((error as { cause?: unknown }).cause ?? '')}`);
    process.stderr.write(
      unreachable
        ? `cannot reach DynamoDB at ${process.env.DYNAMODB_ENDPOINT ?? 'the AWS endpoint'}: is \`npm start\` running? (${(error as Error).name})\n`
        : `${command.job} failed: ${(error as Error).name}: ${(error as Error).message}\n`,
    );
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  },
);
