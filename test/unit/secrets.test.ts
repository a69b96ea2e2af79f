import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Sha256 } from '@smithy/core/checksum';
import { HttpRequest } from '@smithy/core/protocols';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../lib/errors';
import { readSecret, SecretsManagerError } from '../../lib/storage/secrets';

/**
 * GetSecretValue without the SDK's client (lib/storage/secrets.ts), against a local server standing in for Secrets
 * Manager: it sends what the client sends (the same operation, protocol and body), signed so that Secrets Manager's
 * check of the signature passes, retries what the client retries and no more, and gives the secret's text.
 */

const CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: 'FwoGZXIvYXdzEXAMPLE//token+/=' };
const REGION = 'ap-northeast-1';
const ARN = 'arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:LeadsCursorKey-AbCdEf';

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

let server: Server;
let endpoint: URL;
let seen: Seen[] = [];
/** The answers the server gives, in order; the last one repeats. */
let answers: { status: number; body: unknown }[] = [];

const read = (request: IncomingMessage) =>
  new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
    seen.push({ method: request.method!, path: request.url!, headers, body: await read(request) });
    const answer = answers[Math.min(seen.length - 1, answers.length - 1)]!;
    response.writeHead(answer.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `REQ-${seen.length}` });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const saved = { ...process.env };
beforeEach(() => {
  seen = [];
  process.env.AWS_REGION = REGION;
  process.env.AWS_ACCESS_KEY_ID = CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = CREDENTIALS.secretAccessKey;
  process.env.AWS_SESSION_TOKEN = CREDENTIALS.sessionToken;
});
afterEach(() => {
  process.env = { ...saved };
});

/**
 * Secrets Manager's check: the payload hash the request carries is its body's, and the signature it computes from
 * the request as it arrived (the signed headers as they came) is the one the request carries.
 */
async function signatureHolds(request: Seen): Promise<boolean> {
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  if (request.headers['x-amz-content-sha256'] !== undefined && request.headers['x-amz-content-sha256'] !== bodyHash) return false;
  return (await authorizationOf(request)) === request.headers.authorization;
}

async function authorizationOf(request: Seen): Promise<string> {
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(request.headers.authorization!)![1]!.split(';');
  const at = request.headers['x-amz-date']!;
  const signingDate = new Date(`${at.slice(0, 4)}-${at.slice(4, 6)}-${at.slice(6, 8)}T${at.slice(9, 11)}:${at.slice(11, 13)}:${at.slice(13, 15)}Z`);
  const signer = new SignatureV4({ service: 'secretsmanager', region: REGION, credentials: CREDENTIALS, sha256: Sha256 });
  const received = new HttpRequest({
    method: request.method,
    protocol: 'http:',
    hostname: endpoint.hostname,
    port: Number(endpoint.port),
    path: request.path,
    headers: Object.fromEntries(signedHeaders.map((name) => [name, request.headers[name]!])),
    body: request.body,
  });
  const signed = await signer.sign(received, { signingDate });
  return signed.headers.authorization!;
}

