// The ingest half of bench:ingest, in a process of its own so that its peak RSS is the import's alone.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.LOG_LEVEL ??= 'warn';

import { consumedCapacity } from '../lib/table/capacity';
import { dynamo } from '../lib/table/client';
import { countWrites, timed } from './support';

async function main() {
  const key = process.argv[2]!;
  const writes = countWrites(dynamo());
  const { handler } = await import('../functions/intake/handler');
  const { ms } = await timed(() => handler({ Records: [{ s3: { object: { key } }, userIdentity: { principalId: 'bench' } }] } as never));
  // maxRSS is the process's peak resident set, in kilobytes.
  process.stdout.write(JSON.stringify({ ms, items: writes.items(), reads: writes.reads(), peakMb: process.resourceUsage().maxRSS / 1024, capacity: consumedCapacity() }) + '\n');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
