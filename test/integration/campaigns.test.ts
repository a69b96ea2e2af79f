import { useLocalStack } from '../support/local-stack';

const stack = useLocalStack();

const seminar = {
  name: '春のDXセミナー 2026',
  type: 'seminar',
  category: '自社セミナー',
  method: 'hybrid',
  startDate: '2026-04-10',
  endDate: '2026-04-10',
  budgetJpy: 1_200_000,
  targets: { leads: 300, actions: 600, deals: 20, wonDeals: 5, wonAmountJpy: 15_000_000 },
  stakeholders: [
    { kind: 'internal', name: 'マーケ 花子', userId: 'marketing' },
    { kind: 'external', name: '運営 次郎', organization: '株式会社イベント企画', email: 'unei@example.com' },
  ],
};

describe('campaigns through the HTTP API', () => {
  test('create, read back, and the ETag carries the version', async () => {
    const created = await stack().api('POST', '/campaigns', { as: 'marketing', body: seminar });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/campaigns/${created.body.campaignId}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ ...seminar, status: 'planned', version: 1, createdBy: 'marketing' });

    const read = await stack().api('GET', `/campaigns/${created.body.campaignId}`, { as: 'rep1' });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  test('PATCH with If-Match bumps the version; a stale version answers 409 with the current one and changes nothing', async () => {
    const { body: campaign } = await stack().api('POST', '/campaigns', { as: 'manager', body: { name: '展示会', type: 'exhibition' } });
    const first = await stack().api('PATCH', `/campaigns/${campaign.campaignId}`, {
      as: 'manager',
      headers: { 'if-match': '"1"' },
      body: { status: 'active', actualCostJpy: 800_000, category: '展示会出展' },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'active', actualCostJpy: 800_000, version: 2 });

    const stale = await stack().api('PATCH', `/campaigns/${campaign.campaignId}`, {
      as: 'marketing',
      body: { version: 1, name: '上書きしようとした名前' },
    });
    expect(stale.status).toBe(409);
    expect(stale.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(stale.body).toMatchObject({ status: 409, currentVersion: 2 });

    const cleared = await stack().api('PATCH', `/campaigns/${campaign.campaignId}`, { as: 'marketing', body: { version: 2, category: null } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.category).toBeUndefined();
    expect(cleared.body.name).toBe('展示会');

    const unversioned = await stack().api('PATCH', `/campaigns/${campaign.campaignId}`, { as: 'marketing', body: { name: 'x' } });
    expect(unversioned.status).toBe(422);
    expect(unversioned.body.errors).toEqual([{ path: 'body.version', message: expect.any(String) }]);
  });

  test('two concurrent edits of the same version: exactly one wins', async () => {
    const { body: campaign } = await stack().api('POST', '/campaigns', { as: 'manager', body: { name: '競合テスト', type: 'webinar' } });
    const results = await Promise.all(
      ['A', 'B', 'C'].map((suffix) =>
        stack().api('PATCH', `/campaigns/${campaign.campaignId}`, { as: 'manager', body: { version: 1, name: `名前${suffix}` } }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const after = await stack().api('GET', `/campaigns/${campaign.campaignId}`, { as: 'manager' });
    expect(after.body.version).toBe(2);
  });

  test('schema errors answer 422 with the path of every bad field', async () => {
    const response = await stack().api('POST', '/campaigns', {
      as: 'marketing',
      body: { type: 'party', budgetJpy: 10.5, startDate: '2026-02-30', targets: { leads: -1 }, unknownField: 1 },
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const paths = response.body.errors.map((e: { path: string }) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['body.name', 'body.type', 'body.budgetJpy', 'body.startDate', 'body.targets.leads']));
    // An unknown field is refused too, not silently dropped.
    expect(response.body.errors).toContainEqual({ path: 'body', message: expect.stringContaining('unknownField') });

    const period = await stack().api('POST', '/campaigns', {
      as: 'marketing',
      body: { name: '期間逆転', type: 'seminar', startDate: '2026-05-02', endDate: '2026-05-01' },
    });
    expect(period.status).toBe(422);
    expect(period.body.errors).toEqual([{ path: 'body.endDate', message: 'endDate is before startDate' }]);
  });

  test('malformed JSON answers 400; unknown id 404; bad id 422', async () => {
    const malformed = await stack().api('POST', '/campaigns', {
      as: 'marketing',
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.title).toBe('Bad request');

    expect((await stack().api('GET', '/campaigns/01ZZZZZZZZZZZZZZZZZZZZZZZZ', { as: 'marketing' })).status).toBe(404);
    const badId = await stack().api('GET', `/campaigns/${encodeURIComponent('a#b')}`, { as: 'marketing' });
    expect(badId.status).toBe(422);
    expect(badId.body.errors[0].path).toBe('path.campaignId');
  });

  test('roles: a rep may read but not create or edit; no token is 401; a forged token is 401', async () => {
    const denied = await stack().api('POST', '/campaigns', { as: 'rep1', body: { name: 'x', type: 'seminar' } });
    expect(denied.status).toBe(403);
    for (const role of ['sales', 'agent']) {
      expect((await stack().api('POST', '/campaigns', { as: role, body: { name: 'x', type: 'seminar' } })).status).toBe(403);
    }
    expect((await stack().api('GET', '/campaigns', { as: 'agent' })).status).toBe(200);
    expect((await stack().api('GET', '/campaigns')).status).toBe(401);
    // A rep's token with its payload rewritten to say admin, under the rep's signature.
    const [header, payload, signature] = (await stack().token('rep1')).split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const elevated = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    expect((await stack().api('GET', '/campaigns', { token: `${header}.${elevated}.${signature}` })).status).toBe(401);
    // A well-formed token signed with some other key.
    const { signLocalToken } = await import('../../lib/local/jwt');
    const foreign = await signLocalToken(Buffer.alloc(32, 7), 'admin', 'admin');
    expect((await stack().api('GET', '/campaigns', { token: foreign })).status).toBe(401);
    // A valid token for someone who is not a user of the product.
    expect((await stack().api('GET', '/campaigns', { token: await stack().token('stranger') })).status).toBe(403);
  });

  test('list: newest first, filtered by status, paginated with a stable order and tamper-checked cursors', async () => {
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { body } = await stack().api('POST', '/campaigns', {
        as: 'marketing',
        body: { name: `ページ${i}`, type: 'dm', status: i % 2 === 0 ? 'completed' : 'planned' },
      });
      names.push(body.name);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?status=completed&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await stack().api('GET', `/campaigns${query}`, { as: 'manager' });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c: { name: string; status: string }) => (expect(c.status).toBe('completed'), c.name)));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual(['ページ6', 'ページ4', 'ページ2', 'ページ0']);
    expect(pages).toBe(2);

    const first = await stack().api('GET', '/campaigns?limit=1', { as: 'manager' });
    const next = first.body.nextCursor as string;
    const tampered = next.replace(/^./, (c) => (c === 'e' ? 'f' : 'e'));
    expect((await stack().api('GET', `/campaigns?limit=1&cursor=${encodeURIComponent(tampered)}`, { as: 'manager' })).status).toBe(400);
    const otherQuery = await stack().api('GET', `/campaigns?status=planned&cursor=${encodeURIComponent(next)}`, { as: 'manager' });
    expect(otherQuery.status).toBe(400);
    expect(otherQuery.body.detail).toMatch(/different query/);

    const tooMany = await stack().api('GET', '/campaigns?limit=501', { as: 'manager' });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors[0].path).toBe('query.limit');
  });
});
