import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { config } from './config';

/**
 * X-Ray traces: each invocation's handler is a subsegment of the segment Lambda opens for it, and every AWS SDK call
 * made through a `traced` client is a subsegment of the handler's, with the service, operation, region, request id,
 * attempts, HTTP status and the error, throttle or fault flag X-Ray's console groups by. The documents go to the
 * X-Ray daemon Lambda runs beside the function, over UDP, in the daemon's documented format.
 *
 * Written here rather than taken from Powertools' Tracer, which the rest of our observability uses: the Tracer
 * brings the whole X-Ray SDK with its context store (about 115 KB minified, a quarter of an API function's 500 KB
 * budget; test/infra/bundles.test.ts) for patchers, samplers and a context library Lambda does not need. What is kept is
 * the part of it this product uses: its subsegment documents, field for field (aws-xray-sdk-core's aws3_p.js,
 * attributes/subsegment.js). Nothing of a request or response body is recorded: they carry personal data.
 *
 * Tracing is on only where Lambda asks for it: a sampled trace header for the invocation and a daemon address. Tests
 * and the local stack have neither, so nothing is sent there.
 */

interface TraceHeader {
  root: string;
  parent: string;
}

interface Subsegment {
  id: string;
  name: string;
  start_time: number;
  end_time?: number;
  type: 'subsegment';
  trace_id: string;
  parent_id: string;
  namespace?: 'aws';
  annotations?: Record<string, string | number | boolean>;
  aws?: Record<string, string | number>;
  http?: { response: { status: number } };
  error?: true;
  fault?: true;
  throttle?: true;
  cause?: { exceptions: { id: string; type: string; remote?: true }[] };
}

/** The handler's subsegment of the invocation running now: Lambda runs one invocation at a time per environment. */
let invocation: Subsegment | undefined;
let coldStart = true;
/** Sends not yet handed to the daemon; the invocation waits for them before Lambda may freeze the environment. */
const sending = new Set<Promise<void>>();

/** `Root=1-…;Parent=…;Sampled=1` from the runtime (InvokeStore on newer runtimes, the environment on others). */
function sampledTraceHeader(): TraceHeader | undefined {
  const store = (globalThis as { awslambda?: { InvokeStore?: { getXRayTraceId?: () => string | undefined } } }).awslambda?.InvokeStore;
  const header = store?.getXRayTraceId?.() ?? config.lambdaTraceHeader();
  if (!header || !config.xrayDaemonAddress()) return undefined;
  const fields = new Map(header.split(';').map((part) => part.trim().split('=') as [string, string]));
  const root = fields.get('Root');
  const parent = fields.get('Parent');
  return root && parent && fields.get('Sampled') === '1' ? { root, parent } : undefined;
}

/** `host:port`, or `udp:host:port tcp:host:port` (the SDK's two-address form); documents go by UDP. */
export function daemonAddress(setting: string): { host: string; port: number } {
  const udp = setting.split(/\s+/).find((part) => part.startsWith('udp:')) ?? setting.trim();
  const [host, port] = udp.replace(/^udp:/, '').split(/:(?=\d+$)/);
  return { host: host!, port: Number(port) };
}

const newId = () => randomBytes(8).toString('hex');
const now = () => Date.now() / 1000;

function send(document: Subsegment): void {
  const setting = config.xrayDaemonAddress();
  if (!setting) return;
  const { host, port } = daemonAddress(setting);
  const message = Buffer.from(`{"format":"json","version":1}\n${JSON.stringify(document)}`);
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  // A trace that cannot be sent is lost, never the invocation: errors close the socket and go no further.
  const sent: Promise<void> = new Promise<void>((resolve) => {
    socket.send(message, port, host, () => {
      socket.close();
      resolve();
    });
    socket.on('error', () => {
      socket.close();
      resolve();
    });
  }).finally(() => sending.delete(sent));
  sending.add(sent);
}

function subsegment(parent: { traceId: string; parentId: string }, name: string): Subsegment {
  return { id: newId(), name, start_time: now(), type: 'subsegment', trace_id: parent.traceId, parent_id: parent.parentId };
}

function recordError(segment: Subsegment, error: unknown, status: number | undefined, remote: boolean): void {
  const name = error instanceof Error ? error.name : 'Error';
  // Only the error's type: messages can echo a request's values (a name, an e-mail).
  segment.cause = { exceptions: [{ id: newId(), type: name, ...(remote ? { remote: true as const } : {}) }] };
  if (status === 429 || /Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(name)) segment.throttle = true;
  if (status !== undefined && status >= 400 && status < 500) segment.error = true;
  else segment.fault = true;
}

