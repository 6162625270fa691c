import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { request } from 'undici';
import { accessibilityViolations } from './helpers/accessibility.ts';
import { launchChromium } from './helpers/chromium.ts';
import { builtDashboard } from './helpers/dashboard-build.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { alerts, connectivity, errors, TestFeed, vehicleData } from './helpers/telemetry-feed.ts';
import { waitFor } from './helpers/wait-for.ts';

const TOKEN = 'dashboard-shared-token-0123456789';
const CAR = '5YJ3E1EA7KF000001';
const OLD_FIRMWARE_CAR = '5YJ3E1EA7KF000002';
const NOW = Date.parse('2026-03-02T09:00:00Z');

describe('the dashboard page in Chromium', () => {
  const feed = new TestFeed();
  let gw: TestGateway;
  let browser: Browser;

  before(async () => {
    gw = await startTestGateway({
      env: { DASHBOARD_TOKEN: TOKEN },
      telemetryFeed: feed,
      dashboardDir: await builtDashboard(),
    });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
  });

  test('the page and its assets come from Gatehouse, with a policy that allows nothing else', async () => {
    const page = await request(`${gw.url}/fleet/dashboard`);
    assert.equal(page.statusCode, 200);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    const html = await page.body.text();
    const script = html.match(/src="(\/fleet\/dashboard\/assets\/[^"]+\.js)"/)?.[1];
    assert.ok(script, html);
    const asset = await request(`${gw.url}${script}`);
    assert.equal(asset.statusCode, 200);
    assert.match(String(asset.headers['content-type']), /javascript/);
    assert.match(String(asset.headers['cache-control']), /immutable/);
    await asset.body.dump();
    const missing = await request(`${gw.url}/fleet/dashboard/assets/../../../package.json`);
    assert.equal(missing.statusCode, 404);
    await missing.body.dump();
  });

  test('values appear as records arrive: connection, speed, charge, charts, trace, alerts, errors', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    await page.waitForSelector('[data-connection="open"]');
    // The token leaves the address bar once the page holds it.
    assert.equal(new URL(page.url()).search, '');
    assert.match((await page.textContent('main')) ?? '', /No vehicles yet/);

    feed.push(connectivity(CAR, NOW, 'CONNECTED'));
    const row = page.locator(`tr[data-vin="${CAR}"]`);
    await row.locator('[data-status="CONNECTED"]').waitFor();

    const route = [
      [37.4919, -121.9447],
      [37.4925, -121.944],
      [37.4932, -121.9431],
    ] as const;
    for (const [i, [latitude, longitude]] of route.entries()) {
      feed.push(
        vehicleData(CAR, NOW + (i + 1) * 1000, {
          VehicleSpeed: 60 + i * 0.75,
          Soc: 80.5 - i,
          Location: { latitude, longitude },
          Gear: 'ShiftStateD',
          InsideTemp: null,
        }),
      );
    }
    await waitFor(
      'the last speed on the page',
      async () => (await row.locator('[data-field="speed"]').textContent()) === '61.5',
    );
    assert.equal(await row.locator('[data-field="soc"]').textContent(), '78.5');
    assert.equal(await row.locator('[data-field="gear"]').textContent(), 'ShiftStateD');
    assert.equal(await page.textContent('[data-field-name="InsideTemp"] td'), 'invalid');
    // uPlot drew both charts; the trace has every position.
    assert.equal(await page.locator('[data-chart="speed"] canvas').count(), 1);
    assert.equal(await page.locator('[data-chart="soc"] canvas').count(), 1);
    assert.equal(await page.getAttribute('[data-chart="speed"]', 'data-values'), '3');
    assert.equal(await page.getAttribute('[data-chart="soc"]', 'data-values'), '3');
    const points = (await page.getAttribute('.trace polyline', 'points')) ?? '';
    assert.equal(points.trim().split(/\s+/).length, 3);
    assert.equal(await page.textContent('[data-field="location"]'), '37.49320, -121.94310');

    feed.push(
      alerts(CAR, NOW + 4000, [
        {
          name: 'BMS_a035_SW_Battery_Low',
          audiences: ['Customer'],
          startedAt: NOW + 3500,
          endedAt: undefined,
        },
      ]),
    );
    feed.push(errors(CAR, NOW + 5000, 'gps_lost', 'no fix for 30 s'));
    await page.locator('[data-alert="BMS_a035_SW_Battery_Low"]').waitFor();
    await page.locator('[data-error="gps_lost"]').waitFor();
    assert.match((await page.textContent('[data-error="gps_lost"]')) ?? '', /no fix for 30 s/);
    // An alert that ended leaves the active list.
    feed.push(
      alerts(CAR, NOW + 6000, [
        {
          name: 'BMS_a035_SW_Battery_Low',
          audiences: ['Customer'],
          startedAt: NOW + 3500,
          endedAt: NOW + 6000,
        },
      ]),
    );
    await page.locator('[data-alert]').waitFor({ state: 'detached' });

    feed.push(connectivity(CAR, NOW + 7000, 'DISCONNECTED'));
    await row.locator('[data-status="DISCONNECTED"]').waitFor();

    assert.deepEqual(problems, []);
    const origin = new URL(gw.url).origin;
    assert.deepEqual(
      requests.filter((u) => !u.startsWith(origin)),
      [],
      'everything the page loads comes from Gatehouse',
    );
    await context.close();
  });

  test('a page opened later starts from the snapshot: latest values and recent errors', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    const row = page.locator(`tr[data-vin="${CAR}"]`);
    await row.locator('[data-status="DISCONNECTED"]').waitFor();
    assert.equal(await row.locator('[data-field="speed"]').textContent(), '61.5');
    await page.locator('[data-error="gps_lost"]').waitFor();
    assert.equal(await page.locator('[data-alert]').count(), 0);
    await context.close();
  });

  test('the live page and a vehicle opened from the keyboard meet WCAG 2.1 AA', async () => {
    // The checker is injected as a script, which the dashboard's own policy forbids.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    const row = page.locator(`tr[data-vin="${CAR}"]`);
    await row.locator('[data-status]').waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], 'the vehicle list');
    // Selected from the keyboard: the VIN is the row's button.
    await row.getByRole('button', { name: CAR }).focus();
    await page.keyboard.press('Enter');
    await page.locator(`[data-detail="${CAR}"]`).waitFor();
    assert.deepEqual(await accessibilityViolations(page), [], 'a vehicle open');
    await context.close();
  });

  test('numbers sent as strings, as older firmware does without prefer_typed, count as numbers', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gw.url}/fleet/dashboard?token=${TOKEN}`);
    await page.waitForSelector('[data-connection="open"]');
    feed.push(connectivity(OLD_FIRMWARE_CAR, NOW, 'CONNECTED'));
    for (const [i, soc] of ['66.92', '66.9'].entries()) {
      feed.push(
        vehicleData(OLD_FIRMWARE_CAR, NOW + (i + 1) * 1000, {
          VehicleSpeed: String(30 + i),
          Soc: soc,
          Locked: 'false',
        }),
      );
    }
    feed.push(vehicleData(OLD_FIRMWARE_CAR, NOW + 3000, { VehicleSpeed: 'not a number', Soc: '' }));
    const row = page.locator(`tr[data-vin="${OLD_FIRMWARE_CAR}"]`);
    await row.locator('[data-status="CONNECTED"]').waitFor();
    await waitFor(
      'the last record on the page',
      async () => (await row.locator('[data-field="speed"]').textContent()) === 'not a number',
    );
    await row.click();
    await page.locator(`[data-detail="${OLD_FIRMWARE_CAR}"]`).waitFor();
    // Two numeric strings each; the text and the empty string are no value, not zero.
    assert.equal(await page.getAttribute('[data-chart="speed"]', 'data-values'), '2');
    assert.equal(await page.getAttribute('[data-chart="soc"]', 'data-values'), '2');
    assert.equal(await row.locator('[data-field="soc"]').textContent(), '–');
    feed.push(vehicleData(OLD_FIRMWARE_CAR, NOW + 4000, { Soc: '65.5' }));
    await waitFor(
      'the charge as a number',
      async () => (await row.locator('[data-field="soc"]').textContent()) === '65.5',
    );
    assert.equal(await page.getAttribute('[data-chart="soc"]', 'data-values'), '3');
    await context.close();
  });

  test('a refused token is explained and the form asks for another', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${gw.url}/fleet/dashboard?token=not-the-token`);
    await page.waitForSelector('[role="alert"]');
    assert.match((await page.textContent('[role="alert"]')) ?? '', /neither DASHBOARD_TOKEN nor a JWT/);
    await page.fill('input[name="token"]', TOKEN);
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-connection="open"]');
    await context.close();
  });
});
