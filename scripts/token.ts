// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { localTokenFor } from '../lib/local/tokens';

/** `npm run token -- <userId>`: a bearer token for an existing user of the running local stack. */

async function main() {
  const userId = process.argv[2];
  if (!userId) throw new Error('usage: npm run token -- <userId>   (e.g. admin, manager, rep1)');
  process.stdout.write((await localTokenFor(userId)) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
