import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { revokeGrant, StoreAdapter } from '../src/auth/server/store-adapter.ts';
import { systemClock } from '../src/core/clock.ts';
import { RedisStore } from '../src/store/redis/redis-store.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import type { Store } from '../src/store/types.ts';
import { authorizationRequest, insecure, startOAuthWorld } from './helpers/oauth-world.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

let redis: RedisServer;
let prefix = 0;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

const backends: [string, () => Promise<Store>][] = [
  ['sqlite', async () => SqliteStore.open(tempDir('gatehouse-adapter-'))],
  ['redis', async () => RedisStore.open(`${redis.url}?prefix=adapter${prefix++}:`)],
];

for (const [name, open] of backends) {
  describe(`oidc-provider adapter on ${name}`, () => {
    const replays: unknown[] = [];
    const adapter = (store: Store, model: string) =>
      new StoreAdapter(model, store.ephemeral, systemClock, async (m, payload) => {
        replays.push([m, payload.grantId]);
        throw new Error('replayed');
      });

    test('upsert and find; secondary lookups by session uid and user code; destroy removes them', async (t) => {
      const store = await open();
      t.after(() => store.close());
      const sessions = adapter(store, 'Session');
      await sessions.upsert('s1', { uid: 'uid-1', accountId: 'a' }, 60);
      assert.equal((await sessions.find('s1'))?.accountId, 'a');
      assert.equal((await sessions.findByUid('uid-1'))?.accountId, 'a');
      const devices = adapter(store, 'DeviceCode');
      await devices.upsert('d1', { userCode: 'ABCD-EFGH', grantId: 'g1' }, 60);
      assert.equal((await devices.findByUserCode('ABCD-EFGH'))?.grantId, 'g1');
      await sessions.destroy('s1');
      await devices.destroy('d1');
      assert.equal(await sessions.find('s1'), undefined);
      assert.equal(await sessions.findByUid('uid-1'), undefined);
      assert.equal(await devices.findByUserCode('ABCD-EFGH'), undefined);
      assert.equal(await adapter(store, 'Client').find('nope'), undefined);
    });

    test('consume marks once; a second consume is a replay', async (t) => {
      const store = await open();
      t.after(() => store.close());
      const codes = adapter(store, 'AuthorizationCode');
      await codes.upsert('c1', { grantId: 'g1', accountId: 'a' }, 60);
      await codes.consume('c1');
      assert.equal(typeof (await codes.find('c1'))?.consumed, 'number');
      replays.length = 0;
      await assert.rejects(codes.consume('c1'), /replayed/);
      assert.deepEqual(replays, [['AuthorizationCode', 'g1']]);
    });

    test('revokeByGrantId removes only that model of the grant; revokeGrant removes the whole family', async (t) => {
      const store = await open();
      t.after(() => store.close());
      const access = adapter(store, 'AccessToken');
      const refresh = adapter(store, 'RefreshToken');
      const grants = adapter(store, 'Grant');
      await grants.upsert('g1', { accountId: 'a' }, 60);
      await access.upsert('at1', { grantId: 'g1' }, 60);
      await refresh.upsert('rt1', { grantId: 'g1' }, 60);
      await refresh.upsert('rt-other', { grantId: 'g2' }, 60);
      await access.revokeByGrantId('g1');
      assert.equal(await access.find('at1'), undefined);
      assert.ok(await refresh.find('rt1'), 'another model of the grant stays');
      await revokeGrant(store.ephemeral, systemClock, 'g1');
      assert.equal(await refresh.find('rt1'), undefined);
      assert.equal(await grants.find('g1'), undefined);
      assert.ok(await refresh.find('rt-other'), 'another grant stays');
    });

    test('records expire with the lifetime oidc-provider gives', async (t) => {
      const store = await open();
      t.after(() => store.close());
      const interactions = adapter(store, 'Interaction');
      await interactions.upsert('i1', { uid: 'x' }, 1);
      await waitFor('the interaction to expire', async () => (await interactions.find('i1')) === undefined, {
        timeoutMs: 5000,
      });
    });
  });
}

describe('two nodes on one Redis', () => {
  test('share signing keys, and a token issued on node A refreshes on node B', async (t) => {
    const storeA = await RedisStore.open(`${redis.url}?prefix=twonodes:`);
    const world = await startOAuthWorld({ store: storeA });
    t.after(() => world.stop());
    const storeB = await RedisStore.open(`${redis.url}?prefix=twonodes:`);
    const nodeB = await world.addNode(storeB);
    // Node B stops before the store it runs on closes.
    t.after(async () => {
      await nodeB.stop();
      await storeB.close();
    });
    assert.deepEqual(await nodeB.server.jwks(), await world.node.server.jwks(), 'one key set, made once');
    const config = await world.register();
    const { url, verifier, state } = await authorizationRequest(config);
    const callback = await world.login(url, 'u-alice');
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    // The client talks to node B for its refresh: same issuer, another process.
    const onB = new client.Configuration(
      {
        ...JSON.parse(JSON.stringify(config.serverMetadata())),
        token_endpoint: `${nodeB.url}/oauth/token`,
      },
      config.clientMetadata().client_id,
      undefined,
      client.None(),
    );
    insecure.execute[0]!(onB);
    const refreshed = await client.refreshTokenGrant(onB, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    const gid = JSON.parse(Buffer.from(refreshed.access_token.split('.')[1]!, 'base64url').toString()).gid;
    assert.equal(await world.node.server.grantActive(gid), true);
    // A rotation on A reaches B through the store's change feed.
    await world.node.server.rotateSigningKey();
    const rotated = await world.node.server.jwks();
    assert.equal(rotated.keys.length, 2);
    await waitFor(
      'node B to load the rotated keys',
      async () => JSON.stringify(await nodeB.server.jwks()) === JSON.stringify(rotated),
    );
    const again = await client.refreshTokenGrant(onB, refreshed.refresh_token!);
    const kid = JSON.parse(Buffer.from(again.access_token.split('.')[0]!, 'base64url').toString()).kid;
    assert.equal(kid, rotated.keys[0]!.kid, 'node B signs with the new key');
    // The old refresh token reused on A revokes the family for both nodes.
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), {
      error: 'invalid_grant',
    });
    assert.equal(await nodeB.server.grantActive(gid), false);
  });
});
