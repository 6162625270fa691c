import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import {
  authorizationRequest,
  insecure,
  MCP_RESOURCE,
  type OAuthWorld,
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
    assert.equal(payload['login'], 'oidc:alice');
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
