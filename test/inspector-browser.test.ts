import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import { accessibilityViolations } from './helpers/accessibility.ts';
import { createTunnelOn, waitForOutput } from './helpers/agent-process.ts';
import { launchChromium } from './helpers/chromium.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_inspector-browser-admin';
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52,
]);

describe('the inspector page, in Chromium, over a real gateway, agent and local server', () => {
  let local: Upstream;
  let gh: CliProcess & { port: number };
  let agent: CliProcess;
  let printed: URL;
  let browser: Browser;

  /** Sends a request through the tunnel's public side. */
  const send = async (method: string, path: string, body?: string, type?: string) => {
    const res = await request(`http://127.0.0.1:${gh.port}${path}`, {
      method: method as 'GET',
      headers: { host: 'peek.localhost', ...(type ? { 'content-type': type } : {}) },
      ...(body !== undefined ? { body } : {}),
    });
    await res.body.arrayBuffer();
    return res.statusCode;
  };
  const open = async (t: { after: (fn: () => Promise<void>) => void }): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    t.after(() => page.close());
    await page.goto(printed.href);
    return page;
  };
  const pick = async (page: Page, path: string) => {
    await page.locator('#rows tr', { hasText: path }).first().click();
    await page.locator('#detail h2', { hasText: path }).waitFor();
  };

  before(async () => {
    local = await startUpstream((req, res, body) => {
      if (req.url === '/logo.png') {
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(PNG);
        return;
      }
      const status = req.url?.startsWith('/missing') ? 404 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ method: req.method, url: req.url, debug: req.headers['x-debug'] ?? null, body }),
      );
    });
    gh = await spawnServe(['--data', tempDir('gatehouse-ibrowser-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
    const key = await createTunnelOn(gh.port, 'peek', ADMIN);
    agent = spawnCli([
      'tunnel',
      local.url,
      '--server',
      `http://127.0.0.1:${gh.port}`,
      '--name',
      'peek',
      '--key',
      key,
      '--inspect',
      '127.0.0.1:0',
    ]);
    printed = new URL((await waitForOutput(agent, 'stderr', /Inspector: (http:\/\/\S+#token=\S+)/))[1]!);
    await waitForOutput(agent, 'stderr', /● online/);
    browser = await launchChromium();
    assert.equal(await send('POST', '/orders?id=3', '{"qty":2,"items":["tea"]}', 'application/json'), 200);
    assert.equal(await send('GET', '/missing/page'), 404);
    assert.equal(await send('GET', '/logo.png'), 200);
    assert.equal(await send('DELETE', '/orders/7'), 200);
  });

  after(async () => {
    await browser?.close();
    await agent?.stop();
    await gh?.stop();
    await local?.close();
  });

  test('filters by path, method and status', async (t) => {
    const page = await open(t);
    const rows = page.locator('#rows tr');
    await page.locator('#count', { hasText: '4 requests' }).waitFor();
    const paths = async () => (await page.locator('#rows td.path').allTextContents()).sort();
    await page.fill('#filter-path', 'orders');
    assert.deepEqual(await paths(), ['/orders/7', '/orders?id=3']);
    await page.selectOption('#filter-method', 'DELETE');
    assert.deepEqual(await paths(), ['/orders/7']);
    await page.fill('#filter-path', '');
    await page.selectOption('#filter-method', '');
    await page.selectOption('#filter-status', '4xx');
    assert.deepEqual(await paths(), ['/missing/page']);
    await page.locator('#count', { hasText: '1 of 4 requests' }).waitFor();
    await page.selectOption('#filter-status', '');
    assert.equal(await rows.count(), 4);
  });

  test('a JSON body shown pretty, and the raw bytes as they crossed', async (t) => {
    const page = await open(t);
    await pick(page, '/orders?id=3');
    const request = page.locator('#request');
    assert.equal(
      await request.locator('pre.json').textContent(),
      JSON.stringify({ qty: 2, items: ['tea'] }, null, 2),
    );
    assert.match(
      (await request.locator('table.headers').textContent()) ?? '',
      /content-typeapplication\/json/,
    );
    assert.match(
      (await page.locator('#full-url').textContent()) ?? '',
      new RegExp(`^http://peek.localhost:${gh.port}/orders\\?id=3$`),
    );
    await request.locator('button[data-view="raw"]').click();
    const raw = (await request.locator('pre.raw').textContent()) ?? '';
    assert.match(raw, /^POST \/orders\?id=3 HTTP\/1\.1\r?\n/);
    assert.ok(raw.endsWith('{"qty":2,"items":["tea"]}'), raw);
    assert.equal(await request.locator('.pretty').isHidden(), true);
    const response = page.locator('#response');
    await response.locator('button[data-view="raw"]').click();
    assert.match((await response.locator('pre.raw').textContent()) ?? '', /^HTTP\/1\.1 200 OK/);
  });

  test('a binary body shown as its size and a hex preview, not as text', async (t) => {
    const page = await open(t);
    await pick(page, '/logo.png');
    const body = page.locator('#response .body');
    assert.match((await body.textContent()) ?? '', /binary, 16 B/);
    assert.match((await body.locator('pre.hex').textContent()) ?? '', /^00000000 {2}89 50 4e 47 0d 0a 1a 0a/);
  });

  test('replay with an edited header and body reaches the local server, marked as a replay', async (t) => {
    const page = await open(t);
    await pick(page, '/orders?id=3');
    const before = local.seen.length;
    await page.click('#edit');
    await page.fill('#edit-method', 'PUT');
    await page.fill('#edit-path', '/orders?id=4');
    const headers = await page.inputValue('#edit-headers');
    await page.fill('#edit-headers', `${headers}\nx-debug: from-the-inspector`);
    await page.fill('#edit-body', '{"qty":5}');
    await page.click('#send-edit');
    await page.locator('#detail h2 .badge', { hasText: 'replay' }).waitFor();
    const seen = local.seen.slice(before);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.method, 'PUT');
    assert.equal(seen[0]!.url, '/orders?id=4');
    assert.equal(seen[0]!.headers['x-debug'], 'from-the-inspector');
    assert.equal(seen[0]!.body, '{"qty":5}');
    assert.ok(seen[0]!.headers['gatehouse-replay-of']);
    assert.match(
      (await page.locator('#response pre.json').textContent()) ?? '',
      /"debug": "from-the-inspector"/,
    );
    await page
      .locator('#rows tr', { hasText: '/orders?id=4' })
      .locator('.badge', { hasText: 'replay' })
      .waitFor();
  });

  test('at 1280 px the detail pane covers none of the list, Status and ms included', async (t) => {
    const page = await open(t);
    // A long path and a long header value are what used to push the detail over the list.
    assert.equal(await send('GET', `/${'very-long-segment/'.repeat(20)}?q=${'x'.repeat(200)}`), 200);
    await page.locator('#rows tr', { hasText: 'very-long-segment' }).first().click();
    await page.locator('#detail h2', { hasText: 'very-long-segment' }).waitFor();
    const detail = (await page.locator('#detail').boundingBox())!;
    for (const header of ['Time', 'Method', 'Path', 'Status', 'ms']) {
      const box = (await page.locator('#list th', { hasText: new RegExp(`^${header}$`) }).boundingBox())!;
      assert.ok(
        box.x + box.width <= detail.x,
        `${header} ends at ${box.x + box.width}, the detail starts at ${detail.x}`,
      );
    }
    const status = (await page.locator('#rows td.status').first().boundingBox())!;
    assert.ok(status.width > 20 && status.x + status.width <= detail.x);
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    assert.ok(width <= 1280, `the page is ${width} px wide`);
  });

  test('the list and an open exchange meet WCAG 2.1 AA', async (t) => {
    // The checker is injected as a script, which the inspector's own policy forbids.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 800 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(printed.href);
    await page.locator('#rows tr').first().waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], 'the list');
    await pick(page, '/orders?id=3');
    assert.deepEqual(await accessibilityViolations(page), [], 'an exchange open');
  });

  test('clear empties the list', async (t) => {
    const page = await open(t);
    await page.locator('#rows tr').first().waitFor();
    await page.click('#clear');
    await page.locator('#empty', { hasText: 'No requests yet.' }).waitFor();
    assert.equal(await page.locator('#rows tr').count(), 0);
  });
});
