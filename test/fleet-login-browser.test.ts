import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { sessionCookieName } from '../src/auth/sessions/session-cookie.ts';
import { manualClock } from '../src/core/clock.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { launchChromium } from './helpers/chromium.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

describe('fleet-login in a real browser', () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  let sim: Simulator;
  let gw: TestGateway;
  let browser: Browser;

  before(async () => {
    sim = await startSimulator({
      clock,
      seed: validateSeed({
        ...DEFAULT_SEED_INPUT,
        apps: DEFAULT_SEED_INPUT.apps.map((app) => ({ ...app, require_partner_registration: false })),
      }),
    });
    gw = await startTestGateway({
      clock,
      env: {
        TESLA_CLIENT_ID: 'gatehouse-sim-client',
        TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
        TESLA_SIMULATOR: sim.url,
      },
    });
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await gw?.stop();
    await sim?.stop();
  });

  test("a driver logs in on Tesla's pages and lands on the report of both vehicles", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    await page.goto(`${gw.url}/tesla/login`);
    await page.waitForURL(`${sim.url}/oauth2/v3/authorize?**`);
    await page.fill('input[name="email"]', 'driver@example.com');
    await page.fill('input[name="password"]', 'tesla');
    await page.click('button[type="submit"]');
    await page.click('button[name="decision"][value="allow"]');
    await page.waitForURL(`${gw.url}/tesla/report`);
    const online = page.locator('section.vehicle[data-state="online"]');
    const asleep = page.locator('section.vehicle[data-state="asleep"]');
    assert.equal(await online.count(), 1);
    assert.equal(await asleep.count(), 1);
    assert.match((await online.textContent()) ?? '', /Blue Bolt.*Battery\d+ %/s);
    assert.match(
      (await asleep.textContent()) ?? '',
      /Night Owl.*asleep: details appear once the vehicle is online/s,
    );
    assert.equal(await page.getAttribute('#pair-link', 'href'), `${sim.url}/_ak/127.0.0.1`);
    assert.equal(await page.locator('#pair-qr svg').count(), 1);
    // The page's policy lets its own style sheet apply, and refuses nothing the page uses.
    assert.equal((await page.locator('#pair-qr').boundingBox())?.width, 192, 'the QR code is 12rem wide');
    const [refresh, logout] = [
      await page.locator('#refresh').boundingBox(),
      await page.locator('#logout').boundingBox(),
    ];
    assert.equal(refresh?.y, logout?.y, 'the two forms sit on one line');
    assert.deepEqual(refused, []);
    // The session cookie is the server's alone.
    const cookie = (await context.cookies()).find((c) => c.name === sessionCookieName(false, '/tesla'));
    assert.equal(cookie?.httpOnly, true);
    assert.equal(cookie?.sameSite, 'Lax');
    await page.click('#logout');
    await page.waitForSelector('text=You are logged out');
    await context.close();
  });
});
