import { ROUTES } from '../../lib/http/routes';
import { useLocalStack } from '../support/local-stack';
import { resolved } from '../support/openapi';

const stack = useLocalStack();

describe('users (admin only)', () => {
  test('create, read, list by role, and e-mail uniqueness that sees through width and case', async () => {
    const created = await stack().api('POST', '/users', {
      as: 'admin',
      body: { name: '新人 六郎', email: 'Rokuro@Example.com', team: 'インサイドセールス部', role: 'rep' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: '新人 六郎', email: 'Rokuro@Example.com', role: 'rep', active: true, version: 1 });

    const duplicate = await stack().api('POST', '/users', {
      as: 'admin',
      body: { name: '別人', email: 'ＲＯＫＵＲＯ＠ｅｘａｍｐｌｅ．ｃｏｍ', role: 'rep' },
    });
    expect(duplicate.status).toBe(409);
    const spaced = await stack().api('POST', '/users', { as: 'admin', body: { name: '別人', email: ' rokuro@EXAMPLE.com ', role: 'rep' } });
    expect(spaced.status).toBe(409);

    const read = await stack().api('GET', `/users/${created.body.userId}`, { as: 'admin' });
    expect(read.body).toEqual(created.body);

    const reps = await stack().api('GET', '/users?role=rep', { as: 'admin' });
    expect(reps.status).toBe(200);
    expect(reps.body.items.map((u: { userId: string }) => u.userId).sort()).toEqual([created.body.userId, 'rep1', 'rep2'].sort());
  });

  test('PATCH moves the e-mail guard: the old address is free again, the new one taken', async () => {
    const { body: user } = await stack().api('POST', '/users', { as: 'admin', body: { name: '移動', email: 'move-old@example.com', role: 'sales' } });
    const moved = await stack().api('PATCH', `/users/${user.userId}`, { as: 'admin', body: { version: 1, email: 'move-new@example.com', team: 'FS' } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ email: 'move-new@example.com', team: 'FS', version: 2 });
    const reuseOld = await stack().api('POST', '/users', { as: 'admin', body: { name: '後任', email: 'move-old@example.com', role: 'sales' } });
    expect(reuseOld.status).toBe(201);
    const takeNew = await stack().api('POST', '/users', { as: 'admin', body: { name: '横取り', email: 'MOVE-NEW@example.com', role: 'sales' } });
    expect(takeNew.status).toBe(409);
  });

  test('a deactivated user is refused at once, and only admins manage users', async () => {
    const { body: user } = await stack().api('POST', '/users', { as: 'admin', body: { userId: 'leaver', name: '退職', email: 'leaver@example.com', role: 'rep' } });
    expect((await stack().api('GET', '/campaigns', { as: 'leaver' })).status).toBe(200);
    await stack().api('PATCH', `/users/${user.userId}`, { as: 'admin', headers: { 'if-match': '"1"' }, body: { active: false } });
    expect((await stack().api('GET', '/campaigns', { as: 'leaver' })).status).toBe(403);

    for (const role of ['marketing', 'manager', 'rep1', 'agent']) {
      expect((await stack().api('GET', '/users', { as: role })).status).toBe(403);
    }
    const invalid = await stack().api('POST', '/users', { as: 'admin', body: { name: '', email: 'not-an-email', role: 'boss' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['body.email', 'body.name', 'body.role']);
  });

  test('request logs carry no e-mail address or name', async () => {
    const level = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'info';
    const lines: string[] = [];
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      await stack().api('POST', '/users', { as: 'admin', body: { name: '個人 情報', email: 'secret-person@example.com', role: 'rep' } });
      await stack().api('POST', '/users', { as: 'admin', body: { name: '個人 情報', email: 'secret-person@example.com', role: 'rep' } });
    } finally {
      process.env.LOG_LEVEL = level;
      stdout.mockRestore();
      stderr.mockRestore();
    }
    const output = lines.join('');
    expect(output).toMatch(/"route":"POST \/users"/);
    expect(output).not.toMatch(/secret-person/);
    expect(output).not.toMatch(/個人/);
  });
});

describe('open routes', () => {
  test('GET /health needs no token', async () => {
    const health = await stack().api('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
  });

  test('GET /openapi.json is OpenAPI 3.1 and lists every route, with its schemas', async () => {
    const doc = await stack().api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const route of ROUTES) {
      const operation = doc.body.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation).toMatchObject({ operationId: route.operationId });
      if (route.body) expect(operation.requestBody.content['application/json'].schema).toBeDefined();
      if (route.public) expect(operation.security).toEqual([]);
    }
    const createCampaign = resolved(doc.body, doc.body.paths['/campaigns'].post.requestBody.content['application/json'].schema);
    expect(createCampaign.required).toEqual(expect.arrayContaining(['name', 'type']));
    expect(createCampaign.properties.type.enum).toContain('seminar');
  });

  test('a path segment that is not valid percent-encoding is 400 problem+json, before and after the token check', async () => {
    for (const options of [{ as: 'admin' }, {}]) {
      const malformed = await stack().api('GET', '/leads/%E0%A4%A/history', options);
      expect(malformed.status).toBe(400);
      expect(malformed.headers.get('content-type')).toMatch(/problem\+json/);
      expect(malformed.body).toMatchObject({ status: 400, title: 'Bad request' });
    }
  });

  test('a request line over the server limit is 431 problem+json, not an empty reply', async () => {
    const long = await stack().api('GET', `/campaigns?status=${'a'.repeat(20_000)}`, { as: 'admin' });
    expect(long.status).toBe(431);
    expect(long.headers.get('content-type')).toMatch(/problem\+json/);
    expect(long.body).toMatchObject({ status: 431, title: 'Request header fields too large', detail: expect.any(String) });
  });

  test('an unknown path is 404 problem+json', async () => {
    const missing = await stack().api('GET', '/nothing-here', { as: 'admin' });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
