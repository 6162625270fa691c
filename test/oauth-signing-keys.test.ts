import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { SIGNING_KEYS, SigningKeys } from '../src/auth/server/signing-keys.ts';
import { manualClock } from '../src/core/clock.ts';
import { sealingKey } from '../src/core/sealing.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import {
  authorizationRequest,
  MCP_RESOURCE,
  type OAuthWorld,
  startOAuthWorld,
} from './helpers/oauth-world.ts';
import { tempDir } from './helpers/temp-dirs.ts';

describe('signing keys', () => {
  test('made on first start, sealed in the store, rotated, kept until their tokens expire', async (t) => {
    const store = SqliteStore.open(tempDir('gatehouse-keys-'));
    t.after(() => store.close());
    const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
    const keepRetiredMs = 40 * 60 * 1000;
    const keys = new SigningKeys({
      store,
      clock,
      sealKey: sealingKey('k'.repeat(32), 's', 'p'),
      keepRetiredMs,
    });
    const first = await keys.load();
    assert.equal((await keys.load()).current.kid, first.current.kid, 'made once');
    const stored = (await store.collection(SIGNING_KEYS).list())[0]!;
    assert.equal(stored.alg, 'ES256');
    assert.equal('d' in stored.publicJwk, false, 'the public JWK has no private part');
    assert.doesNotMatch(stored.sealedPrivateJwk, /"d"/, 'the private JWK is sealed');
    assert.equal(keys.privateJwk(first.current).kty, 'EC');

    clock.advance(1000);
    const rotated = await keys.rotate();
    assert.notEqual(rotated.current.kid, first.current.kid);
    assert.deepEqual(
      rotated.verifying.map((k) => k.kid),
      [rotated.current.kid, first.current.kid],
      'the old key still verifies',
    );
    clock.advance(keepRetiredMs - 2000);
    assert.equal((await keys.load()).verifying.length, 2);
    clock.advance(2000);
    assert.deepEqual(
      (await keys.load()).verifying.map((k) => k.kid),
      [rotated.current.kid],
      'dropped once its tokens expired',
    );

    const otherSecret = new SigningKeys({
      store,
      clock,
      sealKey: sealingKey('x'.repeat(32), 's', 'p'),
      keepRetiredMs,
    });
    assert.throws(() => otherSecret.privateJwk(rotated.current), /GATEHOUSE_SECRET_KEY/);
  });
});

describe('signing keys of a running server', () => {
  let world: OAuthWorld;
  before(async () => {
    world = await startOAuthWorld();
  });
  after(() => world.stop());

  test('tokens signed before a rotation still verify; new ones use the new key', async () => {
    const config = await world.register();
    const { url, verifier, state } = await authorizationRequest(config);
    const tokens = await client.authorizationCodeGrant(config, await world.login(url, 'u-alice'), {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const oldKid = decodeProtectedHeader(tokens.access_token).kid;
    await world.node.server.rotateSigningKey();
    const jwks = await world.node.server.jwks();
    assert.equal(jwks.keys.length, 2);
    const verify = (token: string) =>
      jwtVerify(token, createLocalJWKSet(jwks), { issuer: world.issuer, audience: MCP_RESOURCE });
    await verify(tokens.access_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    const newKid = decodeProtectedHeader(refreshed.access_token).kid;
    assert.notEqual(newKid, oldKid);
    assert.equal(newKid, jwks.keys[0]!.kid);
    await verify(refreshed.access_token);
    const published = (await (await fetch(`${world.issuer}/oauth/jwks`)).json()) as {
      keys: { kid: string }[];
    };
    assert.deepEqual(
      published.keys.map((k) => k.kid),
      jwks.keys.map((k) => k.kid),
    );
  });

  test('identity assertions for upstreams are short-lived JWTs on the same keys', async () => {
    const assertion = await world.node.server.signAssertion(
      { sub: 'oidc|u-alice', login: 'oidc:u-alice' },
      'https://app.example.test',
    );
    const { payload, protectedHeader } = await jwtVerify(
      assertion,
      createLocalJWKSet(await world.node.server.jwks()),
      {
        issuer: world.issuer,
        audience: 'https://app.example.test',
        algorithms: ['ES256'],
      },
    );
    assert.equal(payload['login'], 'oidc:u-alice');
    assert.equal(payload.exp! - payload.iat!, 60);
    assert.equal(protectedHeader.kid, (await world.node.server.jwks()).keys[0]!.kid);
  });
});
