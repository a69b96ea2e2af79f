import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { ROUTES } from '../../lib/http/routes';
import { useLocalStack } from '../support/local-stack';

/**
 * GET /docs opened as a person would, in headless Chromium (Debian's, at /usr/bin/chromium; .ci/run installs it):
 * the viewer renders every route of the route table from /openapi.json, the page asks nothing of any host but the
 * local API, and its Content-Security-Policy refuses nothing it needs.
 */

const stack = useLocalStack();
// Debian's by default; CHROMIUM_PATH names another (macOS, a Chromium of one's own).
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

let profile: string;
let browser: BrowserContext;

beforeAll(async () => {
  profile = mkdtempSync(join(tmpdir(), 'docs-chromium-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('GET /docs in a browser', () => {
  test('renders every route of the route table, asking nothing of the internet', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const refused: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(`page error: ${error.message}`));

    const response = await page.goto(`${stack().apiUrl}/docs`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('body[data-docs="ready"]', { timeout: 20_000 });
    await page.waitForFunction(`document.querySelectorAll('.opblock').length >= ${ROUTES.length}`, undefined, { timeout: 20_000 });

    const shown = await page.$$eval('.opblock', (blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent?.trim() ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.toUpperCase()} ${path}`;
      }),
    );
    expect([...shown].sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
    // The page's text names them too, as a reader sees them.
    const text = await page.innerText('#docs');
    for (const route of ROUTES) expect(text).toContain(route.path);

    const api = new URL(stack().apiUrl);
    const elsewhere = requested.filter((url) => !url.startsWith('data:') && new URL(url).host !== api.host);
    expect(elsewhere).toEqual([]);
    expect(requested.some((url) => url.includes('/openapi.json'))).toBe(true);
    expect(refused).toEqual([]);
    if (process.env.DOCS_SCREENSHOT) await page.screenshot({ path: process.env.DOCS_SCREENSHOT, fullPage: false });
    await page.close();
  }, 60_000);

  test('the page allows only its own scripts, styles and connections', async () => {
    const page = await stack().api('GET', '/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const policy = Object.fromEntries(
      page.headers
        .get('content-security-policy')!
        .split(';')
        .map((directive) => directive.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(policy).toMatchObject({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'connect-src': ["'self'"],
      'frame-ancestors': ["'none'"],
    });
    // No inline script and no address of another host in the page itself.
    expect(page.body).not.toMatch(/<script>(?!<\/script>)|<script [^>]*>[^<]/);
    expect(page.body).not.toMatch(/https?:\/\//);
  });

  test('serves the viewer gzipped when asked, and an unknown file is a 404 problem', async () => {
    const plain = await fetch(`${stack().apiUrl}/docs/assets/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.get('content-encoding')).toBeNull();
    const size = (await plain.arrayBuffer()).byteLength;
    expect(size).toBeGreaterThan(1_000_000);
    // fetch takes gzip by default and inflates it.
    const gzipped = await fetch(`${stack().apiUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect((await gzipped.arrayBuffer()).byteLength).toBe(size);
    const missing = await stack().api('GET', '/docs/assets/nothing.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
