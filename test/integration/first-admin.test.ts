import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { handler } from '../../functions/setup/first-admin';
import { ConflictError } from '../../lib/errors';
import { resetCognitoClient } from '../../lib/storage/sign-in';
import { startCognito, type CognitoEmulator } from '../support/cognito';
import { useLocalStack } from '../support/local-stack';

/**
 * The first-admin custom resource's function, as CloudFormation's provider framework calls it, against a Cognito
 * emulator (cognito-local) and the local stack's DynamoDB: the admin gets a sign-in and the user record POST /users
 * would write, once, however often the stack deploys.
 */

const stack = useLocalStack();
let cognito: CognitoEmulator;
let client: CognitoIdentityProviderClient;
let poolId: string;

beforeAll(async () => {
  cognito = await startCognito();
  client = new CognitoIdentityProviderClient({ endpoint: cognito.url, region: 'ap-northeast-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // As infra/api.ts makes it: people sign in by e-mail address.
  const pool = await client.send(new CreateUserPoolCommand({ PoolName: 'first-admin-test', UsernameAttributes: ['email'] }));
  poolId = pool.UserPool!.Id!;
  process.env.USER_POOL_ID = poolId;
  process.env.COGNITO_ENDPOINT = cognito.url;
  resetCognitoClient();
}, 60_000);

afterAll(async () => {
  resetCognitoClient();
  client?.destroy();
  delete process.env.USER_POOL_ID;
  delete process.env.COGNITO_ENDPOINT;
  await cognito?.stop();
});

const base = {
  ServiceToken: 'arn:aws:lambda:ap-northeast-1:123456789012:function:provider',
  ResponseURL: 'https://example.com/response',
  StackId: 'arn:aws:cloudformation:ap-northeast-1:123456789012:stack/LeadBackend-dev/1',
  LogicalResourceId: 'FirstAdminResource',
  ResourceType: 'Custom::FirstAdmin',
};
const create = (email: string, name = 'Admin', requestId = 'r1'): CloudFormationCustomResourceEvent =>
  ({ ...base, RequestType: 'Create', RequestId: requestId, ResourceProperties: { ServiceToken: base.ServiceToken, email, name } }) as CloudFormationCustomResourceEvent;
const update = (physicalId: string, email: string, name = 'Admin'): CloudFormationCustomResourceEvent =>
  ({
    ...base,
    RequestType: 'Update',
    RequestId: 'r2',
    PhysicalResourceId: physicalId,
    ResourceProperties: { ServiceToken: base.ServiceToken, email, name },
    OldResourceProperties: { ServiceToken: base.ServiceToken, email, name },
  }) as CloudFormationCustomResourceEvent;

const signInOf = (email: string) => client.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: email }));
const subOf = async (email: string) => (await signInOf(email)).UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
const usersWithEmail = async (email: string) => {
  const all = await stack().api('GET', '/users?limit=100', { as: 'admin' });
  return (all.body.items as { email: string; userId: string }[]).filter((u) => u.email === email);
};

