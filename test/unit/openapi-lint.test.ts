import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openApiDocument } from '../../lib/http/openapi';
import { ROUTES, SCHEMA_NAMES } from '../../lib/http/routes';

/**
 * /openapi.json passes `redocly lint` with Redocly's recommended rules (redocly.yaml says which, if any, are off and
 * why): no error and no warning. The document is the one GET /openapi.json serves, generated from the route table.
 */

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

test('the OpenAPI document passes redocly lint with the recommended rules', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(openApiDocument(ROUTES, { schemaNames: SCHEMA_NAMES })));
    const { stdout } = await run(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format=json'], {
      cwd: ROOT,
      // No usage report and no update check: the lint asks nothing of the network.
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`redocly lint failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { totals: { errors: number; warnings: number }; problems: { ruleId: string; message: string }[] };
    expect(report.problems.map((p) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);

describe('the document', () => {
  const document = openApiDocument(ROUTES, { schemaNames: SCHEMA_NAMES }) as any;

  test('names the servers: this one, the local stack and the cloud API', () => {
    expect(document.servers.map((s: { url: string }) => s.url)).toEqual(['/', 'http://127.0.0.1:{port}', 'https://{apiId}.execute-api.{region}.amazonaws.com']);
  });

  test('gives request bodies and responses names, the shared ones their domain names', () => {
    const users = document.paths['/users'];
    expect(users.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/CreateUserRequest' });
    expect(users.post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/User' });
    expect(users.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/UserPage' });
    expect(JSON.stringify(document.components.schemas.LeadPage)).toContain('#/components/schemas/LeadListItem');
    for (const route of ROUTES) {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      if (route.response) expect(operation.responses[String(route.successStatus ?? 200)].content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/\w+$/);
      if (route.body) expect(operation.requestBody.content['application/json'].schema.$ref).toMatch(/^#\/components\/schemas\/\w+Request$/);
    }
  });

  test('declares the problems each route can answer, as problem+json', () => {
    const statuses = (path: string, method: string) => Object.keys(document.paths[path][method].responses);
    expect(statuses('/health', 'get')).toEqual(['200', '400', '429', '500']);
    expect(statuses('/users/{userId}', 'patch')).toEqual(['200', '400', '401', '403', '404', '409', '413', '422', '429', '500']);
    expect(statuses('/me/preferences', 'get')).toEqual(['200', '400', '401', '403', '429', '500']);
    expect(statuses('/leads/{leadId}/convert', 'post')).toEqual(expect.arrayContaining(['201', '404', '409', '410', '422']));
    expect(document.paths['/users/{userId}'].patch.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(document.components.responses.Conflict.content['application/problem+json'].schema).toEqual({ $ref: '#/components/schemas/Problem' });
    // If-Match only where a stale version is refused.
    const headers = (path: string) => document.paths[path].patch.parameters.filter((p: { in: string }) => p.in === 'header').map((p: { name: string }) => p.name);
    expect(headers('/users/{userId}')).toEqual(['If-Match']);
    expect(headers('/me/preferences')).toEqual([]);
  });
});
