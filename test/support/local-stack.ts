import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROUTES } from '../../lib/http/routes';
import type { RouteDefinition } from '../../lib/http/route';
import { routeMatcher } from '../../lib/local/gateway';
import { startLocalStack, type LocalStack } from '../../lib/local/stack';
import { DEMO_USERS } from '../../lib/local/seed';

/**
 * Starts the real local stack for one test file: a fresh table on the shared DynamoDB Local, its own S3 server,
 * SES emulator and gateway on free ports. `api()` calls it over HTTP as a client would.
 */

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface TestStack extends LocalStack {
  api<T = any>(method: string, path: string, options?: { as?: string; token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  sentMail(): Promise<SentMail[]>;
  /** Puts an object into the intake bucket as a marketer's upload would, and waits for the intake it triggers. */
  upload(key: string, body: Buffer | string): Promise<void>;
}

export interface SentMail {
  messageId: string;
  from: string;
  destination: { to: string[]; cc: string[]; bcc: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

/** The route a request goes to, as the gateway finds it (a literal segment before a parameter: /campaigns/metrics). */
const matchRoute = routeMatcher(ROUTES);
const routeOf = (method: string, path: string): RouteDefinition | undefined => matchRoute(method, path.split('?')[0]!)?.route;

/**
 * Every successful reply the suite receives is held against its route's declared response schema, the same one
 * /openapi.json publishes: a reply that drifts from the contract fails the test that received it.
 */
function checkAgainstContract(method: string, path: string, status: number, body: unknown): void {
  const route = routeOf(method, path);
  if (!route?.response || status < 200 || status >= 300) return;
  const parsed = route.response.safeParse(body);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${method} ${path} answered ${status} outside its declared response schema (${route.operationId}): ${issues.join('; ')}`);
  }
}

/**
 * The local stack of one test file, on the run's DynamoDB Local (test/support/global-setup.ts) in a database of the
 * file's own, and with S3 and SES servers of its own.
 */
export function useLocalStack(): () => TestStack {
  let stack: TestStack | undefined;
  let dataDir: string;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    const endpoint = process.env.TEST_DYNAMODB_ENDPOINT;
    if (!endpoint) throw new Error('TEST_DYNAMODB_ENDPOINT is not set: run the tests through jest (globalSetup starts DynamoDB Local)');
    dataDir = mkdtempSync(join(tmpdir(), 'lead-stack-'));
    const tableName = `test-${process.pid}-${Date.now().toString(36)}`;
    const local = await startLocalStack({
      apiPort: 0,
      dynamodbPort: 0,
      inMemory: true,
      s3Port: 0,
      sesPort: 0,
      dataDir,
      bucket: 'lead-intake',
      tableName,
      dynamodbEndpoint: endpoint,
      // A database of the file's own on the JVM (see dynamodbLocalCredentials): no other file's writes slow it.
      // DynamoDB Local takes access keys of letters and digits only.
      dynamodbAccessKey: tableName.replace(/[^A-Za-z0-9]/g, ''),
      // Tests fire the scheduled jobs at the instants they name; the wall clock fires nothing.
      scheduleTimers: false,
    });
    const token = async (userId: string) => {
      if (!tokens.has(userId)) {
        const role = DEMO_USERS.find((u) => u.userId === userId)?.role ?? 'user';
        tokens.set(userId, await local.token(userId, role));
      }
      return tokens.get(userId)!;
    };
    stack = {
      ...local,
      async api(method, path, options = {}) {
        const headers: Record<string, string> = { ...(options.headers ?? {}) };
        const bearer = options.token ?? (options.as ? await token(options.as) : undefined);
        if (bearer) headers.authorization = `Bearer ${bearer}`;
        let body: string | undefined = options.rawBody;
        if (options.body !== undefined) {
          body = JSON.stringify(options.body);
          headers['content-type'] = 'application/json';
        }
        const response = await fetch(local.apiUrl + path, { method, headers, body });
        const text = await response.text();
        let parsed: unknown = text;
        try {
          parsed = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON: keep the text */
        }
        checkAgainstContract(method, path, response.status, parsed);
        return { status: response.status, headers: response.headers, body: parsed as never };
      },
      async upload(key, body) {
        const client = new S3Client({ endpoint: local.s3Url, forcePathStyle: true, region: 'ap-northeast-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
        await client.send(new PutObjectCommand({ Bucket: local.bucket, Key: key, Body: body }));
        client.destroy();
        await local.intakeIdle();
      },
      async sentMail() {
        const response = await fetch(`${local.sesUrl}/store`);
        return ((await response.json()) as { emails: SentMail[] }).emails;
      },
    };
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  return () => {
    if (!stack) throw new Error('the local stack is not running');
    return stack;
  };
}
