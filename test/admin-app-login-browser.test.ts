import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { request } from 'undici';
import type { DevIdp } from '../src/dev-idp/dev-idp.ts';
import { accessibilityViolations } from './helpers/accessibility.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtAdminApp } from './helpers/dashboard-build.ts';
import { standInEnvironment, startStandIn } from './helpers/dev-idp-login.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const TOKEN = 'gatehouse.admin.token';
const REFRESH = 'gatehouse.admin.refresh';

describe('the admin web app in Chromium, signed in by the admin login', () => {
  let idp: DevIdp;
  let gw: TestGateway;
  let browser: Browser;
  /** The gateway's own origin: the issuer, on `localhost`, an admin host. */
  let issuer: string;

  before(async () => {
    idp = await startStandIn();
    gw = await startTestGateway({
      flags: { domain: 'localhost', 'admin-users': 'oidc:u-alice' },
      env: standInEnvironment(idp),
      adminAppDir: await builtAdminApp(),
    });
    issuer = `http://localhost:${gw.port}`;
    browser = await launchChromium('localhost');
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await idp?.stop();
  });

  /**
   * A fresh tab at `origin`'s app, its page errors collected. (With logins configured, `/` on the
   * auth host is the self-service tunnel pages: the app is opened at `/ui/`.) `bypassCSP` lets
   * the accessibility checker be injected, which the app's policy forbids.
   */
  async function openApp(problems: string[], origin: string, bypassCSP = false): Promise<Page> {
    const page = await (await browser.newContext({ bypassCSP })).newPage();
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('console', (m) => {
      // A refused call is logged by Chromium itself; the app's own errors are what count.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    await page.goto(`${origin}/ui/`);
    return page;
  }

  /** Log in from the sign-in page: Gatehouse's login page, the stand-in, the person picked there. */
  async function logIn(page: Page, person: string): Promise<void> {
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('link', { name: 'Continue with Stand-in login' }).click();
    await page.getByRole('button', { name: `Log in as ${person}` }).click();
  }

  const held = (page: Page) =>
    page.evaluate(
      ([token, refresh]) => [sessionStorage.getItem(token!), sessionStorage.getItem(refresh!)],
      [TOKEN, REFRESH],
    );

  test('an administrator logs in and lands on the overview, the API answering, no token in the URL', async () => {
    const problems: string[] = [];
    const page = await openApp(problems, issuer);
    await page.getByLabel('Admin API key').waitFor();
    await logIn(page, 'alice');
    await page.getByRole('navigation', { name: 'Pages' }).waitFor();
    await page.locator('[data-card="Tunnels online"]').waitFor();
    assert.equal(page.url(), `${issuer}/ui/`, 'code, state and iss are gone from the address bar');
    const [token, refresh] = await held(page);
    assert.match(token ?? '', /^eyJ/, 'a JWT access token');
    assert.ok(refresh, 'a refresh token');
    // The token is one for the admin API, with the admin scope.
    const routes = await request(`${gw.url}/api/v1/routes`, {
      headers: { host: 'localhost', authorization: `Bearer ${token}` },
    });
    assert.equal(routes.statusCode, 200);
    await routes.body.dump();
    assert.deepEqual(problems, []);
  });

  test('someone not in --admin-users is refused, told why and what to do, on the sign-in page', async () => {
    const problems: string[] = [];
    const page = await openApp(problems, issuer, true);
    await page.getByRole('button', { name: 'Log in', exact: true }).waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], 'the sign-in page with its Log in button');
    await logIn(page, 'carol');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], 'the refusal shown');
    const text = (await alert.textContent()) ?? '';
    assert.match(text, /oidc:u-carol is not an administrator of this Gatehouse \(--admin-users\)/);
    assert.match(text, /sign in with an admin API key/);
    assert.equal(page.url(), `${issuer}/ui/`);
    assert.deepEqual(await held(page), [null, null]);
    await page.getByLabel('Admin API key').waitFor();
    assert.deepEqual(problems, []);
  });

  test('from another admin host: the token calls go cross-origin; a refused token is refreshed once; sign out revokes', async () => {
    const problems: string[] = [];
    const origin = `http://127.0.0.1:${gw.port}`;
    const page = await openApp(problems, origin);
    await logIn(page, 'alice');
    await page.locator('[data-card="Tunnels online"]').waitFor();
    assert.equal(page.url(), `${origin}/ui/`);
    const [first, firstRefresh] = await held(page);

    // The access token stops being accepted: the next call is refused, refreshed, sent again.
    await page.evaluate((key) => sessionStorage.setItem(key, 'not-a-token-the-api-knows'), TOKEN);
    await page.getByRole('link', { name: 'Routes', exact: true }).click();
    await page.getByText('No routes yet.').waitFor();
    const [second, secondRefresh] = await held(page);
    assert.match(second ?? '', /^eyJ/);
    assert.notEqual(second, first);
    assert.ok(secondRefresh && secondRefresh !== firstRefresh, 'the refresh token rotated');
    assert.equal(await page.getByRole('alert').count(), 0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin API key').waitFor();
    assert.deepEqual(await held(page), [null, null]);
    // The login is over at the server too: its refresh token and access token are refused.
    const refreshed = await request(`${gw.url}/oauth/token`, {
      method: 'POST',
      headers: { host: `localhost:${gw.port}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'gatehouse-admin',
        refresh_token: secondRefresh,
      }).toString(),
    });
    assert.equal(((await refreshed.body.json()) as { error: string }).error, 'invalid_grant');
    const routes = await request(`${gw.url}/api/v1/routes`, {
      headers: { host: 'localhost', authorization: `Bearer ${second}` },
    });
    assert.equal(routes.statusCode, 401);
    await routes.body.dump();
    assert.deepEqual(problems, []);
  });

  test('a refused refresh ends the login: back to sign-in', async () => {
    const problems: string[] = [];
    const page = await openApp(problems, issuer);
    await logIn(page, 'alice');
    await page.locator('[data-card="Tunnels online"]').waitFor();
    await page.evaluate(
      ([token, refresh]) => {
        sessionStorage.setItem(token!, 'not-a-token-the-api-knows');
        sessionStorage.setItem(refresh!, 'not-a-refresh-token');
      },
      [TOKEN, REFRESH],
    );
    await page.getByRole('link', { name: 'Routes', exact: true }).click();
    await page.getByLabel('Admin API key').waitFor();
    assert.deepEqual(await held(page), [null, null]);
    assert.deepEqual(problems, []);
  });
});