test('makes a sign-in with an e-mailed temporary password and the admin user record keyed by its sub; the admin can then use the API', async () => {
  const answer = await handler(create('first.admin@example.com', '管理 太郎'));

  const signIn = await signInOf('first.admin@example.com');
  const sub = await subOf('first.admin@example.com');
  expect(answer).toEqual({ PhysicalResourceId: sub, Data: { UserId: sub } });
  // A temporary password, to be changed at the first sign-in, sent by e-mail (the emulator prints what it would send).
  expect(signIn.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
  expect(signIn.UserAttributes).toEqual(expect.arrayContaining([{ Name: 'email', Value: 'first.admin@example.com' }, { Name: 'email_verified', Value: 'true' }]));
  // Without EMAIL among the delivery mediums the emulator, as Cognito, would try SMS and find no phone number.
  expect(cognito.output()).toMatch(/Confirmation Code Delivery[\s\S]*Destination:\s+first\.admin@example\.com/);

  // The record POST /users would write, and the role the API reads: the admin lists users with its own token.
  const me = await stack().api('GET', `/users/${sub}`, { token: await stack().token(sub, 'admin') });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({ userId: sub, name: '管理 太郎', email: 'first.admin@example.com', role: 'admin', active: true, version: 1 });
});

test('is safe on every deploy: no second sign-in, no second record, and an admin’s later edits are kept', async () => {
  const first = await handler(create('again@example.com'));
  const renamed = await stack().api('PATCH', `/users/${first.PhysicalResourceId}`, { as: 'admin', headers: { 'if-match': '"1"' }, body: { name: 'Renamed Admin', team: 'HQ' } });
  expect(renamed.status).toBe(200);

  const second = await handler(update(first.PhysicalResourceId, 'again@example.com'));
  const third = await handler(create('again@example.com', 'Admin', 'r3'));
  expect([second, third]).toEqual([first, first]);

  const pool = await client.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email = "again@example.com"' }));
  expect(pool.Users).toHaveLength(1);
  expect(await usersWithEmail('again@example.com')).toEqual([expect.objectContaining({ userId: first.PhysicalResourceId, name: 'Renamed Admin', team: 'HQ', version: 2 })]);
});

test('takes a sign-in that exists already (made by hand) and writes its record', async () => {
  await client.send(
    new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'by.hand@example.com', UserAttributes: [{ Name: 'email', Value: 'by.hand@example.com' }], MessageAction: 'SUPPRESS' }),
  );
  const sub = await subOf('by.hand@example.com');
  expect(await handler(create('by.hand@example.com'))).toEqual({ PhysicalResourceId: sub, Data: { UserId: sub } });
  expect(await usersWithEmail('by.hand@example.com')).toEqual([expect.objectContaining({ userId: sub, role: 'admin' })]);
});

test('folds the address as POST /users does (full-width input), and refuses one that is not an address before touching anything', async () => {
  const answer = await handler(create('ＷＩＤＥ＠ｅｘａｍｐｌｅ．ｃｏｍ'));
  expect(await subOf('WIDE@example.com')).toBe(answer.PhysicalResourceId);
  await expect(handler(create('not an address'))).rejects.toThrow();
  expect(await usersWithEmail('not an address')).toEqual([]);
});

test('fails the deploy, naming the reason, when another user record already has the address', async () => {
  const other = await stack().api('POST', '/users', { as: 'admin', body: { name: 'Someone', email: 'taken@example.com', role: 'rep' } });
  expect(other.status).toBe(201);
  const attempt = handler(create('taken@example.com'));
  await expect(attempt).rejects.toBeInstanceOf(ConflictError);
  await expect(attempt).rejects.toThrow(/another user record already has the address taken@example\.com/);
  expect(await usersWithEmail('taken@example.com')).toEqual([expect.objectContaining({ userId: other.body.userId, role: 'rep' })]);
});

test('leaves the sign-in and the record in place on delete', async () => {
  const made = await handler(create('stays@example.com'));
  const answer = await handler({ ...base, RequestType: 'Delete', RequestId: 'r9', PhysicalResourceId: made.PhysicalResourceId, ResourceProperties: { ServiceToken: base.ServiceToken, email: 'stays@example.com', name: 'Admin' } } as CloudFormationCustomResourceEvent);
  expect(answer).toEqual({ PhysicalResourceId: made.PhysicalResourceId });
  expect((await signInOf('stays@example.com')).Username).toBeDefined();
  expect(await usersWithEmail('stays@example.com')).toHaveLength(1);
});

test('fails, writing no record, when Cognito cannot be reached (fault injection: a closed port)', async () => {
  process.env.COGNITO_ENDPOINT = 'http://127.0.0.1:9';
  resetCognitoClient();
  try {
    await expect(handler(create('unreachable@example.com'))).rejects.toThrow();
  } finally {
    process.env.COGNITO_ENDPOINT = cognito.url;
    resetCognitoClient();
  }
  expect(await usersWithEmail('unreachable@example.com')).toEqual([]);
});
