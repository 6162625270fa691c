import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { base64url, createLocalJWKSet, SignJWT } from 'jose';
import * as client from 'openid-client';
import { TokenRejected, verifyAccessToken } from '../src/auth/route/token-verifier.ts';
import { manualClock } from '../src/core/clock.ts';
import { HttpBrowser } from './helpers/http-browser.ts';
import {
  authorizationRequest,
  MCP_RESOURCE,
  type OAuthWorld,
  REDIRECT_URI,
  startOAuthWorld,
} from './helpers/oauth-world.ts';

async function oauthError(call: Promise<unknown>): Promise<{ error: string; description: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { error?: string; error_description?: string };
    return { error: e.error ?? String(error), description: e.error_description ?? '' };
  }
  assert.fail('the call succeeded');
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());
/** A refusal as route auth answers it (AUTH_TOKEN_INVALID), for the check jose names. */
const rejectedFor = (joseCode: string) => (e: unknown) =>
  e instanceof TokenRejected && e.code === 'AUTH_TOKEN_INVALID' && e.joseCode === joseCode;

describe('attacks on the authorization server', () => {
  let world: OAuthWorld;
  let config: client.Configuration;
  before(async () => {
    world = await startOAuthWorld();
    config = await world.register();
  });
  after(() => world.stop());

  /** A code for alice from a fresh browser; its verifier and state. */
  async function code(params: Record<string, string> = {}) {
    const request = await authorizationRequest(config, params);
    return { ...request, callback: await world.login(request.url, 'u-alice') };
  }

  test('a code redeemed without its PKCE verifier, or with another, is refused', async () => {
    for (const [name, verifier] of [
      ['missing', undefined],
      ['wrong', client.randomPKCECodeVerifier()],
    ] as const) {
      const { callback, state } = await code();
      const checks = verifier
        ? { pkceCodeVerifier: verifier, expectedState: state }
        : { expectedState: state };
      const refused = await oauthError(client.authorizationCodeGrant(config, callback, checks));
      assert.equal(refused.error, 'invalid_grant', name);
    }
  });

  test('an authorization request without S256 PKCE is refused before any login', async () => {
    const cases: [string, Record<string, string | undefined>][] = [
      ['no challenge', { code_challenge: undefined, code_challenge_method: undefined }],
      ['plain', { code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }],
    ];
    for (const [name, params] of cases) {
      const url = (await authorizationRequest(config)).url;
      for (const [k, v] of Object.entries(params)) {
        if (v === undefined) url.searchParams.delete(k);
        else url.searchParams.set(k, v);
      }
      const res = await new HttpBrowser().send(url);
      const location = new URL(String(res.headers['location'] ?? 'about:blank'));
      assert.equal(
        location.href.startsWith(REDIRECT_URI),
        true,
        `${name}: the error goes back to the client`,
      );
      assert.equal(location.searchParams.get('error'), 'invalid_request', name);
      assert.match(location.searchParams.get('error_description') ?? '', /PKCE|code_challenge/, name);
    }
  });

  test('a redirect URI not registered exactly is refused, with no redirect to it', async () => {
    for (const uri of [
      `${REDIRECT_URI}/`,
      `${REDIRECT_URI}x`,
      `${REDIRECT_URI}?next=evil`,
      'http://127.0.0.1:2/callback',
      'http://localhost:1/callback',
      'https://evil.example/callback',
    ]) {
      const { url } = await authorizationRequest(config, { redirect_uri: uri });
      const res = await new HttpBrowser().send(url);
      assert.equal(res.status, 400, uri);
      assert.equal(res.headers['location'], undefined, uri);
      assert.match(res.text, /redirect_uri/, uri);
    }
  });

  test('a replayed authorization code fails and revokes what the first redemption issued', async () => {
    const { callback, verifier, state } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const replay = await oauthError(
      client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state }),
    );
    assert.equal(replay.error, 'invalid_grant');
    assert.equal(await world.node.server.grantActive(claimsOf(tokens.access_token).gid), false);
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

  test('a token for a resource the policy does not grant cannot be had', async () => {
    const other = await authorizationRequest(config, { resource: 'https://other.example.test/api' });
    const res = await world.login(other.url, 'u-alice');
    assert.equal(res.searchParams.get('error'), 'invalid_target');
    // With a grant for the MCP resource, a refresh cannot move the token to another audience.
    const { callback, verifier, state } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const moved = await oauthError(
      client.refreshTokenGrant(config, tokens.refresh_token!, { resource: `${world.issuer}/api` }),
    );
    assert.equal(moved.error, 'invalid_target');
  });

  test('a person the policy refuses gets access_denied saying why', async () => {
    const { url } = await authorizationRequest(config);
    const callback = await world.login(url, 'u-bob');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.match(
      callback.searchParams.get('error_description') ?? '',
      /oidc:u-bob is not in the staff group/,
    );
    assert.equal(callback.searchParams.get('iss'), world.issuer);
  });

  test('a removed group membership is refused at the next refresh, and the grant is revoked', async () => {
    const { callback, verifier, state } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const alice = world.upstream.users.get('u-alice')!;
    alice.groups = [];
    try {
      const refused = await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!));
      assert.equal(refused.error, 'invalid_grant');
      assert.match(refused.description, /not in the staff group/);
      assert.equal(await world.node.server.grantActive(claimsOf(tokens.access_token).gid), false);
    } finally {
      alice.groups = ['staff'];
    }
  });

  test('an upstream login revoked at the issuer is refused at the next refresh', async () => {
    const { callback, verifier, state } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    await world.upstream.revokeUser('u-alice');
    const refused = await oauthError(client.refreshTokenGrant(config, tokens.refresh_token!));
    assert.equal(refused.error, 'invalid_grant');
    assert.match(refused.description, /no longer accepts this login/);
    assert.equal(await world.node.server.grantActive(claimsOf(tokens.access_token).gid), false);
  });

  test('the verifier refuses expired, forged, alg none, HMAC-confused and other-audience tokens', async () => {
    const { callback, verifier, state } = await code();
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const jwks = await world.node.server.jwks();
    const clock = manualClock();
    const check = (token: string, audience = MCP_RESOURCE) =>
      verifyAccessToken(token, {
        keys: createLocalJWKSet(jwks),
        issuer: world.issuer,
        audience,
        clock,
        grantActive: async () => true,
      });
    const claims = await check(tokens.access_token);
    assert.equal(claims.sub, 'oidc|u-alice');

    const [header, payload, signature] = tokens.access_token.split('.') as [string, string, string];
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt' }))}.${payload}.`;
    const tampered = `${header}.${base64url.encode(JSON.stringify({ ...claimsOf(tokens.access_token), scope: 'admin' }))}.${signature}`;
    const publicKeyBytes = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
    const hmac = await new SignJWT(claimsOf(tokens.access_token))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwks.keys[0]!.kid! })
      .sign(publicKeyBytes);
    for (const [name, token, code] of [
      ['alg none', none, 'ERR_JOSE_ALG_NOT_ALLOWED'],
      ['tampered payload', tampered, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'],
      ['HS256 keyed with the public key', hmac, 'ERR_JOSE_ALG_NOT_ALLOWED'],
    ] as const) {
      await assert.rejects(check(token), rejectedFor(code), name);
    }
    await assert.rejects(
      check(tokens.access_token, `${world.issuer}/api`),
      rejectedFor('ERR_JWT_CLAIM_VALIDATION_FAILED'),
    );
    clock.advance(31 * 60 * 1000);
    await assert.rejects(check(tokens.access_token), rejectedFor('ERR_JWT_EXPIRED'));
  });
});
