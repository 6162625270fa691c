import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { loginCookieName } from '../src/auth/sessions/login-binding.ts';
import { sessionCookieName } from '../src/auth/sessions/session-cookie.ts';
import { manualClock } from '../src/core/clock.ts';
import { DEFAULT_SEED_INPUT, validateSeed } from '../src/simulator/seed.ts';
import { type Simulator, startSimulator } from '../src/simulator/simulator.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { type Answer, consentAtSimulator, csrfOf, logIn, TestBrowser } from './helpers/tesla-login.ts';

/** The `Set-Cookie` lines of an answer, with the first one's name and value. */
function firstCookie(answer: Answer): { line: string; name: string; value: string } {
  const [line] = answer.headers.getSetCookie();
  assert.ok(line, 'the answer sets a cookie');
  const pair = line.slice(0, line.indexOf(';'));
  const eq = pair.indexOf('=');
  return { line, name: pair.slice(0, eq), value: pair.slice(eq + 1) };
}

/** The `Set-Cookie` line for cookie `name`. */
function cookieLine(answer: Answer, name: string): string {
  const line = answer.headers.getSetCookie().find((l) => l.startsWith(`${name}=`));
  assert.ok(line, `the answer sets ${name}: ${answer.headers.getSetCookie().join(' | ')}`);
  return line;
}

