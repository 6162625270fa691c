import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { adminAppPolicy } from '../src/admin/admin-app-sign-in.ts';
import { adminAppRedirect } from '../src/gateway/admin-app-redirect.ts';
import { adminHostsOf } from '../src/gateway/admin-hosts.ts';

const hosts = adminHostsOf('gatehouse.example.com');

describe('where the admin web app may be sent back with a code', () => {
  const cases: readonly [issuer: string, uri: string, allowed: boolean, why: string][] = [
    ['http://localhost:8080', 'http://localhost:8080/ui/', true, 'the app on the issuer itself'],
    ['http://localhost:8080', 'http://localhost:9999/ui/', true, 'another port of an admin host'],
    ['http://localhost:8080', 'http://127.0.0.1:8080/ui/', true, 'the IPv4 loopback'],
    ['http://localhost:8080', 'http://[::1]:8080/ui/', true, 'the IPv6 loopback'],
    ['http://localhost:8080', 'http://gatehouse.example.com:8080/ui/', true, 'the domain on a plain gateway'],
    ['https://gatehouse.example.com', 'https://gatehouse.example.com/ui/', true, 'the domain over https'],
    ['https://gatehouse.example.com', 'http://localhost:8080/ui/', true, 'plain http on loopback'],
    ['https://gatehouse.example.com', 'http://gatehouse.example.com/ui/', false, 'plain http to the domain'],
    ['http://localhost:8080', 'http://evil.example:8080/ui/', false, 'another host'],
    ['http://localhost:8080', 'http://shop.gatehouse.example.com:8080/ui/', false, 'a tunnel host'],
    ['http://localhost:8080', 'http://localhost:8080/ui', false, 'without the slash'],
    ['http://localhost:8080', 'http://localhost:8080/ui/routes', false, 'another path'],
    ['http://localhost:8080', 'http://localhost:8080/', false, 'the root'],
    ['http://localhost:8080', 'http://localhost:8080/login/callback', false, 'the edge callback'],
    ['http://localhost:8080', 'http://localhost:8080/ui/?next=x', false, 'a query'],
    ['http://localhost:8080', 'http://localhost:8080/ui/?', false, 'an empty query'],
    ['http://localhost:8080', 'http://localhost:8080/ui/#x', false, 'a fragment'],
    ['http://localhost:8080', 'http://localhost:8080/ui/#', false, 'an empty fragment'],
    ['http://localhost:8080', 'http://user@localhost:8080/ui/', false, 'userinfo'],
    ['http://localhost:8080', 'http://user:pw@localhost:8080/ui/', false, 'userinfo with a password'],
    ['http://localhost:8080', 'http://localhost:8080/x/../ui/', false, 'dot segments'],
    ['http://localhost:8080', 'http://LOCALHOST:8080/ui/', false, 'not written as a browser writes it'],
    ['http://localhost:8080', 'http://localhost:80/ui/', false, 'the default port spelled out'],
    ['http://localhost:8080', 'ftp://localhost:8080/ui/', false, 'another scheme'],
    ['http://localhost:8080', 'javascript:alert(1)//localhost/ui/', false, 'a script'],
    ['http://localhost:8080', '/ui/', false, 'a relative URI'],
    ['http://localhost:8080', 'not a uri', false, 'not a URI'],
  ];
  for (const [issuer, uri, allowed, why] of cases)
    test(`${allowed ? 'accepts' : 'refuses'} ${why}: ${uri}`, () => {
      assert.equal(adminAppRedirect(hosts, issuer)(uri), allowed);
    });
});

describe("the admin web app's Content-Security-Policy", () => {
  const login = (issuer: string) => ({
    oauth: { issuer, clientId: 'gatehouse-admin', resource: `${issuer}/api`, scope: 'admin' },
  });
  const connect = (policy: string) => /connect-src ([^;]*);/.exec(policy)?.[1];

  test('calls only its own origin when no login is offered, or the issuer is that origin', () => {
    assert.equal(connect(adminAppPolicy('http://localhost:8080', { oauth: null, reason: 'none' })), "'self'");
    assert.equal(connect(adminAppPolicy('http://localhost:8080', login('http://localhost:8080'))), "'self'");
  });

  test("adds the issuer's origin, and only that, when the page is opened on another", () => {
    const policy = adminAppPolicy('http://127.0.0.1:8080', login('http://localhost:8080'));
    assert.equal(connect(policy), "'self' http://localhost:8080");
    assert.match(
      policy,
      /^default-src 'self'; .*frame-ancestors 'none'; base-uri 'none'; form-action 'self'$/,
    );
    assert.equal(
      connect(adminAppPolicy('https://gatehouse.example.com', login('https://auth.example.com'))),
      "'self' https://auth.example.com",
    );
  });
});
