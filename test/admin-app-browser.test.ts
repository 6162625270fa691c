import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtAdminApp } from './helpers/dashboard-build.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { freePort } from './helpers/redis.ts';
import { registerTunnel } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

const RELAY_SECRET = 'admin-app-relay-secret';
const HOOKS_HOST = 'hooks.admin-app.test';

describe('the admin web app in Chromium, against a real gateway', () => {
  let gw: TestGateway;
  let browser: Browser;
  let upstream: Upstream;
  let app: string;
  const agents: TunnelAgent[] = [];

  before(async () => {
    gw = await startTestGateway({
      environment: 'dev',
      flags: { relay: true },
      env: { DEV_PROXY_SHARED_SECRET: RELAY_SECRET },
      adminAppDir: await builtAdminApp(),
    });
    upstream = await startUpstream((_req, res) => res.end('served by the shop'));
    // `localhost` is an admin host; Chromium is told it is this machine's IPv4 loopback.
    app = `http://localhost:${gw.port}`;
    browser = await launchChromium('localhost');
  });
  after(async () => {
    for (const agent of agents) agent.stop();
    await browser?.close();
    await upstream?.close();
    await gw?.stop();
  });

  /** A fresh tab signed in with the admin key, its dialogs accepted, its page errors collected. */
  async function signedIn(problems: string[], origin = app): Promise<Page> {
    const page = await (await browser.newContext()).newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // A refused call is logged by Chromium itself; the app's own errors are what count.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('dialog', (d) => void d.accept());
    await page.goto(`${origin}/`);
    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    return page;
  }

  test('/ on an admin host leads to /ui, served whole from the package under a strict policy', async () => {
    const root = await request(`${gw.url}/`, { headers: { host: 'localhost' } });
    assert.equal(root.statusCode, 302);
    assert.equal(root.headers['location'], '/ui/');
    await root.body.dump();
    const page = await request(`${gw.url}/ui/`, { headers: { host: 'localhost' } });
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'; connect-src 'self'/);
    const html = await page.body.text();
    assert.doesNotMatch(html, /https?:\/\//, 'nothing is fetched from elsewhere');
    const script = html.match(/src="(\/ui\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(script, html);
    const asset = await request(`${gw.url}${script}`, { headers: { host: 'localhost' } });
    assert.equal(asset.statusCode, 200);
    await asset.body.dump();

    // A route that serves / on the admin host keeps it.
    const own = await gw.addRoute({ host: 'localhost', target: upstream.url });
    const routed = await request(`${gw.url}/`, { headers: { host: 'localhost' } });
    assert.equal(await routed.body.text(), 'served by the shop');
    assert.equal((await gw.api('DELETE', `/api/v1/routes/${own.id}`)).status, 204);
  });

  test('a wrong key is refused at sign-in; the right one opens the overview, kept out of the URL', async () => {
    const problems: string[] = [];
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${app}/`);
    assert.equal(new URL(page.url()).pathname, '/ui/');
    await page.getByLabel('Admin API key').fill('gk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'UNAUTHORIZED' }).waitFor();
    await page.close();

    const signed = await signedIn(problems);
    await signed.locator('[data-card="Tunnels online"]').waitFor();
    assert.doesNotMatch(signed.url(), /gk_/);
    assert.equal(await signed.evaluate(() => sessionStorage.getItem('gatehouse.admin.token')), ADMIN_KEY);
    assert.deepEqual(problems, []);
  });

  test('with request recording off, the request log and analytics say it is not available', async (t) => {
    const quiet = await startTestGateway({
      flags: { 'request-log': 'off' },
      adminAppDir: await builtAdminApp(),
    });
    t.after(() => quiet.stop());
    const problems: string[] = [];
    const page = await signedIn(problems, `http://localhost:${quiet.port}`);
    for (const name of ['Requests', 'Analytics']) {
      await page.getByRole('link', { name, exact: true }).click();
      await page.getByText('Request recording is not available on this server.').waitFor();
    }
    await createTunnel(quiet, 'unrecorded');
    await page.getByRole('link', { name: 'Tunnels', exact: true }).click();
    await page.getByRole('link', { name: 'unrecorded: status and traffic history' }).click();
    await page.locator('[data-tunnel-detail="unrecorded"]').waitFor();
    await page.locator('[data-unavailable]', { hasText: "this tunnel's traffic history" }).waitFor();
    assert.equal(await page.locator('[data-chart]').count(), 0, 'no chart without records');
    assert.deepEqual(problems, []);
  });

  test('requests through a route appear in the request log, filtered, live, and in the charts', async () => {
    const problems: string[] = [];
    await gw.addRoute({ host: 'log.admin-app.test', target: upstream.url });
    await gw.addRoute({ host: 'down.admin-app.test', target: 'http://127.0.0.1:9' });
    for (const path of ['/one', '/two'])
      assert.equal((await gw.send('log.admin-app.test', path)).status, 200);
    assert.equal((await gw.send('down.admin-app.test', '/broken')).status, 502);
    // Records are written in batches a moment after the answer: the page reads what is stored.
    await waitFor('the records to be stored', async () => {
      const listed = await gw.api('GET', '/api/v1/requests?host=down.admin-app.test');
      return listed.body.requests?.length === 1;
    });
    const page = await signedIn(problems);
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    const row = (path: string) => page.locator('tr[data-request]', { hasText: path });
    await row('/two').waitFor();
    await page.getByLabel('Status').fill('5xx');
    await page.getByRole('button', { name: 'Apply' }).click();
    await row('/broken').waitFor();
    await row('/two').waitFor({ state: 'detached' });
    // A request made while the page is open arrives by the live stream, once the server has it.
    await page.locator('[data-live="open"]').waitFor();
    assert.equal((await gw.send('down.admin-app.test', '/while-watching')).status, 502);
    await row('/while-watching').waitFor();

    await page.getByRole('link', { name: 'Analytics', exact: true }).click();
    const total = Number(await page.locator('[data-total]').first().textContent());
    assert.ok(total >= 4, `${total} requests in the charts`);
    await page.locator('[data-chart="rate"] canvas').waitFor();
    assert.match((await page.locator('.status-mix').textContent()) ?? '', /5xx: [1-9]/);
    assert.deepEqual(problems, []);
  });

  test('requests through a tunnel appear in its traffic history, reached and used by keyboard, and live', async () => {
    const problems: string[] = [];
    const tunnel = await createTunnel(gw, 'history-ui');
    agents.push(await startAgent(gw, tunnel, upstream.url));
    assert.equal((await gw.send('history-ui.localhost', '/a')).status, 200);
    assert.equal((await gw.send('history-ui.localhost', '/b')).status, 200);
    const upload = await gw.send('history-ui.localhost', '/upload', {
      method: 'POST',
      body: 'x'.repeat(5000),
    });
    assert.equal(upload.status, 200);
    await waitFor('the tunnel requests to be stored', async () => {
      const listed = await gw.api('GET', '/api/v1/requests?tunnel=history-ui');
      return listed.body.requests?.length === 3;
    });

    const page = await signedIn(problems);
    await page.getByRole('link', { name: 'Tunnels', exact: true }).click();
    await page.getByRole('link', { name: 'history-ui: status and traffic history' }).focus();
    await page.keyboard.press('Enter');
    const heading = page.locator('[data-tunnel-detail="history-ui"]');
    await heading.waitFor();
    assert.ok(
      await heading.evaluate((h) => h.ownerDocument.activeElement === h),
      'the heading has the focus',
    );
    assert.match(new URL(page.url()).hash, /^#\/tunnels\/history-ui$/);
    await page.locator('[data-online="true"]').waitFor();
    // Its connections: the agent's, from this machine, with its version.
    const connected = page.locator('tr[data-event="connect"]');
    await connected.waitFor();
    assert.match((await connected.textContent()) ?? '', /connected127\.0\.0\.1test/);

    const totals = (window: string) => page.locator(`[data-window="${window}"]`);
    await totals('1h').waitFor();
    assert.equal(await totals('1h').locator('[data-history-total]').textContent(), '3');
    assert.match((await page.locator('[data-history-in]').textContent()) ?? '', /KiB/, 'the upload counted');
    for (const chart of ['tunnel-requests', 'tunnel-bytes']) {
      await page.locator(`[data-chart="${chart}"] canvas`).waitFor();
      assert.equal(await page.locator(`[data-chart="${chart}"]`).getAttribute('data-points'), '60');
    }
    await page.getByText('The history as a table').click();
    const buckets = await page
      .locator('tr[data-bucket]')
      .evaluateAll((rows) => rows.map((row) => Number(row.children[1]?.textContent)));
    assert.equal(
      buckets.reduce((a, b) => a + b, 0),
      3,
      'the buckets hold the three requests',
    );

    // The window is a radio group: arrow keys move through it.
    await page.getByLabel('Last hour').focus();
    await page.keyboard.press('ArrowRight');
    assert.ok(await page.getByLabel('Last 24 hours').isChecked());
    await totals('24h').waitFor();
    assert.equal(await totals('24h').locator('[data-history-total]').textContent(), '3');

    // A request made while the page is open is in the history once the live stream has it.
    await page.locator('[data-live="open"]').waitFor();
    assert.equal((await gw.send('history-ui.localhost', '/c')).status, 200);
    await totals('24h').locator('[data-history-total]', { hasText: /^4$/ }).waitFor();
    assert.deepEqual(problems, []);
  });

  test('the overview re-reads its numbers while requests arrive', async () => {
    const problems: string[] = [];
    await gw.addRoute({ host: 'failing.admin-app.test', target: 'http://127.0.0.1:9' });
    const page = await signedIn(problems);
    await page.locator('[data-live="open"]').waitFor();
    const card = page.locator('[data-card="Errors (1 h)"]');
    const before = Number(await card.textContent());
    assert.equal((await gw.send('failing.admin-app.test', '/')).status, 502);
    await waitFor(
      'the errors card to count the new error',
      async () => Number(await card.textContent()) > before,
    );
    assert.deepEqual(problems, []);
  });

  test('the request log reconnects after a restart of the server and shows what was missed, once', async (t) => {
    const problems: string[] = [];
    // A gateway of its own, on a fixed port with its data kept, so it can be stopped and started again.
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-admin-app-restart-'));
    const adminAppDir = await builtAdminApp();
    const start = () => startTestGateway({ dataDir, flags: { port: String(port) }, adminAppDir });
    let running: TestGateway | undefined = await start();
    t.after(async () => {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await running.addRoute({ host: 'restart.admin-app.test', target: upstream.url });
    const send = async (path: string) =>
      assert.equal((await running!.send('restart.admin-app.test', path)).status, 200);
    const stored = (path: string) =>
      waitFor(`${path} to be stored`, async () => {
        const listed = await running!.api('GET', `/api/v1/requests?path=${path}`);
        return listed.body.requests?.length === 1;
      });
    await send('/before');
    await stored('/before');

    const page = await signedIn(problems, `http://localhost:${port}`);
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    const row = (path: string) => page.locator('tr[data-request]', { hasText: path });
    await row('/before').waitFor();
    await page.locator('[data-live="open"]').waitFor();

    // The server stops: its stream ends, and the page says it is reconnecting.
    await running.stop();
    running = undefined;
    await page.locator('[data-live="reconnecting"]').waitFor();
    await page.getByRole('status').filter({ hasText: 'reconnecting…' }).waitFor();

    // It starts again, and requests are answered before the page is let back in: only the
    // catching up can show them.
    const stream = '**/api/v1/requests/stream**';
    await page.route(stream, (route) => route.abort('connectionrefused'));
    running = await start();
    await send('/while-away-1');
    await send('/while-away-2');
    await stored('/while-away-2');
    await page.unroute(stream);
    await page.locator('[data-live="open"]').waitFor();
    await row('/while-away-1').waitFor();
    await row('/while-away-2').waitFor();
    await send('/after');
    await row('/after').waitFor();
    for (const path of ['/before', '/while-away-1', '/while-away-2', '/after'])
      assert.equal(await row(path).count(), 1, `${path} is shown once`);
    assert.deepEqual(problems, []);
  });

  test('a route is created with its validation error shown next to the field, listed, serving, deleted', async () => {
    const problems: string[] = [];
    const page = await signedIn(problems);
    await page.getByRole('link', { name: 'Routes', exact: true }).click();
    await page.getByRole('button', { name: 'New route' }).click();
    const form = page.getByRole('form', { name: 'New route' });
    await form.getByLabel('Host').fill('shop.admin-app.test');
    await form.getByLabel('Target URL').fill('not a url');
    await form.getByRole('button', { name: 'Create route' }).click();
    const targetError = form.locator('[data-field="target"] .field-error');
    await targetError.waitFor();
    assert.match((await targetError.textContent()) ?? '', /target/);
    assert.equal(await form.getByLabel('Target URL').getAttribute('aria-invalid'), 'true');
    assert.equal(await form.locator('[data-field="host"] .field-error').count(), 0);

    await form.getByLabel('Target URL').fill(upstream.url);
    await form.getByRole('button', { name: 'Create route' }).click();
    await page.locator('tr[data-route="shop.admin-app.test"]').waitFor();
    const served = await gw.send('shop.admin-app.test', '/');
    assert.equal(served.text, 'served by the shop');

    await page.getByRole('button', { name: 'Delete shop.admin-app.test/' }).click();
    await page.locator('tr[data-route="shop.admin-app.test"]').waitFor({ state: 'detached' });
    assert.equal((await gw.send('shop.admin-app.test', '/')).status, 404);
    assert.deepEqual(problems, []);
  });

  test('with recording off, the overview, left open, still counts a tunnel going offline, and its page tells when', async (t) => {
    // No records, so no live stream to tell the page: it reads the tunnels again by itself.
    const quiet = await startTestGateway({
      flags: { 'request-log': 'off' },
      adminAppDir: await builtAdminApp(),
    });
    t.after(() => quiet.stop());
    const problems: string[] = [];
    const agent = await startAgent(quiet, await createTunnel(quiet, 'overview-ui'), upstream.url);
    t.after(() => agent.stop());
    const page = await signedIn(problems, `http://localhost:${quiet.port}`);
    const card = (text: string) => page.locator('[data-card="Tunnels online"]', { hasText: text });
    await card('1 of 1').waitFor();
    agent.stop();
    await card('0 of 1').waitFor();
    // The tunnel's page tells when it dropped, with no request log to read it from.
    await page.goto(`http://localhost:${quiet.port}/ui/#/tunnels/overview-ui`);
    await page.locator('tr[data-event="disconnect"]').waitFor();
    await page.locator('[data-unavailable]').waitFor();
    assert.deepEqual(problems, []);
  });

  test("rotating a tunnel's key shows the new key once and the connected agent drops", async () => {
    const problems: string[] = [];
    const tunnel = await createTunnel(gw, 'laptop-ui');
    agents.push(await startAgent(gw, tunnel, upstream.url, { backoffBaseMs: 5000 }));
    const page = await signedIn(problems);
    await page.getByRole('link', { name: 'Tunnels', exact: true }).click();
    const row = page.locator('tr[data-tunnel="laptop-ui"]');
    await row.locator('[data-online="true"]').waitFor();
    assert.match((await row.textContent()) ?? '', /test/, 'the agent version');

    await page.getByRole('button', { name: 'Rotate key of laptop-ui' }).click();
    const key = (await page.locator('[data-new-key]').textContent()) ?? '';
    assert.notEqual(key.trim(), tunnel.key);
    assert.ok(key.trim().length > 20, key);
    await row.locator('[data-online="false"]').waitFor();
    assert.equal((await gw.api('GET', '/api/v1/tunnels/laptop-ui')).body.online, false);
    assert.deepEqual(problems, []);
  });

  test('a webhook delivery is shown decoded and replayed to a developer', async (t) => {
    const problems: string[] = [];
    const local = await startUpstream((_req, res) => res.end('alice got it'));
    t.after(() => local.close());
    await gw.addRoute({ host: HOOKS_HOST, target: upstream.url, relay: {} });
    const hooks = await gw.addRoute({
      host: HOOKS_HOST,
      path: '/hooks',
      target: upstream.url,
      relay: { webhooks: { paths: ['/hooks'], select: { header: 'x-developer' } } },
    });
    const tunnel = await createTunnel(gw, 'alice-hooks');
    agents.push(await startAgent(gw, tunnel, local.url));
    await registerTunnel(gw, { host: HOOKS_HOST, secret: RELAY_SECRET }, tunnel.name, 'alice');
    const sent = await request(`${gw.url}/hooks`, {
      method: 'POST',
      headers: { host: HOOKS_HOST, 'content-type': 'application/json', 'x-developer': 'alice' },
      body: JSON.stringify({ action: 'opened', number: 7 }),
    });
    assert.equal(await sent.body.text(), 'alice got it');
    assert.equal(local.seen.length, 1);

    const page = await signedIn(problems);
    await page.getByRole('link', { name: 'Relay', exact: true }).click();
    await page.getByLabel('Route').selectOption(hooks.id);
    await page.getByRole('cell', { name: 'alice', exact: true }).waitFor();
    await page.locator('tr[data-delivery] button').click();
    const body = page.locator('pre.body');
    await body.waitFor();
    assert.equal(await body.textContent(), JSON.stringify({ action: 'opened', number: 7 }, null, 2));
    await page.getByLabel('Replay to developer').fill('alice');
    await page.getByRole('button', { name: 'Replay' }).click();
    await page.getByRole('status').filter({ hasText: 'Replayed to alice: 200' }).waitFor();
    assert.equal(local.seen.length, 2);
    assert.equal(local.seen[1]!.body, JSON.stringify({ action: 'opened', number: 7 }));
    await page.locator('[data-replay="true"]').waitFor();
    assert.deepEqual(problems, []);
  });
});
