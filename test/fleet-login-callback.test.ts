import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { loginCookieName } from '../src/auth/sessions/login-binding.ts';
import { sessionCookieName } from '../src/auth/sessions/session-cookie.ts';
import { manualClock } from '../src/core/clock.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { TESLA_ACCOUNTS } from '../src/store/entities.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { consentAtSimulator, csrfOf, logIn, loginAtSimulator, TestBrowser } from './helpers/tesla-login.ts';

const ONLINE = '5YJ3E7EB2NF000001';
const ASLEEP = '7SAYGDEE1PF000002';
const DATA_PER_MINUTE = 3;

/** The message of a page the login answered with. */
function messageOf(html: string): string {
  const match = /<p id="message">([^<]*)<\/p>/.exec(html);
  assert.ok(match, `a message page:\n${html}`);
  return match[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

describe('fleet-login against the simulator: callback checks, reports and Tesla errors', () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  let sim: Simulator;
  let gw: TestGateway;
  let base: string;
  /** Runs after each vehicles list the gateway fetches, when a test sets it. */
  let afterVehicleList: (() => Promise<void>) | undefined;

  before(async () => {
    const seed = validateSeed({
      ...DEFAULT_SEED_INPUT,
      // Partner registration has its own tests; here the app is registered everywhere already.
      apps: DEFAULT_SEED_INPUT.apps.map((app) => ({ ...app, require_partner_registration: false })),
      rate_limits: { vehicle_data_per_minute: DATA_PER_MINUTE },
    });
    sim = await startSimulator({ clock, seed });
    gw = await startTestGateway({
      clock,
      env: {
        TESLA_CLIENT_ID: 'gatehouse-sim-client',
        TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
        TESLA_SIMULATOR: sim.url,
      },
      fleetFetch: async (input, init) => {
        const res = await fetch(input, init);
        if (afterVehicleList && /\/api\/1\/vehicles\?/.test(String(input))) await afterVehicleList();
        return res;
      },
    });
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    await gw.addRoute({
      kind: 'fleet-login',
      host: '127.0.0.1',
      path: '/limited',
      fleetLogin: { scopes: ['openid', 'offline_access', 'user_data'] },
    });
    base = `${gw.url}/tesla`;
  });
  after(async () => {
    await gw.stop();
    await sim.stop();
  });
  beforeEach(() => {
    // A new rate-limit window for every test; tokens live hours, so they stay valid.
    clock.advance(61_000);
    afterVehicleList = undefined;
  });

  test('login sends the browser to Tesla with state, PKCE S256, the scopes and the callback', async () => {
    const start = await new TestBrowser().send(`${base}/login`);
    assert.equal(start.status, 302);
    const url = new URL(start.location!);
    assert.equal(`${url.origin}${url.pathname}`, `${sim.url}/oauth2/v3/authorize`);
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
    assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok((url.searchParams.get('state') ?? '').length >= 20);
    assert.equal(url.searchParams.get('redirect_uri'), `${base}/callback`);
    assert.equal(url.searchParams.get('client_id'), 'gatehouse-sim-client');
    assert.deepEqual(url.searchParams.get('scope')?.split(' '), [
      'openid',
      'offline_access',
      'user_data',
      'vehicle_device_data',
      'vehicle_location',
      'vehicle_cmds',
    ]);
    const cookie = start.headers.getSetCookie().join('\n');
    assert.match(
      cookie,
      new RegExp(`${loginCookieName(false, '/tesla')}=[^;]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`),
    );
  });

  test('a login lands on a report of both vehicles: the online one with its battery, the asleep one as such', async () => {
    const browser = new TestBrowser();
    const callback = await logIn(browser, base);
    assert.match(
      callback.headers.getSetCookie().join('\n'),
      new RegExp(`${sessionCookieName(false, '/tesla')}=[^;]+; Path=/; HttpOnly; SameSite=Lax`),
    );
    const json = await browser.send(`${base}/report.json`);
    assert.equal(json.status, 200);
    const report = JSON.parse(json.text);
    const online = report.vehicles.find((v: { vin: string }) => v.vin === ONLINE);
    const asleep = report.vehicles.find((v: { vin: string }) => v.vin === ASLEEP);
    assert.equal(online.state, 'online');
    assert.equal(typeof online.batteryLevel, 'number');
    assert.equal(typeof online.rangeMiles, 'number');
    assert.equal(typeof online.location.latitude, 'number');
    assert.equal(online.firmware.startsWith('2024.26.5'), true);
    assert.equal(asleep.state, 'asleep');
    assert.equal(asleep.batteryLevel, undefined);
    assert.match(asleep.note, /asleep/);
    const html = await browser.send(`${base}/report`);
    assert.equal(html.status, 200);
    assert.match(html.text, /Blue Bolt/);
    assert.match(html.text, /Night Owl/);
    assert.ok(html.text.includes(`href="${sim.url}/_ak/127.0.0.1"`), 'the pairing link of the simulator');
    assert.match(html.text, /<svg[^>]*>/);
    const [, day, minute] = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d)/.exec(report.generatedAt)!;
    assert.ok(
      html.text.includes(`Report made <time datetime="${report.generatedAt}">${day} ${minute} UTC</time>.`),
      'the time readable, the exact one in datetime',
    );
    const miles = /<th>Odometer<\/th><td>([\d,]+) mi/.exec(html.text)?.[1];
    assert.ok(miles, 'an odometer row');
    const odometer = Number(miles.replaceAll(',', ''));
    assert.ok(odometer >= 2_000 && odometer < 50_000, `a used car's odometer, not ${miles} mi`);
  });

  test('a callback without a state, or with one never issued, is refused with the way back to /login', async () => {
    for (const query of ['?code=NA_abc', '?code=NA_abc&state=never-issued']) {
      const answer = await new TestBrowser().send(`${base}/callback${query}`);
      assert.equal(answer.status, 400);
      assert.match(messageOf(answer.text), /start again at \/tesla\/login/);
      assert.match(answer.text, /href="\/tesla\/login"/);
    }
  });

  test('a state is used once: the same callback again is refused', async () => {
    const browser = new TestBrowser();
    const back = await loginAtSimulator(browser, base);
    assert.equal((await browser.send(back)).status, 302);
    const again = await browser.send(back);
    assert.equal(again.status, 400);
    assert.match(messageOf(again.text), /finished already: start again at \/tesla\/login/);
  });

  test('a state expires after 10 minutes', async () => {
    const browser = new TestBrowser();
    const back = await loginAtSimulator(browser, base);
    clock.advance(10 * 60_000 + 1000);
    const late = await browser.send(back);
    assert.equal(late.status, 400);
    assert.match(messageOf(late.text), /expired/);
  });

  test('a callback in another browser than the one that started the login is refused', async () => {
    const back = await loginAtSimulator(new TestBrowser(), base);
    const elsewhere = await new TestBrowser().send(back);
    assert.equal(elsewhere.status, 400);
    assert.match(messageOf(elsewhere.text), /started in another browser/);
  });

  test('a user who declines gets a page saying so', async () => {
    const browser = new TestBrowser();
    const start = await browser.send(`${base}/login`);
    const back = await consentAtSimulator(browser, start.location!, { decision: 'deny' });
    assert.match(back, /error=access_denied/);
    const page = await browser.send(back);
    assert.equal(page.status, 403);
    assert.match(messageOf(page.text), /You declined/);
  });

  test('a code Tesla refuses ends the login with a page saying to start again', async () => {
    const browser = new TestBrowser();
    const back = new URL(await loginAtSimulator(browser, base));
    back.searchParams.set('code', 'NA_0000000000000000');
    const page = await browser.send(back.toString());
    assert.equal(page.status, 400);
    assert.match(messageOf(page.text), /Tesla refused the login's code .*start again at \/tesla\/login/);
  });

  test('logout needs the form token, then forgets the session and the stored tokens', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base);
    const page = await browser.send(`${base}/report`);
    const accounts = gw.gateway.store.collection(TESLA_ACCOUNTS);
    const before = (await accounts.list()).length;
    assert.ok(before > 0);
    const forged = await browser.send(`${base}/logout`, { form: { csrf: 'guessed' } });
    assert.equal(forged.status, 403);
    const out = await browser.send(`${base}/logout`, { form: { csrf: csrfOf(page.text) } });
    assert.equal(out.status, 200);
    assert.match(out.text, /logged out/);
    assert.equal((await accounts.list()).length, before - 1, 'the tokens of that login are gone');
    assert.equal((await browser.send(`${base}/report`)).status, 401);
    const json = await browser.send(`${base}/report.json`);
    assert.equal(json.status, 401);
    assert.equal(JSON.parse(json.text).error.code, 'FLEET_SESSION_MISSING');
  });

  test('a POST with the form token rebuilds the report', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base);
    const first = JSON.parse((await browser.send(`${base}/report.json`)).text);
    clock.advance(1000);
    const page = await browser.send(`${base}/report`);
    const posted = await browser.send(`${base}/report`, { form: { csrf: csrfOf(page.text) } });
    assert.equal(posted.status, 303);
    const second = JSON.parse((await browser.send(`${base}/report.json`)).text);
    assert.ok(Date.parse(second.generatedAt) > Date.parse(first.generatedAt));
  });

  test('403: a login without vehicle_device_data is told which scope to grant', async () => {
    const browser = new TestBrowser();
    const limited = `${gw.url}/limited`;
    await logIn(browser, limited);
    const page = await browser.send(`${limited}/report`);
    assert.equal(page.status, 403);
    assert.match(messageOf(page.text), /lacks a scope.*log in again/);
    const json = JSON.parse((await browser.send(`${limited}/report.json`)).text);
    assert.equal(json.error.code, 'FLEET_MISSING_SCOPES');
  });

  test('421: an account of another region is told which base URL serves it', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base, { email: 'fahrer@example.eu' });
    const page = await browser.send(`${base}/report`);
    assert.equal(page.status, 421);
    assert.ok(messageOf(page.text).includes(`another region: use ${sim.url}/eu`), messageOf(page.text));
  });

  test('408: a vehicle that falls asleep before its data is read is shown with what to do', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base);
    afterVehicleList = async () => {
      afterVehicleList = undefined;
      await fetch(`${sim.url}/sim/vehicles/${ONLINE}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'asleep' }),
      });
    };
    const json = JSON.parse((await browser.send(`${base}/report.json?refresh=1`)).text);
    const vehicle = json.vehicles.find((v: { vin: string }) => v.vin === ONLINE);
    assert.equal(vehicle.problem.code, 'FLEET_VEHICLE_OFFLINE');
    assert.match(vehicle.problem.message, /asleep or offline: wake it/);
    const page = await browser.send(`${base}/report`);
    assert.match(page.text, /asleep or offline: wake it/);
    await fetch(`${sim.url}/sim/vehicles/${ONLINE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ state: 'online' }),
    });
  });

  test('429: a rate limit says when to try again', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base);
    let page = await browser.send(`${base}/report?refresh=1`);
    for (let i = 0; i < DATA_PER_MINUTE && page.status === 200; i++)
      page = await browser.send(`${base}/report?refresh=1`);
    assert.equal(page.status, 429);
    assert.match(messageOf(page.text), /rate limit is reached: try again in \d+ seconds/);
    assert.match(page.headers.get('retry-after') ?? '', /^\d+$/);
  });

  test('401: tokens Tesla revoked (its code was replayed) are reported with what to do', async () => {
    const browser = new TestBrowser();
    const back = await loginAtSimulator(browser, base);
    assert.equal((await browser.send(back)).status, 302);
    const replay = await fetch(`${sim.url}/oauth2/v3/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: 'gatehouse-sim-client',
        client_secret: 'gatehouse-sim-secret',
        code: new URL(back).searchParams.get('code')!,
        redirect_uri: `${base}/callback`,
        code_verifier: 'x'.repeat(43),
        audience: sim.regionBaseUrl('na'),
      }).toString(),
    });
    assert.equal(replay.status, 400);
    const page = await browser.send(`${base}/report?refresh=1`);
    assert.equal(page.status, 401);
    assert.match(messageOf(page.text), /access token has expired or is not valid/);
  });
});

describe('fleet-login behind a proxy (--trust-proxy)', () => {
  let sim: Simulator;
  let gw: TestGateway;
  before(async () => {
    sim = await startSimulator({ clock: manualClock(Date.parse('2026-03-02T09:00:00Z')) });
    gw = await startTestGateway({
      flags: { 'trust-proxy': true },
      env: {
        TESLA_CLIENT_ID: 'gatehouse-sim-client',
        TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
        TESLA_SIMULATOR: sim.url,
      },
    });
    // Routed by its own Host (fetch sets it); the public name comes from X-Forwarded-Host.
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
  });
  after(async () => {
    await gw.stop();
    await sim.stop();
  });

  const cases: [proto: string, scheme: string][] = [
    ['https', 'https'],
    ['HTTPS', 'https'],
    ['https, http', 'https'],
    ['javascript', 'http'],
    ['', 'http'],
  ];
  for (const [proto, scheme] of cases)
    test(`X-Forwarded-Proto "${proto}" gives a ${scheme} callback`, async () => {
      const start = await new TestBrowser().send(`${gw.url}/tesla/login`, {
        headers: {
          host: 'cars.example.com',
          'x-forwarded-proto': proto,
          'x-forwarded-host': 'cars.example.com',
        },
      });
      assert.equal(start.status, 302);
      const redirect = new URL(start.location!).searchParams.get('redirect_uri');
      assert.equal(redirect, `${scheme}://cars.example.com/tesla/callback`);
    });
});