describe('fleet-login cookies, CSRF and page headers are those of protected routes', () => {
  const clock = manualClock(Date.parse('2026-03-02T09:00:00Z'));
  let sim: Simulator;
  let gw: TestGateway;
  let base: string;
  /** What a TLS-terminating proxy in front of the gateway adds: the browser is on https. */
  const HTTPS = { 'x-forwarded-proto': 'https' };
  /** The URL Tesla sends the browser back to over https, as the proxy passes it on. */
  const throughProxy = (url: string) => url.replace(/^https:/, 'http:');

  before(async () => {
    sim = await startSimulator({
      clock,
      seed: validateSeed({
        ...DEFAULT_SEED_INPUT,
        apps: DEFAULT_SEED_INPUT.apps.map((app) => ({
          ...app,
          require_partner_registration: false,
          redirect_uris: [...(app.redirect_uris ?? []), 'https://127.0.0.1:*'],
        })),
      }),
    });
    gw = await startTestGateway({
      clock,
      flags: { 'trust-proxy': true },
      env: {
        TESLA_CLIENT_ID: 'gatehouse-sim-client',
        TESLA_CLIENT_SECRET: 'gatehouse-sim-secret',
        TESLA_SIMULATOR: sim.url,
      },
    });
    await gw.addRoute({ kind: 'fleet-login', host: '127.0.0.1', path: '/tesla' });
    base = `${gw.url}/tesla`;
  });
  after(async () => {
    await gw.stop();
    await sim.stop();
  });

  const schemes = [
    { scheme: 'http', headers: {}, prefix: '', secure: '' },
    { scheme: 'https', headers: HTTPS, prefix: '__Host-', secure: '; Secure' },
  ];
  for (const { scheme, headers, prefix, secure } of schemes)
    test(`over ${scheme}, the login and session cookies are named and set as protected routes' are`, async () => {
      const browser = new TestBrowser();
      const start = await browser.send(`${base}/login`, { headers });
      const loginName = loginCookieName(scheme === 'https', '/tesla');
      assert.match(loginName, new RegExp(`^${prefix}gatehouse-login-[0-9a-f]{8}$`));
      assert.match(
        cookieLine(start, loginName),
        new RegExp(`^${loginName}=[\\w-]{43}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600${secure}$`),
      );
      const back = await consentAtSimulator(browser, start.location!);
      const callback = await browser.send(throughProxy(back), { headers });
      assert.equal(callback.status, 302, callback.text);
      const sessionName = sessionCookieName(scheme === 'https', '/tesla');
      assert.match(sessionName, new RegExp(`^${prefix}gatehouse-session-[0-9a-f]{8}$`));
      assert.match(
        cookieLine(callback, sessionName),
        new RegExp(`^${sessionName}=v1\\.[^;]+; Path=/; HttpOnly; SameSite=Lax; Max-Age=604800${secure}$`),
      );
      assert.match(cookieLine(callback, loginName), /=; Path=\/; .*Max-Age=0/, 'the login cookie is spent');
      assert.equal((await browser.send(`${base}/report.json`, { headers })).status, 200);
    });

  test('a login cookie planted before /login is replaced: the planter’s login cannot be finished with it', async () => {
    // The planter starts a login of its own Tesla account and keeps Tesla's answer back.
    const planter = new TestBrowser();
    const planterStart = await planter.send(`${base}/login`);
    const planted = firstCookie(planterStart);
    const planterBack = await consentAtSimulator(planter, planterStart.location!);
    // A sibling host sets the planter's login cookie in the victim's browser.
    const victim = new TestBrowser();
    victim.cookiesFor(base).set(planted.name, planted.value);
    const own = await victim.send(`${base}/login`);
    const fresh = firstCookie(own);
    assert.equal(fresh.name, planted.name);
    assert.notEqual(fresh.value, planted.value, 'a fresh login cookie, not the one the browser sent');
    const ownState = new URL(own.location!).searchParams.get('state');
    assert.notEqual(ownState, new URL(planterBack).searchParams.get('state'));
    // Sent to the planter's callback now, the victim is not logged in as the planter.
    const refused = await victim.send(planterBack);
    assert.equal(refused.status, 400);
    assert.match(refused.text, /started in another browser/);
    assert.equal((await victim.send(`${base}/report.json`)).status, 401);
  });

  test('over https, a login cookie without the __Host- prefix (which a sibling host can set) finishes no login', async () => {
    const planter = new TestBrowser();
    const start = await planter.send(`${base}/login`, { headers: HTTPS });
    const planted = firstCookie(start);
    assert.match(planted.name, /^__Host-/);
    const back = throughProxy(await consentAtSimulator(planter, start.location!));
    const victim = new TestBrowser();
    victim.cookiesFor(base).set(planted.name.replace(/^__Host-/, ''), planted.value);
    const refused = await victim.send(back, { headers: HTTPS });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /started in another browser/);
    assert.equal((await victim.send(`${base}/report.json`, { headers: HTTPS })).status, 401);
  });

  const foreign: [what: string, headers: Record<string, string>][] = [
    ['an Origin of another site', { origin: 'http://tunnel.example.net' }],
    ['Origin: null', { origin: 'null' }],
    ['Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
  ];
  for (const [what, headers] of foreign)
    test(`logout and rebuild with the right form token but ${what} are refused`, async () => {
      const browser = new TestBrowser();
      await logIn(browser, base);
      const csrf = csrfOf((await browser.send(`${base}/report`)).text);
      for (const path of ['/logout', '/report']) {
        const forged = await browser.send(`${base}${path}`, { form: { csrf }, headers });
        assert.equal(forged.status, 403, `${path}: ${forged.text}`);
        assert.match(forged.text, /did not come from this page/);
      }
      assert.equal((await browser.send(`${base}/report.json`)).status, 200, 'still logged in');
      const own = await browser.send(`${base}/logout`, {
        form: { csrf },
        headers: { origin: new URL(gw.url).origin, 'sec-fetch-site': 'same-origin' },
      });
      assert.equal(own.status, 200);
      assert.equal((await browser.send(`${base}/report.json`)).status, 401, 'logged out');
    });

  test('the report page loads nothing and runs nothing; report.json is not sniffed', async () => {
    const browser = new TestBrowser();
    await logIn(browser, base);
    const page = await browser.send(`${base}/report`);
    assert.equal(page.status, 200);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ])
      assert.ok(csp.split('; ').includes(directive), `${directive} in ${csp}`);
    assert.doesNotMatch(csp, /unsafe-inline|script-src/);
    // The page's one style sheet is the one the policy allows, and nothing is styled otherwise.
    const style = /<style>([^<]*)<\/style>/.exec(page.text)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    assert.ok(csp.split('; ').includes(`style-src 'sha256-${hash}'`), csp);
    assert.doesNotMatch(page.text, /\sstyle=|<script/);
    assert.equal(page.headers.get('x-content-type-options'), 'nosniff');
    const json = await browser.send(`${base}/report.json`);
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(json.headers.get('x-content-type-options'), 'nosniff');
  });

  const stale: [what: string, cookie: string][] = [
    ['a gh_tesla_session cookie of an earlier version', `gh_tesla_session=${'A'.repeat(43)}`],
    ['a session cookie that is not sealed', `${sessionCookieName(false, '/tesla')}=${'A'.repeat(43)}`],
    ['a session cookie sealed by someone else', `${sessionCookieName(false, '/tesla')}=v1.AAAA.AAAA.AAAA`],
  ];
  for (const [what, cookie] of stale)
    test(`${what} asks to log in again`, async () => {
      for (const path of ['/report', '/report.json']) {
        const answer = await gw.send('127.0.0.1', `/tesla${path}`, { headers: { cookie } });
        assert.equal(answer.status, 401, answer.text);
        assert.match(answer.text, /FLEET_SESSION_MISSING/);
        assert.match(answer.text, /log in at \/tesla\/login/);
      }
    });
});
