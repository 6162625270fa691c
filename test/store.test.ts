import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, beforeEach, describe, test } from 'node:test';
import { ACME_ACCOUNTS, challengeStores, MANAGED_CERTIFICATES } from '../src/certs/cert-records.ts';
import { type Clock, manualClock, systemClock } from '../src/core/clock.ts';
import { seal, sealingKey, unseal } from '../src/core/sealing.ts';
import type { Route, RouteOf } from '../src/routes/route.ts';
import { byCreation, type CollectionSpec } from '../src/store/collection.ts';
import { StoreError } from '../src/store/errors.ts';
import { type ExpiringSpec, expiringCollection } from '../src/store/expiring.ts';
import { RedisStore } from '../src/store/redis/redis-store.ts';
import { SQLITE_MIGRATIONS } from '../src/store/sqlite/migrations.ts';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { type ApiKeyRecord, type ChangeEvent, type Store, TUNNEL_EVENTS_KEPT } from '../src/store/types.ts';
import { type RedisServer, startRedis } from './helpers/redis.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { waitFor } from './helpers/wait-for.ts';

function route(id: string, createdAt: string, overrides: Partial<RouteOf<'proxy'>> = {}): Route {
  return {
    kind: 'proxy',
    id,
    host: 'app.example.com',
    path: '/',
    priority: 0,
    target: 'http://127.0.0.1:9',
    stripPrefix: false,
    preserveHost: false,
    requestHeaders: { set: {}, remove: [] },
    responseHeaders: { set: {}, remove: [] },
    timeouts: { connectMs: 1000, responseMs: 1000, idleMs: 0 },
    createdAt,
    updatedAt: createdAt,
    ...overrides,
  };
}

function key(id: string, hash: string, createdAt = '2026-01-01T00:00:00.000Z'): ApiKeyRecord {
  return { id, name: `key ${id}`, prefix: 'gk_abcd', hash, createdAt };
}

interface Widget {
  readonly id: string;
  readonly serial: string;
  readonly count: number;
  readonly createdAt: string;
}

/** An entity declared only here: what a new one costs is this declaration. */
const WIDGETS: CollectionSpec<Widget> = {
  name: 'widgets',
  topic: 'widgets',
  key: (w) => w.id,
  unique: { byserial: (w) => w.serial },
  order: byCreation((w) => w.id),
};

function widget(id: string, serial: string, createdAt: string): Widget {
  return { id, serial, count: 0, createdAt };
}