/** The middy middleware that opens the handler's subsegment before the handler and sends it once the response is shaped. */
export function traceInvocation() {
  const open = async function openInvocationSubsegment() {
    const header = sampledTraceHeader();
    const wasCold = coldStart;
    coldStart = false;
    if (!header) return;
    invocation = subsegment({ traceId: header.root, parentId: header.parent }, `## ${config.lambdaHandler() ?? 'handler'}`);
    invocation.annotations = { ColdStart: wasCold, Service: config.serviceName() };
  };
  const close = (error?: unknown) =>
    async function closeInvocationSubsegment() {
      const segment = invocation;
      invocation = undefined;
      if (segment) {
        if (error) recordError(segment, error, undefined, false);
        segment.end_time = now();
        send(segment);
      }
      await Promise.all(sending);
    };
  return {
    before: open,
    after: async () => close()(),
    onError: async (request: { error: unknown }) => close(request.error)(),
  };
}

interface SdkMetadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
}

type Next = (args: { request: unknown; input: unknown }) => Promise<{ output?: { $metadata?: SdkMetadata } }>;

interface TraceableClient {
  config: { region: () => Promise<string> };
  middlewareStack: {
    add(middleware: (next: Next, context: { clientName?: string; commandName?: string }) => Next, options: { step: 'build'; name: string }): void;
    remove(name: string): boolean;
  };
}

const MIDDLEWARE = 'XRayTrace';

/** The bucket of an S3 call, which X-Ray shows beside it; never keys or values (the one table needs no naming). */
function resourceOf(input: unknown): Record<string, string> {
  const { Bucket } = (input ?? {}) as Record<string, unknown>;
  return typeof Bucket === 'string' ? { bucket_name: Bucket } : {};
}

/** What a call learnt of its answer, for its subsegment: filled in by the call as it goes. */
export interface AwsCallRecord {
  status?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
}

/**
 * One call to an AWS service as a subsegment of the handler's: `run` gets the trace header to send with the request
 * (none when the invocation is not traced) and a record to fill with what the answer said. Used by `traced` for SDK
 * clients and directly by the calls made without one (lib/storage/secrets.ts).
 */
export async function traceAwsCall<T>(
  name: { service: string; operation: string; region: () => Promise<string> | string; resource?: Record<string, string> },
  run: (record: AwsCallRecord, traceHeader: string | undefined) => Promise<T>,
): Promise<T> {
  const parent = invocation;
  const record: AwsCallRecord = {};
  if (!parent) return run(record, undefined);
  const call = subsegment({ traceId: parent.trace_id, parentId: parent.id }, name.service);
  call.namespace = 'aws';
  const describe = async () => {
    call.aws = {
      operation: name.operation,
      region: await name.region(),
      ...(record.requestId ? { request_id: record.requestId } : {}),
      ...(record.extendedRequestId ? { id_2: record.extendedRequestId } : {}),
      retries: Math.max(0, (record.attempts ?? 1) - 1),
      ...name.resource,
    };
    if (record.status) call.http = { response: { status: record.status } };
  };
  try {
    const result = await run(record, `Root=${parent.trace_id};Parent=${call.id};Sampled=1`);
    await describe();
    return result;
  } catch (error) {
    await describe();
    recordError(call, error, record.status, true);
    throw error;
  } finally {
    call.end_time = now();
    send(call);
  }
}

const fromMetadata = (record: AwsCallRecord, metadata: SdkMetadata | undefined) =>
  Object.assign(record, { status: metadata?.httpStatusCode, requestId: metadata?.requestId, extendedRequestId: metadata?.extendedRequestId, attempts: metadata?.attempts });

/** Adds one subsegment per call to an SDK client (idempotent: a client traced twice still records each call once). */
export function traced<Client>(client: Client): Client {
  const { middlewareStack, config: clientConfig } = client as unknown as TraceableClient;
  middlewareStack.remove(MIDDLEWARE);
  middlewareStack.add(
    (next, context) =>
      async function traceSdkCall(args) {
        const name = {
          service: (context.clientName ?? 'AWS').replace(/Client$/, ''),
          operation: (context.commandName ?? '').replace(/Command$/, ''),
          region: () => clientConfig.region(),
          resource: resourceOf(args.input),
        };
        return traceAwsCall(name, async (record, traceHeader) => {
          const request = args.request as { headers?: Record<string, string> };
          if (traceHeader && request.headers) request.headers['X-Amzn-Trace-Id'] = traceHeader;
          try {
            const result = await next(args);
            fromMetadata(record, result.output?.$metadata);
            return result;
          } catch (error) {
            fromMetadata(record, (error as { $metadata?: SdkMetadata }).$metadata);
            throw error;
          }
        });
      },
    { step: 'build', name: MIDDLEWARE },
  );
  return client;
}
