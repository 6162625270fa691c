import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { EdgeError } from '../src/http/edge-error.ts';
import { answerError } from '../src/http/exchange.ts';
import type { Guard } from '../src/routes/guard.ts';
import { BrowserSessions } from '../src/sessions/browser-sessions.ts';
import { LoginTickets } from '../src/sessions/login-tickets.ts';
import { isBrowserNavigation, RouteLogin, SESSION_PATHS } from '../src/sessions/route-login.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { manualClock } from '../src/util/clock.ts';
import { sealingKey } from '../src/util/sealing.ts';
import { cookiePair, type Sent, startMiniDispatcher } from './helpers/mini-dispatcher.ts';

const clock = manualClock(Date.UTC(2026, 11, 2));
const store = SqliteStore.open(':memory:', clock);
const key = sealingKey('a test secret of enough length for sealing', 'gatehouse', 'browser-session');
const sessions = new BrowserSessions({ ephemeral: store.ephemeral, clock, key: () => key, ttlMs: 3_600_000 });
const tickets = new LoginTickets(store.ephemeral, clock);
const login = new RouteLogin({
  sessions,
  tickets,
  loginUrl: ({ host, returnTo, browser }) =>
    new URL(`http://auth.test/login/edge?${new URLSearchParams({ host, return_to: returnTo, browser })}`),
});

/** Stands for the route guard: sessions pass, browsers are sent to log in, the rest get 401. */
const sessionGuard: Guard = async (exchange) => {
  if (exchange.type === 'request' && (await login.answerOwnPath(exchange))) return 'answered';
  const found = await login.session(exchange);
  if (found) return 'pass';
  if (exchange.type === 'request' && isBrowserNavigation(exchange)) {
    login.sendToLogin(exchange);
    return 'answered';
  }
  answerError(exchange, new EdgeError('ROUTE_NOT_FOUND', 'no session'));
  return 'answered';
};

const dispatcher = await startMiniDispatcher({ guards: [sessionGuard] });
after(() => dispatcher.close());
const send = dispatcher.send;
const pair = cookiePair;

/** Logs a browser in on `host` the way the auth host will: a ticket for the browser that asked. */
async function logIn(host = 'app.test', path = '/wanted?x=1') {
  const start = await send(path, { host });
  assert.equal(start.status, 302);
  const location = new URL(String(start.headers['location']));
  const loginCookie = pair(start.setCookie[0]!);
  const ticket = await tickets.issue(
    'github|1',
    location.searchParams.get('host')!,
    location.searchParams.get('return_to')!,
    location.searchParams.get('browser')!,
  );
  return { location, loginCookie, ticket };
}

