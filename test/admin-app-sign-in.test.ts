import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import type { DevIdp } from '../src/dev-idp/dev-idp.ts';
import { builtAdminApp } from './helpers/dashboard-build.ts';
import { standInEnvironment, startStandIn } from './helpers/dev-idp-login.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/** GET on the gateway with this Host; the answer's status, headers and text. */
async function get(gw: TestGateway, host: string, path: string) {
  const res = await request(`${gw.url}${path}`, { headers: { host } });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

const connectSrc = (headers: Record<string, unknown>) =>
  /connect-src ([^;]*);/.exec(String(headers['content-security-policy']))?.[1];

describe('the admin app learns from /ui/sign-in.json whether it may offer the admin login', () => {
  let idp: DevIdp;
  let gw: TestGateway;
  let issuer: string;
  before(async () => {
    idp = await startStandIn();
    gw = await startTestGateway({
      flags: { domain: 'localhost', 'auth-host': 'auth.localhost', 'admin-users': 'oidc:u-alice' },
      env: standInEnvironment(idp),
      adminAppDir: await builtAdminApp(),
    });
    issuer = `http://auth.localhost:${gw.port}`;
  });
  after(async () => {
    await gw?.stop();
    await idp?.stop();
  });

  test('offered: the issuer, the client, the admin API as resource and the admin scope, never cached', async () => {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const answer = await get(gw, host, '/ui/sign-in.json');
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['cache-control'], 'no-store');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      assert.deepEqual(JSON.parse(answer.text), {
        oauth: { issuer, clientId: 'gatehouse-admin', resource: `${issuer}/api`, scope: 'admin' },
      });
    }
    // Only on the admin hosts, as the rest of the app.
    assert.equal((await get(gw, 'shop.localhost', '/ui/sign-in.json')).status, 404);
  });

  test('the page may call the auth host, which is another origin; nothing else', async () => {
    const page = await get(gw, 'localhost', '/ui/');
    assert.equal(page.status, 200);
    assert.equal(connectSrc(page.headers), `'self' ${issuer}`);
  });

  test("the token endpoint answers the app's origins on the admin hosts, and no other", async () => {
    const refresh = (origin: string) =>
      request(`${gw.url}/oauth/token`, {
        method: 'POST',
        headers: {
          host: `auth.localhost:${gw.port}`,
          origin,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'gatehouse-admin',
          refresh_token: 'not-a-token',
        }).toString(),
      });
    for (const origin of [`http://localhost:${gw.port}`, 'http://127.0.0.1:1234', 'http://[::1]:8080']) {
      const res = await refresh(origin);
      const body = (await res.body.json()) as { error: string };
      assert.equal(res.headers['access-control-allow-origin'], origin);
      assert.equal(body.error, 'invalid_grant', origin);
    }
    for (const origin of ['http://evil.example', `http://shop.localhost:${gw.port}`, 'null']) {
      const res = await refresh(origin);
      const body = (await res.body.json()) as { error: string; error_description: string };
      assert.equal(res.headers['access-control-allow-origin'], undefined, origin);
      assert.equal(body.error, 'invalid_request', origin);
      assert.match(body.error_description, /origin .* not allowed for client: gatehouse-admin/);
    }
  });

  test('with logins but nobody in --admin-users, no login is offered, and the document says why', async (t) => {
    const nobody = await startTestGateway({ flags: { domain: 'localhost' }, env: standInEnvironment(idp) });
    t.after(() => nobody.stop());
    const answer = await get(nobody, 'localhost', '/ui/sign-in.json');
    assert.deepEqual(JSON.parse(answer.text), {
      oauth: null,
      reason: 'nobody is an administrator (--admin-users)',
    });
  });
});

describe('without a login provider the app offers the API key alone, under the strictest policy', () => {
  let gw: TestGateway;
  before(async () => {
    gw = await startTestGateway({ flags: { domain: 'localhost' }, adminAppDir: await builtAdminApp() });
  });
  after(() => gw?.stop());

  test('sign-in.json says why no login is offered; the page calls its own origin only', async () => {
    const answer = await get(gw, 'localhost', '/ui/sign-in.json');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const document = JSON.parse(answer.text);
    assert.equal(document.oauth, null);
    assert.match(document.reason, /no login provider is configured/);
    assert.doesNotMatch(answer.text, /secret/i);
    const page = await get(gw, '127.0.0.1', '/ui/');
    assert.equal(connectSrc(page.headers), "'self'");
  });
});