describe('reading a secret from Secrets Manager', () => {
  it("sends the SDK client's request, signed as Secrets Manager checks it, and gives the secret's text", async () => {
    answers = [{ status: 200, body: { ARN, Name: 'LeadsCursorKey', SecretString: 'the cursor key', VersionId: 'v1' } }];
    await expect(readSecret(ARN, endpoint)).resolves.toBe('the cursor key');

    const client = new SecretsManagerClient({ region: REGION, credentials: CREDENTIALS, endpoint: endpoint.href, maxAttempts: 1 });
    await expect(client.send(new GetSecretValueCommand({ SecretId: ARN }))).resolves.toMatchObject({ SecretString: 'the cursor key' });
    client.destroy();

    const [ours, sdk] = seen as [Seen, Seen];
    expect({ method: ours.method, path: ours.path, body: ours.body }).toEqual({ method: sdk.method, path: sdk.path, body: sdk.body });
    for (const header of ['content-type', 'x-amz-target', 'x-amz-security-token', 'host']) expect([header, ours.headers[header]]).toEqual([header, sdk.headers[header]]);
    expect(JSON.parse(ours.body)).toEqual({ SecretId: ARN });
    // The same credential scope, and a signature that holds for the request as it arrived.
    const scope = (authorization: string) => /Credential=([^,]+)/.exec(authorization)![1]!.split('/').slice(0, 1).concat(/Credential=[^/]+\/\d{8}\/(.+?),/.exec(authorization)![1]!);
    expect(scope(ours.headers.authorization!)).toEqual(scope(sdk.headers.authorization!));
    await expect(signatureHolds(ours)).resolves.toBe(true);
    await expect(signatureHolds(sdk)).resolves.toBe(true);
    expect(/SignedHeaders=([^,]+)/.exec(ours.headers.authorization!)![1]!.split(';')).toEqual(expect.arrayContaining(['host', 'content-type', 'x-amz-target', 'x-amz-date', 'x-amz-security-token']));
  });

  it('a signature made for another body, secret or key does not hold (the check above can fail)', async () => {
    answers = [{ status: 200, body: { SecretString: 'k' } }];
    await readSecret(ARN, endpoint);
    const [request] = seen as [Seen];
    await expect(signatureHolds(request)).resolves.toBe(true);
    await expect(signatureHolds({ ...request, body: JSON.stringify({ SecretId: `${ARN}x` }) })).resolves.toBe(false);
    await expect(signatureHolds({ ...request, headers: { ...request.headers, 'x-amz-target': 'secretsmanager.ListSecrets' } })).resolves.toBe(false);
    const otherKey = { ...request, headers: { ...request.headers, authorization: request.headers.authorization!.replace('AKIAIOSFODNN7EXAMPLE', 'AKIAOTHERKEYEXAMPLE0') } };
    await expect(signatureHolds(otherKey)).resolves.toBe(false);
  });

  it('tries again after a throttle or a fault, three attempts in all, as the SDK client does', async () => {
    answers = [
      { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } },
      { status: 500, body: { __type: 'com.amazonaws.secretsmanager#InternalServiceError' } },
      { status: 200, body: { SecretString: 'third time' } },
    ];
    await expect(readSecret(ARN, endpoint)).resolves.toBe('third time');
    expect(seen).toHaveLength(3);

    seen = [];
    answers = [{ status: 503, body: {} }];
    await expect(readSecret(ARN, endpoint)).rejects.toEqual(new SecretsManagerError('HTTP503', 503));
    expect(seen).toHaveLength(3);
  });

  it("gives up at once on a refusal, naming the error's type and never its message", async () => {
    answers = [{ status: 400, body: { __type: 'com.amazonaws.secretsmanager#ResourceNotFoundException', message: `Secrets Manager can't find ${ARN}` } }];
    const error = await readSecret(ARN, endpoint).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecretsManagerError);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', status: 400 });
    expect((error as Error).message).toBe('Secrets Manager refused GetSecretValue: ResourceNotFoundException (HTTP 400)');
    expect(seen).toHaveLength(1);
  });

  it('an empty secret is a configuration error', async () => {
    answers = [{ status: 200, body: { ARN, SecretBinary: 'AAEC' } }];
    await expect(readSecret(ARN, endpoint)).rejects.toEqual(new ConfigError('the secret is empty'));
  });

  it('tries again when the connection is lost, and says so when it never comes back', async () => {
    const closed = createServer((request) => request.socket.destroy());
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    let attempts = 0;
    closed.on('request', () => (attempts += 1));
    try {
      await expect(readSecret(ARN, new URL(`http://127.0.0.1:${(closed.address() as AddressInfo).port}/`))).rejects.toThrow('fetch failed');
      expect(attempts).toBe(3);
    } finally {
      await new Promise<void>((resolve) => closed.close(() => resolve()));
    }
  });
});

describe("the secret's endpoint", () => {
  it("is the one the client resolves for the secret's region, whatever region the function runs in", async () => {
    const requested: string[] = [];
    const realFetch = globalThis.fetch;
    // Fault injection: the request goes nowhere; only where it was addressed is kept.
    globalThis.fetch = (async (url: URL) => {
      requested.push(String(url));
      return new Response(JSON.stringify({ SecretString: 'k' }), { status: 200 });
    }) as typeof fetch;
    try {
      process.env.AWS_REGION = 'us-east-1';
      for (const region of ['ap-northeast-1', 'cn-north-1', 'us-gov-west-1']) {
        const partition = region.startsWith('cn-') ? 'aws-cn' : region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
        await readSecret(`arn:${partition}:secretsmanager:${region}:123456789012:secret:LeadsCursorKey-AbCdEf`);
        const client = new SecretsManagerClient({ region, credentials: CREDENTIALS });
        const resolved = await client.config.endpointProvider({ Region: region, UseFIPS: false, UseDualStack: false });
        client.destroy();
        expect(requested.at(-1)).toBe(resolved.url.href);
      }
    } finally {
      globalThis.fetch = realFetch;
    }
  });
});