describe('logging in on a protected host', () => {
  test('a browser is sent to the auth host and comes back to the page it wanted, with a session', async () => {
    const { location, loginCookie, ticket } = await logIn();
    assert.equal(location.origin, 'http://auth.test');
    assert.equal(location.searchParams.get('host'), 'app.test');
    assert.equal(location.searchParams.get('return_to'), '/wanted?x=1');
    assert.match(loginCookie, /^gatehouse-login=/);

    const back = await send(`${SESSION_PATHS.callback}?ticket=${ticket}`, { cookie: loginCookie });
    assert.equal(back.status, 303);
    assert.equal(back.headers['location'], '/wanted?x=1');
    const session = pair(back.setCookie.find((c) => c.startsWith('gatehouse-session='))!);
    assert.ok(back.setCookie.some((c) => c.startsWith('gatehouse-login=;') && /Max-Age=0/.test(c)));

    const page = await send('/wanted?x=1', { cookie: session });
    assert.equal(page.status, 200);
    assert.equal(page.text, 'page /wanted?x=1');
  });

  test('an API client without a session is not redirected', async () => {
    const answer = await send('/api', { accept: 'application/json' });
    assert.equal(answer.status, 404);
    assert.equal(answer.headers['location'], undefined);
  });

  test("a session cookie sent to another route's host opens nothing there", async () => {
    const { loginCookie, ticket } = await logIn();
    const back = await send(`${SESSION_PATHS.callback}?ticket=${ticket}`, { cookie: loginCookie });
    const session = pair(back.setCookie.find((c) => c.startsWith('gatehouse-session='))!);
    const elsewhere = await send('/', { host: 'other.test', cookie: session });
    assert.equal(elsewhere.status, 302, 'sent to log in, not let through');
  });

  const refused: [string, (t: Awaited<ReturnType<typeof logIn>>) => Sent & { path: string }][] = [
    ['without the login cookie', ({ ticket }) => ({ path: `${SESSION_PATHS.callback}?ticket=${ticket}` })],
    [
      "with another browser's login cookie",
      ({ ticket }) => ({
        path: `${SESSION_PATHS.callback}?ticket=${ticket}`,
        cookie: 'gatehouse-login=someone-else',
      }),
    ],
    [
      'on another host',
      ({ ticket, loginCookie }) => ({
        path: `${SESSION_PATHS.callback}?ticket=${ticket}`,
        cookie: loginCookie,
        host: 'other.test',
      }),
    ],
    ['without a ticket', ({ loginCookie }) => ({ path: SESSION_PATHS.callback, cookie: loginCookie })],
  ];
  for (const [name, make] of refused)
    test(`a login ticket is refused ${name}`, async () => {
      const { path, ...sent } = make(await logIn());
      const answer = await send(path, sent);
      assert.equal(answer.status, 400);
      assert.match(answer.text, /expired, was used already, or was opened in another browser/);
      assert.ok(!answer.setCookie.some((c) => c.startsWith('gatehouse-session=')));
    });

  test('a replayed ticket is refused', async () => {
    const { loginCookie, ticket } = await logIn();
    const path = `${SESSION_PATHS.callback}?ticket=${ticket}`;
    assert.equal((await send(path, { cookie: loginCookie })).status, 303);
    assert.equal((await send(path, { cookie: loginCookie })).status, 400);
  });
});

describe('signing out', () => {
  async function session(): Promise<string> {
    const { loginCookie, ticket } = await logIn();
    const back = await send(`${SESSION_PATHS.callback}?ticket=${ticket}`, { cookie: loginCookie });
    return pair(back.setCookie.find((c) => c.startsWith('gatehouse-session='))!);
  }

  test('the sign-out page carries the CSRF token, and posting it signs out', async () => {
    const cookie = await session();
    const form = await send(SESSION_PATHS.signOut, { cookie });
    const csrf = /name="csrf" value="([^"]+)"/.exec(form.text)?.[1];
    assert.ok(csrf);
    const out = await send(SESSION_PATHS.signOut, {
      cookie,
      method: 'POST',
      body: `csrf=${encodeURIComponent(csrf)}`,
      headers: { origin: 'http://app.test', 'sec-fetch-site': 'same-origin' },
    });
    assert.equal(out.status, 200);
    assert.ok(out.setCookie.some((c) => /^gatehouse-session=;/.test(c)));
    assert.equal((await send('/', { cookie })).status, 302, 'the session is gone');
  });

  const forged: [string, (csrf: string) => Sent][] = [
    ['without the token', () => ({ body: '' })],
    ['with a wrong token', () => ({ body: 'csrf=not-the-token' })],
    [
      'from another site, even with the token',
      (csrf) => ({ body: `csrf=${encodeURIComponent(csrf)}`, headers: { origin: 'https://evil.example' } }),
    ],
  ];
  for (const [name, make] of forged)
    test(`a sign-out ${name} is refused and the session lives`, async () => {
      const cookie = await session();
      const csrf = /name="csrf" value="([^"]+)"/.exec(
        (await send(SESSION_PATHS.signOut, { cookie })).text,
      )![1]!;
      const answer = await send(SESSION_PATHS.signOut, { cookie, method: 'POST', ...make(csrf) });
      assert.equal(answer.status, 403);
      assert.match(answer.text, /did not come from this site/);
      assert.equal((await send('/', { cookie })).status, 200, 'still signed in');
    });
});
