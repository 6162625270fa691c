import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrowserSessions, sessionCookieName } from '../src/sessions/browser-sessions.ts';
import { csrfTokenMatches, isCrossSiteRequest, newCsrfToken } from '../src/sessions/csrf.ts';
import { keyOf, LOGIN_TICKET_TTL_MS, LoginTickets } from '../src/sessions/login-tickets.ts';
import { safeReturnPath } from '../src/sessions/return-to.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { manualClock } from '../src/util/clock.ts';
import { sealingKey } from '../src/util/sealing.ts';

const KEY = sealingKey('a test secret of enough length for sealing', 'gatehouse', 'browser-session');

function setup(ttlMs = 3_600_000) {
  const clock = manualClock(Date.UTC(2026, 11, 2));
  const store = SqliteStore.open(':memory:', clock);
  const sessions = new BrowserSessions({ ephemeral: store.ephemeral, clock, key: () => KEY, ttlMs });
  return { clock, store, sessions };
}

/** The cookie's value from a `Set-Cookie` header. */
function cookieValue(setCookie: string): string {
  return setCookie.slice(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
}

describe('return paths after login', () => {
  const cases: [string | undefined, string][] = [
    ['/app/page?x=1#top', '/app/page?x=1#top'],
    ['/', '/'],
    [undefined, '/'],
    ['', '/'],
    ['https://evil.example/', '/'],
    ['//evil.example/path', '/'],
    ['/\\evil.example', '/'],
    ['\\\\evil.example', '/'],
    ['/\tevil', '/'],
    ['javascript:alert(1)', '/'],
    ['evil.example', '/'],
    ['/%2F%2Fevil.example', '/%2F%2Fevil.example'],
    [`/${'a'.repeat(3000)}`, '/'],
  ];
  for (const [raw, expected] of cases)
    test(`${JSON.stringify(raw)?.slice(0, 40)} → ${expected}`, () =>
      assert.equal(safeReturnPath(raw), expected));
});

describe('CSRF', () => {
  test('the session token matches; another, a prefix or a non-string does not', () => {
    const token = newCsrfToken();
    assert.equal(csrfTokenMatches(token, token), true);
    assert.equal(csrfTokenMatches(token, newCsrfToken()), false);
    assert.equal(csrfTokenMatches(token, token.slice(0, -1)), false);
    assert.equal(csrfTokenMatches(token, undefined), false);
    assert.equal(csrfTokenMatches(token, [token]), false);
  });

  const origin = 'https://app.example.com';
  const cases: [string, Record<string, string>, boolean][] = [
    ['no browser headers', {}, false],
    ['same origin', { origin, 'sec-fetch-site': 'same-origin' }, false],
    ['typed by the user', { 'sec-fetch-site': 'none' }, false],
    ['another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }, true],
    ['a sibling subdomain', { origin: 'https://other.example.com', 'sec-fetch-site': 'same-site' }, true],
    ['origin null', { origin: 'null' }, true],
    ['a foreign origin without fetch metadata', { origin: 'https://evil.example' }, true],
  ];
  for (const [name, headers, cross] of cases)
    test(`cross-site check: ${name}`, () => assert.equal(isCrossSiteRequest(headers, origin), cross));
});

describe('browser sessions', () => {
  test('a cookie opens its session on its own host and on no other', async () => {
    const { sessions } = setup();
    const { setCookie } = await sessions.start('app.example.com', 'github|1', true);
    assert.match(setCookie, /^__Host-gatehouse-session=/);
    assert.match(setCookie, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/);
    const value = cookieValue(setCookie);
    const found = await sessions.find(value, 'app.example.com');
    assert.equal(found?.session.accountId, 'github|1');
    assert.equal(await sessions.find(value, 'other.example.com'), undefined);
  });

  test('over plain http the cookie has no __Host- prefix and no Secure flag', async () => {
    const { sessions } = setup();
    const { setCookie } = await sessions.start('localhost', 'github|1', false);
    assert.equal(sessionCookieName(false), 'gatehouse-session');
    assert.doesNotMatch(setCookie, /Secure|__Host-/);
  });

  test('an altered cookie, an unknown one and a missing one find nothing', async () => {
    const { sessions } = setup();
    const value = cookieValue((await sessions.start('app.example.com', 'github|1', true)).setCookie);
    const altered = `${value.slice(0, -2)}${value.endsWith('A') ? 'B' : 'A'}${value.slice(-1)}`;
    assert.equal(await sessions.find(altered, 'app.example.com'), undefined);
    assert.equal(await sessions.find('v1.AAAA.BBBB.CCCC', 'app.example.com'), undefined);
    assert.equal(await sessions.find(undefined, 'app.example.com'), undefined);
  });

  test('a session ends when its time is up, and on sign-out', async () => {
    const { clock, sessions } = setup(60_000);
    const value = cookieValue((await sessions.start('app.example.com', 'github|1', true)).setCookie);
    clock.advance(59_000);
    const found = await sessions.find(value, 'app.example.com');
    assert.ok(found);
    clock.advance(1_000);
    assert.equal(await sessions.find(value, 'app.example.com'), undefined);

    const again = cookieValue((await sessions.start('app.example.com', 'github|1', true)).setCookie);
    const live = await sessions.find(again, 'app.example.com');
    assert.match(await sessions.end(live, true), /Max-Age=0/);
    assert.equal(await sessions.find(again, 'app.example.com'), undefined);
  });

  test('confirming a session moves checkedAt and keeps its expiry', async () => {
    const { clock, sessions } = setup(60_000);
    const value = cookieValue((await sessions.start('app.example.com', 'github|1', true)).setCookie);
    const found = await sessions.find(value, 'app.example.com');
    assert.ok(found);
    clock.advance(30_000);
    const confirmed = await sessions.confirmed(found);
    assert.equal(confirmed.session.checkedAt, found.session.checkedAt + 30_000);
    assert.equal(confirmed.session.expiresAt, found.session.expiresAt);
    assert.equal(
      (await sessions.find(value, 'app.example.com'))?.session.checkedAt,
      confirmed.session.checkedAt,
    );
  });

  test("ending an account's sessions leaves the others", async () => {
    const { sessions } = setup();
    const a = cookieValue((await sessions.start('app.example.com', 'github|1', true)).setCookie);
    const b = cookieValue((await sessions.start('docs.example.com', 'github|1', true)).setCookie);
    const c = cookieValue((await sessions.start('app.example.com', 'gitlab|2', true)).setCookie);
    assert.equal(await sessions.endAllOf('github|1'), 2);
    assert.equal(await sessions.find(a, 'app.example.com'), undefined);
    assert.equal(await sessions.find(b, 'docs.example.com'), undefined);
    assert.ok(await sessions.find(c, 'app.example.com'));
  });
});

describe('login tickets', () => {
  const browser = 'the login cookie of the browser that asked';
  test('a ticket is redeemed once, on its own host, by its own browser, within its time', async () => {
    const clock = manualClock(Date.UTC(2026, 11, 2));
    const store = SqliteStore.open(':memory:', clock);
    const issuer = new LoginTickets(store.ephemeral, clock);
    const otherNode = new LoginTickets(store.ephemeral, clock);
    const issue = () => issuer.issue('github|1', 'app.example.com', '/page', keyOf(browser));

    const ticket = await issue();
    assert.deepEqual(await otherNode.redeem(ticket, 'app.example.com', browser), {
      accountId: 'github|1',
      host: 'app.example.com',
      returnTo: '/page',
      browser: keyOf(browser),
      createdAt: clock(),
    });
    assert.equal(await issuer.redeem(ticket, 'app.example.com', browser), undefined, 'replayed');

    const foreign = await issue();
    assert.equal(await issuer.redeem(foreign, 'evil.example.com', browser), undefined, 'another host');
    assert.equal(
      await issuer.redeem(foreign, 'app.example.com', browser),
      undefined,
      'spent by the wrong host',
    );

    const planted = await issue();
    assert.equal(await issuer.redeem(planted, 'app.example.com', 'a victim'), undefined, 'another browser');
    assert.equal(
      await issuer.redeem(planted, 'app.example.com', browser),
      undefined,
      'spent by the wrong browser',
    );
    assert.equal(
      await issuer.redeem(await issue(), 'app.example.com', undefined),
      undefined,
      'no login cookie',
    );

    const late = await issue();
    clock.advance(LOGIN_TICKET_TTL_MS + 1);
    assert.equal(await issuer.redeem(late, 'app.example.com', browser), undefined, 'expired');
    assert.equal(await issuer.redeem(undefined, 'app.example.com', browser), undefined);
  });
});
