import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, generateKeyPair, jwtVerify, SignJWT } from 'jose';
import { manualClock } from '../src/core/clock.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startTokenIssuer } from './helpers/token-issuer.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ISSUER = 'http://auth.test';
const APP = 'http://app.test';
const API = 'http://api.test/api';

/** The auth-params of a `Bearer` challenge. */
function challengeParams(header: string | string[] | undefined): Record<string, string> {
  const text = String(header ?? '');
  assert.match(text, /^Bearer( |$)/);
  const params: Record<string, string> = {};
  for (const m of text.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g))
    params[m[1]!] = m[2]!.replace(/\\(.)/g, '$1');
  return params;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('a route with auth, end to end through the gateway', () => {
  const clock = manualClock();
  let issuer: Awaited<ReturnType<typeof startTokenIssuer>>;
  let gw: TestGateway;
  let up: Upstream;
  let appRouteId: string;

  /** The last request the upstream saw (its echo is the answer body too). */
  const lastSeen = () => up.seen.at(-1)!;
  const bearer = (token: string) => ({ authorization: `Bearer ${token}`, accept: 'application/json' });

  before(async () => {
    issuer = await startTokenIssuer(ISSUER, clock);
    up = await startUpstream();
    gw = await startTestGateway({ clock, routeAuth: issuer.routeAuth });
    const app = await gw.addRoute({
      host: 'app.test',
      target: up.url,
      auth: {
        allow: ['github:alice', 'github-org:acme', 'github:dave'],
        scopes: { user: ['*'], admin: ['github:alice', 'github:dave'] },
        require: [{ path: '/admin', scopes: ['admin'] }],
        public: ['/health'],
      },
    });
    appRouteId = app.id;
    await gw.addRoute({
      host: 'api.test',
      path: '/api',
      target: up.url,
      auth: {
        allow: ['*'],
        scopes: { user: ['*'], mcp: ['github:alice'] },
        require: [{ path: '/api/mcp', scopes: ['mcp'] }],
        headerPrefix: 'X-Me-',
      },
    });
    await gw.addRoute({ host: 'open.test', target: up.url });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  test('no token: 401 whose challenge an MCP client follows to the metadata and the issuer', async () => {
    const seenBefore = up.seen.length;
    for (const [host, path, resource] of [
      ['app.test', '/', APP],
      ['app.test', '/deep/page?x=1', APP],
      ['api.test', '/api/tools', API],
    ] as const) {
      const res = await gw.send(host, path, { headers: { accept: 'application/json' } });
      assert.equal(res.status, 401, `${host}${path}`);
      assert.equal(JSON.parse(res.text).error, 'AUTH_TOKEN_MISSING');
      const params = challengeParams(res.headers['www-authenticate']);
      assert.equal(params['error'], undefined, 'no error code when no token was sent (RFC 6750 3.1)');
      assert.equal(res.headers['access-control-expose-headers'], 'WWW-Authenticate');
      const metadataUrl = new URL(params['resource_metadata']!);
      assert.equal(
        metadataUrl.href,
        resource === APP
          ? 'http://app.test/.well-known/oauth-protected-resource'
          : 'http://api.test/.well-known/oauth-protected-resource/api',
      );
      const metadata = await gw.send(metadataUrl.host, metadataUrl.pathname);
      assert.equal(metadata.status, 200);
      assert.equal(metadata.headers['access-control-allow-origin'], '*');
      const doc = JSON.parse(metadata.text);
      assert.equal(doc.resource, resource, 'the resource is what the token audience must be');
      assert.deepEqual(doc.authorization_servers, [ISSUER]);
      assert.deepEqual(doc.bearer_methods_supported, ['header']);
      assert.ok(doc.scopes_supported.includes('user'));
    }
    assert.equal(up.seen.length, seenBefore, 'nothing reached the upstream');
  });

  test('metadata answers CORS preflights and is only served for protected routes', async () => {
    const pre = await gw.send('api.test', '/.well-known/oauth-protected-resource/api', {
      method: 'OPTIONS',
      headers: { origin: 'https://client.example', 'access-control-request-method': 'GET' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], '*');
    // The open route's upstream gets its own well-known paths.
    const open = await gw.send('open.test', '/.well-known/oauth-protected-resource');
    assert.equal(open.status, 200);
    assert.equal(JSON.parse(open.text).url, '/.well-known/oauth-protected-resource');
  });

  test('a valid token passes; the upstream gets X-Auth-* and an assertion that verifies against the JWKS', async () => {
    const token = await issuer.sign(APP, { scope: 'user admin', email: 'alice@example.com' });
    const res = await gw.send('app.test', '/page', {
      headers: { ...bearer(token), 'x-auth-user': 'github:mallory', 'X-AUTH-SCOPES': 'admin' },
    });
    assert.equal(res.status, 200, res.text);
    const seen = lastSeen();
    assert.equal(seen.headers['x-auth-user'], 'github:alice');
    assert.equal(seen.headers['x-auth-email'], 'alice@example.com');
    assert.equal(seen.headers['x-auth-scopes'], 'admin user');
    assert.equal(seen.headers.authorization, undefined, 'the token stays at the gateway');
    const names = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    assert.equal(names.filter((n) => n === 'x-auth-user').length, 1, 'one X-Auth-User, the gateway’s');
    const assertion = String(seen.headers['x-auth-assertion']);
    const { payload, protectedHeader } = await jwtVerify(assertion, createLocalJWKSet(issuer.jwks), {
      issuer: ISSUER,
      audience: APP,
      algorithms: ['ES256'],
      currentDate: new Date(clock()),
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload['login'], 'github:alice');
    assert.equal(payload['email'], 'alice@example.com');
    assert.equal(payload['scope'], 'admin user');
    assert.equal(payload.sub, 'github|1');
  });

  test('tokens that must not pass get 401 invalid_token naming what was wrong', async () => {
    const seenBefore = up.seen.length;
    const other = await generateKeyPair('ES256');
    const now = Math.floor(clock() / 1000);
    const claims = {
      iss: ISSUER,
      aud: APP,
      sub: 'github|1',
      gid: 'grant-1',
      login: 'github:alice',
      scope: 'user',
      exp: now + 600,
      iat: now,
    };
    const pem = await issuer.publicKeyPem();
    issuer.revoke('grant-revoked');
    const cases: [name: string, token: string | Promise<string>, reason: RegExp][] = [
      ['a token for another audience', issuer.sign('http://other.test'), /another resource/],
      ['a token for another route on the same host', issuer.sign('http://api.test/api'), /another resource/],
      ['a token for several audiences', issuer.sign([APP, 'http://other.test']), /several audiences/],
      ['an expired token', issuer.sign(APP, { expiresInSeconds: -1 }), /expired/],
      [
        'a token signed with another key under the same kid',
        issuer.sign(APP, {}, other.privateKey),
        /signature/,
      ],
      ['a token signed with an unknown key', issuer.sign(APP, {}, other.privateKey, 'unknown-kid'), /key/],
      [
        'alg none',
        `${b64({ alg: 'none', typ: 'at+jwt', kid: 'test-key-1' })}.${b64(claims)}.`,
        /algorithm|not a valid/,
      ],
      [
        'HS256 with the public key as the secret',
        new SignJWT(claims)
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'test-key-1' })
          .sign(new TextEncoder().encode(pem)),
        /algorithm/,
      ],
      ['an ID token rather than an access token', issuer.sign(APP, { typ: 'JWT' }), /at\+jwt/],
      ['another issuer', issuer.sign(APP, { iss: 'http://evil.test' }), /not issued by/],
      ['a revoked grant', issuer.sign(APP, { gid: 'grant-revoked' }), /revoked/],
      ['no identity', issuer.sign(APP, { extra: { login: undefined } }), /login/],
      ['not a JWT', 'abc.def', /not a valid signed JWT/],
    ];
    for (const [name, token, reason] of cases) {
      const res = await gw.send('app.test', '/', { headers: bearer(await token) });
      assert.equal(res.status, 401, name);
      const body = JSON.parse(res.text);
      assert.equal(body.error, 'AUTH_TOKEN_INVALID', name);
      assert.match(body.message, reason, name);
      const params = challengeParams(res.headers['www-authenticate']);
      assert.equal(params['error'], 'invalid_token', name);
      assert.equal(params['resource_metadata'], 'http://app.test/.well-known/oauth-protected-resource', name);
    }
    assert.equal(up.seen.length, seenBefore, 'none reached the upstream');
  });

  test('the injected clock decides expiry', async () => {
    const token = await issuer.sign(APP, { expiresInSeconds: 60 });
    assert.equal((await gw.send('app.test', '/clock', { headers: bearer(token) })).status, 200);
    clock.advance(61_000);
    try {
      const res = await gw.send('app.test', '/clock', { headers: bearer(token) });
      assert.equal(res.status, 401);
      assert.match(JSON.parse(res.text).message, /expired/);
    } finally {
      clock.advance(-61_000);
    }
  });

  test('a valid token without the path’s scope gets 403 insufficient_scope naming it', async () => {
    // bob is let in through his org and has only `user`; alice's token was asked for `user` only.
    for (const token of [
      await issuer.sign(APP, { login: 'github:bob', orgs: ['acme'], scope: 'user admin' }),
      await issuer.sign(APP, { scope: 'user' }),
    ]) {
      const res = await gw.send('app.test', '/admin/users', { headers: bearer(token) });
      assert.equal(res.status, 403);
      assert.equal(JSON.parse(res.text).error, 'AUTH_SCOPE_INSUFFICIENT');
      const params = challengeParams(res.headers['www-authenticate']);
      assert.equal(params['error'], 'insufficient_scope');
      assert.equal(params['scope'], 'admin');
      assert.equal(params['resource_metadata'], 'http://app.test/.well-known/oauth-protected-resource');
    }
  });

  test('required scopes follow the longest path prefix on segment boundaries', async () => {
    const bob = await issuer.sign(APP, { login: 'github:bob', orgs: ['acme'], scope: 'user' });
    const admin = await issuer.sign(APP, { scope: 'user admin' });
    const cases: [path: string, token: string, status: number][] = [
      ['/admin', admin, 200],
      ['/admin/x', admin, 200],
      ['/admin', bob, 403],
      ['/administrator', bob, 200],
      ['/page', bob, 200],
      ['/api/mcp', bob, 200],
    ];
    for (const [path, token, status] of cases)
      assert.equal((await gw.send('app.test', path, { headers: bearer(token) })).status, status, path);
    const mcp = await issuer.sign(API, { login: 'github:carol', scope: 'user mcp' });
    assert.equal(
      (await gw.send('api.test', '/api/mcp/tools', { headers: bearer(mcp) })).status,
      403,
      'carol has no mcp',
    );
    const aliceMcp = await issuer.sign(API, { scope: 'user mcp' });
    assert.equal((await gw.send('api.test', '/api/mcp/tools', { headers: bearer(aliceMcp) })).status, 200);
  });

  test('someone not on the allow list gets 403, and a removal applies to tokens already issued', async () => {
    const carol = await issuer.sign(APP, { login: 'github:carol' });
    const res = await gw.send('app.test', '/', { headers: bearer(carol) });
    assert.equal(res.status, 403);
    const body = JSON.parse(res.text);
    assert.equal(body.error, 'AUTH_ACCESS_DENIED');
    assert.match(body.message, /github:carol is not on the allow list of app\.test/);

    const dave = await issuer.sign(APP, { login: 'github:dave', scope: 'user admin' });
    assert.equal((await gw.send('app.test', '/admin', { headers: bearer(dave) })).status, 200);
    const patch = await gw.api('PATCH', `/api/v1/routes/${appRouteId}`, {
      auth: {
        allow: ['github:alice', 'github-org:acme'],
        scopes: { user: ['*'], admin: ['github:alice'] },
        require: [{ path: '/admin', scopes: ['admin'] }],
        public: ['/health'],
      },
    });
    assert.equal(patch.status, 200, JSON.stringify(patch.body));
    assert.equal((await gw.send('app.test', '/admin', { headers: bearer(dave) })).status, 403);
  });

  test('public paths are open without a token, and still carry no client identity headers', async () => {
    const res = await gw.send('app.test', '/health', { headers: { 'x-auth-user': 'github:alice' } });
    assert.equal(res.status, 200);
    assert.equal(lastSeen().headers['x-auth-user'], undefined);
    assert.equal((await gw.send('app.test', '/health/live')).status, 200);
    assert.equal(
      (await gw.send('app.test', '/healthz', { headers: { accept: 'application/json' } })).status,
      401,
    );
  });

  test('the route’s own prefix is used, and client copies of both prefixes are removed', async () => {
    const token = await issuer.sign(API);
    const res = await gw.send('api.test', '/api/x', {
      headers: {
        ...bearer(token),
        'x-me-user': 'github:mallory',
        'X-Auth-User': 'github:mallory',
        'x-auth-extra': '1',
      },
    });
    assert.equal(res.status, 200);
    const seen = lastSeen().headers;
    assert.equal(seen['x-me-user'], 'github:alice');
    assert.equal(seen['x-me-scopes'], 'user');
    assert.ok(seen['x-me-assertion']);
    assert.equal(seen['x-auth-user'], undefined);
    assert.equal(seen['x-auth-extra'], undefined);
  });

  test('a spoofed X-Auth-User, in any case, never reaches the upstream of an open route', async () => {
    for (const name of ['X-Auth-User', 'x-auth-user', 'X-AUTH-USER', 'x-Auth-Email', 'X-Auth-Assertion']) {
      const res = await gw.send('open.test', '/', { headers: { [name]: 'github:alice' } });
      assert.equal(res.status, 200);
      const names = lastSeen().rawHeaders.filter((_, i) => i % 2 === 0);
      assert.ok(!names.some((n) => n.toLowerCase().startsWith('x-auth-')), `${name}: ${names.join(', ')}`);
    }
  });

  test('a key rotation is picked up: a token with a new key id makes the gateway fetch the keys again', async () => {
    const signNew = await issuer.rotate('test-key-2');
    const token = await signNew(APP);
    clock.advance(31_000);
    try {
      const res = await gw.send('app.test', '/rotated', { headers: bearer(token) });
      assert.equal(res.status, 200, res.text);
      // Made-up key ids do not make it fetch again and again.
      const fetches = issuer.jwksFetches;
      const other = await generateKeyPair('ES256');
      for (let i = 0; i < 3; i++)
        assert.equal(
          (
            await gw.send('app.test', '/', {
              headers: bearer(await issuer.sign(APP, {}, other.privateKey, `made-up-${i}`)),
            })
          ).status,
          401,
        );
      assert.equal(issuer.jwksFetches, fetches);
    } finally {
      clock.advance(-31_000);
    }
  });
});
