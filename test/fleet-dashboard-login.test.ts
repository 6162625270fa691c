import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { request } from 'undici';
import { manualClock } from '../src/core/clock.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtDashboard } from './helpers/dashboard-build.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { connectivity, TestFeed, vehicleData } from './helpers/telemetry-feed.ts';

/** Sam's two vehicles (the seed's driver@example.com) and Eva's one. */
const SAMS = ['5YJ3E7EB2NF000001', '7SAYGDEE1PF000002'];
const EVAS = 'LRW3E7EK4PC000003';

describe('a person logged in with Tesla watches their own vehicles on the live dashboard', () => {
  const clock = manualClock(Date.now());
  const feed = new TestFeed();
  let sim: Simulator;
  let gw: TestGateway;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    sim = await startSimulator({
      clock,
      seed: validateSeed({
        ...DEFAULT_SEED_INPUT,
        apps: DEFAULT_SEED_INPUT.apps.map((app) => ({ ...app, require_partner_registration: false })),
      }),
    });
    // No DASHBOARD_TOKEN: the Tesla login is all a person needs.
    gw = await startTestGateway({
      clock,
      telemetryFeed: feed,
      dashboardDir: await builtDashboard(),
      env: {
        TESLA_CLIENT_ID: 'gatehouse-sim-client',
        TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
        TESLA_SIMULATOR: sim.url,
      },
    });
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    for (const vin of [...SAMS, EVAS]) {
      feed.push(connectivity(vin, clock() - 5000, 'CONNECTED'));
      feed.push(
        vehicleData(vin, clock() - 4000, {
          VehicleSpeed: 42,
          Soc: 80,
          Location: { latitude: 37.4, longitude: -122.1 },
        }),
      );
    }
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    await page.goto(`${gw.url}/tesla/login`);
    await page.waitForURL(`${sim.url}/oauth2/v3/authorize?**`);
    await page.fill('input[name="email"]', 'driver@example.com');
    await page.fill('input[name="password"]', 'tesla');
    await page.click('button[type="submit"]');
    await page.click('button[name="decision"][value="allow"]');
    await page.waitForURL(`${gw.url}/tesla/report`);
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  test('the report links to the dashboard, which streams exactly their vehicles', async () => {
    await page.click('#live-dashboard');
    await page.waitForURL(`${gw.url}/tesla/dashboard`);
    await page.locator('[data-connection="open"]').waitFor();
    const vins = page.locator('table.vehicles tbody .vin');
    await vins.nth(1).waitFor();
    assert.deepEqual((await vins.allTextContents()).sort(), SAMS);
    // Live records: Sam's arrive, Eva's never reach his page.
    feed.push(vehicleData(EVAS, clock(), { VehicleSpeed: 99 }));
    feed.push(vehicleData(SAMS[0]!, clock(), { VehicleSpeed: 57 }));
    await page.locator('table.vehicles tbody tr', { hasText: SAMS[0]! }).click();
    await page.locator('[data-chart="speed"][data-values="2"]').waitFor();
    assert.deepEqual((await vins.allTextContents()).sort(), SAMS);
    assert.equal(await page.locator(`text=${EVAS}`).count(), 0);
    assert.equal(await page.getAttribute('#report-link', 'href'), '/tesla/report');
    // Units on the charts, and a scale on the location trace even with one position.
    assert.equal(await page.locator('.chart-box figcaption').first().textContent(), 'Speed (mph)');
    assert.equal(await page.locator('.trace .scale-bar text').textContent(), '50 m');
    const soc = (await page.locator('.chart-box').nth(1).boundingBox())!;
    const trace = (await page.locator('.trace').boundingBox())!;
    assert.ok(soc.x + soc.width <= trace.x, 'the charts leave the location trace uncovered');
  });

  test("another person's VIN is refused with 403 and says why", async () => {
    const res = await page.goto(`${gw.url}/tesla/dashboard?vin=${EVAS}`);
    assert.equal(res?.status(), 403);
    assert.match(
      (await page.textContent('body')) ?? '',
      new RegExp(`${EVAS} is not a vehicle of the Tesla account you logged in with`),
    );
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const socket = await request(`${gw.url}/tesla/dashboard/ws?vin=${EVAS}`, { headers: { cookie } });
    assert.equal(socket.statusCode, 403);
    assert.equal(
      ((await socket.body.json()) as { error: { code: string } }).error.code,
      'FLEET_VEHICLE_NOT_YOURS',
    );
    const own = await request(`${gw.url}/tesla/dashboard/ws?vin=${SAMS[1]}`, { headers: { cookie } });
    assert.equal(own.statusCode, 426, 'one of their own is fine');
    await own.body.dump();
  });

  test('without a login the page and its socket answer 401, and the operators keep /fleet/dashboard', async () => {
    const anonymous = await browser.newContext();
    const other = await anonymous.newPage();
    const res = await other.goto(`${gw.url}/tesla/dashboard`);
    assert.equal(res?.status(), 401);
    assert.match((await other.textContent('body')) ?? '', /log in at \/tesla\/login/);
    await anonymous.close();
    const socket = await request(`${gw.url}/tesla/dashboard/ws`);
    assert.equal(socket.statusCode, 401);
    await socket.body.dump();
    // The shared token is the operators' way in; this gateway has none set.
    const operators = await request(`${gw.url}/fleet/dashboard/ws`);
    assert.equal(operators.statusCode, 503);
    await operators.body.dump();
  });

  test('logging out in another tab signs the open dashboard out: it says so, links to the login and stops connecting', async () => {
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    await page.goto(`${gw.url}/tesla/dashboard`);
    await page.locator('[data-connection="open"]').waitFor();
    const report = await context.newPage();
    await report.goto(`${gw.url}/tesla/report`);
    await report.click('#logout');
    await report.waitForSelector('text=You are logged out');
    await report.close();
    const alert = page.locator('.refusal[role="alert"]');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'signed out: log in again');
    assert.equal(await page.getAttribute('a[href="/tesla/login"]', 'href'), '/tesla/login');
    assert.equal(await page.locator('[data-connection]').count(), 0, 'the live view is gone, and its socket');
    assert.equal(sockets.length, 1, 'the page did not open another socket to be refused');
  });
});
