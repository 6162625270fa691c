import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normalizeHost, parseRequestTarget, pathHasPrefix } from '../src/http/request-target.ts';
import { type Route, routeInput } from '../src/routes/route.ts';
import { RouteTable } from '../src/routes/route-table.ts';

let seq = 0;
function route(id: string, fields: Record<string, unknown>): Route {
  const input = routeInput.parse({ target: 'http://127.0.0.1:1', ...fields });
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, seq++)).toISOString();
  return { id, ...input, createdAt: at, updatedAt: at };
}

describe('RouteTable.match', () => {
  const table = new RouteTable([
    route('any', { host: '*' }),
    route('wild', { host: '*.example.com' }),
    route('exact', { host: 'app.example.com' }),
    route('exact-api', { host: 'app.example.com', path: '/api' }),
    route('exact-api-v2', { host: 'app.example.com', path: '/api/v2/' }),
    route('wild-priority', { host: '*.prio.test', path: '/' }),
    route('exact-low', { host: 'x.prio.test', priority: -1 }),
    route('wild-high', { host: '*.prio.test', path: '/hi', priority: 5 }),
  ]);
  const cases: [host: string, path: string, expected: string | undefined][] = [
    ['app.example.com', '/', 'exact'],
    ['app.example.com', '/api', 'exact-api'],
    ['app.example.com', '/api/users', 'exact-api'],
    ['app.example.com', '/apix', 'exact'],
    ['app.example.com', '/api/v2', 'exact-api-v2'],
    ['app.example.com', '/api/v2/x', 'exact-api-v2'],
    ['other.example.com', '/api', 'wild'],
    ['a.b.example.com', '/', 'any'],
    ['example.com', '/', 'any'],
    ['unrelated.test', '/x', 'any'],
    ['x.prio.test', '/', 'wild-priority'],
    ['x.prio.test', '/hi/there', 'wild-high'],
  ];
  for (const [host, path, expected] of cases) {
    test(`${host}${path} → ${expected}`, () => {
      assert.equal(table.match(host, path)?.id, expected);
    });
  }

  test('no catch-all: an unknown host matches nothing', () => {
    const t = new RouteTable([route('a', { host: 'a.test' })]);
    assert.equal(t.match('b.test', '/'), undefined);
    assert.equal(t.match('a.test', '/')?.id, 'a');
  });

  test('on a tie the older route wins', () => {
    const t = new RouteTable([route('first', { host: 'a.test' }), route('second', { host: 'a.test' })]);
    assert.equal(t.match('a.test', '/')?.id, 'first');
  });
});

describe('request target normalisation', () => {
  const cases: [raw: string, path: string | undefined, search?: string][] = [
    ['/', '/'],
    ['/a/b?x=1', '/a/b', '?x=1'],
    ['/a/./b/../c', '/a/c'],
    ['/a/..', '/'],
    ['/../../etc/passwd', '/etc/passwd'],
    ['/%61pi/%2e%2e/admin', '/admin'],
    ['/a%2fb', '/a%2Fb'],
    ['/caf%c3%a9', '/caf%C3%A9'],
    ['http://x/', undefined],
    ['*', undefined],
    ['//evil.test/x', undefined],
  ];
  for (const [raw, path, search = ''] of cases) {
    test(`${raw} → ${path}`, () => {
      const t = parseRequestTarget(raw);
      assert.equal(t?.path, path);
      if (t) assert.equal(t.search, search);
    });
  }

  test('prefix match respects segment boundaries', () => {
    assert.equal(pathHasPrefix('/api', '/api'), true);
    assert.equal(pathHasPrefix('/api/x', '/api'), true);
    assert.equal(pathHasPrefix('/apix', '/api'), false);
    assert.equal(pathHasPrefix('/anything', '/'), true);
  });

  test('host normalisation drops the port and case', () => {
    assert.equal(normalizeHost('App.Example.COM:8080'), 'app.example.com');
    assert.equal(normalizeHost('[::1]:8080'), '[::1]');
    assert.equal(normalizeHost('example.com.'), 'example.com');
  });
});
