import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { parseAdminUsers } from '../src/auth/identity/admin-policy.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { DEFAULT_USERS, driveLogin, insecure } from './helpers/oauth-world.ts';
import { type OidcIssuer, startOidcIssuer } from './helpers/oidc-issuer.ts';
import { oidcProviderNotices } from './helpers/process-warnings.ts';
import { freePort } from './helpers/redis.ts';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('the gateway runs the authorization server on the auth host', () => {
  let upstream: OidcIssuer;
  let gw: TestGateway;
  let issuer: string;
  // oidc-provider prints notices for defaults left unchanged and development features straight to
  // the console; Gatehouse changes every one it uses, so nothing may appear there.
  const printed = oidcProviderNotices();
  before(async () => {
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    upstream = await startOidcIssuer({
      redirectUris: [`${issuer}/login/callback/oidc`],
      users: structuredClone(DEFAULT_USERS),
    });
    gw = await startTestGateway({
      flags: {
        port: String(port),
        'auth-host': '127.0.0.1',
        'admin-users': 'oidc:u-alice',
        'access-token-minutes': '5',
      },
      env: {
        OIDC_ISSUER: upstream.url,
        OIDC_CLIENT_ID: upstream.clientId,
        OIDC_CLIENT_SECRET: upstream.clientSecret,
        OIDC_LABEL: 'Company login',
      },
    });
  });
  after(async () => {
    await gw.stop();
    await upstream.stop();
  });

  /** A CLI's device login for the admin API as `user`; the token response, or the OAuth error. */
  async function deviceLogin(config: client.Configuration, user: string) {
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'user admin',
      resource: `${issuer}/api`,
    });
    await driveLogin(new URL(device.verification_uri_complete!), user, {
      issuer,
      upstream: upstream.url,
      label: 'Company login',
    });
    return client.genericGrantRequest(config, DEVICE_GRANT, { device_code: device.device_code });
  }

  test('--admin-users gets the admin API scope through the device flow; others only their own (user)', async () => {
    // OIDC's issuer check (the HTTP issuer needs the insecure option only because tests have no TLS).
    const registered = await client.dynamicClientRegistration(
      new URL(issuer),
      {
        grant_types: [DEVICE_GRANT, 'refresh_token'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'none',
      },
      undefined,
      insecure,
    );
    assert.equal(registered.serverMetadata().issuer, issuer);
    const tokens = await deviceLogin(registered, 'u-alice');
    const claims = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(claims.aud, `${issuer}/api`);
    assert.deepEqual(claims.scope.split(' ').sort(), ['admin', 'user']);
    assert.equal(claims.login, 'oidc:u-alice');
    assert.equal(claims.exp - claims.iat, 300, '--access-token-minutes');
    const jwks = await gw.gateway.authorizationServer()!.jwks();
    assert.equal(jwks.keys.length, 1);
    const rotated = await gw.api('POST', '/api/v1/oauth/keys/rotate');
    assert.equal(rotated.status, 200);
    assert.equal(rotated.body.keys.length, 2, 'the new key, and the old one until its tokens expire');
    assert.equal(rotated.body.keys[1], jwks.keys[0]!.kid);
    assert.equal(
      (await gw.api('GET', '/api/v1/routes/', undefined, tokens.access_token)).status,
      200,
      'a token signed with the old key still works',
    );
    const admin = await gw.api('GET', '/api/v1/routes/', undefined, tokens.access_token);
    assert.equal(admin.status, 200, 'the admin API takes the admin token');

    const bob = await deviceLogin(registered, 'u-bob');
    const bobClaims = JSON.parse(Buffer.from(bob.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(bobClaims.login, 'oidc:u-bob');
    assert.ok(
      !String(bobClaims.scope ?? '')
        .split(' ')
        .includes('admin'),
      'no admin scope for bob',
    );
    const refused = await gw.api('GET', '/api/v1/routes/', undefined, bob.access_token);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'INSUFFICIENT_SCOPE');
    assert.match(refused.body.message, /oidc:u-bob has no admin scope here/);
  });

  test('the admin API resource is the only one this policy knows', async () => {
    const registered = await client.dynamicClientRegistration(
      new URL(issuer),
      {
        grant_types: [DEVICE_GRANT],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'none',
      },
      undefined,
      insecure,
    );
    const device = await client.initiateDeviceAuthorization(registered, {
      scope: 'admin',
      resource: 'https://elsewhere.example/api',
    });
    await driveLogin(new URL(device.verification_uri_complete!), 'u-alice', {
      issuer,
      upstream: upstream.url,
      label: 'Company login',
    });
    await assert.rejects(
      client.genericGrantRequest(registered, DEVICE_GRANT, { device_code: device.device_code }),
      {
        error: 'invalid_target',
      },
    );
  });

  test('oidc-provider printed no notice or warning: no development defaults are in use', () => {
    assert.deepEqual(printed, []);
  });

  test('the login pages are not on other hosts', async () => {
    const res = await gw.send('app.example.test', '/.well-known/oauth-authorization-server');
    assert.equal(res.status, 404);
  });
});

describe('auth settings', () => {
  test('--admin-users is parsed into provider and login; a malformed entry names itself', () => {
    assert.deepEqual(parseAdminUsers('github:Alice, gitlab:bob, oidc:auth0|U-7'), [
      { kind: 'user', provider: 'github', login: 'alice' },
      { kind: 'user', provider: 'gitlab', login: 'bob' },
      { kind: 'user', provider: 'oidc', login: 'auth0|U-7' },
    ]);
    for (const bad of ['alice', 'github:', ':bob', 'github:a b', 'github:alice:x', 'email:a@b.test', '*']) {
      assert.throws(
        () => loadConfig({ flags: { 'admin-users': bad }, env: {} }),
        /admin-users.*<provider>:<login>|<provider>:<login>.*admin-users/s,
        bad,
      );
      assert.throws(() => parseAdminUsers(bad), /must be <provider>:<login>/, bad);
    }
  });

  test('lifetimes come from the config file and flags, with the seed defaults', () => {
    const defaults = loadConfig({ flags: {}, env: {} }).auth;
    assert.equal(defaults.accessTokenMinutes, 30);
    assert.equal(defaults.refreshTokenDays, 365);
    const fromFile = loadConfig({
      flags: { config: 'c.yaml', 'refresh-token-days': '30' },
      env: {},
      readFile: () => 'auth:\n  accessTokenMinutes: 10\n  host: auth.example.com\n',
    }).auth;
    assert.equal(fromFile.accessTokenMinutes, 10);
    assert.equal(fromFile.refreshTokenDays, 30);
    assert.equal(fromFile.host, 'auth.example.com');
    assert.throws(
      () => loadConfig({ flags: { 'access-token-minutes': '0' }, env: {} }),
      /access-token-minutes/,
    );
  });
});
