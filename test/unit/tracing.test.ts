import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { readSecret } from '../../lib/storage/secrets';
import { daemonAddress, traced } from '../../lib/tracing';
import { observedHandler } from '../../lib/observability';

/**
 * The X-Ray documents an invocation sends to the daemon (lib/tracing.ts): read off a UDP socket standing in for the
 * daemon Lambda runs, with an SDK client whose HTTP handler answers as DynamoDB would (a 200, or a 400 throttle).
 */

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const LAMBDA_SEGMENT = '53995c3f42cd8ad8';

interface Document {
  id: string;
  name: string;
  type: string;
  trace_id: string;
  parent_id: string;
  start_time: number;
  end_time: number;
  namespace?: string;
  annotations?: Record<string, unknown>;
  aws?: Record<string, unknown>;
  http?: { response: { status: number } };
  error?: boolean;
  fault?: boolean;
  throttle?: boolean;
  cause?: { exceptions: { type: string }[] };
}

let daemon: Socket;
let received: { header: string; document: Document }[] = [];

beforeAll(async () => {
  daemon = createSocket('udp4');
  daemon.on('message', (message) => {
    const [header, body] = message.toString('utf8').split('\n');
    received.push({ header: header!, document: JSON.parse(body!) as Document });
  });
  await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${(daemon.address() as AddressInfo).port}`;
});

afterAll(() => {
  delete process.env.AWS_XRAY_DAEMON_ADDRESS;
  delete process.env._X_AMZN_TRACE_ID;
  daemon.close();
});

beforeEach(() => {
  received = [];
});

/** What the fake DynamoDB saw of each request's trace header. */
const traceHeadersSent: string[] = [];

function dynamoDbAnswering(status: number, body: unknown): DynamoDBClient {
  return traced(
    new DynamoDBClient({
      region: 'ap-northeast-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
      requestHandler: {
        handle: async (request: { headers: Record<string, string> }) => {
          traceHeadersSent.push(request.headers['X-Amzn-Trace-Id'] ?? '');
          const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'REQ-1' };
          return { response: { statusCode: status, headers, body: Buffer.from(JSON.stringify(body)) } };
        },
      },
    }),
  );
}

const getLead = (client: DynamoDBClient) => client.send(new GetItemCommand({ TableName: 'Leads', Key: { PK: { S: 'LEAD#taro@example.com' }, SK: { S: 'LEAD' } } }));

async function documents(count: number): Promise<{ header: string; document: Document }[]> {
  // The sends are awaited by the invocation; the socket's events may still be on their way.
  while (received.length < count) await new Promise((resolve) => setImmediate(resolve));
  return received;
}

describe('X-Ray traces of an invocation', () => {
  test('the handler is a subsegment of the Lambda segment, each SDK call one of the handler, with no key or value of the request', async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`;
    const client = dynamoDbAnswering(200, { Item: { PK: { S: 'LEAD#taro@example.com' } } });
    const handler = observedHandler(async () => {
      await getLead(client);
      return 'done';
    });
    await expect(handler({})).resolves.toBe('done');

    const sent = await documents(2);
    expect(sent.map((s) => s.header)).toEqual(['{"format":"json","version":1}', '{"format":"json","version":1}']);
    const call = sent.find((s) => s.document.namespace === 'aws')!.document;
    const invocation = sent.find((s) => s.document.name.startsWith('## '))!.document;
    expect(invocation).toMatchObject({ type: 'subsegment', trace_id: ROOT, parent_id: LAMBDA_SEGMENT, annotations: { ColdStart: true } });
    expect(call).toMatchObject({
      type: 'subsegment',
      name: 'DynamoDB',
      trace_id: ROOT,
      parent_id: invocation.id,
      aws: { operation: 'GetItem', region: 'ap-northeast-1', request_id: 'REQ-1', retries: 0 },
      http: { response: { status: 200 } },
    });
    expect(call.error ?? call.fault ?? call.throttle).toBeUndefined();
    expect(call.start_time).toBeGreaterThanOrEqual(invocation.start_time);
    expect(call.end_time).toBeLessThanOrEqual(invocation.end_time);
    // The call carries the trace on to DynamoDB, with its own subsegment as the parent.
    expect(traceHeadersSent.at(-1)).toBe(`Root=${ROOT};Parent=${call.id};Sampled=1`);
    expect(JSON.stringify(sent)).not.toContain('taro@example.com');
  });

  test('a throttled call is flagged with its error type, and the handler that failed with it is a fault', async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`;
    const client = dynamoDbAnswering(400, { __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException', message: 'Rate of requests exceeds the allowed throughput for taro@example.com' });
    const handler = observedHandler(async () => getLead(client));
    await expect(handler({})).rejects.toThrow('Rate of requests');

    const sent = await documents(2);
    const call = sent.find((s) => s.document.namespace === 'aws')!.document;
    const invocation = sent.find((s) => s.document.name.startsWith('## '))!.document;
    expect(call).toMatchObject({ error: true, throttle: true, http: { response: { status: 400 } }, cause: { exceptions: [{ type: 'ProvisionedThroughputExceededException' }] } });
    expect(invocation).toMatchObject({ fault: true, annotations: { ColdStart: false }, cause: { exceptions: [{ type: 'ProvisionedThroughputExceededException' }] } });
    expect(JSON.stringify(sent)).not.toContain('taro@example.com');
  });

  test('an unsampled invocation, or one outside Lambda, sends nothing and passes no trace on', async () => {
    for (const header of [`Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=0`, undefined]) {
      if (header) process.env._X_AMZN_TRACE_ID = header;
      else delete process.env._X_AMZN_TRACE_ID;
      const client = dynamoDbAnswering(200, { Item: {} });
      await observedHandler(async () => getLead(client))({});
      expect(traceHeadersSent.at(-1)).toBe('');
    }
    // A call outside any invocation: nothing to hang it on.
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`;
    await getLead(dynamoDbAnswering(200, { Item: {} }));
    // A sampled invocation after them proves the socket was listening all along.
    await observedHandler(async () => 'done')({});
    const sent = await documents(1);
    expect(sent.map((s) => s.document.name)).toEqual([expect.stringMatching(/^## /)]);
  });

  test('a call made without an SDK client (the secret read) is traced as a client call is, with its retries', async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'ap-northeast-1' });
    const headers: string[] = [];
    const secretsManager = createServer((request, response) => {
      headers.push(String(request.headers['x-amzn-trace-id']));
      const throttled = headers.length === 1;
      response.writeHead(throttled ? 400 : 200, { 'x-amzn-requestid': `SM-${headers.length}` });
      response.end(JSON.stringify(throttled ? { __type: 'ThrottlingException' } : { SecretString: 'key' }));
    });
    await new Promise<void>((resolve) => secretsManager.listen(0, '127.0.0.1', resolve));
    try {
      const endpoint = new URL(`http://127.0.0.1:${(secretsManager.address() as AddressInfo).port}/`);
      await expect(observedHandler(async () => readSecret('arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:k', endpoint))({})).resolves.toBe('key');
    } finally {
      await new Promise<void>((resolve) => secretsManager.close(() => resolve()));
      for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION']) delete process.env[name];
    }
    const sent = await documents(2);
    const call = sent.find((s) => s.document.namespace === 'aws')!.document;
    const invocation = sent.find((s) => s.document.name.startsWith('## '))!.document;
    expect(call).toMatchObject({ name: 'Secrets Manager', parent_id: invocation.id, aws: { operation: 'GetSecretValue', region: 'ap-northeast-1', request_id: 'SM-2', retries: 1 }, http: { response: { status: 200 } } });
    expect(headers).toEqual([`Root=${ROOT};Parent=${call.id};Sampled=1`, `Root=${ROOT};Parent=${call.id};Sampled=1`]);
  });

  test('a client traced twice records each call once', async () => {
    process.env._X_AMZN_TRACE_ID = `Root=${ROOT};Parent=${LAMBDA_SEGMENT};Sampled=1`;
    const client = traced(dynamoDbAnswering(200, { Item: {} }));
    await observedHandler(async () => getLead(client))({});
    const sent = await documents(2);
    expect(sent.filter((s) => s.document.namespace === 'aws')).toHaveLength(1);
  });
});

describe("the daemon's address", () => {
  test.each([
    ['169.254.79.129:2000', { host: '169.254.79.129', port: 2000 }],
    ['tcp:127.0.0.1:2000 udp:127.0.0.2:2001', { host: '127.0.0.2', port: 2001 }],
    ['udp:localhost:3000', { host: 'localhost', port: 3000 }],
  ])('%s', (setting, address) => {
    expect(daemonAddress(setting)).toEqual(address);
  });
});