/** The behaviour every Store implementation must share; `open` makes a fresh store on `clock`. */
function conformance(name: string, open: (clock: Clock) => Promise<Store>): void {
  describe(`store conformance: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await open(systemClock);
    });
    const done = async () => store.close();

    test('routes: insert, get, list in creation order', async (t) => {
      t.after(done);
      await store.routes.insert(route('b', '2026-01-02T00:00:00.000Z'));
      await store.routes.insert(route('a', '2026-01-01T00:00:00.000Z', { host: 'other.example.com' }));
      assert.deepEqual(
        (await store.routes.list()).map((r) => r.id),
        ['a', 'b'],
      );
      assert.equal((await store.routes.get('a'))?.host, 'other.example.com');
      assert.equal(await store.routes.get('missing'), undefined);
    });

    test('routes: a duplicate id is a conflict and keeps the first', async (t) => {
      t.after(done);
      await store.routes.insert(route('a', '2026-01-01T00:00:00.000Z'));
      await assert.rejects(
        store.routes.insert(route('a', '2026-01-01T00:00:00.000Z', { host: 'x.example.com' })),
        (e: unknown) => e instanceof StoreError && e.code === 'STORE_CONFLICT',
      );
      assert.equal((await store.routes.get('a'))?.host, 'app.example.com');
    });

    test('routes: replace and delete report whether the route existed', async (t) => {
      t.after(done);
      assert.equal(await store.routes.replace(route('a', '2026-01-01T00:00:00.000Z')), false);
      assert.equal(await store.routes.get('a'), undefined, 'replace must not create');
      await store.routes.insert(route('a', '2026-01-01T00:00:00.000Z'));
      assert.equal(await store.routes.replace(route('a', '2026-01-01T00:00:00.000Z', { priority: 7 })), true);
      assert.equal((await store.routes.get('a'))?.priority, 7);
      assert.equal(await store.routes.delete('a'), true);
      assert.equal(await store.routes.delete('a'), false);
      assert.deepEqual(await store.routes.list(), []);
    });

    test('api keys: insert, find by hash, revoke once', async (t) => {
      t.after(done);
      await store.apiKeys.insert(key('k1', 'h1'));
      assert.equal((await store.apiKeys.findByHash('h1'))?.id, 'k1');
      assert.equal(await store.apiKeys.findByHash('nope'), undefined);
      assert.equal(await store.apiKeys.revoke('k1', '2026-02-01T00:00:00.000Z'), true);
      assert.equal(await store.apiKeys.revoke('k1', '2026-03-01T00:00:00.000Z'), false);
      assert.equal((await store.apiKeys.get('k1'))?.revokedAt, '2026-02-01T00:00:00.000Z');
      assert.equal(await store.apiKeys.revoke('missing', '2026-02-01T00:00:00.000Z'), false);
    });

    test('api keys: a duplicate hash is a conflict', async (t) => {
      t.after(done);
      await store.apiKeys.insert(key('k1', 'h1'));
      await assert.rejects(
        store.apiKeys.insert(key('k2', 'h1')),
        (e: unknown) => e instanceof StoreError && e.code === 'STORE_CONFLICT',
      );
      assert.deepEqual(
        (await store.apiKeys.list()).map((k) => k.id),
        ['k1'],
      );
    });

    test('changes are announced synchronously to this node', async (t) => {
      t.after(done);
      const seen: ChangeEvent[] = [];
      const stop = store.onChange((e) => seen.push(e));
      await store.routes.insert(route('a', '2026-01-01T00:00:00.000Z'));
      await store.apiKeys.insert(key('k1', 'h1'));
      await store.routes.delete('a');
      await store.routes.delete('a');
      stop();
      await store.routes.insert(route('b', '2026-01-01T00:00:00.000Z'));
      assert.deepEqual(
        seen.map((e) => e.topic),
        ['routes', 'apiKeys', 'routes'],
      );
    });

    test('tunnels: names are unique, keys rotate, delete takes the events along', async (t) => {
      t.after(done);
      const tunnel = {
        name: 'otter',
        owner: 'k1',
        keyHash: 'h1',
        keyPrefix: 'gt_a',
        createdAt: '2026-01-01T00:00:00.000Z',
      };
      await store.tunnels.insert(tunnel);
      await assert.rejects(
        store.tunnels.insert({ ...tunnel, owner: 'k2' }),
        (e: unknown) => e instanceof StoreError && e.code === 'STORE_CONFLICT',
      );
      assert.equal((await store.tunnels.get('otter'))?.owner, 'k1');
      assert.equal(await store.tunnels.setKey('otter', 'h2', 'gt_b', '2026-01-02T00:00:00.000Z'), true);
      assert.equal(await store.tunnels.setKey('missing', 'h2', 'gt_b', '2026-01-02T00:00:00.000Z'), false);
      const rotated = await store.tunnels.get('otter');
      assert.equal(rotated?.keyHash, 'h2');
      assert.equal(rotated?.keyRotatedAt, '2026-01-02T00:00:00.000Z');
      await store.tunnels.addEvent('otter', {
        type: 'connect',
        at: '1',
        ip: '127.0.0.1',
        agentVersion: '0.1.0',
      });
      await store.tunnels.addEvent('otter', {
        type: 'disconnect',
        at: '2',
        ip: '127.0.0.1',
        reason: 'closed',
      });
      assert.deepEqual(
        (await store.tunnels.events('otter', 10)).map((e) => e.type),
        ['disconnect', 'connect'],
      );
      assert.equal((await store.tunnels.events('otter', 1)).length, 1);
      assert.equal(await store.tunnels.delete('otter'), true);
      assert.equal(await store.tunnels.delete('otter'), false);
      assert.deepEqual(await store.tunnels.events('otter', 10), []);
      assert.deepEqual(await store.tunnels.list(), []);
    });

    test('tunnel events are capped per tunnel', async (t) => {
      t.after(done);
      for (let i = 0; i < TUNNEL_EVENTS_KEPT + 5; i++) {
        await store.tunnels.addEvent('busy', { type: 'connect', at: String(i), ip: '127.0.0.1' });
      }
      const kept = await store.tunnels.events('busy', TUNNEL_EVENTS_KEPT + 100);
      assert.equal(kept.length, TUNNEL_EVENTS_KEPT);
      assert.equal(kept[0]?.at, String(TUNNEL_EVENTS_KEPT + 4));
    });

    test('ephemeral: put, get, replace, delete, list by namespace', async (t) => {
      t.after(done);
      await store.ephemeral.put('regs', 'ysg', 'a', 60_000);
      await store.ephemeral.put('regs', 'ci-1', 'b', 60_000);
      await store.ephemeral.put('other', 'ysg', 'c', 60_000);
      assert.equal(await store.ephemeral.get('regs', 'ysg'), 'a');
      await store.ephemeral.put('regs', 'ysg', 'a2', 60_000);
      assert.equal(await store.ephemeral.get('regs', 'ysg'), 'a2');
      assert.deepEqual(
        (await store.ephemeral.list('regs')).map((r) => [r.key, r.value]),
        [
          ['ci-1', 'b'],
          ['ysg', 'a2'],
        ],
      );
      const [first] = await store.ephemeral.list('regs');
      assert.ok(first && first.expiresAt > Date.now() && first.expiresAt <= Date.now() + 60_000);
      assert.equal(await store.ephemeral.delete('regs', 'ysg'), true);
      assert.equal(await store.ephemeral.delete('regs', 'ysg'), false);
      assert.equal(await store.ephemeral.get('regs', 'ysg'), undefined);
      assert.equal(await store.ephemeral.get('other', 'ysg'), 'c');
    });

    test('ephemeral: putMany stores a batch, replacing what was under its keys', async (t) => {
      t.after(done);
      await store.ephemeral.put('batch', 'b', 'old', 60_000);
      await store.ephemeral.putMany('batch', [], 60_000);
      await store.ephemeral.putMany(
        'batch',
        [
          { key: 'a', value: '1' },
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ],
        60_000,
      );
      assert.deepEqual(
        (await store.ephemeral.list('batch')).map((r) => [r.key, r.value]),
        [
          ['a', '1'],
          ['b', '2'],
          ['c', '3'],
        ],
      );
      const [first] = await store.ephemeral.list('batch');
      assert.ok(first && first.expiresAt > Date.now() && first.expiresAt <= Date.now() + 60_000);
      assert.equal(await store.ephemeral.get('batch', 'b'), '2');
    });

    test('ephemeral: records expire', async (t) => {
      t.after(done);
      await store.ephemeral.put('short', 'k', 'v', 60);
      assert.equal(await store.ephemeral.get('short', 'k'), 'v');
      const expired = async () => (await store.ephemeral.get('short', 'k')) === undefined;
      // A TTL of 60 ms: gone well within 2 s, which it would not be if taken as seconds.
      await waitFor('the record to expire', expired, { timeoutMs: 2000 });
      assert.deepEqual(await store.ephemeral.list('short'), []);
      assert.equal(
        await store.ephemeral.putIfAbsent('short', 'k', 'again', 60_000),
        true,
        'an expired key is free',
      );
    });

    test('ephemeral: expiry follows the store’s clock, not the time that passes', async (t) => {
      t.after(done);
      const clock = manualClock(Date.UTC(2030, 0, 1));
      const timed = await open(clock);
      t.after(() => timed.close());
      const { ephemeral } = timed;
      await ephemeral.put('leases', 'a', 'one', 60_000);
      await ephemeral.putMany('leases', [{ key: 'b', value: 'two' }], 60_000);
      await ephemeral.put('leases', 'c', 'three', 120_000);
      const start = clock();
      assert.deepEqual(
        (await ephemeral.list('leases')).map((r) => [r.key, r.expiresAt]),
        [
          ['a', start + 60_000],
          ['b', start + 60_000],
          ['c', start + 120_000],
        ],
        'expiry times are the clock’s',
      );
      clock.advance(59_999);
      assert.equal(await ephemeral.get('leases', 'a'), 'one', 'live until the clock reaches its expiry');
      clock.advance(1);
      assert.equal(await ephemeral.get('leases', 'a'), undefined);
      assert.equal(await ephemeral.get('leases', 'b'), undefined);
      assert.deepEqual(
        (await ephemeral.list('leases')).map((r) => r.key),
        ['c'],
      );
      assert.equal(await ephemeral.delete('leases', 'a'), false, 'an expired record is not there to delete');
      assert.equal(await ephemeral.deleteIf('leases', 'b', 'two'), false);
      assert.equal(
        await ephemeral.putIfAbsent('leases', 'a', 'again', 60_000),
        true,
        'an expired key is free',
      );
      assert.equal(await ephemeral.putIfAbsent('leases', 'c', 'other', 60_000), false, 'a live one is not');
      assert.equal(await ephemeral.get('leases', 'a'), 'again');
      assert.equal(await ephemeral.get('leases', 'c'), 'three');
    });

    test('ephemeral: putIfAbsent lets exactly one of many concurrent writers win', async (t) => {
      t.after(done);
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.ephemeral.putIfAbsent('sigs', 'same', String(i), 60_000)),
      );
      assert.equal(results.filter(Boolean).length, 1);
    });

    test('ephemeral: deleteIf removes a record only while it holds the value given', async (t) => {
      t.after(done);
      await store.ephemeral.put('leases', 'acct', 'owner-a', 60_000);
      assert.equal(await store.ephemeral.deleteIf('leases', 'acct', 'owner-b'), false);
      assert.equal(await store.ephemeral.get('leases', 'acct'), 'owner-a', 'another owner cannot release it');
      assert.equal(await store.ephemeral.deleteIf('leases', 'acct', 'owner-a'), true);
      assert.equal(await store.ephemeral.get('leases', 'acct'), undefined);
      assert.equal(
        await store.ephemeral.deleteIf('leases', 'acct', 'owner-a'),
        false,
        'nothing left to remove',
      );
      assert.equal(
        await store.ephemeral.putIfAbsent('leases', 'acct', 'owner-b', 60_000),
        true,
        'the key is free again',
      );
    });

    test('collections: any declared entity gets insert, get, list order, find, update and delete', async (t) => {
      t.after(done);
      const widgets = store.collection(WIDGETS);
      await widgets.insert(widget('w2', 'serial-2', '2026-01-02T00:00:00.000Z'));
      await widgets.insert(widget('w1', 'serial-1', '2026-01-01T00:00:00.000Z'));
      assert.deepEqual(
        (await widgets.list()).map((w) => w.id),
        ['w1', 'w2'],
      );
      assert.equal((await widgets.find('byserial', 'serial-2'))?.id, 'w2');
      assert.equal(await widgets.find('byserial', 'nope'), undefined);
      assert.equal((await widgets.update('w1', (w) => ({ ...w, count: w.count + 1 })))?.count, 1);
      assert.equal(await widgets.update('w1', () => undefined), undefined, 'no change, no write');
      assert.equal(await widgets.update('missing', (w) => w), undefined);
      assert.equal(await widgets.replace(widget('missing', 's', '2026-01-03T00:00:00.000Z')), false);
      assert.equal(await widgets.delete('w2'), true);
      assert.equal(await widgets.delete('w2'), false);
      assert.equal(await widgets.find('byserial', 'serial-2'), undefined, 'deleting frees the unique key');
      await widgets.insert(widget('w3', 'serial-2', '2026-01-03T00:00:00.000Z'));
      assert.equal((await widgets.find('byserial', 'serial-2'))?.id, 'w3');
      assert.deepEqual(await store.routes.list(), [], 'collections keep to themselves');
    });

    test('collections: a taken key or unique key is a conflict that stores nothing', async (t) => {
      t.after(done);
      const widgets = store.collection(WIDGETS);
      await widgets.insert(widget('w1', 'serial-1', '2026-01-01T00:00:00.000Z'));
      for (const clash of [
        widget('w1', 'serial-9', '2026-01-02T00:00:00.000Z'),
        widget('w2', 'serial-1', '2026-01-02T00:00:00.000Z'),
      ]) {
        await assert.rejects(
          widgets.insert(clash),
          (e: unknown) => e instanceof StoreError && e.code === 'STORE_CONFLICT',
        );
      }
      assert.deepEqual(
        (await widgets.list()).map((w) => [w.id, w.serial]),
        [['w1', 'serial-1']],
      );
      assert.equal(await widgets.find('byserial', 'serial-9'), undefined);
    });

    test('collections: concurrent updates lose nothing', async (t) => {
      t.after(done);
      const widgets = store.collection(WIDGETS);
      await widgets.insert(widget('w1', 'serial-1', '2026-01-01T00:00:00.000Z'));
      await Promise.all(
        Array.from({ length: 20 }, () => widgets.update('w1', (w) => ({ ...w, count: w.count + 1 }))),
      );
      assert.equal((await widgets.get('w1'))?.count, 20);
    });

    test('collections: writes announce the declared topic', async (t) => {
      t.after(done);
      const topics: string[] = [];
      store.onChange((e) => topics.push(e.topic));
      const widgets = store.collection(WIDGETS);
      await widgets.insert(widget('w1', 'serial-1', '2026-01-01T00:00:00.000Z'));
      await widgets.update('w1', (w) => ({ ...w, count: 1 }));
      await widgets.delete('w1');
      assert.deepEqual(topics, ['widgets', 'widgets', 'widgets']);
    });

    test('expiring collections: typed records per scope, one winner for putIfAbsent', async (t) => {
      t.after(done);
      const spec: ExpiringSpec<{ developer: string; n: number }> = { name: 'test-expiring' };
      const a = expiringCollection(store.ephemeral, spec, 'host-a');
      const b = expiringCollection(store.ephemeral, spec, 'host-b');
      await a.put('k1', { developer: 'ysg', n: 1 }, 60_000);
      assert.deepEqual(await a.get('k1'), { developer: 'ysg', n: 1 });
      assert.equal(await b.get('k1'), undefined, 'scopes keep to themselves');
      const wins = await Promise.all(
        Array.from({ length: 5 }, (_, n) => b.putIfAbsent('k1', { developer: 'x', n }, 60_000)),
      );
      assert.equal(wins.filter(Boolean).length, 1);
      assert.deepEqual(
        (await a.list()).map((r) => [r.key, r.record.n]),
        [['k1', 1]],
      );
      assert.equal(await a.delete('k1'), true);
      assert.equal(await a.get('k1'), undefined);
    });

    test('certificates: records with a sealed key, accounts, challenge tokens and one order lease', async (t) => {
      t.after(done);
      const certs = store.collection(MANAGED_CERTIFICATES);
      const at = '2026-01-01T00:00:00.000Z';
      const sealKey = sealingKey('a passphrase long enough for tests', 'test', 'certificates');
      await certs.insert({
        id: 'c1',
        names: ['a.test', 'b.test'],
        origin: 'config',
        directory: 'https://ca.test/dir',
        chainPem: '-----BEGIN CERTIFICATE-----',
        sealedKey: seal(sealKey, 'PRIVATE KEY PEM', 'c1'),
        renewAt: at,
        failures: 0,
        createdAt: at,
        updatedAt: at,
      });
      await certs.update('c1', (c) => ({ ...c, failures: c.failures + 1 }));
      const stored = await certs.get('c1');
      assert.equal(stored?.failures, 1);
      assert.doesNotMatch(JSON.stringify(stored), /PRIVATE KEY PEM/, 'the key is stored sealed');
      assert.equal(unseal(sealKey, stored!.sealedKey!, 'c1'), 'PRIVATE KEY PEM');
      assert.equal(unseal(sealKey, stored!.sealedKey!, 'c2'), undefined, 'bound to its record');
      const accounts = store.collection(ACME_ACCOUNTS);
      await accounts.insert({ directory: 'https://ca.test/dir', sealedKey: 'v1.x', createdAt: at });
      assert.equal((await accounts.get('https://ca.test/dir'))?.sealedKey, 'v1.x');
      const { http01, leases } = challengeStores(store.ephemeral);
      await http01.put('token-1', 'token-1.thumbprint', 60_000);
      assert.equal(await http01.get('token-1'), 'token-1.thumbprint');
      const wins = await Promise.all(
        ['node-a', 'node-b', 'node-c'].map((node) => leases.putIfAbsent('c1', { node }, 60_000)),
      );
      assert.equal(wins.filter(Boolean).length, 1, 'one node orders a certificate at a time');
    });

    test('ping answers while open', async (t) => {
      t.after(done);
      await store.ping();
    });
  });
}

conformance('sqlite', async (clock) => SqliteStore.open(':memory:', clock));

describe('sqlite store upgrades', () => {
  test('routes, keys and tunnels of a version-3 database move into the collections intact', async (t) => {
    const dir = tempDir('gatehouse-migrate-');
    const old = new DatabaseSync(join(dir, 'gatehouse.db'));
    for (const sql of SQLITE_MIGRATIONS.slice(0, 3)) old.exec(sql);
    old.exec('PRAGMA user_version = 3');
    // Routes stored before kinds existed had none.
    const { kind: _kind, ...r } = route('r1', '2026-01-01T00:00:00.000Z');
    const k = key('k1', 'hash-1');
    const tunnel = {
      name: 'ysg',
      owner: 'k1',
      keyHash: 'h',
      keyPrefix: 'gt_x',
      createdAt: '2026-01-01T00:00:00.000Z',
    };
    old
      .prepare('INSERT INTO routes (id, created_at, data) VALUES (?, ?, ?)')
      .run(r.id, r.createdAt, JSON.stringify(r));
    old
      .prepare('INSERT INTO api_keys (id, hash, created_at, revoked_at, data) VALUES (?, ?, ?, ?, ?)')
      .run(k.id, k.hash, k.createdAt, null, JSON.stringify(k));
    old
      .prepare('INSERT INTO tunnels (name, owner, created_at, data) VALUES (?, ?, ?, ?)')
      .run(tunnel.name, tunnel.owner, tunnel.createdAt, JSON.stringify(tunnel));
    old
      .prepare('INSERT INTO tunnel_events (tunnel, data) VALUES (?, ?)')
      .run('ysg', JSON.stringify({ type: 'connect', at: 'x', ip: '1' }));
    old.close();
    const store = SqliteStore.open(dir);
    t.after(() => store.close());
    assert.deepEqual(await store.routes.list(), [{ ...r, kind: 'proxy' }], 'the route gained its kind');
    assert.deepEqual(await store.apiKeys.findByHash('hash-1'), k);
    assert.deepEqual(await store.tunnels.get('ysg'), tunnel);
    assert.equal((await store.tunnels.events('ysg', 10)).length, 1);
    await assert.rejects(
      store.apiKeys.insert(key('k2', 'hash-1')),
      (e: unknown) => e instanceof StoreError && e.code === 'STORE_CONFLICT',
      'the unique hash came along',
    );
  });
});

let redis: RedisServer;
let db = 0;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});
// Each test gets a fresh key prefix, so nothing leaks between them.
conformance('redis', async (clock) => RedisStore.open(`${redis.url}?prefix=t${db++}:`, { clock }));

describe('redis store across nodes', () => {
  test('a change on one node reaches another through pub/sub', async (t) => {
    const a = await RedisStore.open(`${redis.url}?prefix=nodes:`);
    t.after(() => a.close());
    const b = await RedisStore.open(`${redis.url}?prefix=nodes:`);
    t.after(() => b.close());
    const heard = new Promise<ChangeEvent>((resolve) => b.onChange(resolve));
    await a.routes.insert(route('x', '2026-01-01T00:00:00.000Z'));
    assert.equal((await heard).topic, 'routes');
    assert.equal((await b.routes.get('x'))?.id, 'x');
  });

  test('routes stored before kinds existed gain theirs on upgrade', async (t) => {
    const seed = await RedisStore.open(`${redis.url}?prefix=upgrade:`);
    await seed.close();
    const { Redis } = await import('ioredis');
    const raw = new Redis(redis.url);
    const { kind: _p, ...proxy } = route('p', '2026-01-01T00:00:00.000Z');
    const relayed = { ...proxy, id: 'q', relay: { prefix: '/api/v1/dev-proxy' } };
    await raw.hset('upgrade:routes', 'p', JSON.stringify(proxy), 'q', JSON.stringify(relayed));
    await raw.set('upgrade:schema', '3');
    await raw.quit();
    const store = await RedisStore.open(`${redis.url}?prefix=upgrade:`);
    t.after(() => store.close());
    assert.deepEqual(
      (await store.routes.list()).map((r) => [r.id, r.kind]),
      [
        ['p', 'proxy'],
        ['q', 'relay'],
      ],
    );
  });

  test('an unreachable Redis is STORE_UNAVAILABLE, not a hang', async () => {
    await assert.rejects(
      RedisStore.open('redis://127.0.0.1:1'),
      (e: unknown) => e instanceof StoreError && e.code === 'STORE_UNAVAILABLE',
    );
  });
});
