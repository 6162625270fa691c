import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BrowserSessions } from '../src/auth/sessions/browser-sessions.ts';
import { csrfTokenMatches, isCrossSiteRequest, newCsrfToken } from '../src/auth/sessions/csrf.ts';
import { safeReturnPath } from '../src/auth/sessions/return-to.ts';
import { sessionCookieName } from '../src/auth/sessions/session-cookie.ts';
import { manualClock } from '../src/core/clock.ts';
import { sealingKey } from '../src/core/sealing.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';

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
  const tokens = (accountId = 'github|1', expiresAt = Date.UTC(2026, 11, 2, 0, 30)) => ({
    accessToken: `access-of-${accountId}`,
    refreshToken: `refresh-of-${accountId}`,
    expiresAt,
    accountId,
  });
  const at = (host: string, base = '') => ({ host, base });
  const start = (sessions: BrowserSessions, host: string, accountId?: string, secure = true) =>
    sessions.start(at(host), `https://${host}`, tokens(accountId), secure);

  test('a cookie opens its session on its own host and on no other', async () => {
    const { sessions } = setup();
    const { setCookie } = await start(sessions, 'app.example.com');
    assert.match(setCookie, /^__Host-gatehouse-session=/);
    assert.match(setCookie, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=3600; Secure$/);
    const value = cookieValue(setCookie);
    const found = await sessions.find(value, at('app.example.com'));
    assert.equal(found?.session.accountId, 'github|1');
    assert.equal(found?.session.resource, 'https://app.example.com');
    assert.equal(await sessions.find(value, at('other.example.com')), undefined);
  });

  test('two routes on one host keep sessions and cookies of their own', async () => {
    const { sessions } = setup();
    const root = await sessions.start(at('app.example.com'), 'https://app.example.com', tokens(), true);
    const admin = await sessions.start(
      at('app.example.com', '/admin'),
      'https://app.example.com/admin',
      tokens('github|2'),
      true,
    );
    assert.match(admin.setCookie, /^__Host-gatehouse-session-[0-9a-f]{8}=/, 'a name of its own');
    assert.match(admin.setCookie, /; Path=\/;/, '__Host- keeps Path=/');
    const rootValue = cookieValue(root.setCookie);
    const adminValue = cookieValue(admin.setCookie);
    assert.equal(
      (await sessions.find(adminValue, at('app.example.com', '/admin')))?.session.accountId,
      'github|2',
    );
    assert.equal((await sessions.find(rootValue, at('app.example.com')))?.session.accountId, 'github|1');
    assert.equal(
      await sessions.find(rootValue, at('app.example.com', '/admin')),
      undefined,
      'not across paths',
    );
    assert.equal(await sessions.find(adminValue, at('app.example.com')), undefined);
    assert.notEqual(sessionCookieName(true, '/admin'), sessionCookieName(true, '/api'));
  });

  test('the tokens are sealed in the store and open only for their own session', async () => {
    const { sessions, store } = setup();
    const { found } = await start(sessions, 'app.example.com');
    assert.deepEqual(sessions.tokensOf(found), {
      accessToken: 'access-of-github|1',
      refreshToken: 'refresh-of-github|1',
    });
    const stored = JSON.stringify(await store.ephemeral.list('browser-session'));
    assert.doesNotMatch(stored, /access-of|refresh-of/);
    const other = (await start(sessions, 'app.example.com', 'gitlab|2')).found;
    const swapped = {
      key: other.key,
      session: { ...other.session, sealedTokens: found.session.sealedTokens },
    };
    assert.equal(sessions.tokensOf(swapped), undefined, "another session's tokens do not open here");
  });

  test('over plain http the cookie has no __Host- prefix and no Secure flag', async () => {
    const { sessions } = setup();
    const { setCookie } = await start(sessions, 'localhost', 'github|1', false);
    assert.equal(sessionCookieName(false), 'gatehouse-session');
    assert.doesNotMatch(setCookie, /Secure|__Host-/);
  });

  test('an altered cookie, an unknown one and a missing one find nothing', async () => {
    const { sessions } = setup();
    const value = cookieValue((await start(sessions, 'app.example.com')).setCookie);
    // The character changed is one that carries tag bits, and it always changes (was 1 in 64 not).
    const at2 = value.length - 2;
    const altered = `${value.slice(0, at2)}${value[at2] === 'A' ? 'B' : 'A'}${value.slice(at2 + 1)}`;
    assert.equal(await sessions.find(altered, at('app.example.com')), undefined);
    assert.equal(await sessions.find('v1.AAAA.BBBB.CCCC', at('app.example.com')), undefined);
    assert.equal(await sessions.find(undefined, at('app.example.com')), undefined);
  });

  test('a session ends when its time is up, and on sign-out', async () => {
    const { clock, sessions } = setup(60_000);
    const value = cookieValue((await start(sessions, 'app.example.com')).setCookie);
    clock.advance(59_000);
    assert.ok(await sessions.find(value, at('app.example.com')));
    clock.advance(1_000);
    assert.equal(await sessions.find(value, at('app.example.com')), undefined);

    const again = cookieValue((await start(sessions, 'app.example.com')).setCookie);
    const live = await sessions.find(again, at('app.example.com'));
    assert.match(await sessions.end(live, true), /Max-Age=0/);
    assert.equal(await sessions.find(again, at('app.example.com')), undefined);
  });

  test('refreshed tokens replace the old ones and the session keeps its expiry', async () => {
    const { sessions } = setup(60_000);
    const { setCookie, found } = await start(sessions, 'app.example.com');
    const later = {
      ...tokens(),
      accessToken: 'second',
      refreshToken: 'second-refresh',
      expiresAt: found.session.accessExpiresAt + 1,
    };
    const replaced = await sessions.replaceTokens(found, later);
    assert.equal(replaced?.session.expiresAt, found.session.expiresAt);
    const reread = await sessions.find(cookieValue(setCookie), at('app.example.com'));
    assert.ok(reread);
    assert.equal(reread.session.accessExpiresAt, later.expiresAt);
    assert.deepEqual(sessions.tokensOf(reread), { accessToken: 'second', refreshToken: 'second-refresh' });
  });
});
