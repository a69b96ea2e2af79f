import { httpHandlers } from '../../functions/http/index';
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { decodeCursor, encodeCursor, resetCursorSecret } from '../../lib/http/cursor';
import { problemFor } from '../../lib/http/problem';
import { routeKey } from '../../lib/http/route';
import { ROUTE_GROUPS, ROUTES, routesOf } from '../../lib/http/routes';
import { expectedVersion } from '../../lib/http/versioning';
import { routeMatcher } from '../../lib/local/gateway';
import { redactForLog } from '../../lib/log';

describe('the route table', () => {
  test('every route has exactly one implementation in its group, and no group implements a route it does not own', () => {
    for (const group of ROUTE_GROUPS) {
      const implemented = httpHandlers[group].implementations.map((i) => routeKey(i.route)).sort();
      expect(implemented).toEqual(routesOf(group).map(routeKey).sort());
    }
  });

  test('route keys and operation ids are unique; only /health, /openapi.json and the docs page with its files are public', () => {
    expect(new Set(ROUTES.map(routeKey)).size).toBe(ROUTES.length);
    expect(new Set(ROUTES.map((r) => r.operationId)).size).toBe(ROUTES.length);
    expect(ROUTES.filter((r) => r.public).map(routeKey).sort()).toEqual(['GET /docs', 'GET /docs/assets/{asset}', 'GET /health', 'GET /openapi.json']);
  });

  test('the local gateway prefers a literal segment over a parameter, as API Gateway does', () => {
    const match = routeMatcher([
      { operationId: 'a', method: 'GET', path: '/leads/{leadId}', group: 'system', summary: '' },
      { operationId: 'b', method: 'GET', path: '/leads/assign', group: 'system', summary: '' },
    ]);
    expect(match('GET', '/leads/assign')?.route.operationId).toBe('b');
    expect(match('GET', '/leads/01ABC')).toMatchObject({ route: { operationId: 'a' }, pathParameters: { leadId: '01ABC' } });
    expect(match('POST', '/leads/01ABC')).toBeUndefined();
  });

  test('the local gateway tells a path segment that is not valid percent-encoding, rather than throwing on it', () => {
    const match = routeMatcher([{ operationId: 'a', method: 'GET', path: '/leads/{leadId}', group: 'system', summary: '' }]);
    for (const segment of ['%', '%zz', '%E0%A4%A', '%C0%AF', '%F0%9F']) {
      expect(match('GET', `/leads/${segment}`)).toEqual({ route: expect.objectContaining({ operationId: 'a' }), malformed: true });
    }
    expect(match('GET', '/leads/%E5%B1%B1%2F')).toMatchObject({ pathParameters: { leadId: '山/' } });
  });
});

describe('problem documents', () => {
  test('domain errors keep their status, detail and extensions', () => {
    expect(problemFor(new ConflictError('stale', { extensions: { currentVersion: 4 } }), 'r1')).toMatchObject({
      status: 409,
      detail: 'stale',
      currentVersion: 4,
    });
    expect(problemFor(new ValidationError('bad', [{ path: 'body.name', message: 'required' }]), 'r1').errors).toEqual([
      { path: 'body.name', message: 'required' },
    ]);
    expect(problemFor(new NotFoundError('no lead'), 'r1').status).toBe(404);
  });

  test('anything else is a 500 that leaks nothing but the request id', () => {
    const problem = problemFor(new Error('User: arn:aws:iam::123:role/x is not authorized to perform dynamodb:PutItem'), 'req-42');
    expect(problem.status).toBe(500);
    expect(JSON.stringify(problem)).not.toMatch(/arn:aws|dynamodb/);
    expect(problem.detail).toContain('req-42');
  });
});

describe('cursors', () => {
  beforeAll(() => {
    process.env.CURSOR_SECRET = 'unit-test-secret';
    resetCursorSecret();
  });

  test('round-trip within the same query scope', async () => {
    const position = { PK: 'CAMPAIGN#1', SK: 'CAMPAIGN', GSI1PK: 'CAMPAIGNS', GSI1SK: '1' };
    const cursor = await encodeCursor(position, 'campaigns?[]');
    await expect(decodeCursor(cursor, 'campaigns?[]')).resolves.toEqual(position);
  });

  test('a changed payload, a foreign signature or another query is refused', async () => {
    const cursor = await encodeCursor({ PK: 'A' }, 'scope-1');
    const [payload, signature] = cursor.split('.');
    const forged = Buffer.from(JSON.stringify({ p: { PK: 'B' }, s: 'scope-1' })).toString('base64url');
    await expect(decodeCursor(`${forged}.${signature}`, 'scope-1')).rejects.toBeInstanceOf(BadRequestError);
    await expect(decodeCursor(`${payload}.AAAA`, 'scope-1')).rejects.toBeInstanceOf(BadRequestError);
    await expect(decodeCursor('garbage', 'scope-1')).rejects.toBeInstanceOf(BadRequestError);
    await expect(decodeCursor(cursor, 'scope-2')).rejects.toThrow(/different query/);
  });
});

describe('optimistic versions', () => {
  test('If-Match in its usual forms, or the body version', () => {
    expect(expectedVersion({ 'if-match': '"3"' })).toBe(3);
    expect(expectedVersion({ 'if-match': 'W/"7"' })).toBe(7);
    expect(expectedVersion({}, 2)).toBe(2);
  });

  test('missing, malformed or contradicting versions are 422', () => {
    expect(() => expectedVersion({})).toThrow(ValidationError);
    expect(() => expectedVersion({ 'if-match': '*' })).toThrow(ValidationError);
    expect(() => expectedVersion({ 'if-match': '"3"' }, 4)).toThrow(ValidationError);
  });
});

describe('log redaction', () => {
  test('e-mails, phones, names and tokens are replaced at any depth; ids and counts stay', () => {
    const redacted = redactForLog({
      userId: 'u1',
      email: 'a@example.com',
      nested: { phone: '03-1234-5678', mobile: '090', name: '山田', counts: { rows: 3 } },
      rows: [{ Email: 'b@example.com' }],
      authorization: 'Bearer x',
    });
    expect(redacted).toEqual({
      userId: 'u1',
      email: '[redacted]',
      nested: { phone: '[redacted]', mobile: '[redacted]', name: '[redacted]', counts: { rows: 3 } },
      rows: [{ Email: '[redacted]' }],
      authorization: '[redacted]',
    });
  });
});
