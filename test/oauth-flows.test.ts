import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { HttpBrowser } from './helpers/http-browser.ts';
import {
  authorizationRequest,
  insecure,
  MCP_RESOURCE,
  type OAuthWorld,
  REDIRECT_URI,
  startOAuthWorld,
} from './helpers/oauth-world.ts';

describe('authorization server with openid-client as the client', () => {
  let world: OAuthWorld;
  before(async () => {
    world = await startOAuthWorld();
  });
  after(() => world.stop());

  test('discovery: RFC 8414 metadata and OIDC discovery name the same issuer, S256 only, iss in responses', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const res = await fetch(`${world.issuer}${path}`);
      assert.equal(res.status, 200, path);
      const meta = (await res.json()) as Record<string, unknown>;
      assert.equal(meta['issuer'], world.issuer);
      assert.deepEqual(meta['code_challenge_methods_supported'], ['S256']);
      assert.equal(meta['authorization_response_iss_parameter_supported'], true);
      assert.equal(meta['registration_endpoint'], `${world.issuer}/oauth/register`);
      assert.equal(meta['device_authorization_endpoint'], `${world.issuer}/oauth/device/auth`);
      assert.ok(meta['introspection_endpoint'] && meta['revocation_endpoint']);
    }
    const config = await client.discovery(
      new URL(world.issuer),
      'nobody',
      undefined,
      client.None(),
      insecure,
    );
    assert.equal(config.serverMetadata().issuer, world.issuer);
  });

  test('DCR, code + PKCE: a JWT access token for the resource with the identity claims', async () => {
    const config = await world.register({ client_name: 'Test MCP client' });
    const { url, verifier, state } = await authorizationRequest(config);
    const callback = await world.login(url, 'u-alice');
    assert.equal(
      callback.searchParams.get('iss'),
      world.issuer,
      'RFC 9207 iss in the authorization response',
    );
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.ok(tokens.refresh_token, 'a refresh token without asking for offline_access');
    assert.equal(decodeProtectedHeader(tokens.access_token).typ, 'at+jwt');
    const jwks = createRemoteJWKSet(new URL(`${world.issuer}/oauth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens.access_token, jwks, {
      issuer: world.issuer,
      audience: MCP_RESOURCE,
      typ: 'at+jwt',
    });
    assert.equal(protectedHeader.alg, 'ES256');
    assert.equal(payload.sub, 'oidc|u-alice');
    assert.equal(payload['scope'], 'mcp');
    assert.equal(payload['client_id'], config.clientMetadata().client_id);
    assert.equal(payload['login'], 'oidc:u-alice');
    assert.equal(payload['name'], 'Alice');
    assert.equal(payload['email'], 'alice@example.test');
    assert.equal(typeof payload['gid'], 'string');
    assert.deepEqual(payload['orgs'], []);
    assert.equal(await world.node.server.grantActive(String(payload['gid'])), true);
    assert.deepEqual(
      (await world.node.server.jwks()).keys.map((k) => k.kid),
      [protectedHeader.kid],
    );
  });
});

/** Registers a public client, logs alice in and redeems the code. */
async function loggedIn(world: OAuthWorld, user = 'u-alice', params: Record<string, string> = {}) {
  const config = await world.register();
  const { url, verifier, state } = await authorizationRequest(config, params);
  const callback = await world.login(url, user);
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: verifier,
    expectedState: state,
  });
  return { config, tokens, callback, verifier, state };
}

/** The OAuth error code a rejected openid-client call carries. */
async function oauthError(call: Promise<unknown>): Promise<{ error: string; description: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as {
      error?: string;
      error_description?: string;
      cause?: { error?: string; error_description?: string };
    };
    return {
      error: e.error ?? e.cause?.error ?? String(error),
      description: e.error_description ?? e.cause?.error_description ?? '',
    };
  }
  assert.fail('the call succeeded');
}

function gidOf(accessToken: string): string {
  return String(JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString())['gid']);
}

describe('tokens after login', () => {
  let world: OAuthWorld;
  before(async () => {
    world = await startOAuthWorld();
  });
  after(() => world.stop());

  test('refresh rotates the refresh token; reusing a rotated one revokes the whole family', async () => {
    const { config, tokens } = await loggedIn(world);
    const first = tokens.refresh_token!;
    const refreshed = await client.refreshTokenGrant(config, first);
    assert.ok(refreshed.refresh_token && refreshed.refresh_token !== first, 'a new refresh token');
    const payload = JSON.parse(Buffer.from(refreshed.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(payload.aud, MCP_RESOURCE, 'the granted resource is kept on refresh');
    const reuse = await oauthError(client.refreshTokenGrant(config, first));
    assert.equal(reuse.error, 'invalid_grant');
    assert.equal(await world.node.server.grantActive(gidOf(tokens.access_token)), false);
    const newest = await oauthError(client.refreshTokenGrant(config, refreshed.refresh_token!));
    assert.equal(newest.error, 'invalid_grant', 'the newest token of the family is revoked too');
  });

  test('device flow: the CLI polls, the person confirms the code on the auth host and logs in', async () => {
    const config = await world.register({
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      redirect_uris: [],
      response_types: [],
    });
    const device = await client.initiateDeviceAuthorization(config, {
      scope: 'openid admin',
      resource: `${world.issuer}/api`,
    });
    assert.equal(
      new URL(device.verification_uri).origin,
      world.issuer,
      'the user-code page is on the auth host',
    );
    const poll = () =>
      client.genericGrantRequest(config, 'urn:ietf:params:oauth:grant-type:device_code', {
        device_code: device.device_code,
      });
    assert.equal((await oauthError(poll())).error, 'authorization_pending');
    const done = await world.login(new URL(device.verification_uri_complete!), 'u-alice');
    assert.match(done.pathname, /^\/oauth\/device/);
    const tokens = await poll();
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(payload.aud, `${world.issuer}/api`);
    assert.equal(payload.scope, 'admin');
    assert.ok(tokens.refresh_token);
  });

  test('introspection answers registered confidential clients about refresh tokens; public clients are refused', async () => {
    const { config, tokens } = await loggedIn(world);
    const rs = await world.register({
      token_endpoint_auth_method: 'client_secret_basic',
      client_name: 'resource server',
    });
    const rsConfig = await world.configFor(
      rs.clientMetadata().client_id,
      String(rs.clientMetadata().client_secret),
    );
    const active = await client.tokenIntrospection(rsConfig, tokens.refresh_token!);
    assert.equal(active.active, true);
    assert.equal(active.sub, 'oidc|u-alice');
    // JWT access tokens are checked where they are used: signature (JWKS), audience, grantActive.
    const jwt = await oauthError(client.tokenIntrospection(rsConfig, tokens.access_token));
    assert.equal(jwt.error, 'unsupported_token_type');
    const refused = await oauthError(client.tokenIntrospection(config, tokens.refresh_token!));
    assert.equal(refused.error, 'invalid_client');
    assert.match(refused.description, /confidential clients/);
  });

  test('revocation (RFC 7009) ends a refresh token: refresh fails, introspection says inactive', async () => {
    const { config, tokens } = await loggedIn(world);
    await client.tokenRevocation(config, tokens.refresh_token!);
    assert.equal(
      (await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!))).error,
      'invalid_grant',
    );
    const rs = await world.register({ token_endpoint_auth_method: 'client_secret_basic' });
    const rsConfig = await world.configFor(
      rs.clientMetadata().client_id,
      String(rs.clientMetadata().client_secret),
    );
    assert.equal((await client.tokenIntrospection(rsConfig, tokens.refresh_token!)).active, false);
  });
});

describe('consent and scopes', () => {
  let world: OAuthWorld;
  before(async () => {
    world = await startOAuthWorld();
  });
  after(() => world.stop());

  test('a person logged in at the auth host authorizes a second client without logging in again', async () => {
    const browser = new HttpBrowser();
    const first = await world.register();
    const a = await authorizationRequest(first);
    await world.login(a.url, 'u-alice', browser);
    const second = await world.register();
    const b = await authorizationRequest(second);
    const res = await browser.navigate(b.url, { stop: (next) => next.href.startsWith(REDIRECT_URI) });
    assert.ok(res.url.searchParams.get('code'), 'no login page, no upstream: consent is first-party');
    const tokens = await client.authorizationCodeGrant(second, res.url, {
      pkceCodeVerifier: b.verifier,
      expectedState: b.state,
    });
    assert.equal(
      JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()).login,
      'oidc:u-alice',
    );
  });

  test('scopes the policy does not give are left out of the token, not granted', async () => {
    const config = await world.register();
    const { url, verifier, state } = await authorizationRequest(config, { scope: 'openid mcp admin' });
    const callback = await world.login(url, 'u-alice');
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString());
    assert.equal(payload.scope, 'mcp');
  });
});
