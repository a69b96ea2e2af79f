// Node 20 is what these machines run; the SDK's notice about Node 22 from 2027 is known and only noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { loadOrCreateSecret, signLocalToken } from '../lib/local/jwt';
import { defaultOptions } from '../lib/local/stack';
import { getUser } from '../lib/users/repository';

/** `npm run token -- <userId>`: a bearer token for an existing user of the running local stack. */

async function main() {
  const userId = process.argv[2];
  if (!userId) throw new Error('usage: npm run token -- <userId>   (e.g. admin, manager, rep1)');
  const options = defaultOptions();
  const secretPath = join(options.dataDir, 'jwt-secret');
  if (!existsSync(secretPath)) throw new Error(`no ${secretPath}: start the local stack first (npm start)`);
  process.env.TABLE_NAME = options.tableName;
  process.env.DYNAMODB_ENDPOINT = `http://127.0.0.1:${options.dynamodbPort}`;
  let user;
  try {
    user = await getUser(userId);
  } catch (error) {
    throw new Error(`cannot reach DynamoDB Local on port ${options.dynamodbPort}: is \`npm start\` running? (${(error as Error).message})`);
  }
  if (!user) throw new Error(`no user ${userId}; the demo users are admin, marketing, manager, rep1, rep2, sales, agent`);
  process.stdout.write((await signLocalToken(loadOrCreateSecret(secretPath), user.userId, user.role)) + '\n');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
