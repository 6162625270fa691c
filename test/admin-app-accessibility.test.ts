import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { accessibilityViolations as violations } from './helpers/accessibility.ts';
import { createTunnel, startAgent } from './helpers/agent.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtAdminApp } from './helpers/dashboard-build.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

/** The app's pages by their address, and what shows each has drawn its data. */
const PAGES = [
  { hash: 'overview', ready: '[data-card="Tunnels online"]' },
  { hash: 'routes', ready: 'tr[data-route]' },
  { hash: 'tunnels', ready: 'tr[data-tunnel] [data-online="true"]' },
  { hash: 'tunnels/a11y-laptop', ready: 'main canvas' },
  { hash: 'requests', ready: 'tr[data-request]' },
  { hash: 'analytics', ready: '[data-chart="rate"] canvas' },
  { hash: 'relay', ready: 'tr[data-delivery]' },
  { hash: 'certificates', ready: 'main p:has-text("No managed certificates")' },
  { hash: 'mcp', ready: 'main p:has-text("No mcp routes")' },
  { hash: 'keys', ready: 'main table' },
] as const;

/** Page-side: the focused control's name (its label, aria-label or text) and whether a ring shows. */
const FOCUSED = `(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
  const name = el.getAttribute('aria-label') || el.labels?.[0]?.textContent || el.textContent.trim();
  return { label: name || el.tagName, ring };
})()`;

describe('the admin web app can be read and used by everyone', () => {
  let gw: TestGateway;
  let browser: Browser;
  let upstream: Upstream;
  let agent: TunnelAgent | undefined;
  let app: string;

  before(async () => {
    gw = await startTestGateway({
      environment: 'dev',
      flags: { relay: true },
      env: { DEV_PROXY_SHARED_SECRET: 'a11y-relay-secret' },
      adminAppDir: await builtAdminApp(),
    });
    upstream = await startUpstream((_req, res) => res.end('ok'));
    await gw.addRoute({ host: 'shop.a11y.test', target: upstream.url });
    await gw.addRoute({
      host: 'hooks.a11y.test',
      target: upstream.url,
      relay: { webhooks: { paths: ['/hooks'], select: { header: 'x-developer' } } },
    });
    const hook = await gw.send('hooks.a11y.test', '/hooks', { method: 'POST', body: '{"a":1}' });
    assert.ok(hook.status < 500, `the webhook was taken: ${hook.status} ${hook.text}`);
    await gw.addRoute({ host: 'down.a11y.test', target: 'http://127.0.0.1:9' });
    const tunnel = await createTunnel(gw, 'a11y-laptop');
    agent = await startAgent(gw, tunnel, upstream.url);
    assert.equal((await gw.send('shop.a11y.test', '/')).status, 200);
    assert.equal((await gw.send('a11y-laptop.localhost', '/')).status, 200);
    assert.equal((await gw.send('down.a11y.test', '/')).status, 502);
    await waitFor('the records to be stored', async () => {
      const listed = await gw.api('GET', '/api/v1/requests?tunnel=a11y-laptop');
      return listed.body.requests?.length === 1;
    });
    app = `http://localhost:${gw.port}`;
    browser = await launchChromium('localhost');
  });
  after(async () => {
    agent?.stop();
    await browser?.close();
    await upstream?.close();
    await gw?.stop();
  });

  /** A tab on the app; the checker is injected as a script, which the app's own policy forbids. */
  async function tab(): Promise<Page> {
    return (await browser.newContext({ bypassCSP: true })).newPage();
  }

  test('the sign-in page, with and without an error, meets WCAG 2.1 AA', async () => {
    const page = await tab();
    await page.goto(`${app}/`);
    await page.getByLabel('Admin API key').waitFor();
    assert.deepEqual(await violations(page), []);
    await page.getByLabel('Admin API key').fill('gk_not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    assert.deepEqual(await violations(page), []);
  });

  test('every page, with its data drawn, meets WCAG 2.1 AA', async () => {
    const page = await tab();
    await page.goto(`${app}/`);
    await page.getByLabel('Admin API key').fill(ADMIN_KEY);
    await page.getByRole('button', { name: 'Sign in' }).click();
    for (const { hash, ready } of PAGES) {
      await page.goto(`${app}/ui/#/${hash}`);
      await page.locator(ready).first().waitFor();
      assert.deepEqual(await violations(page), [], `#/${hash}`);
    }
    // The route form with a field error shown beside its field.
    await page.goto(`${app}/ui/#/routes`);
    await page.getByRole('button', { name: 'New route' }).click();
    const form = page.getByRole('form', { name: 'New route' });
    await form.getByLabel('Host').fill('x.a11y.test');
    await form.getByLabel('Target URL').fill('not a url');
    await form.getByRole('button', { name: 'Create route' }).click();
    await form.locator('[data-field="target"] .field-error').waitFor();
    assert.deepEqual(await violations(page), [], 'the route form with an error');
  });

  test('the keyboard alone signs in and reaches every page, each control showing where focus is', async () => {
    const page = await tab();
    await page.goto(`${app}/`);
    const unmarked: string[] = [];
    /** Presses Tab until `name` has focus, noting any stop that shows no focus ring. */
    const tabTo = async (name: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        const focused = (await page.evaluate(FOCUSED)) as { label: string; ring: boolean } | null;
        if (!focused) continue;
        if (!focused.ring) unmarked.push(focused.label);
        if (focused.label.trim() === name) return;
      }
      assert.fail(`Tab never reached ${name}`);
    };
    await tabTo('Admin API key');
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press('Enter');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    for (const name of ['Routes', 'Tunnels', 'Requests', 'Analytics', 'API keys']) {
      await tabTo(name);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name }).waitFor();
    }
    await tabTo('Sign out');
    assert.deepEqual(unmarked, [], 'controls that took focus with no visible ring');
  });
});
