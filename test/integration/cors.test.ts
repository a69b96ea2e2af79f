import { useLocalStack } from '../support/local-stack';

/**
 * Browsers on this machine may call the local API from a page of their own (a front-end under development on its own
 * port); a page of any other origin gets no CORS header, so its browser keeps the reply from it.
 */

const stack = useLocalStack();

const preflight = (origin: string, method = 'PATCH', headers = 'authorization, content-type, if-match') =>
  fetch(`${stack().apiUrl}/leads/some-lead`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
  });

describe('CORS on the local gateway', () => {
  test.each(['http://localhost:5173', 'http://127.0.0.1:8080', 'http://localhost'])('a preflight from %s is admitted', async (origin) => {
    const response = await preflight(origin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    expect(response.headers.get('access-control-allow-methods')?.split(', ')).toEqual(['GET', 'POST', 'PATCH', 'DELETE']);
    expect(response.headers.get('access-control-allow-headers')?.split(', ')).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'if-match', 'idempotency-key']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('3600');
    expect(response.headers.get('vary')).toBe('Origin');
  });

  test.each(['https://evil.example.com', 'http://localhost.evil.example.com', 'https://localhost:5173', 'http://192.168.1.5:3000', 'null'])(
    'a preflight from %s gets no CORS header',
    async (origin) => {
      const response = await preflight(origin);
      expect(response.status).toBe(204);
      expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    },
  );

  test('an actual request from a page of this machine can read the reply and its ETag and Location', async () => {
    const origin = 'http://localhost:5173';
    const created = await stack().api('POST', '/campaigns', { as: 'marketing', headers: { origin }, body: { name: 'CORS展示会', type: 'exhibition' } });
    expect(created.status).toBe(201);
    expect(created.headers.get('access-control-allow-origin')).toBe(origin);
    expect(created.headers.get('access-control-expose-headers')?.split(', ')).toEqual(expect.arrayContaining(['etag', 'location']));
    expect(created.headers.get('vary')).toBe('Origin');
    // Refusals carry it too, so the page can show why.
    const refused = await stack().api('GET', '/leads', { headers: { origin } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(origin);
  });

  test('an actual request from another origin is answered without a CORS header', async () => {
    const response = await stack().api('GET', '/health', { headers: { origin: 'https://evil.example.com' } });
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const noOrigin = await stack().api('GET', '/health');
    expect(noOrigin.headers.get('access-control-allow-origin')).toBeNull();
  });
});
