import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS, corsMethods, isLocalOrigin } from '../http/cors';
import { problemResponse } from '../http/problem';
import { routeKey, type RouteDefinition, type RouteGroup } from '../http/route';
import { log } from '../log';
import { verifyLocalToken } from './jwt';

/**
 * A stand-in for API Gateway's HTTP API (payload format 2.0): matches the request against the same route table the
 * CDK stack deploys, verifies the bearer token like the JWT authorizer, and invokes the route group's real handler
 * with the event API Gateway would send. Like the HTTP API's CORS handling, it answers preflights itself and adds the
 * CORS headers to every reply, for the origins lib/http/cors.ts admits locally (pages of this machine) and no other.
 */

type Handler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface GatewayOptions {
  port: number;
  routes: readonly RouteDefinition[];
  handlers: Record<RouteGroup, Handler>;
  jwtSecret: Buffer;
}

/** API Gateway's own payload limit. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  params: string[];
  literalSegments: number;
}

function compile(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const segments = route.path.split('/').filter(Boolean);
  const pattern = segments
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      params.push(param[1]!);
      return '([^/]+)';
    })
    .join('/');
  return {
    route,
    pattern: new RegExp(`^/${pattern}/?$`),
    params,
    literalSegments: segments.filter((s) => !s.startsWith('{')).length,
  };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A literal segment beats a parameter, as in API Gateway (`/leads/assign` before `/leads/{leadId}`). */
export function routeMatcher(routes: readonly RouteDefinition[]) {
  const compiled = routes.map(compile).sort((a, b) => b.literalSegments - a.literalSegments);
  return (method: string, path: string) => {
    for (const candidate of compiled) {
      if (candidate.route.method !== method) continue;
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      // A segment that is not valid percent-encoded UTF-8 (`%`, `%zz`, a cut-off sequence) cannot be a parameter:
      // decodeURIComponent throws on it, which used to escape as a 500. It is the client's error.
      const decoded = candidate.params.map((_, i) => decodeSegment(match[i + 1]!));
      if (decoded.some((value) => value === undefined)) return { route: candidate.route, malformed: true as const };
      const pathParameters = Object.fromEntries(candidate.params.map((name, i) => [name, decoded[i]!]));
      return { route: candidate.route, pathParameters };
    }
    return undefined;
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) {
        reject(Object.assign(new Error('payload too large'), { status: 413 }));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Claims as API Gateway passes them on: every value a string, arrays as `[a b]`. */
function claimsAsGatewayPassesThem(claims: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]),
  );
}

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sendReply(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, cors: Record<string, string> = {}): void {
  const headers: Record<string, string | string[]> = { ...cors };
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(body);
}

const gatewayProblem = (status: number, title: string, detail: string) =>
  problemResponse({ type: `/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`, title, status, detail });

export async function startGateway(options: GatewayOptions): Promise<{ server: Server; url: string; port: number; stop(): Promise<void> }> {
  const match = routeMatcher(options.routes);
  const allowMethods = corsMethods(options.routes).join(', ');

  const server = createServer(async (request, response) => {
    const requestId = randomUUID();
    // A reply to an admitted origin names it (and varies by it); any other origin gets no CORS header at all, so
    // its browser keeps the reply from the page.
    const origin = request.headers.origin;
    const cors: Record<string, string> = isLocalOrigin(origin)
      ? { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(', '), vary: 'Origin' }
      : {};
    const send = (response: ServerResponse, result: APIGatewayProxyStructuredResultV2) => sendReply(response, result, cors);
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      if (method === 'OPTIONS' && request.headers['access-control-request-method']) {
        const preflight: Record<string, string> = isLocalOrigin(origin)
          ? {
              'access-control-allow-origin': origin,
              'access-control-allow-methods': allowMethods,
              'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(', '),
              'access-control-max-age': String(CORS_MAX_AGE_SECONDS),
              vary: 'Origin',
            }
          : {};
        return sendReply(response, { statusCode: 204, headers: preflight });
      }
      const matched = match(method, url.pathname);
      if (!matched) return send(response, gatewayProblem(404, 'Not found', `no route ${method} ${url.pathname}`));
      if ('malformed' in matched) return send(response, gatewayProblem(400, 'Bad request', 'a path segment is not valid percent-encoded UTF-8'));

      let claims: Record<string, string> | undefined;
      if (!matched.route.public) {
        const authorization = request.headers.authorization ?? '';
        const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
        if (!token) return send(response, gatewayProblem(401, 'Unauthorized', 'a bearer token is required'));
        try {
          claims = claimsAsGatewayPassesThem(await verifyLocalToken(options.jwtSecret, token));
        } catch {
          return send(response, gatewayProblem(401, 'Unauthorized', 'the bearer token is not valid'));
        }
      }

      const body = await readBody(request);
      const contentType = request.headers['content-type'] ?? '';
      const textual = body.length === 0 || /json|text|xml|x-www-form-urlencoded/i.test(contentType);
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
      const now = new Date();
      const key = routeKey(matched.route);

      const event: APIGatewayProxyEventV2WithJWTAuthorizer = {
        version: '2.0',
        routeKey: key,
        rawPath: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers,
        queryStringParameters: Object.keys(query).length ? query : undefined,
        pathParameters: Object.keys(matched.pathParameters).length ? matched.pathParameters : undefined,
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers.host ?? 'localhost',
          domainPrefix: 'localhost',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey: key,
          stage: '$default',
          time: now.toUTCString(),
          timeEpoch: now.getTime(),
          authorizer: { principalId: '', integrationLatency: 0, jwt: { claims: claims ?? {}, scopes: [] } },
        },
        body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
        isBase64Encoded: body.length > 0 && !textual,
      };
      const handler = options.handlers[matched.route.group];
      const result = await handler(event, lambdaContext(`http-${matched.route.group}`));
      send(response, result);
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 413) return send(response, gatewayProblem(413, 'Payload too large', 'the request body is too large'));
      log.error('local gateway failure', { requestId, errorName: (error as Error).name, errorMessage: (error as Error).message });
      send(response, gatewayProblem(500, 'Internal server error', `Quote request id ${requestId} when reporting it.`));
    }
  });

  // Node answers a request it cannot parse (a request line or headers over its limit: 431; a malformed request: 400)
  // itself, with an empty body; answer problem+json there too, as every other error of the API is.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable || (error as { code?: string }).code === 'ECONNRESET') return socket.destroy();
    const [status, title] = error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request header fields too large'] : [400, 'Bad request'];
    const body = JSON.stringify({ type: `/problems/${title.toLowerCase().replace(/[^a-z]+/g, '-')}`, title, status, detail: 'the request could not be read' });
    socket.end(
      `HTTP/1.1 ${status} ${title}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
