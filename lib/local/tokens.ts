import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyEnvironment, localStackSettings } from '../config';
import { getUser } from '../users/repository';
import { loadOrCreateSecret, signLocalToken } from './jwt';

/**
 * A bearer token for a user of the running local stack (`npm start`), from outside its process: the user's role is
 * read from the stack's table, the token signed with the key the stack keeps in DATA_DIR. `npm run token`, the
 * upload command and the demo all take their tokens here.
 */
export async function localTokenFor(userId: string): Promise<string> {
  const settings = localStackSettings();
  const secretPath = join(settings.dataDir, 'jwt-secret');
  if (!existsSync(secretPath)) throw new Error(`no ${secretPath}: start the local stack first (npm start)`);
  applyEnvironment({ TABLE_NAME: settings.tableName, DYNAMODB_ENDPOINT: `http://127.0.0.1:${settings.dynamodbPort}` });
  let user;
  try {
    user = await getUser(userId);
  } catch (error) {
    throw new Error(`cannot reach DynamoDB Local on port ${settings.dynamodbPort}: is \`npm start\` running? (${(error as Error).message})`);
  }
  if (!user) throw new Error(`no user ${userId}; the demo users are admin, marketing, manager, rep1, rep2, sales, agent`);
  return signLocalToken(loadOrCreateSecret(secretPath), user.userId, user.role);
}

/** The local stack's addresses as `npm start` serves them (API_PORT, SES_PORT: api.md, "The local stack"). */
export function localUrls(): { api: string; ses: string } {
  const settings = localStackSettings();
  return { api: `http://127.0.0.1:${settings.apiPort}`, ses: `http://127.0.0.1:${settings.sesPort}` };
}
