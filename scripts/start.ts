// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { DEMO_USERS } from '../lib/local/seed';
import { defaultOptions, startLocalStack } from '../lib/local/stack';

/** `npm start`: the whole backend on this machine. Ctrl-C stops every child process. */

async function main() {
  const options = defaultOptions();
  const stack = await startLocalStack(options);
  const lines = [
    '',
    'Lead backend is running locally.',
    `  HTTP API        ${stack.apiUrl}        (GET /health, GET /openapi.json)`,
    `  API reference   ${stack.apiUrl}/docs   (in a browser)`,
    `  DynamoDB Local  ${stack.dynamodbUrl}        table ${stack.tableName}`,
    `  S3 server       ${stack.s3Url}        bucket ${stack.bucket} (access key S3RVER / secret S3RVER)`,
    `  SES inbox       ${stack.sesUrl}        (sent mail as JSON at ${stack.sesUrl}/store)`,
    `  Data            ${options.dataDir}`,
    ...Object.entries(stack.schedules.nextRuns()).map(([job, at]) => `  Scheduled job   ${job} next at ${at.toISOString()}  (now: npm run -s schedule -- ${job} --at <ISO>)`),
    '',
    `  Users: ${DEMO_USERS.map((u) => `${u.userId} (${u.role})`).join(', ')}`,
    '  Token: npm run token -- admin',
    '  Demo:  npm run demo   (in another terminal: example lists in, assigned, a call logged; it prints where to look)',
    '  Lists: npm run upload -- examples/participants.xlsx --campaign <campaignId> --kind participant',
    '',
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  process.stderr.write(`Could not start the local stack: ${(error as Error).message}\n`);
  process.exit(1);
});
